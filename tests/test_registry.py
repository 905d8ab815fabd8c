"""Backend registry: registration checks, look-up errors, and entry-point discovery."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from clusterjob import backends
from clusterjob.backends import (
    ClusterjobBackend,
    ResourcesNotSupportedError,
    get_backend,
    known_backends,
    load_entry_points,
    register_backend,
    unregister_backend,
)
from clusterjob.errors import ClusterjobError, UnknownBackendError
from tests.dummy_backend import DummyBackend


def test_common_keys_are_the_seed_list() -> None:
    assert ClusterjobBackend.common_keys == [
        "name",
        "queue",
        "time",
        "nodes",
        "ppn",
        "threads",
        "mem",
        "stdout",
        "stderr",
    ]
    assert issubclass(ResourcesNotSupportedError, Exception)


def test_seven_abstract_methods() -> None:
    assert ClusterjobBackend.__abstractmethods__ == {
        "cmd_submit",
        "get_job_id",
        "cmd_status",
        "get_status",
        "cmd_cancel",
        "resource_headers",
        "replace_body_vars",
    }
    with pytest.raises(TypeError):
        ClusterjobBackend()  # type: ignore[abstract]


def test_reference_backends_registered_by_default() -> None:
    assert {"slurm", "pbs", "pbspro", "lsf", "sge"} <= set(known_backends())


def test_register_and_look_up() -> None:
    backend = register_backend(DummyBackend("dummy-reg"))
    try:
        assert get_backend("dummy-reg") is backend
        assert get_backend(backend) is backend
    finally:
        unregister_backend("dummy-reg")
    with pytest.raises(UnknownBackendError):
        get_backend("dummy-reg")


def test_unknown_backend_lists_known_ones() -> None:
    with pytest.raises(UnknownBackendError) as info:
        get_backend("no-such-scheduler")
    message = str(info.value)
    assert "no-such-scheduler" in message
    for name in ("slurm", "pbs", "lsf", "sge"):
        assert name in message


@pytest.mark.parametrize(
    ("candidate", "fragment"),
    [
        (object(), "ClusterjobBackend subclass"),
        (DummyBackend, "needs a backend instance"),
        ("slurm", "got str"),
    ],
)
def test_register_rejects_non_backends(candidate: object, fragment: str) -> None:
    with pytest.raises(TypeError, match=fragment):
        register_backend(candidate)  # type: ignore[arg-type]


def test_register_checks_attributes() -> None:
    broken = DummyBackend()
    broken.name = ""
    with pytest.raises(TypeError, match="'name'"):
        register_backend(broken)
    broken = DummyBackend()
    broken.extension = None  # type: ignore[assignment]
    with pytest.raises(TypeError, match="'extension'"):
        register_backend(broken)


def _install_fake_distribution(root: Path, entry_value: str, module_source: str) -> None:
    """A dist-info folder and module on sys.path, as `pip install` of a plugin would leave them."""
    (root / "cjplugin_demo.py").write_text(textwrap.dedent(module_source))
    dist = root / "cjplugin_demo-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: cjplugin-demo\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[clusterjob.backends]\nsitebackend = {entry_value}\n")


PLUGIN_SOURCE = """
    from tests.dummy_backend import DummyBackend

    class SiteBackend(DummyBackend):
        def __init__(self):
            super().__init__("site")

    BROKEN = 42
"""


def test_entry_point_backends_are_discovered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install_fake_distribution(tmp_path, "cjplugin_demo:SiteBackend", PLUGIN_SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert "sitebackend" in load_entry_points()
        assert type(get_backend("sitebackend")).__name__ == "SiteBackend"
    finally:
        unregister_backend("sitebackend")
        sys.modules.pop("cjplugin_demo", None)


def test_broken_entry_point_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install_fake_distribution(tmp_path, "cjplugin_demo:BROKEN", PLUGIN_SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with pytest.raises(ClusterjobError, match="sitebackend"):
            load_entry_points()
    finally:
        sys.modules.pop("cjplugin_demo", None)
    assert backends.ENTRY_POINT_GROUP == "clusterjob.backends"
