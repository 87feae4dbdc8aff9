"""Which destination an address names: the scheme picks the class, as requests' adapters
are picked by URL prefix. The classes are imported only when used (boto3 is heavy)."""

from __future__ import annotations

from pathlib import Path

from ..errors import PublishError
from ..model import PublishSettings
from .destination import Destination


def open_destination(to: str, root: Path, settings: PublishSettings) -> Destination:
    """The destination `to` names: `s3://bucket/prefix`, `file:///path`, or a directory path
    (relative to the show directory `root`). An unknown scheme is one clear error."""
    if to.startswith("s3://"):
        from .s3 import S3Destination  # boto3 is imported only when S3 is used

        return S3Destination(to, settings)
    if to.startswith("file://"):
        from .directory import DirectoryDestination, path_of_file_url

        return DirectoryDestination(to, path_of_file_url(to), root)
    if "://" in to:
        scheme = to.split("://", 1)[0]
        raise PublishError(
            f"{to}: podcast cannot publish to {scheme}:// addresses; "
            "give a directory, file:///path or s3://bucket/prefix",
            url=to,
        )
    from .directory import DirectoryDestination

    path = Path(to).expanduser()
    return DirectoryDestination(to, path if path.is_absolute() else Path(root) / path, root)
