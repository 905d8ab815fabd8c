"""Which run gets which row of a batched status answer: the dict-indexed statuses_by_job gives
exactly what comparing every run with every row by the backends' predicates gives, and is linear."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from clusterjob.backends._common import combine_statuses, statuses_by_job
from clusterjob.backends.lsf import LsfBackend
from clusterjob.backends.pbs import PbsBackend, block_jobs, same_job, sequence_part
from clusterjob.backends.pbspro import PbsProBackend
from clusterjob.backends.sge import SgeBackend
from clusterjob.backends.slurm import SlurmBackend, _belongs, _row_jobs
from clusterjob.status import CANCELLED, COMPLETED, FAILED, PENDING, RUNNING

CODES = [PENDING, RUNNING, COMPLETED, CANCELLED, FAILED, None]


def runs_of(ids: Iterable[str]) -> list[SimpleNamespace]:
    return [SimpleNamespace(job_id=job_id) for job_id in ids]


def by_comparison(
    rows: list[tuple[str, int | None]],
    ids: list[str],
    belongs: Callable[[str, str], bool],
) -> dict[str, int | None]:
    """The former quadratic rule: every run compared with every row."""
    result: dict[str, int | None] = {}
    for job_id in ids:
        codes = [code for row_id, code in rows if belongs(row_id, job_id)]
        if codes:
            result[job_id] = combine_statuses(codes)
    return result


# Ids built from the characters the rules look at, so prefixes, separators and brackets collide often.
slurm_ids = st.text(alphabet="12_+", min_size=1, max_size=6)
slurm_rows = st.lists(st.tuples(st.text(alphabet="12_+[]-", max_size=7), st.sampled_from(CODES)))


@given(st.lists(slurm_ids, max_size=8), slurm_rows)
def test_slurm_lookup_matches_the_comparison_rule(
    ids: list[str], rows: list[tuple[str, int | None]]
) -> None:
    found = statuses_by_job(rows, runs_of(ids), lambda r: r, row_keys=_row_jobs)
    assert found == by_comparison(rows, ids, _belongs)


pbs_ids = st.builds(
    lambda seq, array, server: seq + array + server,
    st.text(alphabet="12", min_size=1, max_size=3),
    st.sampled_from(["", "[]", "[1]", "[12]"]),
    st.sampled_from(["", ".srv", ".srv.example.org", ".other"]),
)
pbs_rows = st.lists(st.tuples(st.text(alphabet="12[].sx", max_size=9), st.sampled_from(CODES)))


@given(st.lists(pbs_ids, max_size=8), pbs_rows)
def test_pbs_lookup_matches_the_comparison_rule(
    ids: list[str], rows: list[tuple[str, int | None]]
) -> None:
    found = statuses_by_job(
        rows, runs_of(ids), lambda r: r, row_keys=block_jobs, run_key=sequence_part
    )
    assert found == by_comparison(rows, ids, same_job)


def test_slurm_array_tasks_and_het_components_go_to_their_job() -> None:
    answer = "1000_1 RUNNING\n1000_2 COMPLETED\n1001+0 PENDING\n1001+1 RUNNING\n1002 FAILED\n"
    runs = runs_of(["1000", "1001", "1002", "1000_2", "100"])
    assert SlurmBackend().get_status_many(answer, runs) == {  # type: ignore[arg-type]
        "1000": RUNNING,
        "1001": RUNNING,
        "1002": FAILED,
        "1000_2": COMPLETED,
    }


def test_pbs_server_suffixes_and_array_sub_jobs() -> None:
    answer = (
        "Job Id: 17.head.example.org\n    job_state = R\n\n"
        "Job Id: 18[1].head.example.org\n    job_state = Q\n\n"
        "Job Id: 18[2].head.example.org\n    job_state = R\n\n"
        "Job Id: 19.head.example.org\n    job_state = Q\n"
    )
    runs = runs_of(["17.head", "18[].head", "19", "20.head"])
    expected = {"17.head": RUNNING, "18[].head": RUNNING, "19": PENDING}
    assert PbsBackend().get_status_many(answer, runs) == expected  # type: ignore[arg-type]
    assert PbsProBackend().get_status_many(answer, runs) == expected  # type: ignore[arg-type]


def test_lsf_and_sge_rows_match_by_id() -> None:
    bjobs = "7^RUN^-\n8^DONE^-\n8^EXIT^-\n"
    runs = runs_of(["7", "8", "9"])
    assert LsfBackend().get_status_many(bjobs, runs) == {  # type: ignore[arg-type]
        "7": RUNNING,
        "8": FAILED,
    }
    qstat = (
        "job-ID  prior   name       user         state submit/start at     queue  slots ja-task-ID\n"
        "-----------------------------------------------------------------------------------------\n"
        "      7 0.55500 job        me           r     01/01/2026 00:00:00 all.q@n1   1\n"
        "      8 0.00000 job        me           qw    01/01/2026 00:00:00            1\n"
    )
    assert SgeBackend().get_status_many(qstat, runs) == {  # type: ignore[arg-type]
        "7": RUNNING,
        "8": PENDING,
    }


def test_many_runs_share_one_pass_over_the_answer() -> None:
    """20,000 runs and rows: the row splitter runs once and each run is looked up, not scanned."""
    ids = [str(10_000_000 + i) for i in range(20_000)]
    answer = "".join(f"{job_id} RUNNING\n" for job_id in ids)
    calls = []

    def keys(row_id: str) -> list[str]:
        calls.append(row_id)
        return _row_jobs(row_id)

    def rows(text: object) -> list[tuple[str, str]]:
        return [(line.split()[0], line.split()[1]) for line in str(text).splitlines()]

    found = statuses_by_job(answer, runs_of(ids), rows, lambda state: RUNNING, row_keys=keys)
    assert len(found) == 20_000 and set(found.values()) == {RUNNING}
    assert len(calls) == 20_000
