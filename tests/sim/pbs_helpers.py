"""What the Torque and PBS Pro cluster tests share: a submit folder per cluster, scripts, qsub."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

SERVER = "simserver"


def write(c: Any, name: str, text: str) -> Path:
    """A job script in the test's folder."""
    path = Path(c.path) / name
    path.write_text(text)
    return path


def submit(c: Any, *argv: str) -> str:
    """qsub in the test folder; the printed job id."""
    r = c.run(["qsub", *argv], cwd=c.path)
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(rf"\d+(\[\])?\.{SERVER}\n", r.stdout), r.stdout
    return r.stdout.strip()


class Site:
    """A simulated cluster plus the folder the test submits from (attributes pass through)."""

    def __init__(self, cluster: Any, path: Path) -> None:
        self.cluster = cluster
        self.path = path

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cluster, name)


def site_factory(sim_cluster: Any, tmp_path: Path, scheduler: str) -> Callable[..., Site]:
    """Factory: a `scheduler` cluster (config overrides as keywords) and a fresh submit folder."""

    def factory(**overrides: Any) -> Site:
        folder = tmp_path / f"submit{len(list(tmp_path.glob('submit*')))}"
        folder.mkdir()
        return Site(sim_cluster(scheduler, **overrides), folder)

    return factory
