"""Every way to run the project's checks: tests, lint, typecheck, benchmarks, the main job."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite (Hypothesis profile from HYPOTHESIS_PROFILE, default 'default'; CI uses 'ci')."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole tree."""
    session.install("ruff>=0.4")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the library (clusterjob/)."""
    session.install("-e", ".[test]", "mypy>=1.8")
    session.run("mypy", "--strict", "clusterjob")


@nox.session
def docs(session: nox.Session) -> None:
    """The API reference from the docstrings (mkdocs.yml), strict: any warning fails; site in build/."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks of the simulators and of the library: ratios measured side by side in one run."""
    session.install("-e", ".[test]")
    session.run("python", "bench/bench_sim.py", *session.posargs)
    session.run("python", "bench/bench_lib.py")
    session.run(
        "python", "bench/bench_import.py", "--rounds", "10"
    )  # each fake command vs the old layout


@nox.session
def check(session: nox.Session) -> None:
    """The main job: every reference backend through the conformance suite on its simulator."""
    session.install("-e", ".[test]")
    session.run("clusterjob", "check", "--all", *session.posargs)


@nox.session(name="coverage-table")
def coverage_table(session: nox.Session) -> None:
    """Regenerate simulators/COVERAGE.md from the code (a test fails when the committed one is stale)."""
    session.install("-e", ".")
    session.run("python", "-m", "clusterjob_sim.coverage", "--write", "simulators/COVERAGE.md")
