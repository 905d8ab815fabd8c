"""Simulated batch schedulers whose commands really run jobs (never imports clusterjob's backends)."""
