"""The dashboard itself (AppTest, in this process) takes a command-line import while it
serves, and its pages show the new data at the next rerun."""

import shutil
import subprocess
import sys

from monitoring.db import channel
from monitoring.settings import ROOT
from tests.app.conftest import no_exceptions
from tests.app.lazy_parts import open_tab
from tests.unit.serving_support import environment
from tests.unit.upload_support import csv_bytes
from ui.upload import TAB_KEY


def test_an_import_from_the_command_line_shows_at_the_next_rerun(
    app_as, sample_db_path, tmp_path, monkeypatch
):
    path = tmp_path / "served.duckdb"
    shutil.copy(sample_db_path, path)
    at = app_as("admin")
    monkeypatch.setenv("MONITORING_DB", str(path))
    at.run()
    at.switch_page("views/upload.py").run()
    no_exceptions(at)
    assert channel.serving(path), "the running dashboard takes jobs for its database"
    file = tmp_path / "budget.csv"
    file.write_bytes(
        csv_bytes("budget_line,category,period,amount,currency", "9.9,other,2022Q1,5,USD")
    )

    run = subprocess.run(
        [sys.executable, "-m", "monitoring", "import", str(file), "--db", str(path)]
        + ["--by", "Zarina"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment(),
        timeout=120,
    )

    assert run.returncode == 0, run.stderr
    assert "Imported into budget as batch" in run.stdout
    at.run()
    no_exceptions(at)
    assert "by Zarina" in at.caption[0].value, "the header shows the new data at once"
    history = open_tab(at, TAB_KEY, "Upload history").dataframe[0].value
    assert history.iloc[0][["Table", "File", "By", "New"]].tolist() == [
        "budget",
        "budget.csv",
        "Zarina",
        1,
    ]
    at.switch_page("views/overview.py").run()
    no_exceptions(at)
    assert "by Zarina" in at.caption[0].value
    # The dashboard prepared the data quality checks of the new data, as after an upload on
    # its page (monitoring/quality/prepared.py).
    from monitoring.db import open_database, results
    from monitoring.quality import prepared

    assert prepared.wait(timeout=120)
    db = open_database(path)
    with db.cursor() as cur:
        kept = cur.execute("select distinct query, data_version from kept_results").fetchall()
    assert "quality_outliers" in {q for q, _ in kept}
    assert {v for _, v in kept} == {results.data_version(db).label}
