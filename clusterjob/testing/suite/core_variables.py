"""(f) End to end, the core variables: inside a running job every $CLUSTERJOB_* variable holds the
scheduler's value (job id, name, working directory, submit host, node list)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from clusterjob.status import COMPLETED
from clusterjob.testing.capabilities import CORE_VARIABLES, Capabilities
from clusterjob.testing.suite.base import ConformanceBase


class CoreVariableChecks(ConformanceBase):
    """The core variables a job body uses resolve to the scheduler's values."""

    def test_e2e_core_variables(self, cj_cluster: Any, tmp_path: Path) -> None:
        """Inside a running job every core variable holds the scheduler's value (id, name, dirs, nodes)."""
        e2e = self._cj_e2e(cj_cluster, tmp_path)
        caps = self._cj_caps
        body, labels = _core_variable_body(caps)
        resources: dict[str, Any] = {}
        nodes = min(2, caps.max_nodes) if caps.multi_node else 1
        if nodes > 1:
            resources.update(e2e.whole_cluster(nodes))
        out_file = e2e.base / "core-variables.out"  # where the compute nodes can write it
        if caps.output_paths:
            resources["stdout"] = str(out_file)
        result = e2e.submit(body, "cjvars", **resources)
        e2e.expect_final(result, COMPLETED, "the job printing the core variables")
        name = e2e.job_name("cjvars")
        text = e2e.job_output(result, out_file)
        values = dict(
            line.split("=", 1)
            for line in text.splitlines()
            if "=" in line and line.startswith("CJ_")
        )
        assert set(values) >= set(labels.values()), (
            f"the job did not print every variable; its output:\n{text}"
        )
        assert values[labels["CLUSTERJOB_ID"]] == result.job_id, (
            f"$CLUSTERJOB_ID is {values[labels['CLUSTERJOB_ID']]!r} in the job, but get_job_id "
            f"returned {result.job_id!r}"
        )
        assert values[labels["CLUSTERJOB_NAME"]] == name, (
            f"$CLUSTERJOB_NAME is {values[labels['CLUSTERJOB_NAME']]!r}, the job is named {name!r}"
        )
        assert _same_dir(values[labels["CLUSTERJOB_WORKDIR"]], e2e.submit_dir), (
            f"$CLUSTERJOB_WORKDIR is {values[labels['CLUSTERJOB_WORKDIR']]!r}, submitted from "
            f"{e2e.submit_dir}"
        )
        assert values[labels["CLUSTERJOB_SUBMIT_HOST"]] in e2e.submit_hosts(), (
            f"$CLUSTERJOB_SUBMIT_HOST is {values[labels['CLUSTERJOB_SUBMIT_HOST']]!r}, expected one "
            f"of {sorted(e2e.submit_hosts())}"
        )
        node_names = _node_names(values[labels["CLUSTERJOB_NODELIST"]])
        assert len(node_names) == nodes, (
            f"$CLUSTERJOB_NODELIST is {values[labels['CLUSTERJOB_NODELIST']]!r}: {len(node_names)} "
            f"distinct nodes, requested {nodes}"
        )
        if e2e.real is None:  # a real scheduler's node names are checked by their count only
            ran_on = e2e.engine_job(result).node_names
            assert set(node_names) == set(ran_on), (
                f"$CLUSTERJOB_NODELIST names {node_names}, the job ran on {ran_on}"
            )


def _core_variable_body(caps: Capabilities) -> tuple[str, dict[str, str]]:
    labels = {v: "CJ_" + v.removeprefix("CLUSTERJOB_") for v in CORE_VARIABLES}
    lines = [f'echo "{label}=${{{variable}}}"' for variable, label in labels.items()]
    return "\n".join(lines) + "\n", labels


def _same_dir(a: str, b: Path) -> bool:
    try:
        return Path(a).resolve() == b.resolve()
    except OSError:
        return False


def _node_names(text: str) -> list[str]:
    """Distinct node names of a node list: SLURM's compressed form, or names split by blanks/commas."""
    text = text.strip()
    if "[" in text:
        try:
            from clusterjob_sim.engine.hostlist import expand

            return list(dict.fromkeys(expand(text)))
        except ValueError:
            return [text]
    return list(dict.fromkeys(n for n in re.split(r"[\s,]+", text) if n))
