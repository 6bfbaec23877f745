"""Page scripts take turns (ui/turns.py): at most a few run at once in a server process, the
others wait, and long work (a donor link's first audit, an upload, a report) gives its turn up
so that it never holds other people's pages back."""

from __future__ import annotations

import contextlib
import threading

import pytest

from tests.app.conftest import no_exceptions
from tests.app.test_link_views_prepared import wait_for_preparing
from ui import access, turns

WAIT = 30  # seconds: for what must happen (a thread scheduled)
NOT_YET = 0.3  # seconds: for what must not happen while a turn is held


class Script(threading.Thread):
    """A page script in a thread of its own: takes a turn, says so, runs until let go."""

    def __init__(self, schedule: turns.Turns, *, long_work: threading.Event | None = None):
        super().__init__(daemon=True)
        self.schedule = schedule
        self.running = threading.Event()
        self.go = threading.Event()
        self.after = threading.Event()  # its long work done (it ran on without a turn)
        self.long_work = long_work  # set: long work that waits for it, after running
        self.failed: BaseException | None = None

    def run(self) -> None:
        try:
            with self.schedule.turn():
                self.running.set()
                if self.long_work is not None:
                    self.schedule.step_aside()
                    self.long_work.wait(WAIT)
                    self.after.set()
                self.go.wait(WAIT)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            self.failed = exc


def started(*scripts: Script) -> None:
    for s in scripts:
        s.start()


def finished(*scripts: Script) -> None:
    for s in scripts:
        s.go.set()
    for s in scripts:
        s.join(WAIT)
        assert not s.is_alive() and s.failed is None


def test_a_third_script_waits_until_one_of_two_gives_its_turn_back():
    schedule = turns.Turns(2)
    first, second, third = Script(schedule), Script(schedule), Script(schedule)
    started(first, second)
    assert first.running.wait(WAIT) and second.running.wait(WAIT)
    started(third)
    assert not third.running.wait(NOT_YET), "two scripts run: the third waits"
    finished(first)
    assert third.running.wait(WAIT), "the first gave its turn back: the third runs"
    finished(second, third)


def test_long_work_gives_its_turn_up_for_the_rest_of_its_run():
    schedule = turns.Turns(1)
    long_work_done = threading.Event()
    uploading = Script(schedule, long_work=long_work_done)
    started(uploading)
    assert uploading.running.wait(WAIT)
    page = Script(schedule)
    started(page)
    assert page.running.wait(WAIT), "another session's page runs during the long work"
    long_work_done.set()
    # It does not wait for a turn again: the other page holds the only one, and (a cached
    # call's lock held by the long work, waited on by the holder) waiting could be forever.
    assert uploading.after.wait(WAIT)
    finished(uploading)
    later = Script(schedule)
    started(later)
    assert not later.running.wait(NOT_YET), "the page still holds the only turn"
    finished(page, later)


def test_long_work_inside_a_lock_that_others_wait_on_does_not_wait_for_them():
    """Donors of one link after new data: the first makes the view inside a cached call (its
    lock held), the others, each holding a turn, wait on that lock."""
    schedule = turns.Turns(2)
    cached_call = threading.Lock()
    done: list[str] = []

    def donor(name: str, first: threading.Event | None) -> None:
        with schedule.turn():
            if first is not None:
                with cached_call:
                    first.set()
                    schedule.step_aside()  # the audit
                    others_waiting.wait(WAIT)
            else:
                with cached_call:
                    pass
            done.append(name)

    first, others_waiting = threading.Event(), threading.Event()
    threads = [threading.Thread(target=donor, args=("first", first), daemon=True)]
    threads[0].start()
    assert first.wait(WAIT)
    threads += [threading.Thread(target=donor, args=(n, None), daemon=True) for n in "ab"]
    for t in threads[1:]:
        t.start()
    others_waiting.set()
    for t in threads:
        t.join(WAIT)
    assert sorted(done) == ["a", "b", "first"], "nobody waits forever"


def test_a_script_that_raises_gives_its_turn_back():
    """Streamlit stops and reruns a script by raising inside it."""
    schedule = turns.Turns(1)

    class Stopped(Exception):
        pass

    with pytest.raises(Stopped), schedule.turn():
        raise Stopped
    with pytest.raises(Stopped), schedule.turn():
        schedule.step_aside()
        raise Stopped
    assert not schedule.holds()
    page = Script(schedule)
    started(page)
    assert page.running.wait(WAIT), "the turn was given back both times"
    finished(page)


def test_outside_a_turn_there_is_nothing_to_give_up():
    """A fragment reruns alone, without dashboard.py taking a turn: its long work must not give
    up a turn that is another script's."""
    schedule = turns.Turns(1)
    holder = Script(schedule)
    started(holder)
    assert holder.running.wait(WAIT)
    schedule.step_aside()  # this thread holds no turn
    waiting = Script(schedule)
    started(waiting)
    assert not waiting.running.wait(NOT_YET), "the holder's turn was not given away"
    finished(holder, waiting)


