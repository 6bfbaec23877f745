"""Data quality: which figures can be stood behind (docs/quality.md). Managers, staff, admins."""

import streamlit as st

from monitoring.i18n import _
from ui import common
from ui import quality as view

config, as_of = common.page_header(
    _("Data quality"),
    _(
        "Which figures can be stood behind before a report goes out: what is reported and "
        "missing, what arrived late, values far from their series, rules the figures break, "
        "values marked for follow-up, and which quarters are approved (an approved quarter is "
        "locked against uploads)."
    ),
)
view.show_message()

# Only the open tab is computed and drawn (a tab switch reruns the page): each check reads
# the whole table of values, and at 1,000,000 values their tables are tens of thousands of
# rows (docs/benchmarks.md).
approval_tab, complete_tab, time_tab, outlier_tab, rule_tab, follow_tab = common.tabs_on_demand(
    [
        _("Approval"),
        _("Completeness"),
        _("Timeliness"),
        _("Outliers"),
        _("Validation rules"),
        _("Follow-up"),
    ],
    view.TAB_KEY,
)

if approval_tab.open:
    with approval_tab:
        view.approval_grid(config, as_of)
        view.approval_forms(config, as_of)
        st.subheader(_("Every approval and reopening"))
        view.approval_history(config)

if complete_tab.open:
    with complete_tab:
        view.completeness_section(config, as_of)

if time_tab.open:
    with time_tab:
        view.timeliness_section(config, as_of)

if outlier_tab.open:
    with outlier_tab:
        view.outliers_section(config, as_of)

if rule_tab.open:
    with rule_tab:
        view.rules_section(config, as_of)

if follow_tab.open:
    with follow_tab:
        view.follow_up_section(config, as_of)
