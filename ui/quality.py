"""Widgets and tables of the Data quality page (views/quality.py), and the target history
shown with an indicator's detail (views/indicators.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from monitoring import i18n
from monitoring import quality as checks
from monitoring.access import accounts
from monitoring.i18n import _
from monitoring.periods import period_of, programme_periods
from monitoring.quality import (
    approvals,
    completeness,
    followups,
    outliers,
    revisions,
    rules,
    timeliness,
)
from monitoring.reports import indicators
from monitoring.settings import Settings
from ui import access, common, language
from ui.text import plain

WHOLE = approvals.WHOLE_PROGRAMME
TAB_KEY = "quality-tab"  # the open tab (views/quality.py draws only that one)
ORGANISATIONS_KEY = "completeness-organisations-open"  # the per-organisation expander


def region_labels(config: Settings) -> Callable[[str], str]:
    """A scope of approval as a reader knows it, by its code: the whole programme, or a
    region's name in the language (its code, UZ-JI, said nothing to staff)."""
    names = common.region_names(config)
    return lambda code: _("whole programme") if code == WHOLE else names.get(code, code)


def _error(exc: Exception) -> None:
    st.error(plain(str(exc)), icon=":material/error:")


def _done(text: str) -> None:
    st.session_state["quality_message"] = text
    st.rerun()


def show_message() -> None:
    text = st.session_state.pop("quality_message", None)
    if text:
        st.success(plain(text), icon=":material/task_alt:")


def first_rows(
    table: pd.DataFrame, count: int, everything: Callable[[], pd.DataFrame], name: str, key: str
) -> None:
    """A check's first rows as the reader is shown them (`table`, of `count` in all: tens of
    thousands of rows help nobody on a page, and cost the browser seconds), saying so when
    there are more, and CSV and Excel downloads of `everything`, built when a button is
    clicked (every row of the check, written out in the reader's language)."""
    st.dataframe(table, hide_index=True, width="stretch")
    if count > len(table):
        st.caption(
            _(
                "The first {shown} of {count} rows are shown; the downloads hold all of them."
            ).format(shown=i18n.number(len(table)), count=i18n.number(count))
        )
    common.downloads_on_click(everything, name, key)


def _dates(days, form: str = "medium") -> list[str]:
    """Dates written in the language, each distinct one once."""
    written: dict = {}
    return [written[d] if d in written else written.setdefault(d, i18n.date(d, form)) for d in days]


