"""Approval and locking of quarters, target revisions, and what donors see of quarters not
yet approved (docs/quality.md), on copies of the sample database."""

from __future__ import annotations

import datetime as dt

import pytest

from monitoring.access import accounts
from monitoring.access.view import Audience, protected_view
from monitoring.intake import batches
from monitoring.quality import approvals, revisions
from tests.conftest import ENGINES
from tests.unit.upload_support import checksums, csv_bytes, sample_copy

VALUES = "indicator_code,period,region_code,org_id,sex,age_group,value"
TARGETS = "indicator_code,period,region_code,target"


@pytest.fixture(params=ENGINES)
def open_db(request, tmp_path):
    """The sample with every quarter reopened: nothing approved, nothing locked."""
    database = sample_copy(request, request.param, tmp_path)
    yield database
    database.close()


@pytest.fixture(params=ENGINES)
def approved_db(request, tmp_path):
    """The sample as `init --sample` leaves it: every quarter approved."""
    database = sample_copy(request, request.param, tmp_path, approved=True)
    yield database
    database.close()


def test_the_sample_approves_its_quarters_by_an_illustrative_approver(approved_db):
    approved = approvals.approvals(approved_db)
    assert approved.period.tolist() == ["2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2"]
    assert set(approved.region_code) == {""}
    assert set(approved.approved_by) == {approvals.SAMPLE_APPROVER}
    assert "illustrative" in approvals.SAMPLE_APPROVER


def test_approve_and_reopen_are_recorded_with_who_when_why(open_db, settings):
    event = approvals.approve(open_db, settings, "2022-Q1", region="uz-ji", by="maria", note="ok")
    assert (event.period, event.region_code) == ("2022Q1", "UZ-JI")
    with pytest.raises(approvals.ApprovalError, match="already approved"):
        approvals.approve(open_db, settings, "2022Q1", region="UZ-JI", by="maria")
    with pytest.raises(approvals.ApprovalError, match="reason"):
        approvals.reopen(open_db, settings, "2022Q1", region="UZ-JI", by="admin", reason=" ")
    approvals.reopen(open_db, settings, "2022Q1", region="UZ-JI", by="admin", reason="typo found")
    history = approvals.approval_history(open_db)
    latest = history.iloc[0]
    assert (latest.action, latest.acted_by, latest.reason) == ("reopen", "admin", "typo found")
    assert history.iloc[1].action == "approve"
    assert approvals.approvals(open_db).empty
    with pytest.raises(approvals.ApprovalError, match="nothing to reopen"):
        approvals.reopen(open_db, settings, "2022Q1", by="admin", reason="x")
    with pytest.raises(approvals.ApprovalError, match="not a quarter of the programme"):
        approvals.approve(open_db, settings, "2030Q1", by="maria")
    with pytest.raises(approvals.ApprovalError, match="not one of the programme's regions"):
        approvals.approve(open_db, settings, "2022Q1", region="UZ-XX", by="maria")


def test_reopening_the_whole_programme_reopens_its_regions_too(open_db, settings):
    approvals.approve(open_db, settings, "2021Q3", region="UZ-JI", by="m")
    approvals.approve(open_db, settings, "2021Q3", region="UZ-NG", by="m")
    events = approvals.reopen(open_db, settings, "2021Q3", by="a", reason="new survey")
    assert sorted(e.region_code for e in events) == ["UZ-JI", "UZ-NG"]
    approvals.approve(open_db, settings, "2021Q3", by="m")
    with pytest.raises(approvals.ApprovalError, match="for the whole programme"):
        approvals.reopen(open_db, settings, "2021Q3", region="UZ-JI", by="a", reason="x")


def test_an_upload_into_an_approved_quarter_is_refused_naming_line_column_quarter_approver(
    open_db, settings
):
    approvals.approve(open_db, settings, "2022Q1", region="UZ-JI", by="maria.k")
    data = csv_bytes(VALUES, "OC1.1,2022Q1,UZ-TO,,all,all,3", "OC1.1,2022Q1,UZ-JI,,all,all,99")
    before = checksums(open_db)
    preview = batches.preview_file(open_db, data, "values.csv", settings)
    (error,) = preview.check.errors
    assert (error.line, error.column) == (3, "value")
    assert "2022Q1" in error.reason and "maria.k" in error.reason and "UZ-JI" in error.reason
    assert not preview.can_commit and not preview.can_commit_valid_rows
    with pytest.raises(batches.Refused):
        batches.commit_preview(open_db, preview, by="staff", valid_only=True)
    assert checksums(open_db) == before  # nothing written


