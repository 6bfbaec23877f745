from monitoring.access.view import WITHHELD
from monitoring.reports.status import status_text
from tests.app.conftest import no_exceptions
from tests.i18n_support import vega_charts
from ui import vega


def metric(at, label):
    return next(m for m in at.metric if m.label == label)


def test_overview_shows_the_programme_as_of_the_latest_quarter(app):
    at = app.run()
    no_exceptions(at)
    assert at.title[0].value == "Programme overview"
    caption = at.caption[0].value
    assert "as of **30 June 2022**" in caption
    assert "Illustrative sample data" in at.info[0].value
    assert metric(at, "Months elapsed").value == "18 of 18"
    assert "of the" in metric(at, "Spent (USD)").delta
    titles = [vega.title_of(spec) for spec, _ in vega_charts(at)]
    assert titles == [
        "Indicators per goal and outcome, by status (number)",
        "Time elapsed and budget spent (% of programme)",
    ], "the outcome and spending charts are drawn, each titled with its unit"
    # Each named for screen readers by its title.
    assert [c.proto.alt for c in at.get("vega_lite_chart")] == titles
    # The page everyone opens first loads no plotly (docs/benchmarks.md, "In the browser").
    assert not at.get("plotly_chart")


def test_the_reporting_date_changes_every_figure(app):
    at = app.run()
    at.sidebar.selectbox[0].set_value("2021Q2").run()
    no_exceptions(at)
    assert "as of **30 June 2021**" in at.caption[0].value
    assert metric(at, "Months elapsed").value == "6 of 18"


def test_a_reporting_date_chosen_earlier_in_the_session_is_kept(app):
    # The URL's ?as_of= is applied by the browser (tests/e2e); here the session state.
    app.session_state["as_of"] = "2021Q4"
    at = app.run()
    no_exceptions(at)
    assert metric(at, "Months elapsed").value == "12 of 18"
    assert at.sidebar.selectbox[0].value == "2021Q4"


def test_a_reporting_quarter_in_the_address_that_is_no_choice_is_said_to_be_ignored(app):
    """A link asking for a quarter the programme has no figures for (?as_of=2030Q1) opened
    the latest quarter without a word."""
    app.query_params["as_of"] = "2030Q1"
    at = app.run()
    no_exceptions(at)
    said = [w.value for w in at.sidebar.warning]
    assert any("reporting quarter `2030Q1`, which is not one of the choices" in w for w in said)
    assert metric(at, "Months elapsed").value == "18 of 18"  # the latest quarter, as before


def test_indicators_needing_attention_are_listed_with_their_status_in_words(app):
    at = app.run()
    table = at.dataframe[-1].value
    assert len(table) > 0
    assert set(table["Status"]) <= {"✖ Behind", "▲ At risk", "○ No data"}
    assert at.get("download_button"), "the table can be downloaded"


def test_the_overview_shows_the_cores_figures_in_the_cores_order(app, sample_db_path):
    """What a manager reads: every indicator counted once by status, and the ones that need
    attention worst first, exactly as the core computes them for the reporting date."""
    from monitoring.access.view import TEAM, protected_view
    from monitoring.db import Database
    from monitoring.reports import overview
    from monitoring.reports.status import status_text
    from monitoring.settings import load_settings

    at = app.run()
    no_exceptions(at)
    settings = load_settings()
    db = Database(sample_db_path)
    try:
        view = protected_view(db, settings, TEAM)
        as_of = overview.default_as_of(db, settings)
        status = overview.indicator_status(db, view, settings, as_of)
        expected = overview.needs_attention(status)
        money = overview.spending_position(db, view, settings, as_of)
    finally:
        db.close()
    attention = at.dataframe[-1].value
    assert attention["Indicator"].tolist() == expected.indicator_code.tolist()
    assert attention["Status"].tolist() == [status_text(s) for s in expected.status]
    counts = next(d.value for d in at.dataframe if "Goal / outcome" in d.value.columns)
    assert counts["Indicators"].sum() == len(status) == 12
    # The total beside the name: the statuses' columns (a donor has two more) come after it.
    assert counts.columns.tolist()[:2] == ["Goal / outcome", "Indicators"]
    for code in ("on_track", "at_risk", "behind"):
        assert counts[status_text(code)].sum() == int((status.status == code).sum())
    assert metric(at, "Spent (USD)").value == f"{money.spent_to_date:,.0f}"
    # The charts draw the same counts and shares, each labelled in words, not by colour alone.
    (_, bars), (_, pace) = vega_charts(at)
    for code in ("on_track", "at_risk", "behind"):
        drawn = [r for r in bars if r["status"] == status_text(code)]
        assert sum(r["n"] for r in drawn) == int((status.status == code).sum())
        icon = status_text(code).split()[0]
        assert all(r["text"] == f"{r['n']} {icon}" for r in drawn if r["n"])
    assert [r["text"] for r in pace] == [
        "100%",
        f"{money.spent_share:.0%}",
        f"{money.against_plan:.0%}",
    ]
    assert pace[1]["tip"] == f"Budget spent (of total): {money.spent_share:.1%}"


def test_a_status_withheld_from_a_donor_is_drawn_outlined_and_named(donor_app):
    """A donor's view withholds the status of an indicator that counts few people (OC2.2 in
    Namangan, tests/app/test_donor_overview_grants_milestones.py): its part of the bars is
    outlined with dashes and named, never only a paler colour; and the bars count what the
    donor's table beside them counts, no more."""
    at = donor_app(regions=["UZ-NG"]).run()
    no_exceptions(at)
    spec, bars = vega_charts(at)[0]
    withheld = [r for r in bars if r["status"] == status_text(WITHHELD)]
    assert withheld and any(r["n"] for r in withheld), "the sample withholds some from a region"
    assert all(r["dashed"] for r in withheld)
    assert not any(r["dashed"] for r in bars if r["status"] != status_text(WITHHELD))
    legend = spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert status_text(WITHHELD) in legend
    counts = next(d.value for d in at.dataframe if "Goal / outcome" in d.value.columns)
    for group, total in zip(counts["Goal / outcome"], counts["Indicators"], strict=True):
        assert sum(r["n"] for r in bars if r["group"] == group) == total


def test_the_status_rule_is_explained(app):
    at = app.run()
    text = " ".join(e.proto.body for e in at.get("markdown") if hasattr(e.proto, "body"))
    assert "90%" in text and "60%" in text
