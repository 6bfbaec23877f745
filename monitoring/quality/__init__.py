"""Trustworthy numbers (docs/quality.md): the checks of the Data quality page and of uploads.

`completeness`, `timeliness`, `outliers` and `rules` (validation rules written as data in the
settings) judge the stored values; `followups` keeps the values a manager marked;
`approvals` approves, reopens and locks quarters; `revisions` records targets changed by
uploads. Beneath intake and reports (both import it), beside access; it never imports
intake, reports, cli, ui or streamlit. Its queries are queries/quality_*.sql.
"""

from __future__ import annotations

import pandas as pd

# How many rows of a check's long result the Data quality page draws (its downloads hold all
# of them): the Timeliness and Outliers tabs ask their queries for that many and a count of
# the rest, the Validation rules tab and the Follow-up tab's list of flagged values too.
FIRST_SHOWN = 1_000


def listed_rows(found: pd.DataFrame) -> pd.DataFrame:
    """The rows of a check's result that are values, without the rows counting the values
    not listed (their `indicator_code` NULL): `timeliness.shown`'s, `outliers.shown`'s."""
    return found[found.indicator_code.notna()]
