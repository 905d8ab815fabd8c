"""(e) Answers: get_job_id, get_status and get_status_many read every recorded answer of the scheduler
right, and return None or a result on any text (junk, cut or spliced answers), never raise."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st

from clusterjob.runners import split_command
from clusterjob.status import STATUS_CODES, str_status
from clusterjob.testing import corpus
from clusterjob.testing.suite.base import ConformanceBase


class ParsingChecks(ConformanceBase):
    """The backend's parsers on real answers and on junk."""

    def test_job_id_answers(self) -> None:
        """get_job_id parses every recorded submission answer of the scheduler (docs/reference)."""
        backend = self._cj_backend
        jobscript = self._cj_jobscript("true\n", {"name": "cjanswers"})
        argv = split_command(backend.cmd_submit(jobscript))[0]
        answers = corpus.job_id_answers(str(self.scheduler), argv)
        if not answers:
            pytest.skip(f"no recorded {self.scheduler} submission answer applies to {argv!r}")
        wrong = []
        for answer in answers:
            got = _call_or_error(backend.get_job_id, answer.text)
            if got not in answer.expected:
                wrong.append(
                    f"{answer.describe()}\n    -> {got!r}, expected one of {answer.expected}"
                )
        assert not wrong, "get_job_id misreads recorded answers:\n" + "\n".join(wrong)

    def test_status_answers(self) -> None:
        """get_status parses every recorded status answer of the scheduler to the right status."""
        backend = self._cj_backend
        run = self._cj_run(self._cj_sample_job_id())
        checked = 0
        wrong = []
        for finished in (False, True):
            argv = split_command(backend.cmd_status(run, finished=finished))[0]
            for answer in corpus.status_answers(str(self.scheduler), argv, run.job_id, finished):
                checked += 1
                got = _call_or_error(backend.get_status, answer.text, finished=finished)
                if got not in answer.expected:
                    shown = str_status(got) if isinstance(got, int) or got is None else repr(got)
                    expected = ", ".join(
                        str_status(e) if isinstance(e, int) or e is None else repr(e)
                        for e in answer.expected
                    )
                    wrong.append(f"{answer.describe()}\n    -> {shown}, expected {expected}")
        if not checked:
            pytest.skip(
                f"no recorded {self.scheduler} status answer applies to this backend's status "
                "commands (the end-to-end checks still read the simulator's answers)"
            )
        assert not wrong, "get_status misreads recorded answers:\n" + "\n".join(wrong)

    def test_batched_status_answers(self) -> None:
        """get_status_many reads recorded answers about several jobs (when the backend batches)."""
        backend = self._cj_backend
        sample = self._cj_run(self._cj_sample_job_id())
        batches = self._cj_caps.batched_status
        if backend.cmd_status_many([sample]) is None:
            assert not batches, "Capabilities.batched_status=True, but cmd_status_many returns None"
            pytest.skip("the backend does not batch status queries")
        assert batches is not False, (
            "Capabilities.batched_status=False, but cmd_status_many batches"
        )
        checked, wrong = 0, []
        for finished in (False, True):
            probe = backend.cmd_status_many(
                [sample, self._cj_run(sample.job_id)], finished=finished
            )
            if probe is None:
                continue
            argv = split_command(probe)[0]
            for answer in corpus.batched_answers(str(self.scheduler), argv, finished):
                runs = [self._cj_run(job_id) for job_id in answer.expected]
                got = _call_or_error(backend.get_status_many, answer.text, runs, finished=finished)
                checked += 1
                if not isinstance(got, dict):
                    wrong.append(f"{answer.note}: get_status_many returned {got!r}")
                    continue
                for job_id, expected in answer.expected.items():
                    if got.get(job_id) not in expected:
                        wrong.append(
                            f"{answer.note}: job {job_id} -> {str_status(got.get(job_id))}, expected "
                            + " or ".join(str_status(e) for e in expected)  # type: ignore[arg-type]
                        )
        if not checked:
            pytest.skip(
                f"no recorded {self.scheduler} answer applies to this backend's batched commands"
            )
        assert not wrong, "get_status_many misreads recorded answers:\n" + "\n".join(wrong)

    def test_answers_never_raise(self, cj_settings: settings) -> None:
        """get_job_id/get_status (and get_status_many) return None or a result on any text; never raise."""
        backend = self._cj_backend
        run = self._cj_run(self._cj_sample_job_id())
        recorded = [a.text for a in corpus.answers_for(str(self.scheduler))]
        for finished in (False, True):
            argv = split_command(backend.cmd_status(run, finished=finished))[0]
            recorded += [
                a.text
                for a in corpus.status_answers(str(self.scheduler), argv, run.job_id, finished)
            ]
        texts = _junk_texts(recorded or ["Submitted batch job 1\n"])
        batched = backend.cmd_status_many([run]) is not None

        def check(case: tuple[str, bool]) -> None:
            text, finished = case
            job_id = backend.get_job_id(text)
            assert job_id is None or (
                isinstance(job_id, str) and job_id and not re.search(r"\s", job_id)
            ), (
                f"get_job_id({text!r}) returned {job_id!r}: a job id must be a str without blanks, or None"
            )
            status = backend.get_status(text, finished=finished)
            assert status is None or status in STATUS_CODES, (
                f"get_status({text!r}) returned {status!r}, not a clusterjob.status code or None"
            )
            if batched:
                many = backend.get_status_many(text, [run], finished=finished)
                assert isinstance(many, dict) and all(
                    v is None or v in STATUS_CODES for v in many.values()
                ), f"get_status_many({text!r}) returned {many!r}"

        self._cj_run_property(
            cj_settings, "answers_never_raise", st.tuples(texts, st.booleans()), check
        )


def _call_or_error(function: Callable[..., object], *args: Any, **kwargs: Any) -> object:
    try:
        return function(*args, **kwargs)
    except Exception as exc:  # reported as the result
        return f"raised {type(exc).__name__}: {exc}"


def _junk_texts(recorded: Sequence[str]) -> st.SearchStrategy[str]:
    """Arbitrary text, and recorded answers cut, spliced and salted with junk."""
    pieces = st.sampled_from(list(recorded))

    @st.composite
    def mutated(draw: st.DrawFn) -> str:
        text = draw(pieces)
        if not text:
            return draw(st.text(max_size=40))
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        junk = draw(st.text(max_size=20))
        return text[:start] + junk + text[end:]

    return st.one_of(
        st.text(),
        mutated(),
        st.lists(pieces, max_size=3).map("".join),
        st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
    )
