"""How long `podcast publish` takes on a big show: N episodes, each a real 3-second MP3,
published to a folder served on 127.0.0.1 by werkzeug (byte ranges on).

    python bench/publish_big_show.py [N]        # default 500 episodes

Prints the seconds for planning (read the show, check the build is current, checksum
every file, list the destination), for a first publish without the enclosure check
(every file copied), for one with it (every enclosure asked over loopback HTTP: HEAD and
a two-byte range), and for a second publish of the unchanged show (nothing uploaded).
Needs the test extra (lameenc, werkzeug).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from lint_big_show import make_show  # noqa: E402
from publish_servers import WebRoot  # noqa: E402

from podcast import pipeline  # noqa: E402
from podcast.publish import Publication  # noqa: E402


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "show"
        server = WebRoot(Path(tmp) / "www")
        try:
            make_show(root, count)
            toml = root / "podcast.toml"
            toml.write_text(
                toml.read_text().replace("https://cdn.example.com/bench/", server.url)
                + f'\n[publish]\nto = "{server.folder}"\npubnotify = false\n'
            )
            pipeline.build(root, force=True)

            with Publication(root, to=str(Path(tmp) / "unchecked")) as plain:
                _, copy_only = timed(lambda: plain.run(ping=False, verify=False))
            job, planning = timed(lambda: Publication(root))
            with job:
                report, first = timed(lambda: job.run(ping=False))
            again, second_plan = timed(lambda: Publication(root))
            with again:
                second, second_run = timed(lambda: again.run(ping=False))
        finally:
            server.stop()
    size = sum(u.size for u in report.uploaded)
    print(f"{count} episodes, {len(report.uploaded)} files, {size:,} bytes")
    print(f"  plan (read, check build, checksums, list):  {planning:6.2f} s")
    print(f"  first publish, --no-verify (copy only):     {copy_only:6.2f} s")
    print(f"  first publish (copy + {len(report.checked)} enclosure checks): {first:6.2f} s")
    done = len(second.uploaded)
    print(f"  second publish: plan {second_plan:6.2f} s, run {second_run:6.2f} s, {done} uploaded")


if __name__ == "__main__":
    main()
