"""`make soak`: kill -9 imports at random moments, then measure capacity (issue 15).

    python -m tests.bench.soak [--kills 10] [--served-kills 4] [--rows 100000]
                               [--sessions 1,10,50] [--seconds 40] [--only kills,capacity]
                               [--out FILE]   (or $SOAK_OUT; default /tmp/soak-latest.json)

**Kills.** In a temporary folder: `python -m monitoring init --db before.duckdb --sample`, an
upload file of `--rows` new indicator values (tests/bench/soak_data.py), and a snapshot of
every table (rows and a digest of them). One full import of the file into a copy gives the
"after" snapshot and the import's timeline: when it starts writing (the write-ahead log
appears) and when it is done (the log is checkpointed away). Then, `--kills` times, on a fresh
copy of the "before" file: `python -m monitoring import FILE --db COPY` in a process group of
its own, SIGKILLed after a random delay: in turn early (reading and checking, before the
first write), mid-write and in the commit (a delay drawn over the measured writing window,
from the moment the log appears). After each kill the file is opened as the next process
would, and every table must be exactly as "before" or exactly as "after", all together, and
the upload history must agree with the rows (the batch recorded iff its rows are there).

With the dashboard serving (`--served-kills`, half of each): `streamlit run server.py` over
the copy, the import sent to it through the job channel (monitoring/cli/remote.py); either
the command is killed (its job runs to its end in the dashboard) or the server's process
group is killed while the job writes; the server is then started again over the file, and
stopped, and the file checked as above.

**Capacity.** One `streamlit run server.py` on the loopback over a copy of the sample
database with an admin account, and `--sessions` levels of signed-in protocol-level sessions
(tests/bench/protocol.py: Streamlit's websocket protocol, no browser) asking for every page
in turn without pause for `--seconds` each: renders per second (and per core), p50 and p95
of a render, and the server's CPU seconds per render, to tell whether its time grows faster
than linearly with sessions.

Prints a summary table and writes everything as JSON. Exit code 1 when a kill left the
database in between (or the history disagreed with the rows), 2 when the soak itself could
not run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from monitoring.settings import ROOT
from tests.bench import protocol, soak_data

BY = "soak"
ADMIN = "soak-admin"
STAGES = ("early", "mid-write", "commit")
SECRET = "a secret for the soak test's sign-in cookies"


# --- processes ---------------------------------------------------------------------------------


def _env(db: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "TZ": "UTC", "MONITORING_SHARE_SECRET": SECRET}
    env.pop("MONITORING_DB", None)
    if db is not None:
        env["MONITORING_DB"] = str(db)
    return env


def _monitoring(*args: str, db: Path | None = None) -> list[str]:
    return [sys.executable, "-m", "monitoring", *args]


def _run_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(_monitoring(*args), env=_env(), capture_output=True, text=True, cwd=ROOT)


def init_sample(db: Path) -> None:
    """`python -m monitoring init --db DB --sample`; then, where quarters can be approved
    (and so locked against uploads: docs/quality.md), the file's quarters are reopened."""
    done = _run_command("init", "--db", str(db), "--sample")
    if done.returncode == 0 and _run_command("reopen", "--help").returncode == 0:
        for period in soak_data.PERIODS:
            done = _run_command(
                "reopen", period, "--reason", "soak test upload", "--by", BY, "--db", str(db)
            )
            if done.returncode != 0 and "not approved" in (done.stdout + done.stderr).lower():
                done = subprocess.CompletedProcess(done.args, 0, "", "")
            if done.returncode != 0:
                break
    if done.returncode != 0:
        raise RuntimeError(
            f"init failed ({done.returncode}): {done.stdout[-500:]}{done.stderr[-2000:]}"
        )


def import_command(csv: Path, db: Path) -> list[str]:
    return _monitoring("import", str(csv), "--db", str(db), "--by", BY)


def _wal(db: Path) -> Path:
    return Path(f"{db}.wal")


