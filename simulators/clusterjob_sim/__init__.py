"""Simulated batch schedulers whose commands really run jobs (never imports clusterjob's backends).

Layout: engine/ (the scheduler-agnostic core) and one package per scheduler: slurm/, pbs/ (torque/, pbspro/),
lsf/, sge/. Modules that moved keep answering to their old paths (see _moved.py), with a DeprecationWarning.
"""

import sys as _sys

from clusterjob_sim._moved import MovedModuleFinder as _Finder

if not any(isinstance(f, _Finder) for f in _sys.meta_path):
    _sys.meta_path.append(_Finder())
