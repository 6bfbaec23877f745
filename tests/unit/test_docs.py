"""The docs cover every setting and every table of the contract, and their links lead somewhere."""

import re
from dataclasses import fields
from pathlib import Path

from monitoring.settings import Privacy, Programme, Spending, StatusRule

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented():
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for section, cls in [
        ("programme", Programme),
        ("status", StatusRule),
        ("spending", Spending),
        ("privacy", Privacy),
    ]:
        for f in fields(cls):
            assert f"`{section}.{f.name}`" in text, f"{section}.{f.name} is not in docs/settings.md"


def test_readme_starts_with_the_two_commands():
    head = (ROOT / "README.md").read_text(encoding="utf-8")[:400]
    assert "make run" in head and "make test" in head


def _slug(heading: str) -> str:
    """A heading's anchor as GitHub writes it: lower case, punctuation dropped, spaces as -."""
    kept = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return kept.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else re.match(r"#{1,6} (.+)", line)
        if heading:
            slug = _slug(heading.group(1))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def broken_links(files: list[Path]) -> list[str]:
    """Every relative link of `files` to a file that does not exist, or to a heading that the
    linked Markdown file does not have."""
    broken = []
    headings: dict[Path, set[str]] = {}  # each linked Markdown file's anchors, read once
    for path in files:
        for match in re.finditer(r"\]\(([^)\s]+)\)", path.read_text(encoding="utf-8")):
            target = match.group(1)
            if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                continue
            name, _, anchor = target.partition("#")
            linked = (path.parent / name) if name else path
            if not linked.exists():
                broken.append(f"{path.name}: {target} (no such file)")
            elif linked.suffix == ".md" and anchor:
                key = linked.resolve()
                if key not in headings:
                    headings[key] = _anchors(linked)
                if anchor not in headings[key]:
                    broken.append(f"{path.name}: {target} (no such heading)")
    return broken


def test_every_link_of_the_docs_leads_somewhere():
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    assert broken_links(files) == []


def test_a_link_to_a_missing_heading_or_file_is_found(tmp_path):
    (tmp_path / "a.md").write_text(
        "# Title\n\n## The next part: here\n\n```sh\n# not a heading\n```\n", encoding="utf-8"
    )
    (tmp_path / "b.md").write_text(
        "[ok](a.md#the-next-part-here) [ok](#links) [web](https://example.org/x#y)\n"
        "[gone](a.md#not-a-heading) [none](c.md) [self](#nowhere)\n\n## Links\n",
        encoding="utf-8",
    )
    assert broken_links([tmp_path / "b.md"]) == [
        "b.md: a.md#not-a-heading (no such heading)",
        "b.md: c.md (no such file)",
        "b.md: #nowhere (no such heading)",
    ]
