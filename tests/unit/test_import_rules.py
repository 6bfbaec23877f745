"""Import rules for the files outside the packages, read statically.

`make lint` checks the packages with import-linter (pyproject.toml, [tool.importlinter]);
dashboard.py belongs to no package, so it is parsed here, and the views/ scripts with it
(import-linter reads views/ as a namespace package too). Every import statement counts,
those inside functions, classes and `if` blocks too, and so does
`importlib.import_module("name")` or `__import__("name")` with a literal name.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIEWS = sorted((ROOT / "views").glob("*.py"))
ENTRY_SCRIPTS = [ROOT / "dashboard.py", ROOT / "server.py", *VIEWS]
_IMPORT_CALLS = {"import_module", "__import__"}


def imports_in_source(source: str, filename: str = "<source>") -> list[tuple[int, str]]:
    """(line, module) of every import in `source`, wherever it stands.

    `from a.b import c` gives a.b; a relative import gives its dotted form (.x), which never
    names a top-level package.
    """
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, "." * node.level + (node.module or "")))
        elif (
            isinstance(node, ast.Call)
            and _called_name(node.func) in _IMPORT_CALLS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return sorted(found, key=lambda item: item[0])  # by line; a line keeps its order


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def forbidden_imports(paths, top_level: set[str]) -> list[str]:
    """`path:line module` for every import in `paths` of a package named in `top_level`."""
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in paths
        for line, module in imports_in_source(path.read_text(encoding="utf-8"), str(path))
        if module.split(".")[0] in top_level
    ]


def test_every_import_statement_is_found_wherever_it_stands():
    source = (
        "import os, json as j\n"
        "from pathlib import Path\n"
        "def page():\n"
        "    import duckdb\n"
        "    from streamlit import session_state\n"
        "    def inner():\n"
        "        from ui.common import cached\n"
        "class Table:\n"
        "    import pandas\n"
        "if True:\n"
        "    try:\n"
        "        import pyarrow.compute\n"
        "    except ImportError:\n"
        "        pass\n"
        "from . import sibling\n"
        "importlib.import_module('openpyxl')\n"
        "__import__('plotly.express')\n"
    )
    assert [module for _, module in imports_in_source(source)] == [
        "os",
        "json",
        "pathlib",
        "duckdb",
        "streamlit",
        "ui.common",
        "pandas",
        "pyarrow.compute",
        ".",
        "openpyxl",
        "plotly.express",
    ]


def test_the_entry_scripts_are_found():
    assert (ROOT / "dashboard.py").is_file()
    assert len(VIEWS) >= 7, VIEWS  # one script per page


def test_dashboard_and_views_never_import_duckdb():
    # Pages read data through the core (named queries, who sees what, small-count
    # protection); a query of their own would bypass all of it.
    wrong = forbidden_imports(ENTRY_SCRIPTS, {"duckdb"})
    assert not wrong, "use the core (monitoring.*) instead:\n" + "\n".join(wrong)
