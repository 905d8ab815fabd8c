"""Hypothesis profiles of the conformance suite, named ``clusterjob-*`` so they never clash with a project's own.

Each profile sets both the property settings and the state-machine settings (step count, runs), so no check
carries its own ``max_examples``. Select one with ``--cj-profile NAME`` or ``CLUSTERJOB_PROFILE=NAME``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, settings

__all__ = [
    "DEFAULT_PROFILE",
    "PROFILES",
    "ProfileSpec",
    "profile_names",
    "property_settings",
    "register_profiles",
    "resolve_profile_name",
    "stateful_settings",
]

DEFAULT_PROFILE = "clusterjob-default"
ENV_VARIABLE = "CLUSTERJOB_PROFILE"

_QUIET_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]


@dataclass(frozen=True)
class ProfileSpec:
    """What one profile means: examples per property, and runs x steps of the stateful test."""

    max_examples: int
    stateful_runs: int
    stateful_steps: int
    derandomize: bool = False
    use_database: bool = True
    description: str = ""


PROFILES: dict[str, ProfileSpec] = {
    "clusterjob-default": ProfileSpec(
        max_examples=60, stateful_runs=3, stateful_steps=12, description="quick, for a first run"
    ),
    "clusterjob-ci": ProfileSpec(
        max_examples=100,
        stateful_runs=3,
        stateful_steps=15,
        derandomize=True,
        use_database=False,
        description="derandomized, no example database: the same examples on every run",
    ),
    "clusterjob-thorough": ProfileSpec(
        max_examples=1000, stateful_runs=20, stateful_steps=40, description="before a release"
    ),
}
"""Every profile the suite knows; ``ci`` and ``thorough`` and ``default`` are accepted as short names."""


def profile_names() -> list[str]:
    """Full names of the suite's profiles."""
    return list(PROFILES)


def resolve_profile_name(name: str | None = None) -> str:
    """Full profile name from `name` (``ci`` means ``clusterjob-ci``), else $CLUSTERJOB_PROFILE, else default."""
    chosen = name or os.environ.get(ENV_VARIABLE) or DEFAULT_PROFILE
    full = chosen if chosen.startswith("clusterjob-") else f"clusterjob-{chosen}"
    if full not in PROFILES:
        known = ", ".join(
            sorted(PROFILES) + sorted(p.removeprefix("clusterjob-") for p in PROFILES)
        )
        raise ValueError(f"unknown conformance profile {chosen!r}; known profiles: {known}")
    return full


def _settings_for(spec: ProfileSpec, *, stateful: bool) -> settings:
    phases = list(Phase) if not stateful else [Phase.explicit, Phase.generate, Phase.shrink]
    chosen = settings(
        max_examples=spec.stateful_runs if stateful else spec.max_examples,
        stateful_step_count=spec.stateful_steps,
        deadline=None,
        derandomize=spec.derandomize,
        print_blob=not spec.use_database,
        suppress_health_check=_QUIET_CHECKS,
        phases=phases,
        report_multiple_bugs=False,
    )
    return chosen if spec.use_database else settings(chosen, database=None)


def register_profiles() -> None:
    """Register every profile (and its ``-stateful`` twin) with Hypothesis; safe to call many times."""
    for name, spec in PROFILES.items():
        settings.register_profile(name, _settings_for(spec, stateful=False))
        settings.register_profile(f"{name}-stateful", _settings_for(spec, stateful=True))


def property_settings(name: str | None = None) -> settings:
    """Settings of the property checks under profile `name` (see resolve_profile_name)."""
    return _settings_for(PROFILES[resolve_profile_name(name)], stateful=False)


def stateful_settings(name: str | None = None) -> settings:
    """Settings of the state-machine check under profile `name`: runs and steps come from the profile."""
    return _settings_for(PROFILES[resolve_profile_name(name)], stateful=True)


register_profiles()
