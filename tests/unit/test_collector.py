"""monitoring/collector.py: the garbage collector paused while large results are read."""

from __future__ import annotations

import gc
import threading

from monitoring import collector


def test_pauses_that_overlap_in_threads_end_with_the_last():
    first_in, second_out = threading.Event(), threading.Event()
    seen = {}

    def first():
        with collector.paused():
            first_in.set()
            second_out.wait(10)
            seen["after the second left"] = gc.isenabled()

    assert gc.isenabled()
    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(10)
    with collector.paused():
        seen["inside both"] = gc.isenabled()
    second_out.set()
    thread.join(10)
    assert seen == {"inside both": False, "after the second left": False}
    assert gc.isenabled()


def test_a_collector_paused_by_someone_else_stays_paused():
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