def test_the_import_checks_again_inside_its_transaction(open_db, settings):
    data = csv_bytes(VALUES, "OC1.1,2022Q1,UZ-JI,,all,all,99")
    preview = batches.preview_file(open_db, data, "values.csv", settings)
    assert preview.can_commit
    # Approved after the preview (no batch changed, so the preview is not stale).
    approvals.approve(open_db, settings, "2022Q1", by="maria.k")
    before = checksums(open_db)
    with pytest.raises(batches.Refused, match="approved quarters"):
        batches.commit_preview(open_db, preview, by="staff")
    assert checksums(open_db) == before


def test_a_lock_names_the_columns_a_row_would_change_and_spares_other_quarters(open_db, settings):
    approvals.approve(open_db, settings, "2022Q1", by="maria.k")
    values = csv_bytes(
        VALUES + ",comment",
        "OC1.2,2022Q1,UZ-JI,,all,all,6,checked again",  # stored as 6: only the comment changes
        "OC1.2,2021Q4,UZ-JI,,all,all,5,",  # a quarter not approved
        "OC1.2,2022Q1,UZ-TO,,female,all,1,",  # a new row of the approved quarter
    )
    check = batches.preview_file(open_db, values, "values.csv", settings).check
    assert [(e.line, e.column) for e in check.errors] == [(2, "comment"), (4, "value")]
    # the page's "With errors" card counts the two locked rows, valid as they are
    assert (check.invalid_rows, check.rows_with_errors) == (0, 2)
    targets = csv_bytes(
        TARGETS + ",revision_reason", "OC1.1,2022Q1,UZ-JI,5,", "OC1.1,2022Q2,UZ-JI,8,x"
    )
    check = batches.preview_file(open_db, targets, "targets.csv", settings).check
    (error,) = check.errors
    assert (error.line, error.column) == (2, "target") and "2022Q1" in error.reason
    assert check.rows_with_errors == 1


def test_transactions_and_milestones_are_locked_by_the_quarter_of_their_date(open_db, settings):
    approvals.approve(open_db, settings, "2021Q4", by="maria.k")
    tx = csv_bytes(
        "transaction_id,grant_id,date,kind,amount,currency,budget_line",
        "T-NEW-1,,2021-11-05,expenditure,10,USD,1.1",
        "T-NEW-2,,2022-01-05,expenditure,10,USD,1.1",
    )
    errors = batches.preview_file(open_db, tx, "tx.csv", settings).check.errors
    assert [(e.line, e.value) for e in errors] == [(2, "2021Q4")]
    ms = csv_bytes(
        "milestone_id,title,stage,level,planned_on,status",
        "M-NEW,Round table,4,national,2021-12-01,planned",
    )
    errors = batches.preview_file(open_db, ms, "ms.csv", settings).check.errors
    assert [(e.line, e.value) for e in errors] == [(2, "2021Q4")]


def test_undo_of_a_batch_in_an_approved_quarter_is_refused(open_db, settings):
    data = csv_bytes(VALUES, "OC1.1,2022Q1,UZ-JI,,all,all,99")
    result = batches.commit_file(open_db, data, "values.csv", settings, by="staff")
    approvals.approve(open_db, settings, "2022Q1", region="UZ-JI", by="maria.k")
    before = checksums(open_db)
    with pytest.raises(batches.UndoRefused, match="maria.k"):
        batches.undo_batch(open_db, result.batch_id, by="admin")
    assert checksums(open_db) == before
    approvals.reopen(open_db, settings, "2022Q1", region="UZ-JI", by="admin", reason="undo")
    batches.undo_batch(open_db, result.batch_id, by="admin")


def test_a_changed_target_needs_a_reason_and_is_recorded_until_undone(open_db, settings):
    stored = open_db.query("quality_target_revisions", indicator=None, regions=None, period="9")
    assert stored.empty
    change = csv_bytes(TARGETS, "OC1.1,2021Q4,UZ-JI,7")
    (error,) = batches.preview_file(open_db, change, "t.csv", settings).check.errors
    assert (error.line, error.column) == (2, "revision_reason")
    with_reason = csv_bytes(TARGETS + ",revision_reason", "OC1.1,2021Q4,UZ-JI,7,Mid-term review")
    result = batches.commit_file(open_db, with_reason, "t.csv", settings, by="staff")
    found = revisions.target_revisions(open_db, dt.date(2022, 6, 30), "OC1.1")
    row = found.iloc[0]
    assert (row.old_target, row.new_target, row.reason, row.revised_by) == (
        6.0,
        7.0,
        "Mid-term review",
        "staff",
    )
    # A new target (no stored one) needs no reason.
    new = csv_bytes(TARGETS, "OC1.1,2022Q2,UZ-TK,1")
    assert batches.preview_file(open_db, new, "n.csv", settings).check.errors == []
    batches.undo_batch(open_db, result.batch_id, by="admin")
    assert revisions.target_revisions(open_db, dt.date(2022, 6, 30), "OC1.1").empty


