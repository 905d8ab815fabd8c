"""Fault injection from config.json: reproducible by seed, limited per command and count (counted in the db).

A rule is a dict: {"kind": K, "command": "squeue" (optional), "count": 3 (optional), "probability": 0.5
(optional, default 1), ...}. Kinds: transient, slow (seconds), garbage, truncated, lost_answer, lost_job,
node_fail (node), oom. Messages come from the scheduler module's TRANSIENT_ERRORS / LOST_ANSWER tables.
"""

from __future__ import annotations

import zlib

from clusterjob_sim.engine.spool import transaction

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from clusterjob_sim.engine.core import Engine

BEFORE = ("transient", "slow")  # decided before the command runs
AFTER = ("lost_job", "lost_answer", "node_fail", "oom", "garbage", "truncated")
KINDS = BEFORE + AFTER


def rule_key(index: int, rule: dict[str, Any]) -> str:
    """The db key counting one rule's draws (changes when the rule changes, so counts restart)."""
    return f"{index}:{zlib.crc32(repr(sorted(rule.items())).encode()):08x}"


def _rng(seed: Any, key: str, n: int) -> Any:
    import random

    return random.Random(f"{seed}:{key}:{n}")


def fire(
    engine: Engine,
    command: str,
    kinds: tuple[str, ...],
    applicable: Callable[[dict[str, Any]], bool] = lambda rule: True,
) -> list[tuple[dict[str, Any], Any]]:
    """Draw every rule of `kinds` that targets `command`; return the fired ones with their own RNG.

    Counts and draws are consumed in one transaction, so concurrent commands never fire a rule more than
    `count` times, and the n-th draw of a rule gives the same answer for the same seed.
    """
    rules = [
        (i, r)
        for i, r in enumerate(engine.config.get("faults") or ())
        if r.get("kind") in kinds and r.get("command") in (None, command) and applicable(r)
    ]
    if not rules:
        return []
    seed = engine.config.get("fault_seed", 0)
    fired = []
    with transaction(engine.conn) as c:
        for i, rule in rules:
            key = rule_key(i, rule)
            row = c.execute("SELECT seen, fired FROM fault_state WHERE key = ?", (key,)).fetchone()
            seen, done = row if row else (0, 0)
            seen += 1
            rng = _rng(seed, key, seen)
            count = rule.get("count")
            hit = rng.random() < float(rule.get("probability", 1.0))
            if hit and (count is None or done < int(count)):
                done += 1
                fired.append((rule, rng))
            c.execute(
                "INSERT OR REPLACE INTO fault_state (key, seen, fired) VALUES (?, ?, ?)",
                (key, seen, done),
            )
    return fired


def garble(text: str, rng: Any) -> str:
    """Replace an answer with seeded junk: what a broken pipe or a confused daemon might print."""
    alphabet = "abcdefXYZ0123456789 |:;#%@!?*()[]{}<>~^\t\x07\x1b"
    lines = rng.randint(1, 3)
    return "".join(
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60))) + "\n"
        for _ in range(lines)
    )


def truncate(text: str, rng: Any) -> str:
    """Cut an answer at a seeded point inside its first line (no final newline)."""
    if not text:
        return text
    first = text.split("\n", 1)[0]
    return first[: rng.randint(0, max(0, len(first) - 1))]
