"""A backend module in the current folder is found wherever a backend is named by MODULE:ATTRIBUTE.

`clusterjob check` always found it; a settings file's ``class = "module:Class"`` and
``pytest --pyargs clusterjob.testing.target --cj-backend module:Class`` did not without PYTHONPATH. These
run the real commands in a folder holding only the backend module and the settings file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from clusterjob.settings import import_module_here

BACKEND_MODULE = """
from clusterjob.backends.slurm import SlurmBackend


class SiteBackend(SlurmBackend):
    name = "mysite"

    def __init__(self, account="chem-lab"):
        self.account = account

    def resource_headers(self, jobscript):
        return [*super().resource_headers(jobscript), f"#SBATCH --account={self.account}"]
"""


@pytest.fixture
def site_folder(tmp_path: Path) -> Path:
    (tmp_path / "cj_site_backend_mod.py").write_text(BACKEND_MODULE)
    (tmp_path / "site.toml").write_text(
        '[backends.mysite]\nclass = "cj_site_backend_mod:SiteBackend"\naccount = "physics"\n'
    )
    return tmp_path


def bin_of(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def clean_env() -> dict[str, str]:
    """No PYTHONPATH: the folder must be found because it is the current one."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def test_settings_class_found_in_current_folder(site_folder: Path) -> None:
    r = subprocess.run(
        [bin_of("clusterjob"), "render", "-", "--settings", "site.toml", "--backend", "mysite"],
        input="hostname\n",
        cwd=site_folder,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert "#SBATCH --account=physics" in r.stdout


def test_pytest_cj_backend_found_in_current_folder(site_folder: Path) -> None:
    r = subprocess.run(
        [
            bin_of("pytest"),
            "-p",
            "no:cacheprovider",
            "-q",
            "--pyargs",
            "clusterjob.testing.target",
            "--cj-backend",
            "cj_site_backend_mod:SiteBackend",
            "--cj-scheduler",
            "slurm",
            "-k",
            "contract",
        ],
        cwd=site_folder,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert " passed" in r.stdout and "error" not in r.stdout.lower()


def test_import_module_here_adds_the_folder_only_when_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cj_here_only_mod.py").write_text("VALUE = 7\n")
    (tmp_path / "cj_broken_mod.py").write_text("import cj_no_such_dependency\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    monkeypatch.delitem(sys.modules, "cj_here_only_mod", raising=False)
    assert import_module_here("cj_here_only_mod").VALUE == 7
    assert sys.path[-1] == str(tmp_path)  # appended: never shadows an installed module
    assert import_module_here("json") is __import__("json")
    with pytest.raises(ModuleNotFoundError, match="cj_no_such_dependency"):
        import_module_here("cj_broken_mod")  # its own missing import is reported, not hidden
    with pytest.raises(ModuleNotFoundError):
        import_module_here("cj_nowhere_at_all")
