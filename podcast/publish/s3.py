"""S3 and S3-compatible object storage (Cloudflare R2, Backblaze B2, DigitalOcean Spaces,
MinIO, SeaweedFS) through boto3.

`s3://bucket/prefix` names the place; `endpoint_url` in [publish] names a service other
than AWS. Credentials come from boto3's own chain (the AWS_* environment variables,
~/.aws/credentials and ~/.aws/config, a `profile`), never from podcast.toml. An object
PUT is atomic: readers get the old object or the new one. Every botocore failure
becomes one PublishError line naming the destination and what to do.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import PublishError
from ..model import PublishSettings
from .destination import Destination, Progress, Stored

BUCKET_NAME = re.compile(r"[A-Za-z0-9._-]{1,255}")  # what boto3 accepts; services narrow it further
MULTIPART_FROM = 64 * 1024 * 1024  # below this a file goes up in one PUT, so its ETag is its MD5
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 60

_REFUSED_CREDENTIALS = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "InvalidClientTokenId",
    "AuthorizationHeaderMalformed",
}


class S3Destination(Destination):
    def __init__(self, url: str, settings: PublishSettings) -> None:
        import boto3
        import boto3.exceptions
        import botocore.config
        import botocore.exceptions
        from boto3.s3.transfer import TransferConfig

        self.url = url
        self._errors = botocore.exceptions
        self._upload_failed = boto3.exceptions.S3UploadFailedError
        parts = urlsplit(url)
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        if not self.bucket:
            raise PublishError(f"{url}: no bucket named; write s3://bucket/prefix", url=url)
        if not BUCKET_NAME.fullmatch(self.bucket):
            raise PublishError(
                f"{url}: {self.bucket!r} is not a bucket name (letters, digits, '.', '-' and '_' only); "
                "write s3://bucket/prefix",
                url=url,
            )
        if self.prefix and any(part in ("", ".", "..") for part in self.prefix.split("/")):
            raise PublishError(
                f"{url}: the prefix {self.prefix!r} has an empty, '.' or '..' part; "
                "write it as folder names joined by /, e.g. s3://bucket/shows/myshow",
                url=url,
            )
        self.endpoint = settings.endpoint_url
        config = botocore.config.Config(
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            retries={"max_attempts": 3, "mode": "standard"},
            # Services other than AWS take path-style addresses (bucket in the path) everywhere.
            s3={"addressing_style": "path" if self.endpoint else "auto"},
        )
        with self._translated("connect"):
            session = boto3.session.Session(profile_name=settings.profile, region_name=settings.region)
            self.client = session.client("s3", endpoint_url=self.endpoint, config=config)
        self.transfer = TransferConfig(multipart_threshold=MULTIPART_FROM, multipart_chunksize=MULTIPART_FROM)

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    @contextlib.contextmanager
    def _translated(self, what: str):
        """botocore's failures as one line: the destination, what went wrong, what to do."""
        errors = self._errors
        where = self.url + (f" (endpoint {self.endpoint})" if self.endpoint else "")
        try:
            yield
        except errors.ClientError as exc:
            raise PublishError(f"{where}: {self._advice(exc, what)}", url=self.url) from None
        except self._upload_failed as exc:  # boto3's wrapper around the ClientError of an upload
            cause = exc.__cause__ or exc.__context__
            advice = self._advice(cause, what) if isinstance(cause, errors.ClientError) else str(exc)
            raise PublishError(f"{where}: {advice}", url=self.url) from None
        except errors.NoCredentialsError:
            raise PublishError(
                f"{where}: no credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                "or put them in ~/.aws/credentials (never in podcast.toml)",
                url=self.url,
            ) from None
        except errors.ProfileNotFound as exc:
            raise PublishError(f"{where}: {exc}; fix profile in [publish]", url=self.url) from None
        except (errors.EndpointConnectionError, errors.ConnectTimeoutError, errors.ReadTimeoutError) as exc:
            raise PublishError(
                f"{where}: cannot reach the storage service ({type(exc).__name__}); "
                "check endpoint_url and the network, then run podcast publish again",
                url=self.url,
            ) from None
        except errors.BotoCoreError as exc:
            said = " ".join(str(exc).split())  # botocore's messages run over several lines
            raise PublishError(f"{where}: {what} failed: {said}", url=self.url) from None
        except OSError as exc:  # the local file, read by boto3
            raise PublishError(f"{where}: {what} failed: {exc.strerror or exc}", url=self.url) from None

    def _advice(self, exc, what: str) -> str:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code == "NoSuchBucket" or (code == "404" and what == "list"):
            return f"bucket {self.bucket!r} does not exist; create it, or fix the bucket in the destination"
        if code in _REFUSED_CREDENTIALS:
            return (
                f"the credentials were refused ({code}); check AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, or the profile in ~/.aws/credentials"
            )
        if code in ("AccessDenied", "403", "AllAccessDisabled") or status == 403:
            return (
                f"access denied ({what}); these credentials must be allowed to list, read, write "
                f"and delete in bucket {self.bucket!r}"
            )
        return f"{what} failed: {error.get('Message') or code or exc} ({code or status})"

    def list(self) -> dict[str, Stored]:
        found: dict[str, Stored] = {}
        start = f"{self.prefix}/" if self.prefix else ""
        with self._translated("list"):
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start)
            for page in pages:
                for item in page.get("Contents", ()):
                    key = item["Key"][len(start) :]
                    if key and not key.endswith("/"):
                        found[key] = Stored(int(item["Size"]), item.get("ETag", "").strip('"') or None)
        return found

    def tidy(self) -> None:
        """Abort multipart uploads an interrupted publish left open (they cost storage)."""
        start = f"{self.prefix}/" if self.prefix else ""
        # Housekeeping only: a store without multipart listing (or without the right) must not
        # stop the publish.
        with contextlib.suppress(Exception), self._translated("list uploads"):
            open_uploads = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=start)
            for upload in open_uploads.get("Uploads", ()):
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                )

    def read(self, key: str, max_bytes: int) -> bytes | None:
        with self._translated(f"read {key}"):
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
            except self._errors.ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    return None
                raise
            if int(answer.get("ContentLength", 0)) > max_bytes:
                answer["Body"].close()
                raise PublishError(f"{self.url}: {key} is larger than {max_bytes:,} bytes", url=self.url)
            return answer["Body"].read(max_bytes + 1)

    def put(
        self,
        key: str,
        source: Path,
        *,
        content_type: str,
        cache_control: str,
        progress: Progress | None = None,
    ) -> Stored:
        with self._translated(f"write {key}"):
            self.client.upload_file(
                str(source),
                self.bucket,
                self._key(key),
                ExtraArgs={"ContentType": content_type, "CacheControl": cache_control},
                Callback=progress,
                Config=self.transfer,
            )
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        size = int(head["ContentLength"])
        if size != Path(source).stat().st_size:
            raise PublishError(
                f"{self.url}: {key} arrived with {size:,} bytes; run publish again", url=self.url
            )
        return Stored(size, head.get("ETag", "").strip('"') or None)

    def put_bytes(self, key: str, data: bytes, *, content_type: str, cache_control: str) -> None:
        with self._translated(f"write {key}"):
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._key(key),
                Body=data,
                ContentType=content_type,
                CacheControl=cache_control,
            )

    def delete(self, key: str) -> None:
        with self._translated(f"delete {key}"):
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()
