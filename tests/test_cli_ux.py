"""The command line where a person waits or errs: the live wait line, `clusterjob wait`, Ctrl-C and
SIGTERM (real signals to real processes on the simulators), one-line user errors, refused and cached
submissions, misspelled resource keys, and shell completion."""

from __future__ import annotations

import json
import os
import pty
import shutil
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from clusterjob_sim.pytest_fixtures import SimCluster, sim_cluster  # noqa: F401  (fixture)

from clusterjob import JobScript
from clusterjob.cli import build_parser
from clusterjob.completion import completion_script
from clusterjob.errors import ResourceKeyWarning, SubmissionError
from clusterjob.progress import format_elapsed

CLI = [sys.executable, "-m", "clusterjob.cli"]


def cli(
    *argv: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *argv], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


def start(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """A real process in its own session (so a signal to its group reaches only it and its children)."""
    return subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=env,
        start_new_session=True,
    )


def gone(pid: int) -> bool:
    """Whether process `pid` has exited (a zombie nobody reaped counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


# ------------------------------------------------------------------------------- Ctrl-C and SIGTERM


def test_ctrl_c_of_submit_wait_under_sim_run_names_the_job_without_traceback(
    tmp_path: Path,
) -> None:
    """Ctrl-C at a terminal: SIGINT to the whole foreground process group (sim run and the command)."""
    (tmp_path / "long.sh").write_text("sleep 300\n")
    inner = " ".join([*CLI, "submit", "long.sh", "--backend", "slurm", "--wait"])
    proc = start(
        [
            *CLI,
            "sim",
            "run",
            "slurm",
            "--",
            "sh",
            "-c",
            f"echo $CLUSTERJOB_SIM_SPOOL; exec {inner}",
        ],
        tmp_path,
    )
    assert proc.stdout is not None
    spool = proc.stdout.readline().strip()
    job_id = proc.stdout.readline().strip()
    assert job_id.isdigit()
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert f"job {job_id} (slurm) was not cancelled" in err
    assert f"clusterjob wait --job-id {job_id} --backend slurm" in err
    assert f"clusterjob status --job-id {job_id} --backend slurm" in err
    assert f"clusterjob cancel --job-id {job_id} --backend slurm" in err
    # sim run's temporary cluster ends with it, and says so
    assert "its 1 unfinished job(s)" in err
    assert not Path(spool).exists()


def test_ctrl_c_of_submit_wait_gives_the_cache_file_to_follow(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    """SIGINT to the command alone (as `kill -INT` does): the run is in a cache file, so the commands
    to follow and cancel it name that file; they work."""
    cluster = sim_cluster("slurm")
    (tmp_path / "long.sh").write_text("sleep 300\n")
    argv = [*CLI, "submit", "long.sh", "--backend", "slurm", "--cache-folder", "runs"]
    proc = start([*argv, "--cache-id", "r1", "--wait"], tmp_path, cluster.env)
    assert proc.stdout is not None
    job_id = proc.stdout.readline().strip()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "Traceback" not in err
    cache = str(Path("runs") / "clusterjob.r1.json")
    assert f"job {job_id} (slurm) was not cancelled" in err
    assert f"follow it:  clusterjob wait {cache}" in err
    assert cluster.run(["squeue", "-h", "-o", "%i"]).stdout.split() == [job_id]  # still there
    cancel = next(line for line in err.splitlines() if "cancel it:" in line).split(":", 1)[1]
    done = subprocess.run(
        [*CLI, *cancel.split()[1:]],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=cluster.env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_sim_run_cleans_up_its_spool_child_and_jobs_on_sigterm(tmp_path: Path) -> None:
    pid_file = tmp_path / "job.pid"
    script = (
        "echo $CLUSTERJOB_SIM_SPOOL; echo $$; "
        f'sbatch --wrap "echo \\$\\$ > {pid_file}; sleep 300"; exec sleep 300'
    )
    proc = start([*CLI, "sim", "run", "slurm", "--", "sh", "-c", script], tmp_path)
    assert proc.stdout is not None
    spool, child = proc.stdout.readline().strip(), int(proc.stdout.readline())
    assert proc.stdout.readline().startswith("Submitted batch job")
    while not pid_file.exists() or not pid_file.read_text().strip():
        assert proc.poll() is None
        time.sleep(0.05)
    job_pid = int(pid_file.read_text())
    proc.send_signal(signal.SIGTERM)  # to sim run alone, as `kill` or a service manager does
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM
    assert "Traceback" not in err
    assert not Path(spool).exists()
    assert gone(child)
    assert gone(job_pid)


def test_sim_run_passes_the_commands_exit_code_on(tmp_path: Path) -> None:
    assert cli("sim", "run", "slurm", "--", "sh", "-c", "exit 7").returncode == 7
    killed = cli("sim", "run", "slurm", "--", "sh", "-c", "kill -TERM $$")
    assert killed.returncode == 128 + signal.SIGTERM


# ------------------------------------------------------------------------------- waiting


def test_wait_and_status_wait_follow_a_run_to_its_end(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    cluster = sim_cluster("lsf")
    (tmp_path / "good.sh").write_text("true\n")
    (tmp_path / "bad.sh").write_text("exit 3\n")
    env = cluster.env
    good = cli("submit", "good.sh", "--backend", "lsf", "--cache-folder", "c", "--cache-id", "g",
               cwd=tmp_path, env=env)  # fmt: skip
    bad = cli("submit", "bad.sh", "--backend", "lsf", cwd=tmp_path, env=env)
    waited = cli("wait", str(tmp_path / "c" / "clusterjob.g.json"), env=env)
    assert (waited.returncode, waited.stdout, waited.stderr) == (0, "COMPLETED\n", "")
    job = bad.stdout.strip()
    failed = cli("status", "--wait", "--job-id", job, "--backend", "lsf", env=env)
    assert (failed.returncode, failed.stdout, failed.stderr) == (1, "FAILED\n", "")
    assert good.returncode == 0


def test_wait_gives_up_after_its_timeout(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    cluster = sim_cluster("slurm")
    (tmp_path / "long.sh").write_text("sleep 300\n")
    job = cli("submit", "long.sh", "--backend", "slurm", cwd=tmp_path, env=cluster.env).stdout
    out = cli("wait", "--job-id", job.strip(), "--backend", "slurm", "--timeout", "1",
              env=cluster.env)  # fmt: skip
    assert out.returncode == 1
    assert f"job {job.strip()} did not finish within 1.0 s" in out.stderr
    assert "Traceback" not in out.stderr


def test_the_wait_line_is_drawn_on_a_terminal_only(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    cluster = sim_cluster("slurm")
    (tmp_path / "short.sh").write_text("sleep 2\n")
    job = cli("submit", "short.sh", "--backend", "slurm", cwd=tmp_path, env=cluster.env)
    job_id = job.stdout.strip()
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [*CLI, "wait", "--job-id", job_id, "--backend", "slurm"],
            stdout=subprocess.PIPE,
            stderr=follower,
            env=cluster.env,
            timeout=120,
            text=True,
        )
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    assert proc.stdout == "COMPLETED\n"
    text = shown.decode()
    assert f"\rjob {job_id} (slurm): " in text
    assert "since submission" in text or "waited" in text
    assert text.endswith("\r")  # erased at the end: the next output starts on a clean line
    # not a terminal: nothing but the result
    again = cli("wait", "--job-id", job_id, "--backend", "slurm", env=cluster.env)
    assert (again.stdout, again.stderr) == ("COMPLETED\n", "")


def test_elapsed_times_read_as_schedulers_print_them() -> None:
    assert format_elapsed(0) == "0:00:00"
    assert format_elapsed(3725.9) == "1:02:05"
    assert format_elapsed(90061) == "1-01:01:01"


# ------------------------------------------------------------------------------- user errors


def _a_file(tmp_path: Path) -> Path:
    target = tmp_path / "a-file"
    target.write_text("")
    (tmp_path / "job.sh").write_text("true\n")
    return target


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (
            [
                "submit",
                "job.sh",
                "--backend",
                "slurm",
                "--cache-folder",
                "a-file/runs",
                "--cache-id",
                "x",
            ],
            "a-file/runs",
        ),
        (["submit", "job.sh", "--backend", "slurm", "--workdir", "a-file/w"], "a-file/w"),
        (["submit", "job.sh", "--backend", "slurm", "--cache-id", "x"], "--cache-id needs"),
        (["status", "--job-id", "1", "--backend", "slurm", "--remote", "bad host"], "ssh host"),
        (["cancel"], "give a cache file, or --job-id together with --backend"),
        (["cancel", "nosuch.json"], "cache file 'nosuch.json': no such file"),
        (["wait", "."], "cache file '.': is a folder, not a cache file"),
        (["status", "nosuch.json"], "cache file 'nosuch.json': no such file"),
        (["submit", "job.sh", "--backend", "slurm", "--remote", "bad host"], "'remote'"),
        (["render", "job.sh", "--backend", "slurm", "--remote", "bad host"], "'remote'"),
        (["wait", "--job-id", "1"], "give a cache file, or --job-id together with --backend"),
        (["status", "a", "b", "--job-id", "3"], "not both"),
        (["status", ".", "--wait"], "status --wait follows one run"),
        (["wait", "--job-id", "1", "--backend", "slurm", "--timeout", "-1"], "positive number"),
        (["wait", "--job-id", "1", "--backend", "slurm", "--timeout", "nan"], "positive number"),
        (["render", "job.sh", "--backend", "slurm", "--settings", "nope.toml"], "nope.toml"),
        (["render", "nope.sh", "--backend", "slurm"], "cannot read the body file"),
        (["completion", "fish"], "invalid choice: 'fish'"),
        (["sim", "env", "slurm", "--spool", "a-file/spool"], "a-file/spool"),
        (["sim", "run", "slurm", "--config", "{bad", "--", "true"], "not valid JSON"),
        (["sim", "run", "slurm", "--config", '{"nodes": "x"}', "--", "true"], "--config"),
        (["sim", "run", "slurm", "--spool", "a-file/spool", "--", "true"], "a-file/spool"),
    ],
)
def test_a_user_error_is_one_line_and_exit_2(
    argv: list[str], fragment: str, tmp_path: Path
) -> None:
    _a_file(tmp_path)
    out = cli(*argv, cwd=tmp_path)
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    assert fragment in out.stderr
    # one line; argparse's own errors come after its usage summary
    said = [
        line for line in out.stderr.splitlines() if line and not line.startswith((" ", "usage:"))
    ]
    assert len(said) == 1, out.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into any folder")
def test_an_unwritable_cache_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "job.sh").write_text("true\n")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    out = cli("submit", "job.sh", "--backend", "slurm", "--cache-folder", "locked",
              "--cache-id", "x", cwd=tmp_path)  # fmt: skip
    assert out.returncode == 2
    assert "Permission denied" in out.stderr and "Traceback" not in out.stderr


# ------------------------------------------------------------------------------- submissions


def test_a_refused_job_leads_with_the_schedulers_words(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    sim_cluster("slurm")
    job = JobScript("true\n", "refused", backend="slurm", queue="nosuch", rootdir=str(tmp_path))
    with pytest.raises(SubmissionError) as caught:
        job.submit()
    message = str(caught.value)
    # the simulated sbatch answers as Slurm's own does for an unknown partition
    assert message.startswith("the scheduler refused the job: sbatch: error: invalid partition")
    assert "(exit code 1 of 'sbatch refused.slr')" in message
    assert caught.value.returncode == 1


def test_a_cached_run_says_so(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    cluster = sim_cluster("slurm")
    job = JobScript("true\n", "c", backend="slurm", rootdir=str(tmp_path),
                    cache_folder=str(tmp_path / "runs"))  # fmt: skip
    first = job.submit(cache_id="c1")
    again = job.submit(cache_id="c1")
    assert (first.from_cache, again.from_cache, again.job_id) == (False, True, first.job_id)
    (tmp_path / "job.sh").write_text("true\n")
    argv = ["submit", "job.sh", "--backend", "slurm", "--cache-folder", "runs2", "--cache-id", "x"]
    new = cli(*argv, cwd=tmp_path, env=cluster.env)
    old = cli(*argv, cwd=tmp_path, env=cluster.env)
    assert new.stdout == old.stdout
    assert "cached run returned" not in new.stderr
    assert f"cached run returned, nothing submitted: job {old.stdout.strip()}" in old.stderr
    assert json.loads((tmp_path / "runs2" / "clusterjob.x.json").read_text())["job_id"] == (
        old.stdout.strip()
    )


@pytest.mark.parametrize(
    ("key", "meant"),
    [
        ("memory", "mem"),
        ("walltime", "time"),
        ("nodse", "nodes"),
        ("threds", "threads"),
        ("partition", "queue"),
        ("cachefolder", "cache_folder"),
    ],
)
def test_a_misspelled_key_warns_with_the_close_match(key: str, meant: str) -> None:
    with pytest.warns(
        ResourceKeyWarning, match=f"{key!r} is not a common key: did you mean {meant!r}"
    ):
        JobScript("true\n", "j", backend="slurm", **{key: "1"})


@pytest.mark.parametrize("key", ["exclusive", "A", "nodelist", "mem-per-cpu", "gres", "account"])
def test_raw_scheduler_options_do_not_warn(key: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        JobScript("true\n", "j", backend="slurm", **{key: "x"})


def test_the_cli_shows_a_misspelled_key_as_one_warning_line() -> None:
    out = subprocess.run(
        [*CLI, "render", "-", "--backend", "slurm", "--option", "memory=4G"],
        input="true\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0
    assert out.stderr == (
        "clusterjob: warning: JobScript keyword 'memory' is not a common key: did you mean 'mem'? "
        "It goes to the scheduler as the raw option 'memory'.\n"
    )


# ------------------------------------------------------------------------------- completion


def _complete(script: str, *words: str) -> list[str]:
    """What bash offers after `words` (the last one being completed), with the script sourced."""
    line = " ".join(f'"{w}"' for w in words)
    program = (
        f"{script}\nCOMP_WORDS=({line}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))\n"
        '_clusterjob_complete; printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    out = subprocess.run(["bash", "-c", program], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_bash_completion_is_valid_and_completes_commands_and_options(tmp_path: Path) -> None:
    out = cli("completion", "bash")
    assert out.returncode == 0
    script_file = tmp_path / "clusterjob.bash"
    script_file.write_text(out.stdout)
    assert subprocess.run(["bash", "-n", str(script_file)]).returncode == 0
    script = out.stdout
    assert set(_complete(script, "clusterjob", "")) >= {
        "backends", "render", "submit", "status", "wait", "cancel", "sim", "check", "completion"
    }  # fmt: skip
    assert _complete(script, "clusterjob", "su") == ["submit"]
    assert _complete(script, "clusterjob", "sim", "") == ["env", "run", "kill", "purge"]
    assert "torque" in _complete(script, "clusterjob", "sim", "run", "")
    assert _complete(script, "clusterjob", "submit", "job.sh", "--backend", "pbs") == [
        "pbs",
        "pbspro",
    ]
    assert "--cache-id" in _complete(script, "clusterjob", "submit", "job.sh", "--cache-")
    assert "--timeout" in _complete(script, "clusterjob", "wait", "--")
    assert "--all" in _complete(script, "clusterjob", "check", "--")
    # an option's value is not taken for a subcommand: `--name sim` leaves submit's options on offer
    assert "--wait" in _complete(script, "clusterjob", "submit", "--name", "sim", "--wa")


def test_the_zsh_completion_is_the_bash_one_through_bashcompinit(tmp_path: Path) -> None:
    script = completion_script("zsh", build_parser())
    assert "bashcompinit" in script
    assert script.endswith(completion_script("bash", build_parser()))
    if not shutil.which("zsh"):
        pytest.skip("zsh is not installed: only the bash part was checked")
    (tmp_path / "c.zsh").write_text(script)
    assert subprocess.run(["zsh", "-n", str(tmp_path / "c.zsh")]).returncode == 0
    # as zsh's bashcompinit calls it: COMP_WORDS a (1-based) zsh array, COMP_CWORD = CURRENT - 1
    program = (
        f"source {tmp_path / 'c.zsh'}\n"
        'COMP_WORDS=(clusterjob sim ""); COMP_CWORD=2; _clusterjob_complete; print -l -- $COMPREPLY\n'
    )
    out = subprocess.run(
        ["zsh", "-f", "-c", program],
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(tmp_path)},
        timeout=60,
    )
    assert out.stdout.split() == ["env", "run", "kill", "purge"], out.stderr


def test_a_file_system_error_names_the_folder_not_a_temporary_file() -> None:
    from clusterjob.cli import _os_error_line

    denied = PermissionError(13, "Permission denied", "/runs/locked/.clusterjob.x.json.abc.tmp")
    assert _os_error_line(denied) == "cannot write in the folder '/runs/locked': Permission denied"
    missing = FileNotFoundError(2, "No such file or directory", "/proc/x")
    assert _os_error_line(missing) == "cannot use '/proc/x': No such file or directory"


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path: Path) -> None:
    body = tmp_path / "big.sh"
    body.write_text(
        "true\n" * 100_000
    )  # more than a pipe holds: the write must meet the closed end
    command = " ".join([*CLI, "render", str(body), "--backend", "slurm"])
    out = subprocess.run(
        ["bash", "-c", f'{command} | head -c 0; echo "${{PIPESTATUS[0]}}"'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (out.stdout, out.stderr) == ("141\n", "")
