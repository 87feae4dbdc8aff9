"""The one place that speaks HTTP: lint, publish and import all come through here.

Everything a server sends is hostile until bounded. A `Client` wraps one
`requests.Session` and adds what requests leaves to the caller: a timeout on every
read, an overall deadline per request (a server that sends one byte a second never
trips a per-read timeout), a cap on the body *after* decompression (a gzip bomb
stops at the cap), redirects followed by hand so that their number is capped, a
loop is called a loop and nothing but http(s) is ever fetched.

Failures are one exception, `NetError`, whose `reason` is a short line a user can
read ("HTTP 404 Not Found", "no answer within 60 s", "redirect loop").
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urljoin

import requests
from requests.structures import CaseInsensitiveDict

from .errors import PodcastError
from .weburl import is_web_url

DEFAULT_TIMEOUT = 15.0  # seconds a connect or a single read may take
DEFAULT_DEADLINE = 60.0  # seconds one request may take in all, redirects and body included
DEFAULT_MAX_BYTES = 50_000_000  # a body larger than this (decoded) is refused
DEFAULT_MAX_REDIRECTS = 5
CHUNK = 65536
REDIRECTS = {301, 302, 303, 307, 308}
PERMANENT = {301, 308}
RETRY_STATUSES = {429, 500, 502, 503, 504}


def default_user_agent() -> str:
    try:
        from importlib.metadata import version

        return f"podcast/{version('podcast')}"
    except Exception:  # not installed as a distribution (a bare checkout)
        return "podcast"


class NetError(PodcastError, OSError):
    """A URL could not be had. `reason` is one short line; `status` the HTTP status, if any."""

    def __init__(self, url: str, reason: str, *, status: int | None = None, retryable: bool = False) -> None:
        super().__init__(f"{url}: {reason}", path=url)
        self.url = url
        self.reason = reason
        self.status = status
        self.retryable = retryable  # a try later may succeed (no connection, no answer)


@dataclass(frozen=True)
class Response:
    """What a server answered, after redirects. `body` is empty for HEAD."""

    url: str
    final_url: str
    status: int
    reason_phrase: str = ""
    headers: Mapping[str, str] = field(default_factory=CaseInsensitiveDict)
    body: bytes = b""
    redirects: tuple[tuple[int, str], ...] = ()

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def moved_permanently(self) -> str | None:
        """Where the resource has moved to: the address the permanent redirects (301, 308) at
        the start of the chain lead to. A temporary hop after them (a CDN, a tracking service)
        is not part of the new address; a chain that starts with a temporary hop has not moved."""
        moved = None
        for status, location in self.redirects:
            if status not in PERMANENT:
                break
            moved = location
        return moved

    @property
    def content_type(self) -> str | None:
        value = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        return value or None

    @property
    def content_length(self) -> int | None:
        value = self.headers.get("Content-Length", "").strip()
        return int(value) if value.isdigit() else None


def describe(exc: requests.RequestException) -> str:
    """One short line for a requests failure."""
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    if isinstance(exc, requests.exceptions.SSLError):
        return "the TLS certificate or handshake failed"
    if isinstance(exc, requests.ConnectionError):
        text = str(exc)
        for known in (
            "Connection refused",
            "Name or service not known",
            "No route to host",
            "Temporary failure in name resolution",
            "Connection reset by peer",
        ):
            if known in text:
                return f"cannot connect ({known})"
        return "cannot connect"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return "the answer was cut off or garbled"
    return f"{type(exc).__name__}: {exc}"


class Client:
    """One session with bounds. Use as a context manager, or call close()."""

    def __init__(
        self,
        *,
        user_agent: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        deadline: float = DEFAULT_DEADLINE,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        session: requests.Session | None = None,
    ) -> None:
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = user_agent or default_user_agent()
        self.session.trust_env = True
        self.timeout = timeout
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    # -- the public verbs -------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
        deadline: float | None = None,
        check: bool = True,
    ) -> Response:
        return self.request("GET", url, headers=headers, max_bytes=max_bytes, deadline=deadline, check=check)

    def head(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        deadline: float | None = None,
        check: bool = True,
    ) -> Response:
        return self.request("HEAD", url, headers=headers, deadline=deadline, check=check)

    def post(
        self,
        url: str,
        *,
        data: Mapping[str, str] | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        deadline: float | None = None,
        check: bool = True,
        retries: int = 0,
        backoff: float = 0.5,
    ) -> Response:
        return self.request(
            "POST",
            url,
            data=data,
            headers=headers,
            deadline=deadline,
            check=check,
            retries=retries,
            backoff=backoff,
        )

    def request(
        self,
        method: str,
        url: str,
        *,
        data: Mapping[str, str] | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
        deadline: float | None = None,
        check: bool = True,
        retries: int = 0,
        backoff: float = 0.5,
    ) -> Response:
        """Any method, with retries (after a connection failure or 429/5xx) and backoff."""
        attempt = 0
        while True:
            try:
                response = self._once(method, url, data, headers, max_bytes, deadline)
            except NetError as exc:
                if attempt >= retries or not exc.retryable:
                    raise
            else:
                if response.status in RETRY_STATUSES and attempt < retries:
                    pass  # try again below
                else:
                    if check and not response.ok:
                        raise NetError(
                            url,
                            f"HTTP {response.status} {response.reason_phrase}".strip(),
                            status=response.status,
                        )
                    return response
            attempt += 1
            time.sleep(backoff * (2 ** (attempt - 1)))

    def download(
        self,
        url: str,
        target: Path,
        *,
        max_bytes: int | None = None,
        deadline: float | None = None,
        resume: bool = True,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Stream `url` into `target` through `target.part`, resuming a partial file with Range.

        The file appears under its own name only when complete; returns its size.
        """
        target = Path(target)
        part = target.with_name(target.name + ".part")
        limit = self.max_bytes if max_bytes is None else max_bytes
        have = part.stat().st_size if resume and part.is_file() else 0
        headers = (
            {"Range": f"bytes={have}-", "Accept-Encoding": "identity"}
            if have
            else {"Accept-Encoding": "identity"}
        )
        started = time.monotonic()
        budget = self.deadline if deadline is None else deadline
        raw, final_url, _ = self._open("GET", url, None, headers, started, budget)
        with raw:
            if raw.status_code == 416 and have:
                # The part file already holds everything the server has.
                os.replace(part, target)
                return target.stat().st_size
            if raw.status_code >= 400:
                raise NetError(
                    url, f"HTTP {raw.status_code} {raw.reason or ''}".strip(), status=raw.status_code
                )
            if raw.status_code == 206 and have and _range_start(raw.headers.get("Content-Range")) != have:
                # A 206 that does not go on from the byte asked for: appending it would corrupt
                # the file. Start again from the first byte instead.
                raw.close()
                part.unlink(missing_ok=True)
                remaining = budget - (time.monotonic() - started)
                if remaining <= 0:
                    raise NetError(url, f"no answer within {budget:g} s")
                return self.download(
                    url, target, max_bytes=max_bytes, deadline=remaining, resume=False, progress=progress
                )
            kept = have if raw.status_code == 206 else 0  # the bytes of the part file the answer goes on from
            written = self._write_part(raw, url, part, kept, limit, (started, budget), progress)
        os.replace(part, target)
        return written

    def _write_part(
        self,
        raw: requests.Response,
        url: str,
        part: Path,
        kept: int,
        limit: int,
        clock: tuple[float, float],
        progress: Callable[[int], None] | None,
    ) -> int:
        """Write the answer's body into `part` after its first `kept` bytes; the size written in all.

        `clock` is (when the download started, the seconds it may take)."""
        written = kept
        expected = _int(raw.headers.get("Content-Length"))
        if expected is not None and written + expected > limit:
            raise NetError(url, f"larger than {limit:,} bytes")
        part.parent.mkdir(parents=True, exist_ok=True)
        with open(part, "ab" if kept else "wb") as out:
            for chunk in self._chunks(raw, url, *clock, decode=False):
                written += len(chunk)
                if written > limit:
                    raise NetError(url, f"larger than {limit:,} bytes")
                out.write(chunk)
                if progress:
                    progress(len(chunk))
        if expected is not None and written - kept < expected:
            raise NetError(url, "the download was cut off; run again to resume it")
        return written

    # -- the machinery -----------------------------------------------------------------

    def _once(self, method, url, data, headers, max_bytes, deadline) -> Response:
        started = time.monotonic()
        budget = self.deadline if deadline is None else deadline
        raw, final_url, hops = self._open(method, url, data, headers, started, budget)
        limit = self.max_bytes if max_bytes is None else max_bytes
        with raw:
            body = bytearray()
            if method != "HEAD":
                declared = _int(raw.headers.get("Content-Length"))
                encoded = raw.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
                if declared is not None and declared > limit and not encoded:
                    raise NetError(url, f"larger than {limit:,} bytes", status=raw.status_code)
                for chunk in self._chunks(raw, url, started, budget, decode=True):
                    body += chunk
                    if len(body) > limit:
                        raise NetError(url, f"larger than {limit:,} bytes", status=raw.status_code)
            return Response(
                url=url,
                final_url=final_url,
                status=raw.status_code,
                reason_phrase=raw.reason or "",
                headers=CaseInsensitiveDict(raw.headers),
                body=bytes(body),
                redirects=hops,
            )

    def _open(self, method, url, data, headers, started, budget):
        """Send the request and follow redirects by hand; the open response streams its body."""
        seen: set[str] = set()
        hops: list[tuple[int, str]] = []
        current = url
        while True:
            if not is_web_url(current):
                what = "a redirect to" if hops else "not an http(s) URL:"
                raise NetError(url, f"{what} {current!r}; only http and https are fetched")
            if current in seen:
                raise NetError(url, f"redirect loop (back to {current})")
            seen.add(current)
            remaining = budget - (time.monotonic() - started)
            if remaining <= 0:
                raise NetError(url, f"no answer within {budget:g} s")
            try:
                raw = self.session.request(
                    method,
                    current,
                    data=data,
                    headers=dict(headers or {}),
                    timeout=(min(self.timeout, remaining), min(self.timeout, remaining)),
                    allow_redirects=False,
                    stream=True,
                )
            except requests.RequestException as exc:
                reason = describe(exc)
                if time.monotonic() - started >= budget:
                    reason = f"no answer within {budget:g} s"
                raise NetError(url, reason, retryable=True) from None
            except ValueError as exc:  # requests reading a Location with brackets that hold no IPv6 host
                raise NetError(url, f"a redirect to what is not an address ({exc})") from None
            if raw.status_code in REDIRECTS and "Location" in raw.headers:
                raw.close()
                try:
                    location = urljoin(current, raw.headers["Location"])
                except ValueError:  # brackets that hold no IPv6 host: no address at all
                    told = raw.headers["Location"]
                    raise NetError(url, f"a redirect to what is not an address ({told!r})") from None
                hops.append((raw.status_code, location))
                if len(hops) > self.max_redirects:
                    raise NetError(url, f"more than {self.max_redirects} redirects (last to {location})")
                if raw.status_code == 303 or (raw.status_code in (301, 302) and method == "POST"):
                    method, data = "GET", None
                current = location
                continue
            return raw, current, tuple(hops)

    def _chunks(self, raw: requests.Response, url: str, started: float, budget: float, *, decode: bool):
        try:
            # read1 returns what one receive brings, so a trickling server meets the deadline
            # check between receives instead of filling a whole chunk first.
            while True:
                chunk = raw.raw.read1(CHUNK, decode_content=decode)
                if time.monotonic() - started > budget:
                    raise NetError(url, f"no answer within {budget:g} s (the body came too slowly)")
                if not chunk:
                    break
                yield chunk
        except NetError:
            raise
        except (requests.RequestException, OSError, ValueError) as exc:
            if time.monotonic() - started > budget:
                raise NetError(url, f"no answer within {budget:g} s") from None
            raise NetError(url, _stream_reason(exc)) from None
        except Exception as exc:  # urllib3's own errors (ReadTimeoutError, ProtocolError, DecodeError)
            raise NetError(url, _stream_reason(exc)) from None


