"""Data quality: which figures can be stood behind (docs/quality.md). Managers, staff, admins."""

import streamlit as st

from monitoring.i18n import _
from monitoring.quality import outliers, rules
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

approval_tab, complete_tab, time_tab, outlier_tab, rule_tab, follow_tab = st.tabs(
    [
        _("Approval"),
        _("Completeness"),
        _("Timeliness"),
        _("Outliers"),
        _("Validation rules"),
        _("Follow-up"),
    ]
)

with approval_tab:
    view.approval_grid(config, as_of)
    view.approval_forms(config, as_of)
    st.subheader(_("Every approval and reopening"))
    view.approval_history()

with complete_tab:
    view.completeness_section(config, as_of)

with time_tab:
    view.timeliness_section(config, as_of)

flagged = common.cached(outliers.outliers, config, as_of)
with outlier_tab:
    st.caption(
        _(
            "Each value against its indicator's values (same sex and age group) by the modified "
            "z-score, beyond {threshold} (setting [quality] outlier_threshold), and against the "
            "indicator's min_value and max_value where set."
        ).format(threshold=config.quality.outlier_threshold)
    )
    if flagged.empty:
        st.info(_("No value is flagged."), icon=":material/task_alt:")
    else:
        table = view.outliers_table(flagged)
        st.dataframe(table, hide_index=True, width="stretch")
        common.downloads(table, "outliers", "quality-outliers")

with rule_tab:
    st.caption(
        _("Rules checked (settings, [[quality.rules]]): {rules}.").format(
            rules="; ".join(rules.rule_titles(config))
        )
    )
    broken = common.cached(rules.violations, config, as_of)
    if broken.empty:
        st.info(_("No rule is broken."), icon=":material/task_alt:")
    else:
        table = view.violations_table(broken)
        st.dataframe(table, hide_index=True, width="stretch")
        common.downloads(table, "rule_violations", "quality-rules")

with follow_tab:
    view.follow_up_section(config, flagged)
