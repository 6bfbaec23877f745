import subprocess
import sys


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
