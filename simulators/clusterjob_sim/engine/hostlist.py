"""Slurm-style host lists: compress ["node01", "node02", "node03"] to "node[01-03]" and back."""

from __future__ import annotations


def _split(name: str) -> tuple[str, str]:
    """A host name's prefix and trailing digits ('' if none)."""
    i = len(name)
    while i > 0 and name[i - 1].isdigit():
        i -= 1
    return name[:i], name[i:]


def compress(names: list[str] | tuple[str, ...]) -> str:
    """The ranged form of a host list, keeping order: node[01-03,05],gpu1 (Slurm's hostlist format)."""
    groups: list[tuple[str, int, list[int]]] = []  # (prefix, width, numbers)
    plain: dict[int, str] = {}
    for name in names:
        prefix, digits = _split(name)
        if not digits:
            plain[len(groups)] = name
            groups.append((name, -1, []))
            continue
        width = len(digits) if digits.startswith("0") and len(digits) > 1 else 0
        for g_prefix, g_width, numbers in groups:
            if g_prefix == prefix and g_width == width and g_width >= 0:
                numbers.append(int(digits))
                break
        else:
            groups.append((prefix, width, [int(digits)]))
    parts = []
    for i, (prefix, width, numbers) in enumerate(groups):
        if width < 0:
            parts.append(plain[i])
            continue
        if len(numbers) == 1:
            parts.append(f"{prefix}{numbers[0]:0{width}d}")
            continue
        ranges: list[str] = []
        start = prev = numbers[0]
        for n in [*numbers[1:], None]:
            if n is not None and n == prev + 1:
                prev = n
                continue
            ranges.append(
                f"{start:0{width}d}" if start == prev else f"{start:0{width}d}-{prev:0{width}d}"
            )
            if n is not None:
                start = prev = n
        parts.append(f"{prefix}[{','.join(ranges)}]")
    return ",".join(parts)


def expand(text: str) -> list[str]:
    """The host names of a ranged host list ('node[01-03],gpu1' -> node01, node02, node03, gpu1)."""
    names: list[str] = []
    depth, start = 0, 0
    items = []
    for i, ch in enumerate(text):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    for item in filter(None, items):
        if "[" not in item:
            names.append(item)
            continue
        prefix, _, rest = item.partition("[")
        body, _, suffix = rest.partition("]")
        for part in body.split(","):
            lo, _, hi = part.partition("-")
            width = len(lo) if lo.startswith("0") else 0
            for n in range(int(lo), int(hi or lo) + 1):
                names.append(f"{prefix}{n:0{width}d}{suffix}")
    return names
