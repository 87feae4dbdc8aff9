"""`podcast publish` to S3-compatible storage: a real SeaweedFS on loopback (`weed mini`).

The bucket allows anonymous reads, as a public bucket behind a show's base_url does, so the
enclosure check asks SeaweedFS itself for every file at its public URL.
"""

from __future__ import annotations

import json
import uuid

import feedparser
import pytest
import requests
from conftest import run
from publish_servers import PUBLISHER, READER, add_episode, aws_env, free_port, make_show

from podcast import pipeline


@pytest.fixture
def bucket(seaweedfs) -> str:
    return seaweedfs.bucket("show-" + uuid.uuid4().hex[:10])


@pytest.fixture
def show(tmp_path, seaweedfs, bucket, mp3_factory):
    made = make_show(
        tmp_path / "show",
        f"{seaweedfs.endpoint}/{bucket}/podcast/",
        mp3_factory,
        tables=(
            "[publish]\n"
            f'to = "s3://{bucket}/podcast"\n'
            f'endpoint_url = "{seaweedfs.endpoint}"\n'
            'region = "us-east-1"\n'
            "pubnotify = false\n"
        ),
    )
    add_episode(made, "first")
    pipeline.build(made.root)
    return made


def show_feed_url(show) -> str:
    from podcast.config import read_show

    return read_show(show.root)[0].feed_url


def publish(show, tmp_path, *args: str, credentials=PUBLISHER):
    env = aws_env(credentials, tmp_path)
    return run("publish", str(show.root), *args, env=env)


def test_the_show_goes_up_with_its_headers_and_reads_back(show, tmp_path, seaweedfs, bucket):
    result = publish(show, tmp_path, "--json")

    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["checked"] == [f"{seaweedfs.endpoint}/{bucket}/podcast/media/first/first.mp3"]
    client = seaweedfs.client()
    feed = client.head_object(Bucket=bucket, Key="podcast/feed.xml")
    assert feed["ContentType"] == "application/rss+xml; charset=utf-8"
    assert feed["CacheControl"] == "public, max-age=300"
    audio = client.head_object(Bucket=bucket, Key="podcast/media/first/first.mp3")
    assert audio["ContentType"] == "audio/mpeg"
    assert audio["CacheControl"] == "public, max-age=31536000, immutable"
    chapters = client.head_object(Bucket=bucket, Key="podcast/chapters/first.json")
    assert chapters["ContentType"].startswith("application/json")

    parsed = feedparser.parse(requests.get(show_feed_url(show), timeout=10).content)
    (enclosure,) = parsed.entries[0].enclosures
    assert (
        requests.get(enclosure.href, timeout=10).content
        == (show.root / "episodes/first/first.mp3").read_bytes()
    )


def test_a_second_publish_uploads_nothing(show, tmp_path):
    assert publish(show, tmp_path).exit_code == 0
    again = json.loads(publish(show, tmp_path, "--json").stdout)
    assert again["uploaded"] == [] and "feed.xml" in again["skipped"]


def test_what_is_in_the_bucket_already_is_not_sent_again_without_a_record(show, tmp_path, seaweedfs, bucket):
    # Another machine published the same show and the record is gone: the store's ETags still tell.
    assert publish(show, tmp_path).exit_code == 0
    seaweedfs.client().delete_object(Bucket=bucket, Key="podcast/.podcast-published.json")
    again = json.loads(publish(show, tmp_path, "--json").stdout)
    assert again["uploaded"] == []


def test_a_bucket_that_does_not_exist_is_one_line(show, tmp_path):
    result = publish(show, tmp_path, "--to", "s3://no-such-bucket-here/podcast")
    assert result.exit_code == 1
    assert "s3://no-such-bucket-here/podcast" in result.stderr
    assert "bucket 'no-such-bucket-here' does not exist; create it" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_wrong_credentials_are_one_line(show, tmp_path):
    result = publish(show, tmp_path, credentials=("podcastkey", "wrong-secret"))
    assert result.exit_code == 1
    assert "the credentials were refused (SignatureDoesNotMatch)" in result.stderr
    assert "AWS_SECRET_ACCESS_KEY" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_credentials_say_where_they_come_from(show, tmp_path):
    env = {**aws_env(PUBLISHER, tmp_path), "AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
    result = run("publish", str(show.root), env=env)
    assert result.exit_code == 1
    assert "no credentials found" in result.stderr and "never in podcast.toml" in result.stderr


def test_an_unreachable_endpoint_is_one_line(show, tmp_path, seaweedfs):
    toml = show.root / "podcast.toml"
    dead = f"http://127.0.0.1:{free_port()}"
    toml.write_text(toml.read_text("utf-8").replace(seaweedfs.endpoint + '"', dead + '"'), "utf-8")
    result = publish(show, tmp_path)
    assert result.exit_code == 1
    assert f"(endpoint {dead}): cannot reach the storage service" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_credentials_that_may_only_read_leave_the_live_feed_byte_identical(show, tmp_path, seaweedfs, bucket):
    assert publish(show, tmp_path).exit_code == 0
    live = seaweedfs.body(bucket, "podcast/feed.xml")
    add_episode(show, "second", date="2025-02-01")
    pipeline.build(show.root)

    result = publish(show, tmp_path, credentials=READER)

    assert result.exit_code == 1
    assert "access denied (write media/second/second.mp3)" in result.stderr
    assert seaweedfs.body(bucket, "podcast/feed.xml") == live


@pytest.mark.parametrize(
    ("destination", "said"),
    [
        ("s3://Bad_Bucket!/podcast", "'Bad_Bucket!' is not a bucket name"),
        ("s3://pub/../etc", "the prefix '../etc' has an empty, '.' or '..' part"),
    ],
)
def test_a_malformed_destination_is_one_line_naming_it(show, tmp_path, destination, said):
    result = publish(show, tmp_path, "--to", destination)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {destination}: {said}")
    assert len(result.stderr.strip().splitlines()) == 1