def _donor(db, settings, regions=None, unapproved=False):
    link = None if regions is None else tuple(regions)
    return protected_view(db, settings, Audience(accounts.DONOR, link, unapproved=unapproved))


def test_a_donor_sees_up_to_the_last_quarter_approved_in_its_scope(open_db, settings):
    view = _donor(open_db, settings)
    assert view.limited_to_approved and view.approved_through is None
    assert view.clamp(dt.date(2022, 6, 30)) is None
    approvals.approve(open_db, settings, "2021Q1", by="m")
    approvals.approve(open_db, settings, "2021Q2", region="UZ-JI", by="m")
    approvals.approve(open_db, settings, "2021Q3", by="m")
    # The whole programme: 2021Q2 is approved for Jizzakh only, so up to 2021Q1.
    view = _donor(open_db, settings)
    assert view.approved_through == "2021Q1"
    assert view.unapproved_quarters == ("2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2")
    assert view.clamp(dt.date(2022, 6, 30)) == dt.date(2021, 3, 31)
    # A link for Jizzakh: 2021Q1 to 2021Q3 are approved there.
    jizzakh = _donor(open_db, settings, ["UZ-JI"])
    assert jizzakh.approved_through == "2021Q3"
    assert jizzakh.shows_quarter("2021Q3") and not jizzakh.shows_quarter("2021Q4")
    # A link that says so shows every quarter; an account is never limited.
    everything = _donor(open_db, settings, unapproved=True)
    assert not everything.limited_to_approved
    assert everything.clamp(dt.date(2022, 6, 30)) == dt.date(2022, 6, 30)
    team = protected_view(open_db, settings, Audience(accounts.MANAGER))
    assert team.clamp(dt.date(2022, 6, 30)) == dt.date(2022, 6, 30)


def test_a_share_link_can_show_unapproved_quarters(open_db):
    from monitoring.access import sharing

    secret = "a test secret for signing share links, long enough"
    _, token = sharing.create_share_link(
        open_db, "USIP", "30d", by="admin", unapproved=True, secret=secret
    )
    assert sharing.check_share_token(open_db, token, secret=secret).scope.unapproved
    _, token = sharing.create_share_link(open_db, "USIP 2", "30d", by="admin", secret=secret)
    assert not sharing.check_share_token(open_db, token, secret=secret).scope.unapproved


def test_the_iptt_workbook_lists_target_revisions(open_db, settings):
    import io

    import openpyxl

    from monitoring.access.view import TEAM
    from monitoring.reports.iptt import iptt_workbook

    data = csv_bytes(TARGETS + ",revision_reason", "OC1.1,2021Q4,UZ-JI,7,Mid-term review")
    batches.commit_file(open_db, data, "t.csv", settings, by="staff")
    view = protected_view(open_db, settings, TEAM)
    book = openpyxl.load_workbook(
        io.BytesIO(iptt_workbook(open_db, view, settings, dt.date(2022, 6, 30)))
    )
    assert book.sheetnames[-1] == "Target revisions"
    rows = list(book["Target revisions"].iter_rows(values_only=True))
    assert rows[1][:5] == ("OC1.1", "2021Q4", "UZ-JI", 6, 7)
    assert rows[1][-1] == "Mid-term review"


def test_report_files_for_a_donor_stop_at_the_last_approved_quarter(open_db, settings):
    """The IPTT, the PDF and the IATI file made for a donor's link (the command line's
    `--share` included) are made as of the last approved quarter at the latest, whatever date
    is asked; with none approved they are refused, saying what to do."""
    from monitoring.access.view import NoQuarterApproved
    from monitoring.reports.iptt import iptt_table, iptt_workbook

    view = _donor(open_db, settings)
    with pytest.raises(NoQuarterApproved, match="No quarter has been approved"):
        iptt_table(open_db, view, settings, dt.date(2022, 6, 30))
    approvals.approve(open_db, settings, "2021Q1", by="m")
    approvals.approve(open_db, settings, "2021Q2", by="m")
    view = _donor(open_db, settings)
    assert view.allowed_date(dt.date(2022, 6, 30)) == dt.date(2021, 6, 30)
    clamped = iptt_workbook(open_db, view, settings, dt.date(2022, 6, 30))
    asked = iptt_workbook(open_db, view, settings, dt.date(2021, 6, 30))
    assert clamped == asked  # the same data version, date and scope: the same bytes
    team = protected_view(open_db, settings, Audience(accounts.MANAGER))
    assert iptt_workbook(open_db, team, settings, dt.date(2022, 6, 30)) != asked
