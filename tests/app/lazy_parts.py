"""Parts of pages that are built only when their tab or expander is opened (the grants,
milestones, upload and admin pages' tables, docs/benchmarks.md): tests open them as a reader
would, through the widget's key."""

import pandas as pd

from monitoring import i18n
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


ADMIN_TAB = "admin-tab"  # views/admin.py: the share links and their log are built when opened
# views/indicators.py: the indicator's detail, a tab set whose first tab is open at first
DETAIL_TAB = "detail-tab"
OVER_TIME, EACH_REGION, SEX_AGE, REPORTING = DETAIL_TABS = (
    "Over time and by region",
    "Each region",
    "By sex and age",
    "Reporting and notes",
)


def open_tab(at, key: str, value, shown_in: str = i18n.DEFAULT):
    """Open the tab (its label) or expander (True) whose widget key is `key`, and run the
    page again, as a reader's click does. `shown_in`: the language of the page shown before
    the click, in which AppTest words its choice boxes' options again (their format_func)
    when it sends the widgets' state."""
    at.session_state[key] = value
    with i18n.language(shown_in):
        at.run()
    no_exceptions(at)
    return at


def table(at, column: str) -> pd.DataFrame:
    """The first table of the page with a column named `column`, opening its tab or expander
    (and running the page again) when it is not shown yet."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    if not found and column in OPENED_BY:
        open_tab(at, *OPENED_BY[column])
        found = [d.value for d in at.dataframe if column in d.value.columns]
    if not found:
        raise LookupError(f"No table with a column {column!r} on the page.")
    return found[0]
