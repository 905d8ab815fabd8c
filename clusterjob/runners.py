"""How a command runs: locally or over ssh, with time-outs and bounded retries of transient failures.

Runners know nothing of scheduler syntax: they take argv (or the one string form a backend may need for
stdin redirection), run it without a shell on our side, and hand back stdout, stderr and the exit code.
"""

from __future__ import annotations

import os
import posixpath
import shlex
import signal
import subprocess
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import IO, Any, ClassVar, TypeAlias

from clusterjob.errors import CommandError, TransientCommandError

__all__ = [
    "MAX_ARG_STRLEN",
    "SSH_CONNECTION_ERRORS",
    "TRANSIENT_SCHEDULER_ERRORS",
    "CommandOutput",
    "LocalRunner",
    "RetryPolicy",
    "Runner",
    "SshRunner",
    "argv_bytes",
    "is_transient_failure",
    "runner_for",
    "split_command",
]

Command: TypeAlias = "Sequence[str] | str"

TRANSIENT_SCHEDULER_ERRORS: tuple[str, ...] = (
    # SLURM
    "Socket timed out on send/recv operation",
    "Unable to contact slurm controller",
    "slurm_load_jobs error: Socket timed out",
    # Torque / PBS Pro
    "pbs_iff",
    "cannot connect to server",
    "Connection refused",
    # LSF
    "LSF is down",
    "batch system daemon not responding",
    "Failed in an LSF library call",
    # Grid Engine
    "unable to contact qmaster",
    "failed receiving gdi request",
)
"""Scheduler messages (matched case-insensitively in stderr or stdout of a failed command) meaning
"the scheduler could not be reached, try again"."""

SSH_CONNECTION_ERRORS: tuple[str, ...] = (
    "Connection refused",
    "Connection timed out",
    "Connection reset",
    "Connection closed",
    "Could not resolve",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "No route to host",
    "Operation timed out",
    "kex_exchange_identification",
)
"""ssh messages that, with ssh's exit code 255, mean the connection failed (not the remote program)."""


MAX_ARG_STRLEN = 32 * 4096
"""Linux's limit on one execve argument, its NUL included (128 KiB); longer: "Argument list too long"."""

_POINTER = 8


def _arg_max() -> int:
    """The execve budget for arguments plus environment (ARG_MAX: a quarter of the stack limit, which
    Linux caps at 6 MiB even with an unlimited stack: fs/exec.c, _STK_LIM / 4 * 3)."""
    try:
        value = os.sysconf("SC_ARG_MAX")
    except (ValueError, OSError):
        value = -1
    return min(value, 6 * 1024 * 1024) if value > 0 else 2 * MAX_ARG_STRLEN


def argv_bytes(strings: Sequence[str]) -> tuple[int, int]:
    """(longest, total) bytes `strings` take in execve: UTF-8 plus NUL each, total with a pointer each."""
    longest = total = 0
    for text in strings:
        size = len(text.encode("utf-8", "surrogateescape")) + 1
        longest = max(longest, size)
        total += size + _POINTER
    return longest, total


@dataclass(frozen=True)
class CommandOutput:
    """What one command gave back: the command as run, its exit code, stdout and stderr."""

    command: Sequence[str] | str
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class RetryPolicy:
    """How often, and how patiently, a transiently failing command is tried (bounded exponential back-off)."""

    attempts: int = 5
    initial: float = 0.5
    factor: float = 2.0
    max_delay: float = 8.0

    def __post_init__(self) -> None:
        if (
            isinstance(self.attempts, bool)
            or not isinstance(self.attempts, int)
            or self.attempts < 1
        ):
            raise ValueError(f"RetryPolicy.attempts must be an int >= 1, got {self.attempts!r}")
        for name in ("initial", "factor", "max_delay"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"RetryPolicy.{name} must be a number >= 0, got {value!r}")
        if self.factor < 1:
            raise ValueError(f"RetryPolicy.factor must be >= 1, got {self.factor!r}")

    def delays(self) -> list[float]:
        """The pauses between attempts: initial * factor**i, capped at max_delay (attempts - 1 of them)."""
        return [
            float(min(self.initial * self.factor**i, self.max_delay))
            for i in range(self.attempts - 1)
        ]


