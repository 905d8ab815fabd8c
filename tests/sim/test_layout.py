"""The simulators' layout: the engine imports one way, never a scheduler; schedulers never import each other."""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import clusterjob_sim
import pytest

PACKAGE = Path(clusterjob_sim.__file__).parent
# The engine's modules in import order: each may import only those before it.
ENGINE_ORDER = [
    "spool", "hostlist", "allocation", "refusal", "nodes", "jobs", "processes", "faults", "scheduling",
    "core", "runner", "tasks", "command",
]  # fmt: skip
SCHEDULER_PACKAGES = ["slurm", "pbs", "lsf", "sge"]


def runtime_imports(path: Path) -> set[str]:
    """Every clusterjob_sim module `path` imports at run time (function bodies included, TYPE_CHECKING
    blocks not: they never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            skipped.update(id(n) for child in node.body for n in ast.walk(child))
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "clusterjob_sim" or node.module.startswith("clusterjob_sim."):
                # `from clusterjob_sim.engine import spool` imports clusterjob_sim.engine.spool
                found.update(f"{node.module}.{a.name}" for a in node.names)
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("clusterjob_sim"))
    return found


def engine_deps(module: str) -> set[str]:
    """The engine modules an engine module imports at run time."""
    deps = runtime_imports(PACKAGE / "engine" / f"{module}.py")
    return {d.split(".")[2] for d in deps if d.startswith("clusterjob_sim.engine.")} - {module}


def test_engine_modules_are_all_in_the_declared_order() -> None:
    on_disk = {p.stem for p in (PACKAGE / "engine").glob("*.py")} - {"__init__"}
    assert on_disk == set(ENGINE_ORDER)


@pytest.mark.parametrize("module", ENGINE_ORDER)
def test_engine_imports_only_modules_before_it(module: str) -> None:
    later = set(ENGINE_ORDER[ENGINE_ORDER.index(module) :])
    assert engine_deps(module) & later == set()


@pytest.mark.parametrize("module", ENGINE_ORDER)
def test_engine_never_imports_a_scheduler_or_the_library(module: str) -> None:
    deps = runtime_imports(PACKAGE / "engine" / f"{module}.py")
    assert not any(d.split(".")[1] in SCHEDULER_PACKAGES for d in deps if d.count(".") >= 1)
    assert "clusterjob" not in {d.split(".")[0] for d in deps}


@pytest.mark.parametrize("package", SCHEDULER_PACKAGES)
def test_a_scheduler_package_imports_no_other_scheduler(package: str) -> None:
    others = set(SCHEDULER_PACKAGES) - {package}
    for path in (PACKAGE / package).rglob("*.py"):
        deps = runtime_imports(path)
        assert not {d.split(".")[1] for d in deps if d.count(".") >= 1} & others, path


def test_old_module_paths_still_import_with_a_warning() -> None:
    from clusterjob_sim.engine import spool

    with pytest.warns(DeprecationWarning, match="clusterjob_sim.hostlist moved to"):
        import clusterjob_sim.hostlist as old
    from clusterjob_sim.engine import hostlist

    assert old is hostlist
    with warnings.catch_warnings():
        warnings.simplefilter(
            "error"
        )  # old bin scripts import this one: silent, or their stderr changes
        from clusterjob_sim.engine_cmd import run_command
    from clusterjob_sim.engine.command import run_command as new

    assert run_command is new and spool.SPOOL_ENV == "CLUSTERJOB_SIM_SPOOL"
