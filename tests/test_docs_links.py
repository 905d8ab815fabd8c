"""Every relative link in the project's Markdown resolves: the file exists, and a `#anchor` names a heading.

A guide that sends a reader to a file that does not exist (as docs/backend-authors.md once did with
docs/reference/scheduler-cli.md) fails here, not in front of a user.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted(
    [
        ROOT / "README.md",
        ROOT / "CHANGELOG.md",
        ROOT / "simulators" / "README.md",
        ROOT / "containers" / "README.md",
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "docs" / "reference").glob("*.md"),
        *(ROOT / "docs" / "api").glob("*.md"),
    ]
)
LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
# repository paths named in prose rather than linked (`docs/reference/scheduler-cli.md`) must exist too
NAMED_PATH = re.compile(
    r"(?<![\w/.~-])((?:docs|simulators|containers|examples|scripts|tests|clusterjob|bench)/"
    r"[\w./-]*\w\.(?:md|py|sh|toml|txt))"
)


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to dashes."""
    text = re.sub(r"`|\*|_(?=\w)|(?<=\w)_", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors of a Markdown file's headings (outside code blocks)."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {github_slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.M)}


def links(path: Path) -> list[str]:
    """The link targets of a Markdown file, code blocks left out."""
    return LINK.findall(FENCE.sub("", path.read_text(encoding="utf-8")))


def test_the_documents_exist() -> None:
    for name in ("README.md", "LICENSE", "CHANGELOG.md", "docs/backend-authors.md"):
        assert (ROOT / name).is_file(), name


def test_github_slug() -> None:
    assert github_slug("9. Against your real cluster") == "9-against-your-real-cluster"
    assert github_slug("3. Or without writing a test file: `clusterjob check`") == (
        "3-or-without-writing-a-test-file-clusterjob-check"
    )


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc: Path) -> None:
    broken = []
    for target in links(doc):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        dest = (doc.parent / file_part).resolve() if file_part else doc
        if not dest.exists():
            broken.append(f"{target}: no such file {dest}")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading #{anchor} in {dest.relative_to(ROOT)}")
    assert not broken, f"{doc.relative_to(ROOT)}: broken links:\n" + "\n".join(broken)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_named_repository_paths_exist(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    missing = [
        p
        for p in NAMED_PATH.findall(text)
        if not (ROOT / p).exists() and not (doc.parent / p).exists()
    ]
    assert not missing, f"{doc.relative_to(ROOT)} names files that do not exist: {missing}"
