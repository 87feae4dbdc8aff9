# ruff: noqa: E501  (feeds are data, written as hosts write them)
"""Feeds in the shapes hosting platforms publish, written for the import tests.

Each is modelled on what that platform's feeds look like (the tags they use, how they
write guids, dates, durations and show notes), with the quirks real feeds carry. They
name their files under BASE, which the tests replace with the loopback server's URL.
"""

from __future__ import annotations

BASE = "http://HOST"

NAMESPACES = (
    'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:atom="http://www.w3.org/2005/Atom" '
    'xmlns:podcast="https://podcastindex.org/namespace/1.0"'
)

# Libsyn: CDATA everywhere, guids of their own, itunes:explicit as "clean"/"no" in older shows,
# durations as HH:MM:SS, the owner in itunes:owner.
LIBSYN = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" {NAMESPACES}>
<channel>
  <atom:link href="{BASE}/libsyn/rss" rel="self" type="application/rss+xml"/>
  <title><![CDATA[Garden Talk]]></title>
  <pubDate>Tue, 01 Apr 2025 10:00:00 +0000</pubDate>
  <link><![CDATA[https://gardentalk.libsyn.example/website]]></link>
  <language><![CDATA[en-us]]></language>
  <copyright><![CDATA[2025 Garden Talk]]></copyright>
  <description><![CDATA[<p>Weekly talk about <b>vegetable</b> gardens.</p>]]></description>
  <image><url>{BASE}/libsyn/cover.jpg</url><title>Garden Talk</title><link>https://gardentalk.libsyn.example</link></image>
  <itunes:author>Rosa Green</itunes:author>
  <itunes:keywords>garden,vegetables</itunes:keywords>
  <itunes:category text="Leisure"><itunes:category text="Home &amp; Garden"/></itunes:category>
  <itunes:image href="{BASE}/libsyn/cover.jpg"/>
  <itunes:explicit>clean</itunes:explicit>
  <itunes:owner><itunes:name><![CDATA[Rosa Green]]></itunes:name><itunes:email>rosa@gardentalk.example</itunes:email></itunes:owner>
  <itunes:type>episodic</itunes:type>
  <item>
    <title><![CDATA[Tomatoes in Pots]]></title>
    <itunes:title><![CDATA[Tomatoes in Pots]]></itunes:title>
    <pubDate>Tue, 01 Apr 2025 10:00:00 +0000</pubDate>
    <guid isPermaLink="false"><![CDATA[5b1f3c2a-e7d1-4c0b-9a2e-1f4d8c6b0a11]]></guid>
    <link><![CDATA[https://gardentalk.libsyn.example/tomatoes-in-pots]]></link>
    <itunes:image href="{BASE}/libsyn/cover.jpg"/>
    <description><![CDATA[<p>Which varieties grow well in a <a href="/blog/pots">pot</a>.</p><ul><li>Cherry</li><li>Bush</li></ul>]]></description>
    <content:encoded><![CDATA[<p>Which varieties grow well in a <a href="/blog/pots">pot</a>.</p><ul><li>Cherry</li><li>Bush</li></ul>]]></content:encoded>
    <enclosure length="{{length}}" type="audio/mpeg" url="{BASE}/libsyn/tomatoes.mp3?dest-id=1234"/>
    <itunes:duration>00:00:03</itunes:duration>
    <itunes:explicit>no</itunes:explicit>
    <itunes:keywords/>
    <itunes:season>2</itunes:season>
    <itunes:episode>7</itunes:episode>
    <itunes:episodeType>full</itunes:episodeType>
  </item>
  <item>
    <title><![CDATA[Bonus: Seed Swap]]></title>
    <pubDate>Sat, 15 Mar 2025 09:30:00 +0000</pubDate>
    <guid isPermaLink="false"><![CDATA[gardentalk-seed-swap-2025]]></guid>
    <description><![CDATA[Bring seeds, take seeds.]]></description>
    <enclosure length="{{length}}" type="audio/mpeg" url="{BASE}/libsyn/seeds.mp3"/>
    <itunes:duration>3</itunes:duration>
    <itunes:explicit>yes</itunes:explicit>
    <itunes:episodeType>bonus</itunes:episodeType>
  </item>
</channel>
</rss>
"""

# Buzzsprout: "Buzzsprout-<n>" guids, durations in seconds, Podcasting 2.0 tags (guid, locked,
# funding, person, chapters, transcripts).
BUZZSPROUT = f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" {NAMESPACES}>
<channel>
  <atom:link href="{BASE}/buzzsprout/123456.rss" rel="self" type="application/rss+xml" />
  <atom:link href="https://pubsubhubbub.appspot.com/" rel="hub" />
  <title>Night Sky Notes</title>
  <description>Short guides to what you can see tonight.</description>
  <link>https://nightsky.buzzsprout.example</link>
  <language>en-gb</language>
  <itunes:author>Omar Stars</itunes:author>
  <itunes:image href="{BASE}/buzzsprout/artwork.png" />
  <itunes:category text="Science"><itunes:category text="Astronomy" /></itunes:category>
  <itunes:category text="Education" />
  <itunes:owner><itunes:name>Omar Stars</itunes:name><itunes:email>omar@nightsky.example</itunes:email></itunes:owner>
  <itunes:explicit>false</itunes:explicit>
  <itunes:type>serial</itunes:type>
  <podcast:guid>4f0bd1d6-3e4c-5e8e-9a35-6c0e6f1b2a77</podcast:guid>
  <podcast:locked owner="omar@nightsky.example">yes</podcast:locked>
  <podcast:funding url="https://nightsky.example/support">Support the show</podcast:funding>
  <podcast:person role="host" href="https://nightsky.example/omar">Omar Stars</podcast:person>
  <podcast:license>cc-by-4.0</podcast:license>
  <podcast:location geo="geo:51.4779,-0.0015" osm="R1234">Greenwich, London</podcast:location>
  <podcast:txt purpose="verify">S6lpp-7ZCn8-dZfGc-OoyaG</podcast:txt>
  <podcast:updateFrequency rrule="FREQ=WEEKLY">Weekly</podcast:updateFrequency>
  <item>
    <itunes:episodeType>full</itunes:episodeType>
    <itunes:title>The Moon</itunes:title>
    <title>Ep. 2: The Moon</title>
    <description><![CDATA[<p>Craters, seas and the terminator line.</p><p>00:00 Intro<br>00:01 Craters</p>]]></description>
    <content:encoded><![CDATA[<p>Craters, seas and the terminator line.</p>]]></content:encoded>
    <itunes:author>Omar Stars</itunes:author>
    <enclosure url="{BASE}/buzzsprout/moon.mp3" length="{{length}}" type="audio/mpeg" />
    <guid isPermaLink="false">Buzzsprout-16712345</guid>
    <pubDate>Mon, 07 Apr 2025 05:00:00 -0400</pubDate>
    <podcast:transcript url="{BASE}/buzzsprout/moon.vtt" type="text/vtt" />
    <podcast:chapters url="{BASE}/buzzsprout/moon.json" type="application/json+chapters" />
    <itunes:duration>3</itunes:duration>
    <itunes:season>1</itunes:season>
    <itunes:episode>2</itunes:episode>
    <podcast:season>1</podcast:season>
    <podcast:episode>2</podcast:episode>
    <itunes:explicit>false</itunes:explicit>
  </item>
  <item>
    <itunes:episodeType>trailer</itunes:episodeType>
    <title>Welcome to Night Sky Notes</title>
    <description><![CDATA[<p>What this show is.</p>]]></description>
    <enclosure url="{BASE}/buzzsprout/trailer.mp3" length="{{length}}" type="audio/mpeg" />
    <guid isPermaLink="false">Buzzsprout-16700001</guid>
    <pubDate>Mon, 31 Mar 2025 05:00:00 -0400</pubDate>
    <itunes:duration>3</itunes:duration>
    <itunes:season>1</itunes:season>
    <itunes:explicit>false</itunes:explicit>
  </item>
</channel>
</rss>
"""

# Anchor (Spotify for Podcasters): HTML show notes in CDATA with <br> line breaks, dc:creator,
# GMT dates, the owner's e-mail only in itunes:owner, itunes:explicit "No" in capitals.
ANCHOR = f"""<?xml version="1.0" encoding="UTF-8"?><rss xmlns:dc="http://purl.org/dc/elements/1.1/" {NAMESPACES} version="2.0">
<channel>
<title><![CDATA[Coffee Break Spanish Club]]></title>
<description><![CDATA[Learn a phrase a day.]]></description>
<link>https://podcasters.spotify.example/pod/show/coffee-club</link>
<generator>Anchor Podcasts</generator>
<lastBuildDate>Wed, 09 Apr 2025 12:00:00 GMT</lastBuildDate>
<atom:link href="{BASE}/anchor/podcast/rss" rel="self" type="application/rss+xml"/>
<author><![CDATA[Lucia Cafe]]></author>
<copyright><![CDATA[Lucia Cafe]]></copyright>
<language><![CDATA[es]]></language>
<itunes:author>Lucia Cafe</itunes:author>
<itunes:summary>Learn a phrase a day.</itunes:summary>
<itunes:type>episodic</itunes:type>
<itunes:owner><itunes:name>Lucia Cafe</itunes:name><itunes:email>lucia@coffee.example</itunes:email></itunes:owner>
<itunes:explicit>No</itunes:explicit>
<itunes:category text="Education"><itunes:category text="Language Learning"/></itunes:category>
<itunes:image href="{BASE}/anchor/art.jpg"/>
<item>
<title><![CDATA[¿Qué tal? &amp; other greetings]]></title>
<description><![CDATA[<p>Greetings for every hour.</p><p><br></p><p>Find the list at <a href="https://coffee.example/greetings">our site</a>.</p><p>---</p><p>Send in a voice message: https://podcasters.spotify.example/pod/show/coffee-club/message</p>]]></description>
<link>https://podcasters.spotify.example/pod/show/coffee-club/episodes/Qu-tal-e2abc12</link>
<guid isPermaLink="false">9c7d2a41-5f6e-4b8a-b0c3-2d1e0f9a8b7c</guid>
<dc:creator><![CDATA[Lucia Cafe]]></dc:creator>
<pubDate>Wed, 09 Apr 2025 12:00:00 GMT</pubDate>
<enclosure url="{BASE}/anchor/production/2025-3-9/greetings.m4a" length="{{length}}" type="audio/x-m4a"/>
<itunes:summary>&lt;p&gt;Greetings for every hour.&lt;/p&gt;</itunes:summary>
<itunes:explicit>No</itunes:explicit>
<itunes:duration>00:00:03</itunes:duration>
<itunes:image href="{BASE}/anchor/art.jpg"/>
<itunes:episodeType>full</itunes:episodeType>
</item>
</channel>
</rss>
"""

# A small host's hand-rolled feed, of the kind WordPress plugins and old hosts (Soundwise) leave:
# a blank line before <?xml?>, ISO-8859-1 declared but UTF-8 written, HTML entities XML does not
# define, a bare "&", a relative enclosure URL, an item without a guid, an ISO 8601 date,
# itunes:explicit "yes", a full weekday and month name, no owner e-mail but a managingEditor,
# an enclosure type of "audio/mp3".
QUIRKY = f"""
<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0" {NAMESPACES}>
<channel>
  <title>Caf\u00e9 Stories&nbsp;Weekly</title>
  <link>https://cafestories.example/</link>
  <description>Stories told over coffee &mdash; one a week. Q&A at the end.</description>
  <language>fr</language>
  <managingEditor>host@cafestories.example (Am\u00e9lie Conte)</managingEditor>
  <itunes:category text="Arts"><itunes:category text="Books"/></itunes:category>
  <itunes:explicit>yes</itunes:explicit>
  <item>
    <title>L'\u00e9t\u00e9 &eacute;ternel</title>
    <description>Plain text notes.

Second paragraph, with a link: https://cafestories.example/ete</description>
    <enclosure url="media/ete.mp3" length="{{length}}" type="audio/mpeg"/>
    <pubDate>2025-03-02T08:15:00+01:00</pubDate>
    <itunes:duration>0:03</itunes:duration>
  </item>
  <item>
    <title>Le caf\u00e9 du coin</title>
    <guid>cafe-du-coin-0001</guid>
    <description>&lt;p&gt;Escaped HTML &lt;b&gt;notes&lt;/b&gt;.&lt;/p&gt;</description>
    <enclosure url="{BASE}/quirky/media/coin.mp3" length="{{length}}" type="audio/mp3"/>
    <pubDate>Sunday, 16 March 2025 08:15:00 CET</pubDate>
    <itunes:duration>3</itunes:duration>
  </item>
</channel>
</rss>
"""


def feed(template: str, base: str, length: int) -> bytes:
    """The feed with its files under `base` and every enclosure `length` bytes long."""
    return template.replace(BASE, base.rstrip("/")).replace("{length}", str(length)).encode("utf-8")
