"""`clusterjob status` over many cached runs: one refresh per backend (batched where the backend can), one
line per run, a summary, and every submission left in doubt -- so no run of thousands goes unnoticed."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from clusterjob.batch import refresh_statuses
from clusterjob.errors import ClusterjobError
from clusterjob.result import AsyncResult
from clusterjob.status import str_status
from clusterjob.submission import MARKER_SUFFIX

__all__ = ["find_cache_files", "report_statuses"]


def find_cache_files(paths: Sequence[str]) -> tuple[list[Path], list[Path]]:
    """The cache files named or found in folders (not recursive), and the markers of submissions in
    doubt (a `.submitting` marker whose cache file does not exist), each sorted, without repeats."""
    caches: dict[Path, None] = {}
    doubts: dict[Path, None] = {}
    for text in paths:
        path = Path(os.path.expanduser(text))
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.name.startswith("."):
                    continue  # a temporary file of an atomic write
                if child.name.endswith(".json") and child.is_file():
                    caches[child] = None
                elif child.name.endswith(".json" + MARKER_SUFFIX):
                    if not child.with_name(child.name[: -len(MARKER_SUFFIX)]).exists():
                        doubts[child] = None
        else:
            caches[path] = None
    return list(caches), list(doubts)


def report_statuses(paths: Sequence[str], out: TextIO) -> bool:
    """Refresh and print every cached run under `paths`; True when every run was asked and none is lost,
    unknown to the scheduler, in doubt or unreadable. A run the scheduler has never reported a state for
    is UNKNOWN; one it did not answer about now shows its last known state with a note saying so."""
    caches, doubts = find_cache_files(paths)
    results: list[tuple[Path, AsyncResult]] = []
    problems: list[str] = []
    not_asked = ""
    for path in caches:
        try:
            results.append((path, AsyncResult.load(path)))
        except (
            ClusterjobError
        ) as exc:  # CacheError, UnknownBackendError: say so, go on with the rest
            problems.append(f"{'UNREADABLE':<10} {'-':<12} {path}  {exc}")
    try:
        refresh_statuses([result for _, result in results])
    except ClusterjobError as exc:  # e.g. the scheduler is unreachable: show what is known, fail
        not_asked = str(exc)
    counts: Counter[str] = Counter()
    lost = unknown = 0
    for path, result in results:
        name = str_status(result.last_status)
        counts[name] += 1
        note = ""
        if not_asked:
            note = "  not asked (see below): last known state"
        elif result.lost:
            lost += 1
            note = (
                "  lost: the scheduler has not known it for a while (see `clusterjob status FILE`)"
            )
        elif result.unreadable_count:
            note = (
                "  the backend could not read the scheduler's answer (see `clusterjob status FILE`)"
            )
        elif result.unknown_count:
            note = f"  not seen by the scheduler in the last {result.unknown_count} poll(s)"
            if result.established:
                note += ": last known state"
        if not result.established:
            unknown += 1
        out.write(f"{name:<10} {result.job_id:<12} {path}{note}\n")
    for marker in doubts:
        out.write(
            f"{'IN DOUBT':<10} {'-':<12} {marker}  submission interrupted: check the scheduler, then "
            "resubmit with force=True (--force)\n"
        )
    for line in problems:
        out.write(line + "\n")
    if not_asked:
        out.write(
            f"{'NOT ASKED':<10} {'-':<12} the {len(results)} run(s) above show their last known state; "
            f"the scheduler could not be asked: {not_asked}\n"
        )
    summary = ", ".join(f"{n} {name}" for name, n in sorted(counts.items()))
    extra = [f"{lost} lost"] if lost else []
    extra += [f"{len(doubts)} submission(s) in doubt"] if doubts else []
    extra += [f"{len(problems)} cache file(s) unreadable"] if problems else []
    extra += ["scheduler not asked"] if not_asked else []
    out.write(f"{len(results)} runs: {', '.join([summary or 'none', *extra])}\n")
    return not (lost or unknown or doubts or problems or not_asked)
