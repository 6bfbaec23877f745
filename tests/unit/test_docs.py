"""The docs cover every setting and every table of the contract."""

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
