"""Runners: argv reaches the program byte-identical, locally and over a real sshd; retries; time-outs."""

from __future__ import annotations

import json
import os
import shlex
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterjob.errors import CommandError, TransientCommandError
from clusterjob.runners import (
    SSH_CONNECTION_ERRORS,
    TRANSIENT_SCHEDULER_ERRORS,
    CommandOutput,
    LocalRunner,
    RetryPolicy,
    Runner,
    SshRunner,
    is_transient_failure,
    runner_for,
    split_command,
)

if TYPE_CHECKING:
    from tests.ssh_fixtures import SshServer

pytest_plugins = ("tests.ssh_fixtures",)

NASTY = [
    "",
    " ",
    "two words",
    "  leading and trailing  ",
    "it's",
    'say "hi"',
    "'\"'\"'",
    "a;b",
    "; rm -rf /nonexistent",
    "$(echo pwned)",
    "${HOME}",
    "$HOME",
    "`id`",
    "a\nb",
    "\n",
    "tab\there",
    "back\\slash",
    "\\",
    "-n",
    "--",
    "*",
    "?",
    "[a-z]",
    "~",
    "~/x",
    "a|b",
    "a&&b",
    "a > /tmp/x",
    "< /etc/passwd",
    "#comment",
    "!",
    "%s\\0",
    "é ü 日本語 🚀",
    "\r",
    "\x01\x1b[31m",
]
# NUL cannot be in an argument (C strings); surrogates cannot be encoded.
ARG_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"))
ARGS = st.lists(ARG_TEXT, max_size=8)


def printf_argv(args: list[str]) -> list[str]:
    return ["printf", "%s\\0", *args] if args else ["printf", ""]


def parse_printf(stdout: str) -> list[str]:
    return stdout.split("\0")[:-1]


