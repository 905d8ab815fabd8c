"""Simulated node names a job can reach: `hostname` answers the node a task runs on, and `ssh NODE cmd` to a
simulated node runs cmd here, as that node would (a login environment, the home folder, the node's name).

Every job and task gets <spool>/nodebin first on PATH and CLUSTERJOB_SIM_NODE set to its node (the runner
and the launchers call node_env). So `mpirun --hostfile $PBS_NODEFILE` reaches node01, node02... over "ssh"
and every rank's `hostname` names its own node. Names that are not nodes of the spool go to the real ssh and
hostname. Python's socket.gethostname() still answers the real machine: only the commands are simulated.
"""

from __future__ import annotations

import os
import sys

from clusterjob_sim.engine import spool as _spool

NODE_ENV = "CLUSTERJOB_SIM_NODE"
NODEBIN = "nodebin"
COMMANDS = ("hostname", "ssh")
# OpenSSH's options that take a value (ssh.c getopt string); every other letter is a flag.
SSH_VALUE_OPTIONS = frozenset("BbcDEeFIiJLlmOoPpQRSWw")
SSH_FLAGS = frozenset("46AaCfGgKkMNnqsTtVvXxYy")
SSH_ENV_KEEP = (
    "LANG",
    "LANGUAGE",
    "TZ",
)  # Debian's ssh_config SendEnv LANG LC_*; sshd AcceptEnv the same


def nodebin(spool: str) -> str:
    """The folder of the node commands of a spool."""
    return os.path.join(spool, NODEBIN)


def node_env(spool: str, node: str, env: dict[str, str]) -> dict[str, str]:
    """`env` as seen on `node`: nodebin first on PATH (once) and CLUSTERJOB_SIM_NODE naming the node."""
    env = dict(env)
    first = nodebin(spool)
    parts = [p for p in env.get("PATH", os.defpath).split(os.pathsep) if p and p != first]
    env["PATH"] = os.pathsep.join([first, *parts])
    env[NODE_ENV] = node
    env[_spool.SPOOL_ENV] = spool
    return env


def node_names(spool: str) -> list[str]:
    """The names of the spool's nodes."""
    return [n["name"] for n in _spool.normalize_nodes(_spool.load_config(spool))]


def _real(command: str, spool: str) -> str | None:
    """The real `command` on PATH, skipping the spool's own node commands."""
    skip = os.path.realpath(nodebin(spool))
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        path = os.path.join(folder, command)
        if folder and os.path.realpath(folder) != skip and os.access(path, os.X_OK):
            return path
    return None


def _exec_real(command: str, spool: str, argv: list[str]) -> int:
    real = _real(command, spool)
    if real is None:
        sys.stderr.write(f"{command}: command not found\n")
        return 127
    os.execv(real, [command, *argv])  # noqa: S606 - the user's own command, as they typed it
    return 127  # pragma: no cover - execv does not return


def hostname_main(spool: str, argv: list[str]) -> int:
    """`hostname` on a simulated node: its name (also for -s/--short, -f/--fqdn); the real one otherwise."""
    node = os.environ.get(NODE_ENV)
    if node and all(a in ("-s", "--short", "-f", "--fqdn", "--long") for a in argv):
        sys.stdout.write(node + "\n")
        return 0
    return _exec_real("hostname", spool, argv)


def split_ssh(argv: list[str]) -> tuple[list[str], str | None, list[str]]:
    """(options, destination, command words) of an ssh command line, as OpenSSH's getopt reads it."""
    options: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            i += 1
            break
        if not arg.startswith("-") or arg == "-":
            break
        j = 1
        while j < len(arg):
            letter = arg[j]
            if letter in SSH_VALUE_OPTIONS:
                options.append(arg)
                if j + 1 == len(arg):  # the value is the next word
                    i += 1
                    if i >= len(argv):
                        return options, None, []
                    options.append(argv[i])
                break
            if letter not in SSH_FLAGS:
                return [*options, arg], None, []
            j += 1
        else:
            options.append(arg)
        i += 1
    if i >= len(argv):
        return options, None, []
    return options, argv[i], argv[i + 1 :]


def ssh_main(spool: str, argv: list[str]) -> int:
    """`ssh [options] NODE command...` to a simulated node: run the command here with the node's login
    environment (stdin, stdout, stderr and the exit code pass through, as with ssh). Anything else: real ssh."""
    _options, destination, words = split_ssh(argv)
    host = (destination or "").rpartition("@")[2]
    if not host or host not in node_names(spool):
        return _exec_real("ssh", spool, argv)
    if not words:
        sys.stderr.write(
            f"ssh: an interactive login to the simulated node {host} is not implemented by the clusterjob "
            "simulator; give a command\n"
        )
        return 255
    import pwd

    user = pwd.getpwuid(os.getuid())
    env = {
        "HOME": user.pw_dir,
        "USER": user.pw_name,
        "LOGNAME": user.pw_name,
        "SHELL": user.pw_shell,
    }
    env["PATH"] = os.pathsep.join(
        [os.path.join(spool, "bin"), "/usr/local/bin", "/usr/bin", "/bin"]
    )
    env.update({k: v for k, v in os.environ.items() if k in SSH_ENV_KEEP or k.startswith("LC_")})
    env = node_env(spool, host, env)
    shell = user.pw_shell if os.access(user.pw_shell or "", os.X_OK) else "/bin/sh"
    if shell.endswith(("nologin", "false")):
        shell = "/bin/sh"
    os.chdir(user.pw_dir if os.path.isdir(user.pw_dir) else "/")
    os.execve(shell, [shell, "-c", " ".join(words)], env)  # noqa: S606 - ssh runs the words in a shell
    return 255  # pragma: no cover


NODE_SCRIPT = """{shebang}
# The simulated node command `{command}` of the clusterjob_sim spool {spool}; generated, do not edit.
import sys
sys.path.insert(0, {parent!r})
from clusterjob_sim.engine.nodes import {command}_main
sys.exit({command}_main({spool!r}, sys.argv[1:]))
"""
