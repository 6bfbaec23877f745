"""`python -m monitoring --lang ru|uz ...`, or LANG=ru_RU.UTF-8: the command line's messages,
a file's errors and their fixes in that language (docs/translations.md)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from monitoring import i18n
from monitoring.cli.main import main
from tests.unit.upload_support import csv_bytes

ROOT = Path(__file__).resolve().parents[2]
BUDGET = "budget_line,category,period,amount,currency"
BAD = (BUDGET, "1.1,staff,2021Q1,41000,USD", "9.9,other,2030Q1,5,USD")  # line 3: 2030Q1

EXPECTED = {
    "ru": [
        "budget.csv: таблица budget (CSV, UTF-8, разделитель — запятая, 2 строки данных)",
        "Ошибки (заголовок — строка 1):",
        "  строка 3, столбец period '2030Q1': '2030Q1' вне сроков программы (с 2021Q1 по "
        "2022Q2). Как исправить: Можно сообщать только кварталы с 2021Q1 по 2022Q2.",
        "budget.csv не импортирован: в нём 1 ошибка. Ничего не записано. Исправьте файл и "
        "запустите импорт снова.",
    ],
    "uz": [
        "budget.csv: budget jadvali (CSV, UTF-8, vergul bilan ajratilgan, 2 ta maʼlumot qatori)",
        "Xatolar (sarlavha — 1-qator):",
        "  3-qator, period ustuni '2030Q1': '2030Q1' dastur muddatidan tashqarida (2021Q1 dan "
        "2022Q2 gacha). Tuzatish: Faqat 2021Q1 dan 2022Q2 gacha boʻlgan choraklar boʻyicha "
        "hisobot berish mumkin.",
        "budget.csv import qilinmadi: unda 1 ta xato bor. Hech narsa yozilmadi. Faylni tuzating "
        "va importni qayta ishga tushiring.",
    ],
}


@pytest.fixture(autouse=True)
def english_afterwards():
    """main() sets the language of the process (as a command does): English again after."""
    yield
    i18n.use(i18n.DEFAULT)


@pytest.fixture
def db_path(sample_db_path, tmp_path, settings, monkeypatch):
    path = tmp_path / "cli.duckdb"
    shutil.copy(sample_db_path, path)
    monkeypatch.setenv("MONITORING_SETTINGS", str(settings.path))
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    return path


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "budget.csv"
    path.write_bytes(csv_bytes(*BAD))
    return str(path)


def lines_of(text: str) -> list[str]:
    return text.splitlines()


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_lang_option_prints_the_errors_and_fixes_in_that_language(db_path, bad_file, capsys, lang):
    assert main(["--lang", lang, "import", bad_file, "--db", str(db_path)]) == 1
    out = lines_of(capsys.readouterr().out)
    for line in EXPECTED[lang]:
        assert line in out, (line, out)


def test_lang_comes_from_the_environment(db_path, bad_file, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    assert main(["import", bad_file, "--db", str(db_path)]) == 1
    out = lines_of(capsys.readouterr().out)
    assert EXPECTED["ru"][2] in out
    monkeypatch.setenv("LC_ALL", "uz_UZ.UTF-8")  # LC_ALL before LANG
    assert main(["import", bad_file, "--db", str(db_path), "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert EXPECTED["uz"][2] in lines_of(out)
    assert "Sinov ishga tushirish: hech narsa yozilmadi. Fayl rad etilgan boʻlardi." in out
    # --lang wins over the environment
    assert main(["--lang", "en", "import", bad_file, "--db", str(db_path), "--dry-run"]) == 1
    assert "Dry run: nothing was written. The file would be refused." in capsys.readouterr().out


def test_errors_on_stderr_are_translated_too(db_path, tmp_path, capsys):
    photo = tmp_path / "photo.csv"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert main(["--lang", "ru", "import", str(photo), "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert "ошибка: файл нельзя прочитать. Это изображение PNG, а не таблица." in err
    missing = tmp_path / "missing.duckdb"
    assert main(["--lang", "uz", "import", str(photo), "--db", str(missing)]) == 2
    assert "maʼlumotlar bazasi yoʻq" in capsys.readouterr().err


def test_the_command_line_itself_in_russian(db_path, bad_file):
    """`python -m monitoring --lang ru import BAD.csv --db ...` as a person types it; the help
    texts follow --lang (argparse's own words, "usage:", stay as argparse writes them)."""
    env = {**os.environ, "MONITORING_DB": str(db_path), "LANG": "C.UTF-8"}
    env.pop("LC_ALL", None)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "monitoring",
            "--lang",
            "ru",
            "import",
            bad_file,
            "--db",
            str(db_path),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    assert EXPECTED["ru"][2] in lines_of(run.stdout)
    helped = subprocess.run(
        [sys.executable, "-m", "monitoring", "--lang", "uz", "import", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert helped.returncode == 0
    assert "FILE ni maʼlumotlar shartnomasi boʻyicha tekshirish" in helped.stdout