class Sleeps:
    """An injected sleep that records the pauses instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def flaky_program(folder: Path, failures: int, message: str, code: int = 1) -> tuple[Path, Path]:
    """A script that fails `failures` times (printing `message` to stderr), then succeeds; counts runs."""
    counter = folder / "count"
    script = folder / "flaky"
    script.write_text(
        "#!/bin/bash\n"
        f"echo run >> {shlex.quote(str(counter))}\n"
        f"n=$(wc -l < {shlex.quote(str(counter))})\n"
        f'if [ "$n" -le {failures} ]; then echo {shlex.quote(message)} >&2; exit {code}; fi\n'
        'echo "ok $n"\n'
    )
    script.chmod(0o755)
    return script, counter


def runs(counter: Path) -> int:
    return len(counter.read_text().splitlines()) if counter.exists() else 0


# ------------------------------------------------------------------------------------------ local argv


@pytest.mark.parametrize("arg", NASTY)
def test_local_argv_reaches_program_unchanged(arg: str) -> None:
    out = LocalRunner().run(printf_argv([arg, arg]))
    assert out.returncode == 0
    assert parse_printf(out.stdout) == [arg, arg]


@given(ARGS)
def test_local_argv_round_trip_property(args: list[str]) -> None:
    out = LocalRunner().run(printf_argv(args))
    assert parse_printf(out.stdout) == args


def test_command_output_fields() -> None:
    out = LocalRunner().run(["bash", "-c", "echo out; echo err >&2; exit 3"])
    assert out == CommandOutput(
        ("bash", "-c", "echo out; echo err >&2; exit 3"), 3, "out\n", "err\n"
    )


def test_non_transient_failure_is_returned_not_raised_and_not_retried(tmp_path: Path) -> None:
    script, counter = flaky_program(tmp_path, 99, "slurm_load_jobs error: Invalid job id specified")
    sleeps = Sleeps()
    out = LocalRunner(sleep=sleeps).run([str(script)])
    assert out.returncode == 1
    assert "Invalid job id" in out.stderr
    assert runs(counter) == 1
    assert sleeps.calls == []


def test_check_raises_command_error_with_details(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as info:
        LocalRunner().run(["bash", "-c", "echo partial; echo broken >&2; exit 4"], check=True)
    assert info.value.returncode == 4
    assert info.value.stdout == "partial\n"
    assert info.value.stderr == "broken\n"
    assert not isinstance(info.value, TransientCommandError)
    assert LocalRunner().check_output(["echo", "fine"]) == "fine\n"


def test_missing_program_is_a_command_error() -> None:
    with pytest.raises(CommandError, match="cannot start 'no-such-program-cj'"):
        LocalRunner().run(["no-such-program-cj"])


def test_env_overlay_and_cwd(tmp_path: Path) -> None:
    runner = LocalRunner(env={"CJ_TEST_VALUE": "a b;c"})
    assert runner.run(["printenv", "CJ_TEST_VALUE"]).stdout == "a b;c\n"
    assert "PATH" in runner.run(["env"]).stdout  # the overlay keeps the rest of the environment
    assert runner.run(["pwd"], cwd=str(tmp_path)).stdout.strip() == str(tmp_path)


def test_stdin_text_and_stdout_path(tmp_path: Path) -> None:
    answer = tmp_path / "answer"
    out = LocalRunner().run(["cat"], stdin="line 1\nline 2\n", stdout_path=str(answer))
    assert answer.read_text() == "line 1\nline 2\n"
    assert out.stdout == "line 1\nline 2\n"


def test_write_file_creates_folders_and_sets_mode(tmp_path: Path) -> None:
    target = tmp_path / "a b" / "c" / "job.sh"
    LocalRunner().write_file(str(target), "#!/bin/bash\necho hi\n")
    assert target.read_text() == "#!/bin/bash\necho hi\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    LocalRunner().write_file(str(target), "new\n", mode=0o600)
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["job.sh"]


def test_run_script_runs_bash_code_in_cwd(tmp_path: Path) -> None:
    out = LocalRunner().run_script("echo $((1+2)) > result; cat result; exit 5", cwd=str(tmp_path))
    assert (out.returncode, out.stdout) == (5, "3\n")
    assert out.command == ("bash", "-c", "echo $((1+2)) > result; cat result; exit 5")


# ------------------------------------------------------------------------------------------ string commands


def test_string_command_with_stdin_redirection(tmp_path: Path) -> None:
    (tmp_path / "my script.sh").write_text("#!/bin/bash\necho body\n")
    runner = LocalRunner()
    out = runner.run("cat < 'my script.sh'", cwd=str(tmp_path))
    assert out.stdout == "#!/bin/bash\necho body\n"
    out = runner.run(f"wc -l <{shlex.quote(str(tmp_path / 'my script.sh'))}")
    assert out.stdout.strip() == "2"


@given(ARGS.filter(bool), ARG_TEXT.filter(bool))
def test_split_command_inverts_shlex_quoting(args: list[str], stdin_file: str) -> None:
    assert split_command(shlex.join(args)) == (args, None)
    joined = f"{shlex.join(args)} < {shlex.quote(stdin_file)}"
    assert split_command(joined) == (args, stdin_file)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("qsub job.sh", (["qsub", "job.sh"], None)),
        ("bsub < job.lsf", (["bsub"], "job.lsf")),
        ("bsub<job.lsf", (["bsub"], "job.lsf")),
        ('squeue -h -o "%i %T" -j 12', (["squeue", "-h", "-o", "%i %T", "-j", "12"], None)),
        ("a 'it'\\''s' \"q\\\"uote\"", (["a", "it's", 'q"uote'], None)),
        ('echo "" x', (["echo", "", "x"], None)),
        ("echo '<' '|' \"&\"", (["echo", "<", "|", "&"], None)),
        ("echo span[ptile=32]", (["echo", "span[ptile=32]"], None)),
    ],
)
def test_split_command_examples(text: str, expected: tuple[list[str], str | None]) -> None:
    assert split_command(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "squeue | grep x",
        "qstat; rm -rf /",
        "qstat & ",
        "qstat && echo",
        "qstat > out",
        "qstat 2> err",
        "bsub << EOF",
        "bsub <& 0",
        "echo $(id)",
        'echo "$(id)"',
        "echo $HOME",
        'echo "${HOME}"',
        "echo `id`",
        "(qstat)",
        "qstat\nrm x",
        "ls *.sh",
        "ls ?",
        "# just a comment",
        "bsub < a < b",
        "bsub <",
        "echo 'unterminated",
        'echo "unterminated',
        "",
        "   ",
    ],
)
def test_shell_metacharacters_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        LocalRunner().run(text)


def test_bad_command_types() -> None:
    with pytest.raises(TypeError):
        split_command(b"qstat")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        split_command(["qstat", 3])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="NUL"):
        split_command(["echo", "a\x00b"])
    with pytest.raises(ValueError, match="empty command"):
        split_command([])
    with pytest.raises(ValueError, match="also given stdin"):
        LocalRunner().run("cat < x", stdin="y")


# ------------------------------------------------------------------------------------------ retries


def test_transient_scheduler_failures_are_retried_with_capped_backoff(tmp_path: Path) -> None:
    script, counter = flaky_program(
        tmp_path, 3, "slurm_load_jobs error: Socket timed out on send/recv operation"
    )
    sleeps = Sleeps()
    policy = RetryPolicy(attempts=5, initial=0.5, factor=2, max_delay=1.5)
    out = LocalRunner(retry=policy, sleep=sleeps).run([str(script)])
    assert (out.returncode, out.stdout) == (0, "ok 4\n")
    assert runs(counter) == 4
    assert sleeps.calls == [0.5, 1.0, 1.5]


def test_always_failing_command_raises_transient_error_with_details(tmp_path: Path) -> None:
    script, counter = flaky_program(
        tmp_path, 99, "qstat: cannot connect to server pbs01 (errno=111)", 2
    )
    sleeps = Sleeps()
    runner = LocalRunner(retry=RetryPolicy(attempts=4), sleep=sleeps)
    with pytest.raises(TransientCommandError) as info:
        runner.run([str(script), "arg"])
    error = info.value
    assert error.command == (str(script), "arg")
    assert error.returncode == 2
    assert "cannot connect to server" in error.stderr
    assert "after 4 attempts" in str(error)
    assert runs(counter) == 4
    assert sleeps.calls == RetryPolicy(attempts=4).delays()


def test_retry_false_tries_once(tmp_path: Path) -> None:
    script, counter = flaky_program(tmp_path, 99, "LSF is down. Please wait ...")
    with pytest.raises(TransientCommandError):
        LocalRunner(sleep=Sleeps()).run([str(script)], retry=False)
    assert runs(counter) == 1


def test_timeout_is_retried(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    script = tmp_path / "slow_once"
    script.write_text(
        "#!/bin/bash\n"
        f"echo run >> {shlex.quote(str(counter))}\n"
        f'if [ "$(wc -l < {shlex.quote(str(counter))})" -le 1 ]; then sleep 60; fi\n'
        "echo done\n"
    )
    script.chmod(0o755)
    sleeps = Sleeps()
    out = LocalRunner(sleep=sleeps).run([str(script)], timeout=2)
    assert out.stdout == "done\n"
    assert runs(counter) == 2
    assert len(sleeps.calls) == 1


def test_timeout_of_a_non_idempotent_command_is_not_retried(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    sleeps = Sleeps()
    with pytest.raises(TransientCommandError) as info:
        LocalRunner(sleep=sleeps).run(
            ["bash", "-c", f"echo run >> {shlex.quote(str(counter))}; sleep 60"],
            timeout=0.5,
            idempotent=False,
        )
    assert info.value.returncode is None
    assert "timed out" in str(info.value) and "not retried" in str(info.value)
    assert runs(counter) == 1
    assert sleeps.calls == []


def test_timeout_keeps_what_was_written_to_stdout_path(tmp_path: Path) -> None:
    answer = tmp_path / "answer"
    with pytest.raises(TransientCommandError) as info:
        LocalRunner().run(
            ["bash", "-c", "echo early; sleep 60"],
            timeout=1,
            stdout_path=str(answer),
            idempotent=False,
        )
    assert info.value.stdout == "early\n" == answer.read_text()


def test_non_idempotent_failure_that_printed_output_is_not_retried(tmp_path: Path) -> None:
    script = tmp_path / "half"
    script.write_text(
        "#!/bin/bash\necho 'Submitted batch job 7'\necho 'Socket timed out on send/recv operation' >&2\nexit 1\n"
    )
    script.chmod(0o755)
    with pytest.raises(TransientCommandError) as info:
        LocalRunner(sleep=Sleeps()).run([str(script)], idempotent=False)
    assert info.value.stdout == "Submitted batch job 7\n"


@pytest.mark.parametrize("message", TRANSIENT_SCHEDULER_ERRORS)
def test_every_scheduler_message_is_transient(message: str) -> None:
    assert is_transient_failure(1, "", f"error: {message.upper()} (details)")
    assert is_transient_failure(1, message, "")
    assert not is_transient_failure(0, "", message)


@pytest.mark.parametrize("message", SSH_CONNECTION_ERRORS)
def test_ssh_connection_failures_are_transient_only_with_code_255(message: str) -> None:
    assert is_transient_failure(255, "", f"ssh: connect to host x port 22: {message}", via_ssh=True)
    if message not in TRANSIENT_SCHEDULER_ERRORS:
        assert not is_transient_failure(255, "", message, via_ssh=False)
        assert not is_transient_failure(1, "", message, via_ssh=True)


def test_permanent_errors_are_not_transient() -> None:
    assert not is_transient_failure(1, "", "slurm_load_jobs error: Invalid job id specified")
    assert not is_transient_failure(255, "", "Permission denied (publickey).", via_ssh=True)


@given(
    st.integers(1, 12),
    st.floats(0, 10, allow_nan=False),
    st.floats(1, 4, allow_nan=False),
    st.floats(0, 60, allow_nan=False),
)
def test_retry_delays_are_bounded_exponential(
    attempts: int, initial: float, factor: float, max_delay: float
) -> None:
    delays = RetryPolicy(attempts, initial, factor, max_delay).delays()
    assert len(delays) == attempts - 1
    assert all(0 <= d <= max_delay for d in delays)
    assert delays == sorted(delays)
    if delays:
        assert delays[0] == min(initial, max_delay)


@pytest.mark.parametrize(
    "kwargs",
    [{"attempts": 0}, {"attempts": 1.5}, {"initial": -1}, {"factor": 0.5}, {"max_delay": -2}],
)
def test_retry_policy_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_ssh_connection_failure_is_retried_with_a_fake_ssh(tmp_path: Path) -> None:
    fake_ssh, counter = flaky_program(
        tmp_path, 2, "ssh: connect to host cluster port 22: Connection refused", 255
    )
    sleeps = Sleeps()
    runner = SshRunner("cluster", ssh=str(fake_ssh), sleep=sleeps)
    out = runner.run(["squeue"])
    assert out.stdout == "ok 3\n"
    assert runs(counter) == 3
    assert sleeps.calls == RetryPolicy().delays()[:2]


def test_remote_program_exit_255_without_connection_message_is_returned(tmp_path: Path) -> None:
    fake_ssh, counter = flaky_program(tmp_path, 9, "Permission denied (publickey).", 255)
    out = SshRunner("cluster", ssh=str(fake_ssh), sleep=Sleeps()).run(["squeue"])
    assert out.returncode == 255
    assert runs(counter) == 1


# ------------------------------------------------------------------------------------------ ssh commands (no sshd)


def test_ssh_argv_is_one_quoted_remote_command() -> None:
    runner = SshRunner(
        "cluster", ssh="ssh -q", options=("-o", "ConnectTimeout=5"), ssh_config="/c f"
    )
    remote = runner.remote_command(
        ["qsub", "-N", "a b;c", "$(x)"], cwd="/work dir", stdin_file="job s.sh"
    )
    assert remote == "cd '/work dir' && qsub -N 'a b;c' '$(x)' < 'job s.sh'"
    argv = runner.ssh_argv(remote)
    assert argv == [
        "ssh",
        "-q",
        "-F",
        "/c f",
        "-o",
        "BatchMode=yes",
        "-o",
        "ConnectTimeout=5",
        "--",
        "cluster",
        remote,
    ]


def test_ssh_home_relative_paths() -> None:
    assert SshRunner.remote_command(["ls"], cwd="~/jobs/run 1") == "cd 'jobs/run 1' && ls"
    assert SshRunner.remote_command(["ls"], cwd="~") == "cd . && ls"
    assert SshRunner.remote_command(["ls"]) == "ls"


@pytest.mark.parametrize("host", ["", " ", "-oProxyCommand=x", "a b", "a\nb"])
def test_ssh_host_is_checked(host: str) -> None:
    with pytest.raises(ValueError):
        SshRunner(host)


# ------------------------------------------------------------------------------------------ serialization


@given(
    host=st.from_regex(r"\A[A-Za-z0-9_.@][A-Za-z0-9_.@-]{0,20}\Z"),
    options=st.lists(ARG_TEXT, max_size=3),
    timeout=st.none() | st.floats(0.1, 1e6),
    attempts=st.integers(1, 9),
    config=st.none() | ARG_TEXT,
)
def test_runner_spec_round_trips_through_json(
    host: str, options: list[str], timeout: float | None, attempts: int, config: str | None
) -> None:
    runner = SshRunner(
        host, ["ssh", "-q"], "scp", options, config, timeout=timeout, retry=RetryPolicy(attempts)
    )
    data = json.loads(json.dumps(runner.to_dict()))
    again = Runner.from_dict(data)
    assert isinstance(again, SshRunner)
    assert again == runner
    assert again.to_dict() == runner.to_dict()
    local = LocalRunner(env={"A": host}, timeout=timeout)
    assert Runner.from_dict(json.loads(json.dumps(local.to_dict()))) == local


@pytest.mark.parametrize(
    "data",
    [
        {"type": "telnet"},
        {},
        {"type": "ssh"},
        {"type": "ssh", "host": "h", "options": "-v"},
        {"type": "local", "timeout": "soon"},
        {"type": "local", "retry": {"attempts": 0}},
        {"type": "local", "retry": {"tries": 2}},
        {"type": "local", "env": ["A=1"]},
    ],
)
def test_runner_from_dict_rejects_bad_specs(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Runner.from_dict(data)


def test_runner_for() -> None:
    assert isinstance(runner_for(None), LocalRunner)
    assert isinstance(runner_for(""), LocalRunner)
    remote = runner_for("me@cluster", ssh="/usr/bin/ssh -q", scp="scp", timeout=30)
    assert isinstance(remote, SshRunner)
    assert (remote.host, remote.ssh, remote.timeout) == ("me@cluster", ["/usr/bin/ssh", "-q"], 30)
    assert remote.describe() == "ssh me@cluster"


# ------------------------------------------------------------------------------------------ real sshd


@pytest.mark.ssh
def test_ssh_nasty_arguments_survive(ssh_server: SshServer) -> None:
    out = ssh_server.runner().run(printf_argv(NASTY))
    assert out.returncode == 0, out.stderr
    assert parse_printf(out.stdout) == NASTY


@pytest.mark.ssh
@given(args=ARGS)
def test_ssh_argument_round_trip_property(ssh_server: SshServer, args: list[str]) -> None:
    out = ssh_server.runner().run(printf_argv(args))
    assert out.returncode == 0, out.stderr
    assert parse_printf(out.stdout) == args


@pytest.mark.ssh
def test_ssh_cwd_stdin_and_exit_codes(ssh_server: SshServer) -> None:
    runner = ssh_server.runner()
    with tempfile.TemporaryDirectory(prefix="cj ssh;") as folder:
        Path(folder, "in put").write_text("from a file\n")
        assert runner.run(["pwd"], cwd=folder).stdout.strip() == os.path.realpath(folder)
        assert runner.run("cat < 'in put'", cwd=folder).stdout == "from a file\n"
        assert runner.run(["cat"], stdin="from stdin\n$(x)\n").stdout == "from stdin\n$(x)\n"
        out = runner.run(["bash", "-c", "echo e >&2; exit 7"])
        assert (out.returncode, out.stderr) == (7, "e\n")
        answer = Path(folder, "answer")
        out = runner.run(["echo", "kept"], stdout_path=str(answer))
        assert answer.read_text() == out.stdout == "kept\n"


@pytest.mark.ssh
def test_ssh_write_file(ssh_server: SshServer) -> None:
    runner = ssh_server.runner()
    text = "#!/bin/bash\necho 'it''s' \"$HOME\" `id` ;\n\u00e9\n"
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder, "new dir;$(x)", "job script.sh")
        runner.write_file(str(target), text)
        assert target.read_text() == text
        assert stat.S_IMODE(target.stat().st_mode) == 0o755
        runner.write_file(str(target), "short\n", mode=0o640)
        assert target.read_text() == "short\n"
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
        assert sorted(p.name for p in target.parent.iterdir()) == ["job script.sh"]


@pytest.mark.ssh
def test_ssh_connection_refused_is_retried_then_raised(ssh_server: SshServer) -> None:
    sleeps = Sleeps()
    port = ssh_server.free_port()  # nothing listens there
    runner = SshRunner(
        "127.0.0.1", options=("-p", str(port)), ssh_config=ssh_server.config, sleep=sleeps
    )
    with pytest.raises(TransientCommandError) as info:
        runner.run(["true"])
    assert info.value.returncode == 255
    assert "Connection refused" in info.value.stderr
    assert len(sleeps.calls) == RetryPolicy().attempts - 1
