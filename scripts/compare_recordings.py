"""Compare two recordings of the fake commands' answers (CLUSTERJOB_SIM_RECORD files) test by test.

Used to prove a refactoring kept every answer: record the test suite before and after with the same
--basetemp (PBS Pro's qstat wraps lines at fixed widths, so path lengths must match), then

    python scripts/compare_recordings.py before.jsonl after.jsonl [--old] [-v]

For each caller (test id) it compares the SET of distinct answers (command, argv, stdout, stderr, exit
code) after masking what changes from run to run: times, dates, durations, process ids, temporary and
random names. Polls make sets differ when a run catches a state the other did not; -v shows each
difference next to its nearest answer on the other side. --old compares only callers of the first file.
"""

from __future__ import annotations

import argparse
import collections
import difflib
import json
import re

MASKS = [
    (re.compile(r"/tmp/pytest-of-[^/]+/pytest-\d+/"), "/tmp/PYTEST/"),
    (re.compile(r"/tmp/(tmp|clusterjob-[a-z-]*?)[A-Za-z0-9_]{6,}"), "/tmp/TMP"),
    (re.compile(r"/work/[\w.-]+/"), "/work/TREE/"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"), "DATETIME"),
    (
        re.compile(
            r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
            r"[ \d]\d \d\d:\d\d(:\d\d)?( \d{4})?"
        ),
        "CTIME",
    ),
    (re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d(\.\d+)?"), "SGETIME"),
    (
        re.compile(r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}\d{1,2} \d\d:\d\d"),
        "LSFTIME",
    ),
    (re.compile(r"\b\d+:\d\d:\d\d\b"), "H:MM:SS"),
    (re.compile(r"\b\d{1,2}:\d\d\b"), "M:SS"),
    (re.compile(r"\b1[6-9]\d{8}(\.\d+)?\b"), "EPOCH"),
    (re.compile(r"session_id = \d+"), "session_id = PID"),
    (re.compile(r'"session_id":\d+'), '"session_id":PID'),
    (re.compile(r"\bcj[0-9a-f]{6}-"), "cjRANDOM-"),
]

Answer = tuple[str, str, str, str, int]


def mask(text: str) -> str:
    """The text with everything that changes from run to run replaced by a placeholder."""
    for pattern, placeholder in MASKS:
        text = pattern.sub(placeholder, text)
    return text


def load(path: str) -> dict[str, set[Answer]]:
    """Distinct masked answers per caller (the test id without its phase)."""
    by_caller: dict[str, set[Answer]] = collections.defaultdict(set)
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            caller = re.sub(r" \((call|setup|teardown)\)$", "", r["caller"])
            argv = mask(json.dumps(r["argv"]))
            by_caller[caller].add(
                (r["command"], argv, mask(r["stdout"]), mask(r["stderr"]), r["rc"])
            )
    return by_caller


def show(caller: str, only_a: list[Answer], only_b: list[Answer]) -> None:
    """Print one caller's differences, each beside the closest answer of the other run."""
    print("==", caller, f"({len(only_a)} only in the first, {len(only_b)} only in the second)")
    others = [repr(y) for y in only_b]
    for x in only_a[:2]:
        best = difflib.get_close_matches(repr(x), others, n=1, cutoff=0)
        if not best:
            print("   only in the first:", repr(x)[:200])
            continue
        matcher = difflib.SequenceMatcher(None, repr(x), best[0])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                print(
                    "   ",
                    tag,
                    repr(repr(x)[max(0, i1 - 30) : i2 + 10]),
                    "->",
                    repr(best[0][j1 : j2 + 10]),
                )


def main() -> None:
    """Compare the two files and print a summary line (and the differences with -v)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("first")
    p.add_argument("second")
    p.add_argument("--old", action="store_true", help="only the callers of the first file")
    p.add_argument("-v", action="store_true", help="show the differences")
    args = p.parse_args()
    a, b = load(args.first), load(args.second)
    callers = sorted(set(a) if args.old else set(a) | set(b))
    same = 0
    for caller in callers:
        if a.get(caller) == b.get(caller):
            same += 1
        elif args.v:
            show(caller, sorted(a[caller] - b[caller]), sorted(b[caller] - a[caller]))
    answers_a = sum(len(v) for v in a.values())
    answers_b = sum(len(v) for v in b.values())
    print(
        f"callers: {len(callers)}, identical {same}, differing {len(callers) - same}; "
        f"distinct answers {answers_a} and {answers_b}"
    )


if __name__ == "__main__":
    main()
