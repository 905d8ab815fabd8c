"""The test module that ``clusterjob check`` runs: one BackendConformance subclass built from the plugin's
``--cj-backend``/``--cj-scheduler``/``--cj-capabilities`` options.

Run it with pytest directly: ``pytest --pyargs clusterjob.testing.target --cj-backend mypkg:MyBackend
--cj-scheduler slurm``. Without ``--cj-backend`` it holds no tests.
"""

from __future__ import annotations

from clusterjob.testing.plugin import Target, configured_target
from clusterjob.testing.suite import BackendConformance

_found = configured_target()

if _found is not None:
    _target: Target = _found

    class TestConformance(BackendConformance):
        """The backend named on the command line, on its simulated scheduler (or, with --cj-real, the real
        one on PATH)."""

        backend = _target.load_backend()
        scheduler = _target.scheduler_name()
        capabilities = _target.load_capabilities()
