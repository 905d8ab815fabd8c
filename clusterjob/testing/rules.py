"""Per-scheduler comparison rules: what each scheduler can tell apart, in one place.

The round-trip checks compare the Allocation a simulator's own directive parser reads from a rendered script
with the request. Some schedulers cannot see the whole request, so the comparison must not ask for more than
the scheduler itself knows:

- Torque ``-l nodes=N:ppn=C`` sees nodes and cores per node, not processes x threads;
- Grid Engine sees slots (``-pe NAME S``): total cores only, not nodes, processes or threads (the PE's
  allocation rule places them); its memory is per slot (``h_vmem``), so the job's total memory is compared,
  allowing a round-up of less than 1 MB per slot;
- LSF keeps wall time in minutes (``-W [HH:]MM``) and SLURM in minutes too (``--time`` rounds seconds up), so
  wall times are compared after rounding up to the minute.

Everything else (queue, name, output paths, raw options) must match exactly, and nothing unrequested may
appear (``Allocation.extra`` holds only requested options, the backend's declared ``always_adds`` and options
the rules below call neutral).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clusterjob.testing.capabilities import Capabilities

__all__ = ["RULES", "Mismatch", "SchedulerRules", "rules_for", "scheduler_names"]


@dataclass(frozen=True)
class Mismatch:
    """One difference between the request and what the scheduler understood."""

    keys: tuple[str, ...]  # resource keys concerned ('extra:<key>' for raw options)
    field: str  # Allocation field (or 'extra[...]')
    requested: object
    seen: object
    why: str = ""

    def __str__(self) -> str:
        why = f" ({self.why})" if self.why else ""
        return (
            f"{self.field}: requested {self.requested!r} via {'/'.join(self.keys)}, "
            f"scheduler sees {self.seen!r}{why}"
        )


LAYOUT_EXACT = "exact"  # nodes, processes per node, threads per process
LAYOUT_CORES_PER_NODE = "cores_per_node"  # nodes and ppn*threads
LAYOUT_TOTAL_CORES = "total_cores"  # nodes*ppn*threads

MEM_EXACT = "exact"
MEM_TOTAL_PER_SLOT = (
    "total_per_slot"  # compare memory of the whole job; per slot, may round up < 1 MB each
)


@dataclass(frozen=True)
class SchedulerRules:
    """How to compare a request with what one scheduler understood from the script."""

    name: str
    module: str
    """Module of the simulator: ``parse_submission`` of the scheduler package ``clusterjob_sim.activate.scheduler_module(module)``."""
    layout: str = LAYOUT_EXACT
    time_step_s: int = 1
    mem: str = MEM_EXACT
    neutral_extras: frozenset[str] = frozenset()
    """Options a backend may add that change none of the request (e.g. Grid Engine's ``-cwd``)."""
    default_extras: Mapping[str, tuple[str | bool, ...]] = field(default_factory=dict)
    """Raw options to try when the backend declares none: {resource key: sample values}."""
    text_extras: tuple[str, ...] = ()
    """Raw options whose value is free text (an account, a project): tried with hostile values."""
    extra_aliases: Mapping[str, str] = field(default_factory=dict)
    """A raw resource key -> the option name the parser reports (``A`` -> ``account``)."""
    extra_style: str = "plain"
    """How the parser names raw options in ``Allocation.extra``: ``plain`` (``account``, ``A``) or ``pbs``
    (``-A`` for one-letter options, ``-l key`` for resources)."""
    max_job_id: int = 9_999_999
    """The largest job id the scheduler hands out by default (it wraps around after it)."""
    forget_finished: Mapping[str, Any] = field(default_factory=dict)
    """Simulator config under which the queue view forgets a job as soon as it ends (so its status must
    come from the accounting view): SLURM's MinJobAge 0; PBS Pro and Grid Engine forget at once anyway."""
    note: str = ""

    # -------------------------------------------------------------------------------- comparison

    def compare(
        self,
        normal: Mapping[str, Any],
        allocation: Any,
        capabilities: Capabilities,
        extras: Mapping[str, Any] | None = None,
    ) -> list[Mismatch]:
        """Every difference between the request `normal` (+ raw `extras`) and `allocation`."""
        out: list[Mismatch] = []
        out += self._compare_layout(normal, allocation)
        out += self._compare_time(normal, allocation)
        out += self._compare_mem(normal, allocation)
        for key, attribute in (
            ("queue", "queue"),
            ("name", "name"),
            ("stdout", "stdout"),
            ("stderr", "stderr"),
        ):
            wanted = normal.get(key)
            seen = getattr(allocation, attribute)
            if seen != wanted:
                why = "not requested, yet set" if wanted is None else ""
                out.append(Mismatch((key,), attribute, wanted, seen, why))
        out += self._compare_extras(extras or {}, allocation, capabilities)
        return out

    def _compare_layout(self, normal: Mapping[str, Any], allocation: Any) -> list[Mismatch]:
        nodes, ppn, threads = normal.get("nodes", 1), normal.get("ppn", 1), normal.get("threads", 1)
        seen_nodes = allocation.nodes
        tasks, cpus = allocation.tasks_per_node, allocation.cpus_per_task
        if self.layout == LAYOUT_TOTAL_CORES:
            wanted, seen = nodes * ppn * threads, seen_nodes * tasks * cpus
            if wanted != seen:
                return [
                    Mismatch(("nodes", "ppn", "threads"), "nodes*cores_per_node", wanted, seen,
                             f"{self.name} sees total slots only")
                ]  # fmt: skip
            return []
        out = []
        if seen_nodes != nodes:
            out.append(Mismatch(("nodes",), "nodes", nodes, seen_nodes))
        if self.layout == LAYOUT_CORES_PER_NODE:
            if tasks * cpus != ppn * threads:
                out.append(
                    Mismatch(("ppn", "threads"), "cores_per_node", ppn * threads, tasks * cpus,
                             f"{self.name} sees cores per node only")
                )  # fmt: skip
            return out
        if tasks != ppn:
            out.append(Mismatch(("ppn",), "tasks_per_node", ppn, tasks))
        if cpus != threads:
            out.append(Mismatch(("threads",), "cpus_per_task", threads, cpus))
        return out

    def _compare_time(self, normal: Mapping[str, Any], allocation: Any) -> list[Mismatch]:
        wanted, seen = normal.get("time"), allocation.walltime_s
        if wanted is None or seen is None:
            if wanted != seen:
                why = "not requested, yet set" if wanted is None else "dropped"
                return [Mismatch(("time",), "walltime_s", wanted, seen, why)]
            return []
        step = self.time_step_s
        if -(-int(wanted) // step) != -(-int(seen) // step):
            why = f"{self.name} keeps wall time in steps of {step} s" if step > 1 else ""
            return [Mismatch(("time",), "walltime_s", wanted, seen, why)]
        return []

    def _compare_mem(self, normal: Mapping[str, Any], allocation: Any) -> list[Mismatch]:
        wanted, seen = normal.get("mem"), allocation.mem_mb_per_node
        if wanted is None or seen is None:
            if wanted != seen:
                why = "not requested, yet set" if wanted is None else "dropped"
                return [Mismatch(("mem",), "mem_mb_per_node", wanted, seen, why)]
            return []
        if self.mem == MEM_TOTAL_PER_SLOT:
            nodes = normal.get("nodes", 1)
            slots = max(1, allocation.nodes * allocation.tasks_per_node * allocation.cpus_per_task)
            total_wanted, total_seen = wanted * nodes, seen * allocation.nodes
            if not (total_wanted <= total_seen < total_wanted + slots):
                return [
                    Mismatch(("mem",), "mem_mb_per_node * nodes", total_wanted, total_seen,
                             f"{self.name} counts memory per slot: the job's total may round up by "
                             f"less than 1 MB per slot ({slots} slots)")
                ]  # fmt: skip
            return []
        if seen != wanted:
            return [Mismatch(("mem",), "mem_mb_per_node", wanted, seen)]
        return []

    def extra_names(self, key: str) -> list[str]:
        """The option names the parser may report for the raw resource key `key`."""
        if key in self.extra_aliases:
            return [self.extra_aliases[key]]
        if self.extra_style == "pbs":
            return [f"-{key}"] if len(key) == 1 else [f"-l {key}"]
        return [key, key.replace("_", "-")]

    def _compare_extras(
        self, extras: Mapping[str, Any], allocation: Any, capabilities: Capabilities
    ) -> list[Mismatch]:
        seen: dict[str, Any] = dict(allocation.extra)
        out = []
        expected: dict[str, tuple[tuple[str, ...], Any, list[str]]] = {}
        for key, value in capabilities.always_adds.items():
            expected[key] = (("always_adds",), value, [key])
        for key, value in extras.items():
            if value is None or value is False:
                continue
            names = self.extra_names(key)
            expected[names[0]] = ((f"extra:{key}",), True if value is True else str(value), names)
        pe = seen.get("pe")
        if self.name == "sge" and isinstance(pe, str) and pe in capabilities.parallel_environments:
            del seen["pe"]
        for name, (keys, value, candidates) in expected.items():
            found = next((c for c in candidates if c in seen), None)
            if found is None:
                out.append(Mismatch(keys, f"extra[{name!r}]", value, None, "dropped"))
                continue
            got = seen.pop(found)
            if _extra_value(got) != _extra_value(value):
                out.append(Mismatch(keys, f"extra[{name!r}]", value, got))
        for name, got in seen.items():
            if name in self.neutral_extras:
                continue
            out.append(
                Mismatch(("extra",), f"extra[{name!r}]", None, got,
                         "an option nobody asked for; declare it in Capabilities.always_adds if the "
                         "backend adds it by design")
            )  # fmt: skip
        return out


def _extra_value(value: object) -> object:
    return value if isinstance(value, bool) else str(value)


RULES: dict[str, SchedulerRules] = {
    "slurm": SchedulerRules(
        name="slurm",
        max_job_id=67_043_327,  # MaxJobId 67043328 (0x03ff0000)
        text_extras=("account",),
        module="slurm",
        time_step_s=60,
        forget_finished={"keep_finished_s": 0},
        default_extras={
            "account": ("proj1", "chem-lab"),
            "qos": ("normal", "long"),
            "exclusive": (True,),
        },
        note="--time is kept in whole minutes (seconds round up)",
    ),
    "pbs": SchedulerRules(
        name="pbs",
        max_job_id=99_999_999,  # Torque has no small limit
        text_extras=("A",),
        module="torque",
        layout=LAYOUT_CORES_PER_NODE,
        extra_style="pbs",
        neutral_extras=frozenset(
            f"-l {name}" for name in ("nodes", "walltime", "mem", "pmem", "ncpus", "procs")
        ),
        default_extras={"A": ("proj1",), "m": ("abe", "n")},
        note="nodes=N:ppn=C: cores per node only",
    ),
    "pbspro": SchedulerRules(
        name="pbspro",
        max_job_id=9_999_999,  # max_job_sequence_id
        text_extras=("A",),
        module="pbspro",
        extra_style="pbs",
        neutral_extras=frozenset(
            f"-l {name}" for name in ("select", "place", "walltime", "mem", "ncpus", "nodes")
        ),
        default_extras={"A": ("proj1",), "m": ("abe", "n")},
    ),
    "lsf": SchedulerRules(
        name="lsf",
        max_job_id=999_999,  # MAX_JOBID in lsb.params
        text_extras=("P",),
        module="lsf",
        layout=LAYOUT_CORES_PER_NODE,
        time_step_s=60,
        default_extras={"P": ("proj1",), "N": (True,)},
        note="-W [HH:]MM: wall time in whole minutes; slots per host (cores) unless affinity[core(T)]",
    ),
    "sge": SchedulerRules(
        name="sge",
        max_job_id=9_999_999,  # job numbers wrap after it
        text_extras=("A",),
        module="sge",
        layout=LAYOUT_TOTAL_CORES,
        mem=MEM_TOTAL_PER_SLOT,
        neutral_extras=frozenset({"S", "V", "terse"}),
        default_extras={"A": ("proj1",), "m": ("bea", "n")},
        note="-pe NAME SLOTS: total slots only; h_vmem per slot",
    ),
}
"""The rules of every scheduler the suite knows (Torque is ``pbs``, as the reference backend is named)."""

_ALIASES = {"torque": "pbs", "openpbs": "pbspro", "gridengine": "sge", "ge": "sge"}


def scheduler_names() -> list[str]:
    """Names accepted for ``scheduler`` (aliases included)."""
    return sorted(RULES) + sorted(_ALIASES)


def rules_for(scheduler: str) -> SchedulerRules:
    """The rules of `scheduler` (``torque`` is an alias of ``pbs``); ValueError naming the known ones."""
    name = _ALIASES.get(scheduler.lower(), scheduler.lower())
    if name not in RULES:
        raise ValueError(f"unknown scheduler {scheduler!r}; known: {', '.join(scheduler_names())}")
    return RULES[name]