def _stream_reason(exc: Exception) -> str:
    name = type(exc).__name__
    if "Timeout" in name:
        return "no answer in time (the server stopped sending)"
    if "Decode" in name:
        return "the compressed answer could not be decoded"
    return "the answer was cut off"


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _range_start(value: str | None) -> int | None:
    """The first byte a Content-Range header ("bytes 100-199/200") says the body starts at."""
    match = re.fullmatch(r"\s*bytes\s+(\d+)-\d+/(?:\d+|\*)\s*", value or "")
    return int(match.group(1)) if match else None


Item = TypeVar("Item")
Result = TypeVar("Result")


def each_with_client(
    work: Callable[[Client, Item], Result],
    items: Iterable[Item],
    make_client: Callable[[], Client],
    workers: int = 8,
) -> list[Result]:
    """`work(client, item)` for every item, `workers` at a time; the results in the items' order.

    A requests Session is not safe to share between threads, so each worker thread makes its
    own client with `make_client`; all of them are closed at the end.
    """
    items = list(items)
    if not items:
        return []
    local = threading.local()
    made: list[Client] = []
    lock = threading.Lock()

    def one(item: Item) -> Result:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = make_client()
            with lock:
                made.append(client)
        return work(client, item)

    try:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(items)))) as pool:
            return list(pool.map(one, items))
    finally:
        for client in made:
            client.close()