def is_transient_failure(returncode: int, stdout: str, stderr: str, via_ssh: bool = False) -> bool:
    """True when a failed command is worth retrying: scheduler unreachable, or (ssh) no connection."""
    if returncode == 0:
        return False
    text = f"{stderr}\n{stdout}".lower()
    if via_ssh and returncode == 255 and any(m.lower() in text for m in SSH_CONNECTION_ERRORS):
        return True
    return any(m.lower() in text for m in TRANSIENT_SCHEDULER_ERRORS)


# ------------------------------------------------------------------------------------- command parsing

_OPERATORS = set("|&;<>()$`")
_DOUBLE_QUOTE_ESCAPES = set('$`"\\\n')


def split_command(command: Command) -> tuple[list[str], str | None]:
    """(argv, stdin file) of a command; a string may only redirect stdin with ``< FILE``.

    Strings are split like a POSIX shell splits words (quotes, backslashes); any other shell operator or
    expansion (pipes, ``;``, ``&``, ``>``, parentheses, ``$``, backticks, globs, comments) raises
    ValueError, since no shell will run them.
    """
    if isinstance(command, str):
        argv, stdin_file = _split_string(command)
    elif isinstance(command, (bytes, bytearray)) or not isinstance(command, Sequence):
        raise TypeError(
            f"a command must be a sequence of str or a str, got {type(command).__name__}"
        )
    else:
        argv, stdin_file = list(command), None
        for arg in argv:
            if not isinstance(arg, str):
                raise TypeError(f"command arguments must be str, got {arg!r} in {command!r}")
    if not argv:
        raise ValueError(f"empty command: {command!r}")
    for arg in argv:
        if "\x00" in arg:
            raise ValueError(f"command argument {arg!r} contains a NUL character")
    return argv, stdin_file


def _split_string(text: str) -> tuple[list[str], str | None]:
    tokens: list[tuple[str, bool]] = []  # (text, is_operator)
    word: list[str] = []
    in_word = False
    i, n = 0, len(text)

    def reject(char: str) -> ValueError:
        return ValueError(
            f"command string {text!r} uses the shell syntax {char!r}; only '< FILE' (stdin from a file) is "
            "supported in a string command, since no shell runs it: return a list of arguments instead"
        )

    while i < n:
        char = text[i]
        if char in " \t":
            if in_word:
                tokens.append(("".join(word), False))
                word, in_word = [], False
        elif char == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise ValueError(f"command string {text!r} has an unterminated single quote")
            word.append(text[i + 1 : end])
            in_word, i = True, end
        elif char == '"':
            i += 1
            while i < n and text[i] != '"':
                if text[i] in "$`":
                    raise reject(text[i])
                if text[i] == "\\" and i + 1 < n and text[i + 1] in _DOUBLE_QUOTE_ESCAPES:
                    i += 1
                    if text[i] != "\n":
                        word.append(text[i])
                else:
                    word.append(text[i])
                i += 1
            if i >= n:
                raise ValueError(f"command string {text!r} has an unterminated double quote")
            in_word = True
        elif char == "\\":
            if i + 1 >= n:
                raise ValueError(f"command string {text!r} ends with a lone backslash")
            i += 1
            if text[i] != "\n":
                word.append(text[i])
                in_word = True
        elif char == "<":
            if i + 1 < n and text[i + 1] in "<>&(":
                raise reject(text[i : i + 2])
            if in_word:
                tokens.append(("".join(word), False))
                word, in_word = [], False
            tokens.append(("<", True))
        elif char in _OPERATORS or char in "\n\r*?" or (char == "#" and not in_word):
            raise reject(char)
        else:
            word.append(char)
            in_word = True
        i += 1
    if in_word:
        tokens.append(("".join(word), False))

    argv: list[str] = []
    stdin_file: str | None = None
    position = 0
    while position < len(tokens):
        value, is_operator = tokens[position]
        if is_operator:
            if stdin_file is not None:
                raise ValueError(f"command string {text!r} redirects stdin twice")
            if position + 1 >= len(tokens) or tokens[position + 1][1]:
                raise ValueError(f"command string {text!r}: '<' must be followed by a file name")
            stdin_file = tokens[position + 1][0]
            position += 2
            continue
        argv.append(value)
        position += 1
    return argv, stdin_file


# ------------------------------------------------------------------------------------- process spawning


