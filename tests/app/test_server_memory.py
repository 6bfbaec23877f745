"""The server keeps its lasting objects out of the cycle collector's way (ui/memory.py,
enabled by server.py): after a page's first run, what is garbage is collected and the rest
frozen, so that later full collections, which hold every session's script, go over what was
made since. Each check runs in a Python process of its own: freezing the test process's
objects would outlive the test."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from monitoring.settings import ROOT

PROBE = """
import gc, json, weakref

{setup}
from ui import memory

class Node:
    pass

def cycle():
    a, b = Node(), Node()
    a.other, b.other = b, a
    return a

before = weakref.ref(cycle())  # garbage in a cycle before the first run ends
kept = cycle()  # alive: frozen
memory.settle("indicators")
frozen = gc.get_freeze_count()
after = weakref.ref(cycle())  # garbage made after
gc.collect()
memory.settle("indicators")  # the same page again: nothing more frozen
again = gc.get_freeze_count()
loaded = [Node() for _ in range(100)]  # what the next page's first run loads
memory.settle("grants")  # another page's first run
print(json.dumps({{
    "frozen": frozen,
    "before_collected": before() is None,
    "after_collected": after() is None,
    "again": again,
    "other_page": gc.get_freeze_count(),
}}))
"""


def probe(setup: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(PROBE.format(setup=setup))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_server_freezes_what_lasts_after_a_pages_first_run():
    seen = probe("import server  # as `streamlit run server.py` imports it")
    assert seen["frozen"] > 10_000  # the modules of Streamlit, pandas and the dashboard
    assert seen["before_collected"], "garbage is collected before the rest is frozen"
    assert seen["after_collected"], "what is made later is collected as before"
    assert seen["again"] == seen["frozen"], "a page's later runs freeze nothing more"
    assert seen["other_page"] > seen["frozen"], "another page's first run freezes what it made"


def test_nothing_is_frozen_outside_the_server():
    # AppTest runs and the command line import the dashboard's modules without server.py.
    seen = probe("")
    assert seen["frozen"] == 0 and seen["other_page"] == 0
