"""The API reference (mkdocs.yml) covers the public library, is built strictly, and CI builds it.

The build itself runs in scripts/test.sh (`mkdocs build --strict`) and in `nox -s docs`; this test builds it
too when the `docs` extra is installed, and always checks that no public module is left out of the pages.
"""

from __future__ import annotations

import importlib.util
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import clusterjob
import clusterjob.backends
import clusterjob.testing

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "docs" / "api"
# Modules that are not library API: the command line and its helpers, and the suite's own machinery.
INTERNAL = {
    "clusterjob.cli",
    "clusterjob.completion",  # the CLI's shell completion
    "clusterjob.progress",  # the CLI's live status line
    "clusterjob.__main__",
    "clusterjob.status_report",
    "clusterjob.submission",
    "clusterjob.testing.check",
    "clusterjob.testing.corpus",
    "clusterjob.testing.profiles",
    "clusterjob.testing.real",
    "clusterjob.testing.recorded",
    "clusterjob.testing.reference",
    "clusterjob.testing.rules",
    "clusterjob.testing.simulator",
    "clusterjob.testing.stateful",
    "clusterjob.testing.target",
}


def documented() -> set[str]:
    """Every `::: module` directive of the API pages."""
    return {
        m
        for page in PAGES.glob("*.md")
        for m in re.findall(r"^::: ([\w.]+)\s*$", page.read_text(), re.M)
    }


def public_modules() -> set[str]:
    found = set()
    for package in (clusterjob, clusterjob.backends, clusterjob.testing):
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            if not info.name.rsplit(".", 1)[1].startswith("_"):
                found.add(info.name)
    return found


def test_every_public_module_is_documented_or_declared_internal() -> None:
    missing = public_modules() - documented() - INTERNAL
    assert not missing, f"add these to docs/api/*.md (or to INTERNAL here): {sorted(missing)}"
    assert not (documented() & INTERNAL)


def test_every_page_is_in_the_nav_and_strict() -> None:
    config = (ROOT / "mkdocs.yml").read_text()
    assert re.search(r"^strict: true$", config, re.M)
    assert re.search(r"^docs_dir: docs/api$", config, re.M)
    for page in PAGES.glob("*.md"):
        assert f": {page.name}" in config, f"{page.name} is not in mkdocs.yml's nav"


def test_ci_builds_the_reference() -> None:
    assert "mkdocs build --strict" in (ROOT / "scripts" / "test.sh").read_text()
    assert "docs]" in (ROOT / "scripts" / "setup.sh").read_text()
    assert re.search(r"^def docs\(", (ROOT / "noxfile.py").read_text(), re.M)
    assert re.search(r"^docs = \[", (ROOT / "pyproject.toml").read_text(), re.M)


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("mkdocstrings") is None, reason="the docs extra is not installed"
)
def test_reference_builds_without_warnings(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert "WARNING" not in r.stderr
    page = (tmp_path / "site" / "library" / "index.html").read_text()
    assert 'id="clusterjob.jobscript.JobScript"' in page
    assert 'id="clusterjob.result.AsyncResult"' in page
