"""Fake SLURM's options: the manual's list matches the parsers, every option is acted on or fails loudly, and
the options acted on answer as the real tools do (sacct's repeated lists, sbatch -Q/-M/--comment, ...)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from clusterjob_sim.activate import create_spool
from clusterjob_sim.engine.command import run_command
from clusterjob_sim.engine.core import Engine
from clusterjob_sim.engine.jobs import user_name
from clusterjob_sim.engine.refusal import not_implemented_text
from clusterjob_sim.engine.spool import load_config
from clusterjob_sim.slurm import COMMANDS, manual, options, sacct, scancel, scontrol, sinfo, squeue
from clusterjob_sim.slurm.cmdline import NONE, OPT, REQ, option_name

# each simulated command's getopt table and aliases
TABLES = {
    "sbatch": (options.LONG, options.ALIASES),
    "squeue": (squeue.SQUEUE, squeue.SQUEUE_ALIASES),
    "sacct": (sacct.SACCT, sacct.SACCT_ALIASES),
    "scancel": (scancel.SCANCEL, scancel.SCANCEL_ALIASES),
    "scontrol": (scontrol.SCONTROL, scontrol.SCONTROL_ALIASES),
    "sinfo": (sinfo.SINFO, sinfo.SINFO_ALIASES),
}
KINDS = {"flag": NONE, "value": REQ, "optional": OPT}


@pytest.fixture
def spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return create_spool(tmp_path / "spool", "slurm", nodes=2, cores_per_node=4)


def run(spool: Path, command: str, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = run_command(spool, command, list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


def held(spool: Path, *argv: str) -> str:
    """Submit a held job (it never runs) and return its id."""
    rc, out, err = run(spool, "sbatch", "--parsable", "--hold", *argv, "--wrap", "true")
    assert (rc, err) == (0, ""), err
    return out.strip()


def finished(spool: Path, count: int, **spec: object) -> list[int]:
    """Record `count` finished jobs (as the accounting would hold them); return their ids."""
    engine = Engine(spool)
    first = engine.max_job_id() + 1
    row = {"name": "done", "nodes": 1, "cores_per_node": 1, "state": "COMPLETED", "exit_code": 0,
           "signal": 0, "start_time": engine.now() - 5, "end_time": engine.now() - 1,
           "nodelist": "node01", "workdir": "/tmp", **spec}  # fmt: skip
    engine.insert_many([dict(row) for _ in range(count)])
    engine.close()
    return list(range(first, first + count))


@pytest.mark.parametrize("command", list(TABLES))
def test_every_manual_option_is_parsed_with_its_real_arity(command: str) -> None:
    table, aliases = TABLES[command]
    has_arg = {aliases.get(n, n): mode for n, (_, mode) in table.items()}
    wrong = []
    for option, kind in manual.OPTIONS[command].items():
        if kind == "subcommand":
            continue
        name = option_name(option, table, aliases)
        if name is None:
            wrong.append(f"{option}: not in the option table")
        elif has_arg[name] != KINDS[kind]:
            wrong.append(f"{option}: the manual says {kind}, the table has_arg {has_arg[name]}")
    assert not wrong, "\n".join(wrong)


def test_manual_lists_every_simulated_command_and_cites_its_source() -> None:
    assert set(COMMANDS) <= set(manual.OPTIONS)
    assert set(manual.SOURCES) == set(manual.OPTIONS)
    assert all("22.05.8" in source for source in manual.SOURCES.values())


def test_squeue_Format_prints_its_fields_instead_of_the_default_table(spool: Path) -> None:
    job = held(spool)
    for argv in (["-O", "JobID"], ["--Format=JobID"], ["--Form=JobID"]):
        rc, out, err = run(spool, "squeue", *argv)
        assert (rc, out, err) == (0, f"JOBID               \n{job:<20}\n", "")


def test_an_option_is_named_as_the_manual_spells_it(spool: Path) -> None:
    # squeue's own table calls it 'accounts'; the manual writes --account
    assert run(spool, "squeue", "--accounts=x")[2] == not_implemented_text("squeue", "--account")
    assert run(spool, "squeue", "-U", "x")[2] == not_implemented_text("squeue", "--account")
    assert run(spool, "sacct", "--help-fields")[2] == not_implemented_text("sacct", "--helpformat")


def test_sbatch_refuses_before_reading_the_script_and_submits_nothing(spool: Path) -> None:
    for option in ("--dependency=afterok:1", "--begin=now+1hour", "--mail-type=END", "--nice=5",
                   "--requeue", "-W"):  # fmt: skip
        rc, out, err = run(spool, "sbatch", option, "missing-script.sh")
        named = option.partition("=")[0]
        assert (rc, out, err) == (255, "", not_implemented_text("sbatch", named)), option
    assert Engine(spool).jobs() == []


def test_sbatch_refuses_an_unimplemented_directive(spool: Path) -> None:
    script = "#!/bin/sh\n#SBATCH -J named\n#SBATCH --mail-type=END --mail-user=me\ntrue\n"
    rc, out, err = run(spool, "sbatch", stdin=script)
    assert (rc, out, err) == (255, "", not_implemented_text("sbatch", "--mail-type"))
    script = (
        "#!/bin/sh\n#SBATCH --time=soon --begin=now\ntrue\n"  # the options before it are read first
    )
    assert run(spool, "sbatch", stdin=script)[2] == "sbatch: error: Invalid --time specification\n"
    assert Engine(spool).jobs() == []


def test_sbatch_exclusive_values(spool: Path) -> None:
    # slurm_opt.c arg_set_exclusive: exclusive|oversubscribe|user|mcs, anything else is an error
    rc, out, err = run(spool, "sbatch", "--exclusive=bogus", "--wrap", "true")
    assert (rc, out, err) == (255, "", "sbatch: error: Invalid --exclusive specification\n")
    rc, out, err = run(spool, "sbatch", "--exclusive=user", "--wrap", "true")
    assert (rc, err) == (255, not_implemented_text("sbatch", "--exclusive=user"))
    whole, shared = held(spool, "--exclusive"), held(spool, "--exclusive=oversubscribe")
    jobs = {str(j.job_id): j.exclusive for j in Engine(spool).jobs()}
    assert (jobs[whole], jobs[shared]) == (1, 0)


def test_sbatch_ntasks_per_socket_only_where_it_cannot_bind(spool: Path) -> None:
    # tests/real emits --ntasks-per-so=1 (one task per node): no cap per socket can bind there
    job = held(spool, "--ntasks-per-so=1")
    assert [str(j.job_id) for j in Engine(spool).jobs()] == [job]
    rc, out, err = run(spool, "sbatch", "-n", "4", "--ntasks-per-socket=2", "--wrap", "true")
    assert (rc, out, err) == (255, "", not_implemented_text("sbatch", "--ntasks-per-socket"))
    rc, _, err = run(spool, "sbatch", "--ntasks-per-socket=0", "--wrap", "true")
    assert (rc, err) == (1, 'sbatch: error: Invalid numeric value "0" for --ntasks-per-socket.\n')


def test_sbatch_quiet_prints_no_job_id(spool: Path) -> None:
    # sbatch.c prints "Submitted batch job N" only `if (!quiet)`
    rc, out, err = run(spool, "sbatch", "-Q", "--hold", "-n", "1", "-N", "2", "--wrap", "true")
    assert (rc, out, err) == (0, "", "")  # the info() warning about -n < -N is quiet too
    assert len(Engine(spool).jobs()) == 1


def test_sbatch_clusters_names_the_cluster_on_the_plain_answer(spool: Path) -> None:
    # sbatch.c: printf(" on cluster %s", working_cluster_rec->name) after "Submitted batch job %u"
    rc, out, _ = run(spool, "sbatch", "-M", "simcluster", "--hold", "--wrap", "true")
    first = load_config(spool)["first_job_id"]  # a realistic, 7-digit id
    assert (rc, out) == (0, f"Submitted batch job {first} on cluster simcluster\n")


def test_sbatch_comment_and_no_requeue_are_shown(spool: Path) -> None:
    job = held(spool, "--comment=my note", "--no-requeue")
    assert run(spool, "squeue", "-h", "-o", "%k", "-j", job)[1] == "my note\n"
    assert "Requeue=0 " in run(spool, "scontrol", "show", "job", job)[1]
    other = held(spool)
    assert run(spool, "squeue", "-h", "-o", "%k", "-j", other)[1] == "(null)\n"
    assert "Requeue=1 " in run(spool, "scontrol", "show", "job", other)[1]


def test_sacct_accumulates_repeated_lists(spool: Path) -> None:
    # sacct(1): -j "is a comma-separated list of jobs", -o "Comma separated list of fields"; options.c
    # appends each -j to one step list (slurm_addto_step_list) and each -o to one field list
    a, b, c = finished(spool, 3)
    rc, out, err = run(spool, "sacct", "-n", "-X", "-P", "-j", str(a), "-j", f"{b},{c}", "-o", "JobID",
                       "-o", "State")  # fmt: skip
    assert (rc, out, err) == (0, f"{a}|COMPLETED\n{b}|COMPLETED\n{c}|COMPLETED\n", "")
    rc, out, _ = run(spool, "sacct", "-n", "-X", "-P", "-j", f"{a},{b}", "-o", "JobID", "-s", "F",
                     "-s", "CD")  # fmt: skip
    assert out == f"{a}\n{b}\n"
    rc, out, _ = run(spool, "sacct", "-n", "-X", "-P", "-j", str(a), "-o", "JobID", "-b")
    assert out == f"{a}|{a}|COMPLETED|0:0\n"  # -o's fields, then --brief's


def test_sacct_users_with_jobs_and_the_last_parsable_mode(spool: Path) -> None:
    mine = finished(spool, 1)[0]
    theirs = finished(spool, 1, user="someone", uid=54321)[0]
    ids = f"{mine},{theirs}"
    assert (
        run(spool, "sacct", "-n", "-X", "-P", "-o", "JobID", "-j", ids)[1] == f"{mine}\n{theirs}\n"
    )
    assert (
        run(spool, "sacct", "-nXP", "-o", "JobID", "-j", ids, "-u", "someone")[1] == f"{theirs}\n"
    )
    assert (
        run(spool, "sacct", "-nXP", "-o", "JobID", "-j", ids, "-u", user_name())[1] == f"{mine}\n"
    )
    assert run(spool, "sacct", "-nX", "-P", "-p", "-o", "JobID", "-j", str(mine))[1] == f"{mine}|\n"
    assert run(spool, "sacct", "-nX", "-p", "-P", "-o", "JobID", "-j", str(mine))[1] == f"{mine}\n"


def test_sacct_refusals(spool: Path) -> None:
    assert run(spool, "sacct", "-o", "JobID", "extra", "words") == (
        1, "", "sacct: error: Unknown arguments:\nsacct: error:  extra\nsacct: error:  words\n")  # fmt: skip
    assert run(spool, "sacct", "-A", "x") == (1, "", not_implemented_text("sacct", "-A"))
    # --long's field list (options.c LONG_FIELDS: MaxVMSizeNode, AveCPU, TRES usage...) is not simulated
    assert run(spool, "sacct", "--long") == (1, "", not_implemented_text("sacct", "--long"))


def test_squeue_noconvert_and_long_with_format(spool: Path) -> None:
    job = held(spool, "--mem=2048")
    assert run(spool, "squeue", "-h", "-o", "%m", "-j", job)[1] == "2G\n"
    assert run(spool, "squeue", "-h", "-o", "%m", "--noconvert", "-j", job)[1] == "2048M\n"
    rc, out, err = run(spool, "squeue", "-l", "-o", "%i")
    assert (rc, out) == (1, "") and "mutually exclusive" in err
    # squeue.c: with --long (and a header) print_date() writes the time first, "%a %b %d %T %Y"
    first, header, row = run(spool, "squeue", "-l")[1].splitlines()
    assert re.fullmatch(r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \d{4}", first)
    assert header.split() == ["JOBID", "PARTITION", "NAME", "USER", "STATE", "TIME", "TIME_LIMI",
                              "NODES", "NODELIST(REASON)"]  # fmt: skip
    assert row.split()[0] == job
    assert run(spool, "squeue", "-l", "-h")[1].splitlines()[0].split()[0] == job


def test_scontrol_options_and_subcommands(spool: Path) -> None:
    a, b = held(spool), held(spool)
    lines = run(spool, "scontrol", "-o", "show", "job", a)[1].splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"JobId={a} JobName=wrap UserId=")
    assert "   " not in lines[0]
    assert run(spool, "scontrol", "release", a, b) == (0, "", "")
    assert {j.held for j in Engine(spool).jobs()} == {0}
    assert run(spool, "scontrol", "show", "aliases") == (
        1,
        "",
        not_implemented_text("scontrol", "show aliases"),
    )
    assert run(spool, "scontrol", "requeue", a) == (
        1,
        "",
        not_implemented_text("scontrol", "requeue"),
    )
    assert run(spool, "scontrol", "--bogus", "show", "job") == (
        1, "", "scontrol: unrecognized option '--bogus'\nTry \"scontrol --help\" for more information\n")  # fmt: skip
    assert run(spool, "scontrol", "-d", "show", "job") == (
        1,
        "",
        not_implemented_text("scontrol", "-d"),
    )
    assert run(spool, "scontrol", "hold") == (1, "", "too few arguments for keyword:hold\n")


def test_sinfo_format_and_partitions(spool: Path) -> None:
    rc, out, err = run(spool, "sinfo", "-h", "-o", "%P")
    assert (rc, sorted(out.splitlines()), err) == (0, ["batch", "debug*"], "")
    assert (
        run(spool, "sinfo", "-o", "%R %D %t", "-p", "debug")[1]
        == "PARTITION NODES STATE\ndebug 2 idle\n"
    )
    assert run(spool, "sinfo", "-h", "-o", "%t")[1] == "idle\n"  # partitions alike merge without %P
    rc, _, err = run(spool, "sinfo", "-a", "-p", "debug")
    assert (rc, err) == (1, "sinfo: error: Conflicting options, -a and -p, specified. "
                            "Please choose one or the other.\n")  # fmt: skip
    assert run(spool, "sinfo", "-o", "%Z") == (0, "THREADS\n1\n", "")
    assert run(spool, "sinfo", "-N") == (1, "", not_implemented_text("sinfo", "-N"))


def test_scancel_account_no_longer_cancels_every_job(spool: Path) -> None:
    job = held(spool, "-A", "proj")
    assert run(spool, "scancel", "-A", "other") == (1, "", not_implemented_text("scancel", "-A"))
    assert [(str(j.job_id), j.state) for j in Engine(spool).jobs()] == [(job, "PENDING")]
    assert run(spool, "scancel", "--me", "-n", "wrap") == (0, "", "")
    assert [j.state for j in Engine(spool).jobs()] == ["CANCELLED"]


def test_refused_options_fail(spool: Path) -> None:
    assert run(spool, "squeue", "-i", "5")[0] == 1
    assert run(spool, "scancel", "-i", "1")[0] == 1
    assert run(spool, "sinfo", "--iterate=5")[0] == 1


def test_scancel_quiet_cancels_and_reports_no_error_for_finished_jobs(
    sim_cluster, tmp_path
) -> None:
    # Source: scancel(1) of Slurm 22.05.8, -Q/--quiet: "Do not report an error if the specified job is
    # already completed"; real scancel on the CI machine: `scancel -Q 99999` prints nothing, rc 0.
    # PSI/J cancels with `scancel -Q ID`.
    c = sim_cluster("slurm")
    job = c.run(["sbatch", "--parsable", "--wrap", "sleep 60"], cwd=tmp_path).stdout.strip()
    r = c.run(["scancel", "-Q", job])
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    c.wait_for(
        lambda: c.run(["sacct", "-nXP", "-o", "State", "-j", job]).stdout.startswith("CANCELLED")
    )
    r = c.run(["scancel", "-Q", "-v", job, "99999"])
    assert "Kill job error" not in r.stderr


def test_sbatch_wckey_is_recorded(spool: Path) -> None:
    # Source: real sbatch 22.05.8 on cjcluster (TrackWCKey=No): `sbatch --wckey=submitit --wrap true` is
    # accepted and sacct -o WCKey shows "submitit" for the job (scontrol show job shows no WCKey).
    rc, _, err = run(spool, "sbatch", "--hold", "--wckey=submitit", "--wrap", "true")
    assert (rc, err) == (0, "")
    assert Engine(spool).jobs()[0].data["wckey"] == "submitit"
