"""Tables of the grants and milestones pages that are built only when their tab or expander
is opened (docs/benchmarks.md): tests open them as a reader would, through the widget's key."""

import pandas as pd

from tests.app.conftest import no_exceptions

# A column of such a table -> (the key of its tab set or expander, the value that opens it).
OPENED_BY = {
    # views/grants.py
    "Budget line": ("budget-tab", "By budget line"),
    "Quarter": ("budget-tab", "By quarter"),
    "Awarded on": ("grants-tab", "Each grant"),
    "Organisation ID": ("grants-tab", "By grantee"),
    "Grants": ("grants-tab", "By region"),
    # views/milestones.py
    "Days late": ("timeline-table-open", True),
    "Planned so far": ("per-quarter-open", True),
}


def table(at, column: str) -> pd.DataFrame:
    """The first table of the page with a column named `column`, opening its tab or expander
    (and running the page again) when it is not shown yet."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    if not found and column in OPENED_BY:
        key, value = OPENED_BY[column]
        at.session_state[key] = value
        at.run()
        no_exceptions(at)
        found = [d.value for d in at.dataframe if column in d.value.columns]
    if not found:
        raise LookupError(f"No table with a column {column!r} on the page.")
    return found[0]
