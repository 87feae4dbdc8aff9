"""versions.py: the versions build cache keys hold, found as importlib.metadata finds them."""

from __future__ import annotations

import importlib
import sys
from importlib import metadata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podcast import versions


def _long_way(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def test_every_installed_distribution_has_the_version_importlib_metadata_gives():
    names = sorted({dist.metadata["Name"] for dist in metadata.distributions()})
    assert len(names) > 20  # (the test's own libraries at least)
    assert versions.versions(names) == {name: metadata.version(name) for name in names}


def test_a_library_that_is_not_installed_has_no_version():
    assert versions.versions(["no-such-distribution-anywhere"]) == {"no-such-distribution-anywhere": None}


@pytest.fixture
def site(tmp_path):
    """A folder put first on sys.path, as `pip install --target` makes one; removed after."""
    folder = tmp_path / "site"
    folder.mkdir()
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    yield folder
    sys.path.remove(str(folder))
    importlib.invalidate_caches()


def test_an_upgrade_earlier_on_sys_path_is_the_version_found(site):
    """`pip install -U --target` into a folder before site-packages: the newer one is imported, and
    its version is the one the cache keys must hold."""
    installed = metadata.version("markdown-it-py")
    assert versions.versions(["markdown-it-py"]) == {"markdown-it-py": installed}
    info = site / "markdown_it_py-99.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: markdown-it-py\nVersion: 99.1\n\nText.\n")
    importlib.invalidate_caches()
    assert versions.versions(["markdown-it-py", "lxml"]) == {
        "markdown-it-py": "99.1",
        "lxml": metadata.version("lxml"),
    }


# How metadata may be laid out: a wheel's dist-info, a setuptools egg-info folder or file, names
# written in other cases and separators, headers folded, a body that mentions a "Version:".
_NAMES = st.sampled_from(["Zz-Lib", "zz_lib", "ZZ.lib", "zz--lib", "zzother"])
_LAYOUTS = st.sampled_from(["dist-info", "dist-info, PKG-INFO only", "egg-info", "egg-info file", "empty"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            _NAMES,
            st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,2}(rc1|\.post2|\+local)?", fullmatch=True),
            _LAYOUTS,
        ),
        max_size=4,
    ),
    st.booleans(),
)
def test_any_metadata_layout_gives_the_version_importlib_metadata_reads(tmp_path_factory, installs, folded):
    folder = tmp_path_factory.mktemp("site")
    for index, (name, version, layout) in enumerate(installs):
        stem = name.replace("-", "_")
        headers = f"Metadata-Version: 2.1\nName: {name}\n"
        if folded:
            headers += "Summary: a library\n  Version: 0.0.0-folded\n"
        text = f"{headers}Version: {version}\n\nVersion: 9.9.9 (the body)\n"
        if layout == "dist-info":
            info = folder / f"{stem}-{version}.dist-info"
            info.mkdir(exist_ok=True)
            (info / "METADATA").write_text(text)
        elif layout == "dist-info, PKG-INFO only":
            info = folder / f"{stem}-{version}.dist-info"
            info.mkdir(exist_ok=True)
            (info / "PKG-INFO").write_text(text)
        elif layout == "egg-info":
            info = folder / f"{stem}.egg-info"
            info.mkdir(exist_ok=True)
            (info / "PKG-INFO").write_text(text)
        elif layout == "egg-info file":
            (folder / f"{stem}-{version}-py3.11.egg-info").write_text(text)
        else:
            (folder / f"{stem}-{index}.dist-info").mkdir(exist_ok=True)
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        names = ["zz-lib", "ZZ_Lib", "zzother", "zz-absent"]
        assert versions.versions(names) == {name: _long_way(name) for name in names}
    finally:
        sys.path.remove(str(folder))
        importlib.invalidate_caches()
