"""Showing text that people typed (in files, labels, the address) exactly as written."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~$:&=])")


def plain(text) -> str:
    """`text` on one line, escaped so that markdown shows it exactly as written."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))
