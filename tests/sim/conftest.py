"""Simulator tests: the `sim_cluster` fixture (a fresh simulated cluster per test)."""

from clusterjob_sim.pytest_fixtures import sim_cluster  # noqa: F401
