import subprocess
import sys

from tests.unit.test_import_rules import ROOT, forbidden_imports

CORE = sorted((ROOT / "monitoring").rglob("*.py"))
UI_SIDE = {"streamlit", "ui", "views", "dashboard"}


def test_importing_every_core_module_never_loads_streamlit():
    code = (
        "import importlib, pkgutil, sys\n"
        "import monitoring\n"
        "for m in pkgutil.walk_packages(monitoring.__path__, 'monitoring.'):\n"
        "    importlib.import_module(m.name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_no_core_module_imports_the_ui_even_inside_a_function():
    # Importing the modules runs only their top-level imports; this reads every import
    # statement, those inside functions too (make lint's import-linter checks the same).
    assert len(CORE) > 20
    wrong = forbidden_imports(CORE, UI_SIDE)
    assert not wrong, "the core never imports the UI; move what it needs into it:\n" + "\n".join(
        wrong
    )