# Approval ----------------------------------------------------------------------------------
def approval_grid(config: Settings, as_of: dt.date) -> None:
    approved = common.cached(approvals.approvals)
    grid = approvals.approval_grid(approved, config, up_to=period_of(as_of))
    label = region_labels(config)
    shown = grid.copy()
    for region in config.programme.regions:
        shown[region] = [
            _("✓ approved by {who}").format(who=who) if who else _("✗ not approved")
            for who in grid[region]
        ]
    shown = shown.rename(
        columns={"period": _("Quarter")} | {r: label(r) for r in config.programme.regions}
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    st.caption(
        _(
            "✓ approved (locked: uploads and undo that would change its values are refused) · "
            "✗ not approved. An approval of the whole programme counts for every region."
        )
    )
    common.downloads(shown, "approvals", "quality-approvals")


def approval_forms(config: Settings, as_of: dt.date) -> None:
    viewer = access.viewer()
    quarters = [p for p in programme_periods(config.programme) if p <= period_of(as_of)]
    scopes = [WHOLE, *config.programme.regions]
    label = region_labels(config)
    left, right = st.columns(2, gap="large")
    with left, st.form("approve-quarter"):
        st.markdown("**" + _("Approve a quarter") + "**")
        period = st.selectbox(_("Quarter"), quarters, index=len(quarters) - 1, key="approve-q")
        region = st.selectbox(_("For"), scopes, format_func=label, key="approve-r")
        note = st.text_input(_("Note (optional)"), max_chars=500, key="approve-note")
        allowed = viewer.can(accounts.APPROVE)
        if not allowed:
            st.caption(_("Only a manager or an administrator can approve a quarter."))
        if st.form_submit_button(_("Approve"), icon=":material/verified:", disabled=not allowed):
            try:
                event = approvals.approve(
                    common.database(), config, period, region=region, by=viewer.name, note=note
                )
            except approvals.ApprovalError as exc:
                _error(exc)
            else:
                _done(event.describe())
    with right, st.form("reopen-quarter"):
        st.markdown("**" + _("Reopen an approved quarter") + "**")
        period = st.selectbox(_("Quarter"), quarters, index=len(quarters) - 1, key="reopen-q")
        region = st.selectbox(_("For"), scopes, format_func=label, key="reopen-r")
        reason = st.text_input(_("Reason (required)"), max_chars=500, key="reopen-reason")
        allowed = viewer.can(accounts.REOPEN)
        if not allowed:
            st.caption(_("Only an administrator can reopen a quarter."))
        if st.form_submit_button(_("Reopen"), icon=":material/lock_open:", disabled=not allowed):
            try:
                events = approvals.reopen(
                    common.database(), config, period, region=region, by=viewer.name, reason=reason
                )
            except approvals.ApprovalError as exc:
                _error(exc)
            else:
                _done(" ".join(e.describe() for e in events))


def approval_history(config: Settings) -> None:
    history = common.cached(approvals.approval_history)
    if history.empty:
        st.info(_("No quarter has been approved or reopened yet."), icon=":material/history:")
        return
    label = region_labels(config)
    shown = pd.DataFrame(
        {
            _("When"): [i18n.datetime(pd.Timestamp(t).to_pydatetime()) for t in history.acted_at],
            _("Quarter"): history.period,
            _("For"): [label(r) for r in history.region_code],
            _("What"): [_("approved") if a == "approve" else _("reopened") for a in history.action],
            _("By"): history.acted_by,
            _("Why"): history.reason.fillna(""),
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    common.downloads(shown, "approval_history", "quality-approval-history")


# The checks --------------------------------------------------------------------------------
def checked(check, config: Settings, as_of: dt.date, *args):
    """A check's result: this server's cache, the one kept in the database for this data
    (monitoring/db/results.py), or computed now, which at a million values takes seconds:
    then a spinner says so (Streamlit shows it only after half a second)."""
    with st.spinner(
        _(
            "Checking every value as of {date}. The result is kept for everyone until the "
            "data changes."
        ).format(date=i18n.date(as_of)),
        show_time=language.spinner_shows_time(),
    ):
        return common.cached(check, config, as_of, *args, long_work=True)


def named(codes: pd.Series, names: dict[str, str]) -> pd.Series:
    """Region codes as their names (a code of no region, or none: as it is). Looked up by
    pandas, not a Python call per row: the outliers at 1,000,000 values are tens of
    thousands of rows, built again on every rerun."""
    return codes.map(names).fillna(codes)


# Completeness ------------------------------------------------------------------------------
def _share_table(frame: pd.DataFrame, column: str, label: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            label: frame[column],
            _("Expected"): frame.expected,
            _("Reported"): frame.reported,
            _("Reported (%)"): [i18n.percent(v) for v in frame.share],
        }
    )


def completeness_section(config: Settings, as_of: dt.date) -> None:
    found = checked(completeness.completeness, config, as_of)
    st.metric(
        _("Expected values reported"),
        i18n.percent(found.share),
        help=_("{reported} of {expected} expected values (indicator × region × quarter)").format(
            reported=found.reported, expected=found.expected
        ),
    )
    st.markdown("**" + _("Reported or missing, by indicator, region and quarter") + "**")
    names = common.region_names(config)
    heat = found.heat_table()
    heat = heat.assign(region_code=named(heat.region_code, names)).rename(
        columns={"indicator_code": _("Indicator"), "region_code": _("Region")}
    )
    st.dataframe(heat, hide_index=True, width="stretch")
    st.caption(completeness.legend())
    common.downloads(heat, "completeness", "quality-completeness")
    by_region, by_quarter = st.columns(2)
    with by_region:
        st.markdown("**" + _("By region") + "**")
        by_region = found.by("region_code")
        by_region = by_region.assign(region_code=named(by_region.region_code, names))
        table = _share_table(by_region, "region_code", _("Region"))
        st.dataframe(table, hide_index=True, width="stretch")
    with by_quarter:
        st.markdown("**" + _("By quarter") + "**")
        table = _share_table(found.by("period"), "period", _("Quarter"))
        st.dataframe(table, hide_index=True, width="stretch")
    # Built only while open: it groups every value once more (docs/quality.md).
    per_organisation = st.expander(
        _("By organisation (from its first report of each indicator)"),
        key=ORGANISATIONS_KEY,
        on_change="rerun",
    )
    if per_organisation.open:
        with per_organisation:
            orgs = checked(completeness.by_organisation, config, as_of)
            table = pd.DataFrame(
                {
                    _("Organisation"): orgs.organisation,
                    _("Region"): named(orgs.region_code, names),
                    _("Expected"): orgs.expected,
                    _("Reported"): orgs.reported,
                    _("Reported (%)"): [i18n.percent(v) for v in orgs.share],
                }
            )
            st.dataframe(table, hide_index=True, width="stretch")
            common.downloads(table, "completeness_organisations", "quality-completeness-orgs")


# Timeliness --------------------------------------------------------------------------------
def timeliness_section(config: Settings, as_of: dt.date) -> None:
    found = checked(timeliness.shown, config, as_of)
    counts = timeliness.summary(found)
    cards = common.wrapping_row()
    for status, count in counts.items():
        cards.metric(_(status), i18n.number(count))
    st.caption(
        _(
            "On time: first uploaded within {days} days after the quarter ended (setting "
            "[quality] timeliness_days), judged from the upload history."
        ).format(days=config.quality.timeliness_days)
    )
    # The first late and missing values, counted all; every one only for a download.
    late = timeliness.listed_rows(found)
    if late.empty:
        st.info(_("Nothing late or missing."), icon=":material/task_alt:")
        return
    db = common.database()
    first_rows(
        timeliness_table(late),
        counts[timeliness.LATE] + counts[timeliness.MISSING],
        lambda: timeliness_table(timeliness.late(db, config, as_of)),
        "timeliness",
        "quality-timeliness",
    )


def timeliness_table(late: pd.DataFrame) -> pd.DataFrame:
    """Late and missing values (`timeliness.shown`) as the reader is shown them."""
    return pd.DataFrame(
        {
            _("Quarter"): late.period,
            _("Indicator"): late.indicator_code,
            _("Region"): late.region_name.fillna(late.region_code),
            _("Status"): late.status.map({s: _(s) for s in set(late.status)}),
            _("Deadline"): _dates(late.deadline),
            _("Days late"): late.days_late,
            _("Who should report"): late.who_reports.fillna(_("the regional team")),
        }
    )


# Outliers and rules ------------------------------------------------------------------------
def outliers_table(found: pd.DataFrame, names: dict[str, str], threshold: float) -> pd.DataFrame:
    """Flagged rows (`outliers.outliers`) as the reader is shown them, reasons worded."""
    found = outliers.worded(found, threshold)
    return pd.DataFrame(
        {
            _("Indicator"): found.indicator_code,
            _("Quarter"): found.period,
            _("Region"): named(found.region_code, names),
            _("Organisation"): found.org_id,
            _("Sex"): [indicators.shown_text(indicators.SEX_AGE_TEXT, s) for s in found.sex],
            _("Age group"): [
                indicators.shown_text(indicators.SEX_AGE_TEXT, a) for a in found.age_group
            ],
            _("Value"): i18n.numbers(found.value, 1),
            _("Why flagged"): found.why,
        }
    )


def outliers_section(config: Settings, as_of: dt.date) -> None:
    st.caption(
        _(
            "Each value against its indicator's values (same sex and age group) by the modified "
            "z-score, beyond {threshold} (setting [quality] outlier_threshold), and against the "
            "indicator's min_value and max_value where set."
        ).format(threshold=i18n.number(config.quality.outlier_threshold, 1))
    )
    # The first flagged values, counted all; every one only for a download.
    found = checked(outliers.shown, config, as_of)
    flagged = outliers.listed_rows(found)
    if flagged.empty:
        st.info(_("No value is flagged."), icon=":material/task_alt:")
        return
    count = outliers.flagged_count(found)
    st.metric(_("Values flagged"), i18n.number(count))
    names = common.region_names(config)
    threshold = config.quality.outlier_threshold
    db = common.database()
    first_rows(
        outliers_table(flagged, names, threshold),
        count,
        lambda: outliers_table(outliers.outliers(db, config, as_of), names, threshold),
        "outliers",
        "quality-outliers",
    )


def violations_table(found: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            _("Rule"): found.rule,
            _("Of"): found.subject,
            _("Quarter"): found.period,
            _("Region"): named(found.region_code, names),
            _("Organisation"): found.org_id,
            _("One side"): found.left,
            _("Other side"): found.right,
        }
    )


def rules_section(config: Settings, as_of: dt.date) -> None:
    st.caption(
        _("Rules checked (settings, [[quality.rules]]): {rules}.").format(
            rules="; ".join(rules.rule_titles(config))
        )
    )
    # Each rule's first FIRST_SHOWN violations, how many it has; every one only for a download.
    found = checked(rules.checked, config, as_of, checks.FIRST_SHOWN)
    if not found.count:
        st.info(_("No rule is broken."), icon=":material/task_alt:")
        return
    st.dataframe(
        pd.DataFrame(
            {
                _("Rule"): [title for title, _n in found.counts()],
                _("Violations"): i18n.numbers(n for _t, n in found.counts()),
            }
        ),
        hide_index=True,
    )
    # The rows shown are written out now; every row only when a download is asked for.
    names = common.region_names(config)
    db = common.database()
    first_rows(
        violations_table(found.table(checks.FIRST_SHOWN), names),
        found.count,
        lambda: violations_table(rules.violations(db, config, as_of), names),
        "rule_violations",
        "quality-rules",
    )


# Follow-ups --------------------------------------------------------------------------------
def follow_up_section(config: Settings, as_of: dt.date) -> None:
    viewer = access.viewer()
    found = common.cached(followups.follow_ups)
    if found.empty:
        st.info(_("No value is marked for follow-up."), icon=":material/task_alt:")
    else:
        table = pd.DataFrame(
            {
                _("Number"): found.follow_up_id,
                _("Value"): [
                    followups.ValueKey(*k).describe()
                    for k in found[list(followups.KEY)].itertuples(index=False)
                ],
                _("Stored value"): [i18n.number(v, 1) for v in found.current_value],
                _("Note"): found.note,
                _("Marked by"): found.marked_by,
                _("On"): [i18n.date(pd.Timestamp(t).date(), "medium") for t in found.marked_at],
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")
        common.downloads(table, "follow_ups", "quality-follow-ups")
    if not viewer.can(accounts.APPROVE):
        st.caption(_("Only a manager or an administrator can mark or close a follow-up."))
        return
    left, right = st.columns(2, gap="large")
    with left, st.form("mark-follow-up", clear_on_submit=True):
        st.markdown("**" + _("Mark a value for follow-up") + "**")
        # The values flagged on the Outliers tab, the first FIRST_SHOWN of them as listed there
        # (found without judging every value, unless the Outliers tab's result is kept).
        shown = checked(outliers.first_outliers, config, as_of, checks.FIRST_SHOWN)
        flagged = [
            followups.ValueKey(*k) for k in shown[list(followups.KEY)].itertuples(index=False)
        ]
        key = st.selectbox(
            _("A flagged value"), [None, *flagged], format_func=lambda k: k.describe() if k else "–"
        )
        st.caption(_("…or name another value (its total row unless you say otherwise):"))
        code = st.text_input(_("Indicator code"), max_chars=64, key="follow-code")
        quarters = list(programme_periods(config.programme))
        period = st.selectbox(_("Quarter"), quarters, index=len(quarters) - 1)
        region = st.selectbox(
            _("Region"), list(config.programme.regions), format_func=region_labels(config)
        )
        org = st.text_input(_("Organisation (empty: the region's row)"), max_chars=64)
        note = st.text_area(_("Note"), max_chars=2000, key="follow-note")
        if st.form_submit_button(_("Mark for follow-up"), icon=":material/flag:"):
            if key is None:
                key = followups.ValueKey(code.strip(), period, region, org.strip())
            try:
                number = followups.mark(common.database(), key, note, by=viewer.name)
            except (followups.FollowUpError, approvals.ApprovalError) as exc:
                _error(exc)
            else:
                _done(_("Marked for follow-up as number {number}.").format(number=number))
    with right, st.form("close-follow-up", clear_on_submit=True):
        st.markdown("**" + _("Close a follow-up") + "**")
        numbers = list(found.follow_up_id) if len(found) else []
        number = st.selectbox(
            _("Number"), numbers, **common.none_to_choose(numbers, _("No open follow-up"))
        )
        note = st.text_input(_("What was found (optional)"), max_chars=2000)
        if st.form_submit_button(_("Close"), icon=":material/done:", disabled=not numbers):
            try:
                followups.close(common.database(), int(number), by=viewer.name, note=note)
            except (followups.FollowUpError, approvals.ApprovalError) as exc:
                _error(exc)
            else:
                _done(_("Follow-up {number} closed.").format(number=number))


# Target history (the indicators page) ------------------------------------------------------
def target_history(code: str, as_of: dt.date) -> None:
    """The revisions of an indicator's targets (as the viewer may see them), if any."""
    found = common.cached(revisions.revisions_in_view, as_of, code)
    if found.empty:
        return
    st.markdown("**" + _("Target revisions") + "**")
    st.dataframe(revisions.history_table(found), hide_index=True, width="stretch")