def _decode(data: bytes | str | None) -> str:
    if data is None:
        return ""
    if isinstance(data, str):
        return data
    return data.decode("utf-8", errors="replace")


def _spawn(
    argv: Sequence[str],
    *,
    cwd: str | None,
    env: Mapping[str, str] | None,
    stdin: str | None,
    stdin_file: str | None,
    stdout_path: str | None,
    timeout: float | None,
) -> tuple[int, str, str]:
    """Run argv once (no shell); raises subprocess.TimeoutExpired after killing its process group."""
    stdin_handle: int | IO[bytes]
    stdout_handle: int | IO[bytes] = subprocess.PIPE
    opened: list[IO[bytes]] = []
    try:
        if stdin_file is not None:
            stdin_handle = open(stdin_file, "rb")
            opened.append(stdin_handle)
        else:
            stdin_handle = subprocess.PIPE if stdin is not None else subprocess.DEVNULL
        if stdout_path is not None:
            stdout_handle = open(stdout_path, "wb")
            opened.append(stdout_handle)
        try:
            proc = subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=None if env is None else dict(env),
                stdin=stdin_handle,
                stdout=stdout_handle,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            where = f" in {cwd!r}" if cwd else ""
            raise CommandError(
                list(argv), None, message=f"cannot start {argv[0]!r}{where}: {exc.strerror or exc}"
            ) from exc
        data = None if stdin is None else stdin.encode("utf-8")
        try:
            out, err = proc.communicate(input=data, timeout=timeout)
        except subprocess.TimeoutExpired:
            out, err = _kill(proc)
            out = _read(stdout_path) if stdout_path is not None else out
            raise subprocess.TimeoutExpired(list(argv), timeout or 0, out, err) from None
        except BaseException:
            _kill(proc)
            raise
    finally:
        for handle in opened:
            handle.close()
    if stdout_path is not None:
        out = _read(stdout_path)
    return proc.returncode, _decode(out), _decode(err)


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _kill(proc: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """Kill a child's whole process group and collect what it wrote (without waiting on stragglers)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()
    try:
        out, err = proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:  # a grandchild in another session holds the pipes open
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
        proc.wait()
        return b"", b""
    return out or b"", err or b""


# ------------------------------------------------------------------------------------- runners


class Runner(ABC):
    """Runs commands somewhere (here, or on an ssh host); retries transient failures with back-off."""

    kind: ClassVar[str] = ""
    _kinds: ClassVar[dict[str, type[Runner]]] = {}

    def __init__(
        self,
        *,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.timeout = timeout
        self.retry_policy = retry if retry is not None else RetryPolicy()
        self.sleep: Callable[[float], object] = sleep if sleep is not None else time.sleep

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("kind"):
            Runner._kinds[cls.kind] = cls

    # ---- what a subclass provides

    @abstractmethod
    def _execute(
        self,
        argv: Sequence[str],
        *,
        cwd: str | None,
        stdin: str | None,
        stdin_file: str | None,
        stdout_path: str | None,
        timeout: float | None,
    ) -> CommandOutput:
        """Run argv once; raise subprocess.TimeoutExpired on time-out."""

    @abstractmethod
    def write_file(self, path: str, text: str, mode: int = 0o755) -> None:
        """Put `text` at `path` where commands run (creating parent folders), with file mode `mode`."""

    @abstractmethod
    def _spec(self) -> dict[str, Any]:
        """The subclass's own constructor arguments, JSON-safe."""

    @classmethod
    @abstractmethod
    def _from_spec(cls, spec: Mapping[str, Any], **common: Any) -> Runner:
        """Inverse of _spec (common: timeout and retry)."""

    @abstractmethod
    def describe(self) -> str:
        """A short human description: where commands run."""

    max_arg_bytes: int = MAX_ARG_STRLEN
    """The longest one argument of what this runner executes may be (bytes, NUL included)."""

    def argv_load(self, command: Command) -> float:
        """How much of the OS argument limits `command` takes when this runner runs it: the longest
        argument against `max_arg_bytes`, all arguments plus the environment against ARG_MAX (less a
        margin). Above 1.0, exec would fail with "Argument list too long"."""
        argv, env = self._exec_strings(split_command(command)[0])
        longest, total = argv_bytes(argv)
        _, env_total = argv_bytes(env)
        budget = _arg_max() - 4096
        return max(longest / self.max_arg_bytes, (total + env_total + _POINTER) / budget)

    def _exec_strings(self, argv: Sequence[str]) -> tuple[Sequence[str], list[str]]:
        """The argv and environment strings exec'ed on this machine to run `argv`."""
        return argv, [f"{key}={value}" for key, value in os.environ.items()]

    def is_transient(self, output: CommandOutput) -> bool:
        """Whether a failed command is worth another try."""
        return is_transient_failure(output.returncode, output.stdout, output.stderr)

    # ---- the public interface

    def run(
        self,
        command: Command,
        *,
        cwd: str | None = None,
        stdin: str | None = None,
        timeout: float | None = None,
        stdout_path: str | None = None,
        check: bool = False,
        retry: bool | RetryPolicy = True,
        idempotent: bool = True,
    ) -> CommandOutput:
        """Run `command`; transient failures are retried, other non-zero exits returned (or raised: check).

        timeout: seconds per attempt (default: the runner's `timeout`). stdout_path: the child writes its
        stdout straight to this local file (it survives our own death); the result reads it back.
        idempotent=False (a submission): time-outs, and failures that printed anything, are not retried.
        """
        argv, stdin_file = split_command(command)
        if stdin is not None and stdin_file is not None:
            raise ValueError(
                f"command {command!r} redirects stdin from a file and was also given stdin text"
            )
        limit = self.timeout if timeout is None else timeout
        shown: Sequence[str] | str = command if isinstance(command, str) else tuple(command)

        def once() -> CommandOutput:
            out = self._execute(
                argv,
                cwd=cwd,
                stdin=stdin,
                stdin_file=stdin_file,
                stdout_path=stdout_path,
                timeout=limit,
            )
            return CommandOutput(shown, out.returncode, out.stdout, out.stderr)

        return self._attempts(shown, once, limit, check=check, retry=retry, idempotent=idempotent)

    def check_output(self, command: Command, **kwargs: Any) -> str:
        """stdout of `command`; CommandError on a non-zero exit code."""
        return self.run(command, check=True, **kwargs).stdout

    def run_script(
        self, shell_code: str, cwd: str | None = None, timeout: float | None = None
    ) -> CommandOutput:
        """Run shell code (a prologue or epilogue) as ``bash -c CODE``, once, no time-out unless given."""
        argv = ["bash", "-c", shell_code]
        shown = tuple(argv)

        def once() -> CommandOutput:
            out = self._execute(
                argv, cwd=cwd, stdin=None, stdin_file=None, stdout_path=None, timeout=timeout
            )
            return CommandOutput(shown, out.returncode, out.stdout, out.stderr)

        return self._attempts(shown, once, timeout, check=False, retry=False, idempotent=False)

    def _attempts(
        self,
        shown: Sequence[str] | str,
        once: Callable[[], CommandOutput],
        limit: float | None,
        *,
        check: bool,
        retry: bool | RetryPolicy,
        idempotent: bool,
    ) -> CommandOutput:
        policy = retry if isinstance(retry, RetryPolicy) else self.retry_policy if retry else None
        delays = policy.delays() if policy is not None else []
        attempt = 0
        while True:
            try:
                out = once()
            except subprocess.TimeoutExpired as exc:
                stdout, stderr, returncode = _decode(exc.output), _decode(exc.stderr), None
                reason = f"timed out after {limit} s"
                retryable = idempotent
            else:
                if not self.is_transient(out):
                    if check and out.returncode != 0:
                        raise CommandError(shown, out.returncode, out.stdout, out.stderr)
                    return out
                stdout, stderr, returncode = out.stdout, out.stderr, out.returncode
                reason = f"exit code {returncode}, a transient failure"
                retryable = idempotent or not stdout.strip()
            if not retryable or attempt >= len(delays):
                tries = f" after {attempt + 1} attempts" if attempt else ""
                note = "" if retryable else "; not retried since it may have taken effect"
                raise TransientCommandError(
                    shown, returncode, stdout, stderr, message=f"{reason}{tries}{note}"
                )
            self.sleep(delays[attempt])
            attempt += 1

    # ---- serialization

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe description from which Runner.from_dict rebuilds an equivalent runner."""
        return {
            "type": self.kind,
            "timeout": self.timeout,
            "retry": asdict(self.retry_policy),
            **self._spec(),
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Runner:
        """Rebuild a runner from to_dict(); ValueError names what is wrong."""
        if not isinstance(data, Mapping):
            raise ValueError(f"a runner description must be a JSON object, got {data!r}")
        kind = data.get("type")
        if kind not in Runner._kinds:
            raise ValueError(f"unknown runner type {kind!r}; known: {sorted(Runner._kinds)}")
        timeout = data.get("timeout")
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, (int, float))
        ):
            raise ValueError(f"runner timeout must be a number or null, got {timeout!r}")
        retry = data.get("retry", {})
        if not isinstance(retry, Mapping) or set(retry) - set(RetryPolicy.__dataclass_fields__):
            raise ValueError(
                f"runner retry policy must be an object of RetryPolicy fields, got {retry!r}"
            )
        try:
            policy = RetryPolicy(**retry)
        except TypeError as exc:
            raise ValueError(f"bad runner retry policy {retry!r}: {exc}") from exc
        return Runner._kinds[kind]._from_spec(data, timeout=timeout, retry=policy)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(repr(sorted(self.to_dict().items(), key=lambda item: item[0])))


class LocalRunner(Runner):
    """Runs commands on this machine with subprocess (never through a shell)."""

    kind = "local"

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        super().__init__(timeout=timeout, retry=retry, sleep=sleep)
        self.env: dict[str, str] = dict(env or {})
        for key, value in self.env.items():
            if not isinstance(key, str) or not isinstance(value, str) or not key or "=" in key:
                raise ValueError(
                    f"env overlay entries must be str names and values, got {key!r}={value!r}"
                )

    def _execute(
        self,
        argv: Sequence[str],
        *,
        cwd: str | None,
        stdin: str | None,
        stdin_file: str | None,
        stdout_path: str | None,
        timeout: float | None,
    ) -> CommandOutput:
        folder = os.path.expanduser(cwd) if cwd else None
        if stdin_file is not None:
            stdin_file = os.path.join(folder or "", os.path.expanduser(stdin_file))
        env = {**os.environ, **self.env} if self.env else None
        code, out, err = _spawn(
            argv,
            cwd=folder,
            env=env,
            stdin=stdin,
            stdin_file=stdin_file,
            stdout_path=stdout_path,
            timeout=timeout,
        )
        return CommandOutput(tuple(argv), code, out, err)

    def _exec_strings(self, argv: Sequence[str]) -> tuple[Sequence[str], list[str]]:
        env = {**os.environ, **self.env}
        return argv, [f"{key}={value}" for key, value in env.items()]

    def write_file(self, path: str, text: str, mode: int = 0o755) -> None:
        """Write atomically (temporary file in the same folder, then rename), creating parent folders."""
        target = os.path.expanduser(path)
        folder = os.path.dirname(target) or "."
        os.makedirs(folder, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".cj-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            os.chmod(temporary, mode)
            os.replace(temporary, target)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def _spec(self) -> dict[str, Any]:
        return {"env": dict(self.env)}

    @classmethod
    def _from_spec(cls, spec: Mapping[str, Any], **common: Any) -> LocalRunner:
        env = spec.get("env") or {}
        if not isinstance(env, Mapping):
            raise ValueError(f"local runner env must be an object, got {env!r}")
        return cls(env, **common)

    def describe(self) -> str:
        return "local"


def _remote_path(path: str) -> str:
    """A remote path as ssh's login shell resolves it: '~' and '~/x' are the home folder (ssh starts there)."""
    if path == "~":
        return "."
    if path.startswith("~/"):
        return path[2:] or "."
    return path


class SshRunner(Runner):
    """Runs commands on an ssh host (an alias from ~/.ssh/config is fine): one quoted command string."""

    kind = "ssh"

    _WRITE = 'mkdir -p -- "$1" && cat > "$2" && chmod "$3" -- "$2" && mv -f -- "$2" "$4"'

    def __init__(
        self,
        host: str,
        ssh: str | Sequence[str] = "ssh",
        scp: str | Sequence[str] = "scp",
        options: Sequence[str] = (),
        ssh_config: str | None = None,
        *,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        super().__init__(timeout=timeout, retry=retry, sleep=sleep)
        if (
            not isinstance(host, str)
            or not host.strip()
            or host.startswith("-")
            or any(c.isspace() or c == "\x00" for c in host)
        ):
            raise ValueError(f"ssh host must be a name like 'cluster' or 'user@host', got {host!r}")
        self.host = host
        self.ssh = shlex.split(ssh) if isinstance(ssh, str) else list(ssh)
        self.scp = shlex.split(scp) if isinstance(scp, str) else list(scp)
        if not self.ssh:
            raise ValueError("ssh program must not be empty")
        self.options = list(options)
        self.ssh_config = ssh_config

    def ssh_argv(self, remote_command: str) -> list[str]:
        """The local argv that runs `remote_command` (one shell string) on the host."""
        config = ["-F", self.ssh_config] if self.ssh_config else []
        return [
            *self.ssh,
            *config,
            "-o",
            "BatchMode=yes",
            *self.options,
            "--",
            self.host,
            remote_command,
        ]

    @staticmethod
    def remote_command(
        argv: Sequence[str], cwd: str | None = None, stdin_file: str | None = None
    ) -> str:
        """``cd CWD && ARGV < FILE`` with every piece shlex-quoted for the remote POSIX shell."""
        command = shlex.join(argv)
        if stdin_file is not None:
            command += " < " + shlex.quote(_remote_path(stdin_file))
        if cwd:
            command = f"cd {shlex.quote(_remote_path(cwd))} && {command}"
        return command

    def _execute(
        self,
        argv: Sequence[str],
        *,
        cwd: str | None,
        stdin: str | None,
        stdin_file: str | None,
        stdout_path: str | None,
        timeout: float | None,
    ) -> CommandOutput:
        local = self.ssh_argv(self.remote_command(argv, cwd, stdin_file))
        code, out, err = _spawn(
            local,
            cwd=None,
            env=None,
            stdin=stdin,
            stdin_file=None,
            stdout_path=stdout_path,
            timeout=timeout,
        )
        return CommandOutput(tuple(argv), code, out, err)

    def _exec_strings(self, argv: Sequence[str]) -> tuple[Sequence[str], list[str]]:
        """ssh's argv here: the whole remote command is one argument, so it must fit MAX_ARG_STRLEN,
        which is also what the remote shell (``sh -c COMMAND``) gets."""
        local = self.ssh_argv(self.remote_command(argv))
        return local, [f"{key}={value}" for key, value in os.environ.items()]

    def is_transient(self, output: CommandOutput) -> bool:
        return is_transient_failure(output.returncode, output.stdout, output.stderr, via_ssh=True)

    def write_file(self, path: str, text: str, mode: int = 0o755) -> None:
        """Upload over ssh (``cat`` from stdin into a temporary file, chmod, rename), creating folders."""
        target = _remote_path(path)
        folder = posixpath.dirname(target) or "."
        temporary = target + ".cj-upload"
        self.run(
            ["sh", "-c", self._WRITE, "sh", folder, temporary, format(mode, "o"), target],
            stdin=text,
            check=True,
        )

    def _spec(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "ssh": list(self.ssh),
            "scp": list(self.scp),
            "options": list(self.options),
            "ssh_config": self.ssh_config,
        }

    @classmethod
    def _from_spec(cls, spec: Mapping[str, Any], **common: Any) -> SshRunner:
        host = spec.get("host")
        if not isinstance(host, str):
            raise ValueError(f"ssh runner needs a host string, got {host!r}")
        lists = {}
        for key, default in (("ssh", ["ssh"]), ("scp", ["scp"]), ("options", [])):
            value = spec.get(key, default)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"ssh runner {key!r} must be a list of strings, got {value!r}")
            lists[key] = value
        config = spec.get("ssh_config")
        if config is not None and not isinstance(config, str):
            raise ValueError(f"ssh runner ssh_config must be a string or null, got {config!r}")
        return cls(host, lists["ssh"], lists["scp"], lists["options"], config, **common)

    def describe(self) -> str:
        return f"ssh {self.host}"


def runner_for(
    remote: str | None,
    ssh: str | Sequence[str] = "ssh",
    scp: str | Sequence[str] = "scp",
    **kwargs: Any,
) -> Runner:
    """LocalRunner when `remote` is empty, else SshRunner(remote, ssh, scp); kwargs: timeout, retry, sleep."""
    if not remote:
        return LocalRunner(**kwargs)
    return SshRunner(remote, ssh, scp, **kwargs)
