"""The dashboard server's memory while a person uploads a large file in headless Chromium.

    python -m tests.bench.upload_server_memory --db FOLDER/sample.duckdb --file FOLDER/values.csv

(FOLDER from `python -m tests.bench.upload_memory prepare --out FOLDER`.) Starts `streamlit
run dashboard.py` over a copy of the database, signs an administrator in, uploads the file,
waits for the preview, imports it, and prints JSON: the server's resident memory (VmRSS)
after start, after the preview and after the import, and its peak (VmHWM).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from monitoring.db import Database
from tests.conftest import add_test_accounts
from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path, signed_in, streamlit_server


def server_memory(log: Path) -> dict[str, float]:
    """VmRSS and VmHWM (MB) of the streamlit process that wrote `log`'s pid file."""
    pid = int((log.parent / "pid").read_text())
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024)
    return fields


def find_server_pid(folder: Path, port_url: str) -> None:
    import subprocess

    port = port_url.rsplit(":", 1)[1]
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True)
    pid = out.stdout.split("pid=")[1].split(",")[0]
    (folder / "pid").write_text(pid)


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--file", type=Path, required=True)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp())
    db_path = folder / "monitoring.duckdb"
    shutil.copy(args.db, db_path)
    db = Database(db_path)
    add_test_accounts(db)
    db.close()
    log = folder / "streamlit.log"
    out: dict = {"file": args.file.name, "file_mb": round(args.file.stat().st_size / 2**20, 1)}
    with streamlit_server(db_path, log) as url, sync_playwright() as p:
        find_server_pid(folder, url)
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(signed_in(f"{url}/upload"))
        page.get_by_role("heading", name="Data upload").wait_for(timeout=60_000)
        time.sleep(2)
        out["after_start"] = server_memory(log)
        started = time.perf_counter()
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(args.file))
        page.get_by_text("Rows in the file").wait_for(timeout=300_000)
        page.wait_for_selector(
            "[data-testid=stApp][data-test-script-state=notRunning]", timeout=300_000
        )
        out["preview_s"] = round(time.perf_counter() - started, 1)
        time.sleep(2)
        out["after_preview"] = server_memory(log)
        button = page.get_by_role("button", name="Import ")
        started = time.perf_counter()
        button.click()
        page.get_by_text("Imported into").wait_for(timeout=300_000)
        page.wait_for_selector(
            "[data-testid=stApp][data-test-script-state=notRunning]", timeout=300_000
        )
        out["import_s"] = round(time.perf_counter() - started, 1)
        time.sleep(2)
        out["after_import"] = server_memory(log)
        browser.close()
    shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