def fresh_copy(before: Path, target: Path) -> Path:
    for p in (target, _wal(target)):
        p.unlink(missing_ok=True)
    shutil.copyfile(before, target)
    return target


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run server.py` over `db`, on the loopback, in a process group of its own."""

    def __init__(self, db: Path, log: Path):
        self.db, self.log, self.port = db, log, _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        with log.open("a") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "streamlit",
                    "run",
                    "server.py",
                    "--server.headless",
                    "true",
                    "--server.port",
                    str(self.port),
                    "--server.address",
                    "127.0.0.1",
                    "--browser.gatherUsageStats",
                    "false",
                    "--server.fileWatcherType",
                    "none",
                ],
                cwd=ROOT,
                env=_env(db),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_healthy()

    def _wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited early; log: {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within {timeout} s; log: {self.log}")

    def hold_database(self) -> None:
        """Make the server open its database and take jobs, as at its first visit: the
        sign-in cookie's address opens it (ui/session_cookie.py); a made-up ticket is refused."""
        request = urllib.request.Request(
            f"{self.url}/auth/session", data=b"ticket=soak&next=/", method="POST"
        )
        try:
            urllib.request.urlopen(request, timeout=60).close()
        except urllib.error.HTTPError as exc:
            if exc.code != 400:
                raise RuntimeError(f"the server could not open its database ({exc.code})") from exc
        from monitoring.db.channel import socket_path

        deadline = time.monotonic() + 30
        while not socket_path(self.db).exists():
            if time.monotonic() > deadline:
                raise RuntimeError("the server does not take jobs (no socket)")
            time.sleep(0.05)

    def cpu_seconds(self) -> float:
        """User and system CPU of the server process so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                kill_group(self.proc)

    def kill(self) -> None:
        kill_group(self.proc)


@contextmanager
def serving(db: Path, log: Path):
    server = Server(db, log)
    try:
        yield server
    finally:
        server.stop()


# --- the kill check ----------------------------------------------------------------------------


def timeline(before: Path, target: Path, csv: Path) -> dict:
    """One full import into a copy, watched: when the write-ahead log appears and goes."""
    fresh_copy(before, target)
    start = time.perf_counter()
    out_path, err_path = target.with_suffix(".out"), target.with_suffix(".err")
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen(
            import_command(csv, target),
            env=_env(),
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    write_start = write_end = None
    while proc.poll() is None:  # (its output goes to files: a pipe left unread would fill)
        now = time.perf_counter() - start
        if _wal(target).exists():
            write_start = now if write_start is None else write_start
        elif write_start is not None and write_end is None:
            write_end = now
        time.sleep(0.002)
    total = time.perf_counter() - start
    out, err = out_path.read_text(), err_path.read_text()
    if proc.returncode != 0:
        raise RuntimeError(f"the full import failed ({proc.returncode}): {(out + err)[-800:]}")
    if write_start is None:  # too quick to see: assume the last fifth writes
        write_start = 0.8 * total
    return {
        "seconds": round(total, 3),
        "write_start_s": round(write_start, 3),
        "write_end_s": round(write_end if write_end is not None else total, 3),
        "output": out.strip().splitlines()[-1:],
    }


def classify(found: dict, before: dict, after: dict) -> tuple[str, list[str]]:
    """ "before", "after" or "in between" (with the tables that match neither, or that
    match one state while others match the other)."""
    as_before = {t for t in found if found.get(t) == before.get(t)}
    as_after = {t for t in found if found.get(t) == after.get(t)}
    every = set(before) | set(after) | set(found)
    if as_before == every:
        return "before", []
    if as_after == every:
        return "after", []
    odd = sorted(every - as_before - as_after) or sorted(every - as_before) or sorted(every)
    return "in between", odd


def history_agrees(db: Path, csv: Path, rows: int) -> tuple[bool, str]:
    """The batch of the file is recorded iff its rows are stored (all of them)."""
    recorded = [b for b in soak_data.batches(db) if b[2] == csv.name]
    stored = soak_data.stored_file_rows(db, csv)
    if recorded:
        ok = len(recorded) == 1 and recorded[0][3] == rows and stored == rows
    else:
        ok = stored == 0
    return ok, f"batch {'recorded' if recorded else 'absent'}, {stored} of {rows} rows stored"


def check_file(db: Path, csv: Path, rows: int, before: dict, after: dict) -> dict:
    state, odd = classify(soak_data.snapshot(db), before, after)
    agrees, history = history_agrees(db, csv, rows)
    return {"state": state, "odd_tables": odd, "history_agrees": agrees, "history": history}


def _files_now(db: Path) -> str:
    """What the files show at the moment of a kill (the stage it actually hit)."""
    if _wal(db).exists():
        return f"writing (log {_wal(db).stat().st_size} B, file {db.stat().st_size} B)"
    return f"no log (file {db.stat().st_size} B)"


def _delay(stage: str, line: dict, rng: random.Random) -> tuple[str, float]:
    """(what to wait for, seconds after it): early kills count from the start, the others
    from the moment the log appears, over the writing window measured."""
    window = max(0.05, line["write_end_s"] - line["write_start_s"])
    if stage == "early":
        return "start", rng.uniform(0.02, line["write_start_s"])
    if stage == "anywhere":
        return "start", rng.uniform(0.02, line["seconds"])
    if stage == "mid-write":
        return "log", rng.uniform(0, 0.6 * window)
    return "log", rng.uniform(0.6 * window, 1.5 * window)


def _wait_for_log(db: Path, proc: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if _wal(db).exists():
            return True
        time.sleep(0.001)
    return False


def kill_import(csv: Path, target: Path, stage: str, line: dict, rng: random.Random) -> dict:
    """Start the import into `target` and SIGKILL its process group at a moment of `stage`."""
    anchor, delay = _delay(stage, line, rng)
    start = time.perf_counter()
    proc = subprocess.Popen(
        import_command(csv, target),
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    if anchor == "log":
        _wait_for_log(target, proc, timeout=10 * line["seconds"] + 30)
    time.sleep(delay)
    at = time.perf_counter() - start
    files = _files_now(target)
    exited = proc.poll()
    kill_group(proc)
    return {
        "stage": stage,
        "killed_at_s": round(at, 3),
        "files_then": files,
        "killed": exited is None,
        "exit_code_before_kill": exited,
    }


def served_kill(
    csv: Path, target: Path, what: str, line: dict, rng: random.Random, log: Path
) -> dict:
    """An import sent to the serving dashboard; `what` is killed: "client" (the command) or
    "server" (the dashboard's process group, while the job writes). Then the server is
    started again over the file and stopped, and the file is checked by the caller."""
    server = Server(target, log)
    try:
        server.hold_database()
        start = time.perf_counter()
        proc = subprocess.Popen(
            import_command(csv, target),
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        window = max(0.05, line["write_end_s"] - line["write_start_s"])
        if what == "client":
            # The command reads and sends the file, then waits for the job's answer.
            delay = rng.uniform(0.2, line["seconds"])
            time.sleep(delay)
            files = _files_now(target)
            killed = proc.poll() is None
            kill_group(proc)
            # The job goes on in the dashboard, if the file was sent whole: wait until the
            # history (asked through the dashboard) shows its batch, or long enough for it.
            waited = time.monotonic() + 3 * line["seconds"] + 5
            while time.monotonic() < waited:
                shown = subprocess.run(
                    _monitoring("history", "--db", str(target)),
                    env=_env(),
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                if csv.name in shown.stdout:
                    break
                time.sleep(0.5)
            code = None
        else:
            _wait_for_log(target, server.proc, timeout=60)
            delay = rng.uniform(0, 1.3 * window)
            time.sleep(delay)
            files = _files_now(target)
            killed = server.proc.poll() is None
            server.kill()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                kill_group(proc)
            code = proc.returncode
        at = time.perf_counter() - start
    finally:
        server.stop()
    restarted = Server(target, log)  # replays the log, as the service manager's restart would
    try:
        restarted.hold_database()
    finally:
        restarted.stop()
    return {
        "stage": f"served, {what} killed",
        "killed_at_s": round(at, 3),
        "files_then": files,
        "killed": killed,
        "command_exit_code": code,
    }


def run_kills(
    folder: Path,
    kills: int,
    served: int,
    rows: int,
    seed: int,
    stages: tuple[str, ...] = STAGES,
) -> dict:
    """The kill check (see the module's docstring); `stages` are taken in turn."""
    rng = random.Random(seed)
    before = folder / "before.duckdb"
    init_sample(before)
    csv = soak_data.values_file(folder / "values.csv", rows)
    before_snap = soak_data.snapshot(before)
    line = timeline(before, folder / "after.duckdb", csv)
    after_snap = soak_data.snapshot(folder / "after.duckdb")
    if classify(after_snap, before_snap, after_snap)[0] != "after" or after_snap == before_snap:
        raise RuntimeError("the full import did not change the database")
    trials: list[dict] = []
    target = folder / "trial.duckdb"
    attempts = 0
    while sum(t["killed"] for t in trials if "served" not in t["stage"]) < kills:
        attempts += 1
        if attempts > 3 * kills + 10:
            break
        stage = stages[(attempts - 1) % len(stages)]
        fresh_copy(before, target)
        trial = kill_import(csv, target, stage, line, rng)
        trial.update(check_file(target, csv, rows, before_snap, after_snap))
        trials.append(trial)
        print(_trial_line(len(trials), trial), flush=True)
    for n in range(served):
        what = "client" if n % 2 == 0 else "server"
        fresh_copy(before, target)
        trial = served_kill(csv, target, what, line, rng, folder / "server.log")
        trial.update(check_file(target, csv, rows, before_snap, after_snap))
        trials.append(trial)
        print(_trial_line(len(trials), trial), flush=True)
    killed = [t for t in trials if t["killed"]]
    failures = [t for t in trials if t["state"] == "in between" or not t["history_agrees"]]
    return {
        "rows": rows,
        "full_import": line,
        "tables": len(before_snap),
        "kills": len(killed),
        "kills_cli": sum(1 for t in killed if "served" not in t["stage"]),
        "kills_served": sum(1 for t in killed if "served" in t["stage"]),
        "finished_before_kill": len(trials) - len(killed),
        "ended_before": sum(1 for t in killed if t["state"] == "before"),
        "ended_after": sum(1 for t in killed if t["state"] == "after"),
        "failures": len(failures),
        "by_stage": {
            stage: {
                "kills": sum(1 for t in killed if t["stage"] == stage),
                "before": sum(1 for t in killed if t["stage"] == stage and t["state"] == "before"),
                "after": sum(1 for t in killed if t["stage"] == stage and t["state"] == "after"),
            }
            for stage in dict.fromkeys(t["stage"] for t in trials)
        },
        "trials": trials,
    }


def _trial_line(n: int, t: dict) -> str:
    verdict = "ok" if t["state"] != "in between" and t["history_agrees"] else "FAILED"
    killed = "killed" if t["killed"] else "finished first"
    return (
        f"  kill {n:>2} {t['stage']:<24} at {t['killed_at_s']:6.2f} s ({killed}; "
        f"{t['files_then']}): {t['state']}, {t['history']} -> {verdict}"
    )


# --- capacity ----------------------------------------------------------------------------------


def signed_in_cookies(db: Path, count: int) -> list[str]:
    """An admin account and `count` sign-in sessions of it, as Cookie header values."""
    os.environ["MONITORING_SHARE_SECRET"] = SECRET
    from monitoring.access import accounts, sessions
    from monitoring.db import Database
    from ui.session_cookie import COOKIE

    database = Database(db)
    try:
        if accounts.get_user(database, ADMIN) is None:
            accounts.add_user(database, ADMIN, accounts.ADMIN, None, by=BY)
        cookies = []
        for _ in range(count):
            started = sessions.start(database, ADMIN, sessions.PASSWORD)
            cookies.append(f"{COOKIE}={sessions.claim(database, started.ticket)}")
        return cookies
    finally:
        database.close()


def pages() -> list[str]:
    """Every page of the navigation, by its address ("" is the default page)."""
    from ui.navigation import PAGES

    return [p.address for p in PAGES]


def run_capacity(folder: Path, levels: list[int], seconds: float) -> dict:
    db = folder / "capacity.duckdb"
    init_sample(db)
    cookies = signed_in_cookies(db, max(levels))
    results = []
    with serving(db, folder / "capacity-server.log") as server:
        warm = protocol.sessions(server.url, cookies[:1], pages(), 5)  # every page, caches filled
        if warm.errors:
            raise RuntimeError(f"the pages failed: {warm.errors[:3]}")
        for n in levels:
            level = protocol.sessions(server.url, cookies[:n], pages(), seconds, server.cpu_seconds)
            cpu_used = level.probe_at_end - level.probe_at_open  # the timed window's
            wall = level.seconds + level.late_wait_s
            summary = level.summary()
            renders = len(level.latencies)
            summary.update(
                {
                    "renders_per_s_per_core": round(summary["renders_per_s"] / os.cpu_count(), 2)
                    if summary["renders_per_s"]
                    else None,
                    "server_cpu_s": round(cpu_used, 1),
                    "server_cpu_share": round(cpu_used / wall / os.cpu_count(), 2),
                    "server_cpu_ms_per_render": round(1000 * cpu_used / renders)
                    if renders
                    else None,
                    "server_rss_mb": server.rss_mb(),
                    "load_average": round(os.getloadavg()[0], 2),
                }
            )
            results.append(summary)
            print(_level_line(summary), flush=True)
    return {
        "seconds_per_level": seconds,
        "pages": pages(),
        "levels": results,
        "growth": growth(results),
    }


def growth(levels: list[dict]) -> dict:
    """Does server time grow faster than linearly with sessions? Per render, the server's
    CPU time would grow (each render costing more with more sessions), and the p50 of a
    render would grow faster than sessions / renders per second (Little's law)."""
    base = next((lv for lv in levels if lv["server_cpu_ms_per_render"]), None)
    if base is None:
        return {}
    rows = []
    for lv in levels:
        if not lv["renders_per_s"]:
            continue
        expected = 1000 * lv["sessions"] / lv["renders_per_s"]  # mean latency, closed loop
        rows.append(
            {
                "sessions": lv["sessions"],
                "cpu_per_render_vs_first": round(
                    lv["server_cpu_ms_per_render"] / base["server_cpu_ms_per_render"], 2
                ),
                "p50_vs_first": round(lv["p50_ms"] / base["p50_ms"], 1),
                "littles_law_latency_ms": round(expected),
            }
        )
    worst = max(r["cpu_per_render_vs_first"] for r in rows)
    return {
        "by_level": rows,
        "superlinear": worst > 1.25,
        "verdict": (
            f"server CPU per render at most {worst}x that of the first level: "
            + ("grows faster than linearly" if worst > 1.25 else "linear (no more per render)")
        ),
    }


def _level_line(s: dict) -> str:
    return (
        f"  {s['sessions']:>3} session(s): {s['renders']} renders in {s['seconds']} s, "
        f"{s['renders_per_s']}/s, p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, "
        f"server CPU {s['server_cpu_ms_per_render']} ms/render, errors {s['errors']}"
    )


# --- the whole run -----------------------------------------------------------------------------


def summary_table(result: dict) -> str:
    lines = []
    kills = result.get("kills")
    if kills:
        lines += [
            "",
            f"Kill -9 of `monitoring import` ({kills['rows']:,} rows; a full import took "
            f"{kills['full_import']['seconds']} s, writing from "
            f"{kills['full_import']['write_start_s']} s to "
            f"{kills['full_import']['write_end_s']} s)",
            "| stage | kills | ended before | ended after |",
            "|---|---:|---:|---:|",
        ]
        for stage, c in kills["by_stage"].items():
            lines.append(f"| {stage} | {c['kills']} | {c['before']} | {c['after']} |")
        lines.append(
            f"| **all** | **{kills['kills']}** | **{kills['ended_before']}** | "
            f"**{kills['ended_after']}** |"
        )
        lines.append(
            f"Failures (a table in between, or history disagreeing with the rows): "
            f"{kills['failures']}; imports that finished before their kill: "
            f"{kills['finished_before_kill']}; tables compared: {kills['tables']}."
        )
    cap = result.get("capacity")
    if cap:
        lines += [
            "",
            f"Capacity: protocol-level sessions, every page in turn, {cap['seconds_per_level']} s "
            f"per level, {os.cpu_count()} cores",
            "| sessions | sessions started in s | renders | renders/s | per core | p50 ms | p95 ms "
            "| server CPU ms/render | server RSS MB | errors |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for s in cap["levels"]:
            lines.append(
                f"| {s['sessions']} | {s['ramp_up_s']} | {s['renders']} | {s['renders_per_s']} | "
                f"{s['renders_per_s_per_core']} | {s['p50_ms']} | {s['p95_ms']} | "
                f"{s['server_cpu_ms_per_render']} | {s['server_rss_mb']} | {s['errors']} |"
            )
        if cap["growth"]:
            lines.append(cap["growth"]["verdict"])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=10, help="kills of the command alone")
    parser.add_argument("--served-kills", type=int, default=4, help="kills while serving")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sessions", default="1,10,50")
    parser.add_argument("--seconds", type=float, default=40.0, help="per capacity level")
    parser.add_argument("--only", default="kills,capacity")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", type=Path, default=os.environ.get("SOAK_OUT"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    out = args.out or Path(tempfile.gettempdir()) / "soak-latest.json"
    folder = Path(tempfile.mkdtemp(prefix="monitoring-soak-"))
    result: dict = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "platform": platform.platform()},
        "seed": seed,
        "load_average_start": round(os.getloadavg()[0], 2),
    }
    code = 0
    try:
        if "kills" in only:
            print(f"Kills (seed {seed}), in {folder}:", flush=True)
            result["kills"] = run_kills(folder, args.kills, args.served_kills, args.rows, seed)
            if result["kills"]["failures"] or result["kills"]["kills_cli"] < args.kills:
                code = 1
        if "capacity" in only:
            print("Capacity:", flush=True)
            levels = [int(n) for n in args.sessions.split(",") if n]
            result["capacity"] = run_capacity(folder, levels, args.seconds)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        result["error"] = str(exc)
        print(f"soak could not run: {exc}", file=sys.stderr)
        code = code or 2
    finally:
        result["load_average_end"] = round(os.getloadavg()[0], 2)
        if not args.keep and code != 2:
            shutil.rmtree(folder, ignore_errors=True)
    print(summary_table(result))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(
        f"\nJSON: {out}" + (" (FAILED: a kill left the database in between)" if code == 1 else "")
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
