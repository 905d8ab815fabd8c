"""The site backend's conformance tests: one subclass of the suite, nothing else.

Run: pytest examples/site_backend (or: clusterjob check site_backend:SiteSlurmBackend --scheduler slurm
--capabilities test_site_backend:CAPABILITIES, from this folder).
"""

from __future__ import annotations

from site_backend import SiteSlurmBackend

from clusterjob.testing import BackendConformance, Capabilities

CAPABILITIES = Capabilities(
    always_adds={"account": "chem-lab", "qos": "normal"},  # what the site adds to every job
    batched_status=True,
)


class TestSiteSlurmBackend(BackendConformance):
    backend = SiteSlurmBackend(account="chem-lab", qos="normal")
    scheduler = "slurm"
    capabilities = CAPABILITIES