def test_a_turn_taken_inside_a_turn_is_the_same_turn():
    schedule = turns.Turns(1)
    with schedule.turn(), schedule.turn():
        assert schedule.holds()
    assert not schedule.holds()
    page = Script(schedule)
    started(page)
    assert page.running.wait(WAIT)
    finished(page)


@pytest.mark.parametrize(
    ("given", "count"), [(None, turns.DEFAULT), ("", turns.DEFAULT), ("1", 1), (" 4 ", 4)]
)
def test_how_many_scripts_run_at_once_is_a_setting(given, count):
    environ = {} if given is None else {turns.ENV: given}
    assert turns.pages_at_once(environ) == count


@pytest.mark.parametrize("given", ["0", "-1", "two", "1.5"])
def test_a_wrong_number_of_scripts_at_once_says_what_to_set(given):
    with pytest.raises(ValueError, match=turns.ENV):
        turns.pages_at_once({turns.ENV: given})


class Recorded(turns.Turns):
    """Turns that note who took one and gave it back, in order."""

    def __init__(self, count: int):
        super().__init__(count)
        self.log: list[tuple[str, str]] = []
        self.stepped_aside = threading.Event()  # set when a script holding a turn steps aside

    @contextlib.contextmanager
    def turn(self):
        with super().turn():
            self.log.append(("took", threading.current_thread().name))
            try:
                yield
            finally:
                self.log.append(("gave back", threading.current_thread().name))

    def step_aside(self) -> None:
        if self.holds():
            self.log.append(("stepped aside", threading.current_thread().name))
            self.stepped_aside.set()
        super().step_aside()


def test_a_page_waits_while_every_turn_is_taken_and_renders_after(app, monkeypatch):
    """dashboard.py runs each page inside a turn of the process's schedule."""
    schedule = Recorded(1)
    monkeypatch.setattr(turns, "_TURNS", schedule)
    holder = Script(schedule)
    holder.name = "another session's script"
    started(holder)
    assert holder.running.wait(WAIT)
    rendered = threading.Event()
    ran: list = []

    def render() -> None:
        ran.append(app.run(timeout=WAIT))
        rendered.set()

    threading.Thread(target=render, daemon=True).start()
    assert not rendered.wait(NOT_YET), "another script holds the only turn: the page waits"
    finished(holder)
    assert rendered.wait(WAIT)
    no_exceptions(ran[0])
    assert ran[0].title[0].value == "Programme overview"
    took = [who for what, who in schedule.log if what == "took"]
    assert took[0] == holder.name and len(took) == 2, "the page's script took the next turn"
    assert schedule.log[1] == ("gave back", holder.name), "after the other script gave it back"
    assert schedule.log[-1] == ("gave back", took[1]) and not schedule.holds()


def steps_aside(schedule: Recorded) -> bool:
    """Whether the page's script run logged in `schedule` stepped aside; checks that it gave its
    turn back at the end either way."""
    took = [who for what, who in schedule.log if what == "took"]
    assert len(took) == 1 and schedule.log[-1] == ("gave back", took[0])
    return ("stepped aside", took[0]) in schedule.log


def test_a_donor_links_audit_gives_its_turn_up_when_it_runs(donor_app, monkeypatch):
    """The figures of a share link are audited for disclosure once per data version, which after
    new data can take minutes: other sessions' pages run meanwhile. Once audited, the link's
    pages keep their turn like any other."""
    schedule = Recorded(1)
    monkeypatch.setattr(turns, "_TURNS", schedule)
    # The first run also starts preparing the links' views in the background; on a busy
    # machine that audit could end before the page asks for its view (nothing long left to
    # do: it would not step aside, and the test would fail for the machine's sake). So the
    # audit starts only once a page's script has stepped aside (or after WAIT).
    audit = access.indicator_cells

    def audit_after_the_page_stepped_aside(*args, **kwargs):
        schedule.stepped_aside.wait(WAIT)
        return audit(*args, **kwargs)

    monkeypatch.setattr(access, "indicator_cells", audit_after_the_page_stepped_aside)
    at = donor_app().run()
    no_exceptions(at)
    assert steps_aside(schedule), "the audit was made in this run"
    wait_for_preparing()  # the links' views prepared in the background, as after any new data
    schedule.log.clear()
    at.run()
    no_exceptions(at)
    assert not steps_aside(schedule), "the audit is kept: nothing long to do"


def test_a_data_quality_check_computed_now_gives_its_turn_up(app, monkeypatch):
    from ui.quality import TAB_KEY

    at = app.run()
    at.switch_page("views/quality.py").run()
    schedule = Recorded(1)
    monkeypatch.setattr(turns, "_TURNS", schedule)
    at.session_state[TAB_KEY] = "Completeness"
    at.run()
    no_exceptions(at)
    assert steps_aside(schedule), "the completeness check was computed in this run"
    schedule.log.clear()
    at.run()
    no_exceptions(at)
    assert not steps_aside(schedule), "kept since: the page keeps its turn"
