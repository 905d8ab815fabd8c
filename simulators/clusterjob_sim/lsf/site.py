"""The simulated cluster's lsf.conf: the site settings of config.json as a real LSF site writes them.

A real cluster's shells source profile.lsf, which sets LSF_ENVDIR to the folder of lsf.conf; clients read
settings from there (dask-jobqueue: LSF_UNIT_FOR_LIMITS from $LSF_ENVDIR/lsf.conf, else $LSF_CONFDIR). A
parameter at LSF's own default is left out, as in a real lsf.conf where it is not defined.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any


def lsf_conf_text(folder: str, config: Mapping[str, Any]) -> str:
    """The text of lsf.conf for a config (IBM LSF 10.1 lsf.conf syntax: NAME=value, # comments)."""
    from clusterjob_sim.lsf.options import unit_for_limits, yes

    lines = [
        f"# lsf.conf of the simulated LSF cluster {config.get('cluster_name', 'cluster1')} "
        "(clusterjob_sim); generated from config.json, do not edit",
        f"LSF_CONFDIR={folder}",
    ]
    unit = unit_for_limits(config)
    if unit:
        lines.append(f"LSF_UNIT_FOR_LIMITS={unit}")
    for key, name in (
        ("bsub_parse_script", "LSB_BSUB_PARSE_SCRIPT"),
        ("job_memlimit", "LSB_JOB_MEMLIMIT"),
        ("memlimit_enforce", "LSB_MEMLIMIT_ENFORCE"),
    ):
        if yes(config.get(key)):
            lines.append(f"{name}=Y")
    return "\n".join(lines) + "\n"


def write_lsf_conf(folder: str, config: Mapping[str, Any]) -> str:
    """Write <folder>/lsf.conf atomically; return its path."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "lsf.conf")
    tmp = f"{path}.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(lsf_conf_text(folder, config))
    os.replace(tmp, path)
    return path
