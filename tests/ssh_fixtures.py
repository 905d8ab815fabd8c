"""A real sshd on 127.0.0.1 for the tests, with its own keys, config and a ``Host cjtest`` alias.

Nothing is installed here: CI installs openssh-server. Without /usr/sbin/sshd the fixture fails when the
environment variable CI is set, and skips otherwise. Load it with ``pytest_plugins = ("tests.ssh_fixtures",)``.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from clusterjob.runners import RetryPolicy, SshRunner

SSHD = "/usr/sbin/sshd"
HOST_ALIAS = "cjtest"


@dataclass(frozen=True)
class SshServer:
    """A running test sshd: the alias to connect to and the ssh config file that defines it."""

    alias: str
    config: str
    port: int
    folder: Path

    def runner(self, **kwargs: object) -> SshRunner:
        """An SshRunner for the alias; the retry policy never sleeps long in tests."""
        kwargs.setdefault("retry", RetryPolicy(attempts=3, initial=0.01, max_delay=0.05))
        return SshRunner(self.alias, ssh_config=self.config, **kwargs)  # type: ignore[arg-type]

    @staticmethod
    def free_port() -> int:
        """A local TCP port nothing listens on (right now)."""
        return free_port()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _keygen(path: Path) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "clusterjob-test", "-f", str(path)],
        check=True,
        stdin=subprocess.DEVNULL,
    )


def _wait_for_banner(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until sshd greets on the port (a readiness check with a generous limit, not a timing test)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sshd exited with {process.returncode}: {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                if sock.recv(64).startswith(b"SSH-"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"sshd did not answer on port {port}: {log.read_text()}")


@pytest.fixture(scope="session")
def ssh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    """Start our own sshd (-D, temp host key, key-only login for the current user) for the session."""
    if not os.path.exists(SSHD) or shutil.which("ssh") is None:
        message = (
            f"{SSHD} or ssh is missing: install openssh-server and openssh-client "
            "(apt-get install -y openssh-server) to run the ssh tests"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("sshd")
    host_key, client_key = folder / "host_key", folder / "client_key"
    _keygen(host_key)
    _keygen(client_key)
    authorized = folder / "authorized_keys"
    authorized.write_text((folder / "client_key.pub").read_text())
    authorized.chmod(0o600)
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege-separation folder
    port = free_port()
    user = getpass.getuser()
    sshd_config = folder / "sshd_config"
    sshd_config.write_text(
        f"Port {port}\n"
        "ListenAddress 127.0.0.1\n"
        f"HostKey {host_key}\n"
        f"AuthorizedKeysFile {authorized}\n"
        f"PidFile {folder / 'sshd.pid'}\n"
        f"AllowUsers {user}\n"
        "StrictModes no\n"
        "PubkeyAuthentication yes\n"
        "PasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\n"
        "PermitRootLogin prohibit-password\n"
        "UsePAM no\n"
        "PrintMotd no\n"
        "MaxStartups 100:30:200\n"
        "MaxSessions 100\n"
        "LogLevel ERROR\n"
    )
    client_config = folder / "ssh_config"
    client_config.write_text(
        f"Host {HOST_ALIAS}\n"
        "    HostName 127.0.0.1\n"
        f"    Port {port}\n"
        f"    User {user}\n"
        f"    IdentityFile {client_key}\n"
        "    IdentitiesOnly yes\n"
        "    StrictHostKeyChecking no\n"
        "    UserKnownHostsFile /dev/null\n"
        "    LogLevel ERROR\n"
        "    ControlMaster auto\n"
        f"    ControlPath {folder}/cm-%C\n"
        "    ControlPersist 120\n"
    )
    log = folder / "sshd.log"
    with open(log, "wb") as log_handle:
        process = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(sshd_config), "-p", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log_handle,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_banner(port, process, log)
        yield SshServer(HOST_ALIAS, str(client_config), port, folder)
    finally:
        subprocess.run(
            ["ssh", "-F", str(client_config), "-O", "exit", HOST_ALIAS],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
