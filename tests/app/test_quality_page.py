"""The Data quality page in-process: its checks, approving and reopening a quarter, follow-ups,
who may open it, and what a donor's link shows of quarters not yet approved."""

import shutil

import pytest

from monitoring.db import Database, close_all
from monitoring.intake.batches import commit_file
from monitoring.settings import load_settings
from tests.app.conftest import no_exceptions
from tests.unit.upload_support import VALUES_HEADER, csv_bytes, reopen_everything


@pytest.fixture
def quality_as(app_as, tmp_path, sample_db_path, monkeypatch):
    """A factory: the quality page as `role`, over a copy of the sample with nothing approved."""

    def make(role, approved=False, upload: bytes | None = None):
        """`upload`: a file of indicator values committed first (nothing approved)."""
        path = tmp_path / "quality.duckdb"
        shutil.copy(sample_db_path, path)
        if not approved:
            db = Database(path)
            reopen_everything(db)
            if upload is not None:
                commit_file(db, upload, "values.csv", load_settings(), by="T")
            db.close()
        at = app_as(role)
        monkeypatch.setenv("MONITORING_DB", str(path))
        at.run()
        at.switch_page("views/quality.py").run()
        no_exceptions(at)
        return at

    return make


def shown(text: str) -> str:
    """A message as read on the page (ui.text.plain escapes Markdown)."""
    return text.replace("\\", "").replace("\u2060", "")


def open_tab(at, label: str):
    """Open a tab of the page (only the open one is computed and drawn), as a click does."""
    from ui.quality import TAB_KEY

    at.session_state[TAB_KEY] = label
    at.run()
    no_exceptions(at)
    return at


def texts(at) -> str:
    return "\n".join(
        [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    )


def test_the_page_shows_every_check(quality_as):
    at = quality_as("manager")
    assert at.title[0].value == "Data quality"
    labels = [t.label for t in at.tabs]
    assert labels == [
        "Approval",
        "Completeness",
        "Timeliness",
        "Outliers",
        "Validation rules",
        "Follow-up",
    ]
    approval = at.dataframe[0].value
    assert approval.columns.tolist() == ["Quarter", "Jizzakh", "Tashkent Region", "Namangan"]
    assert set(approval["Jizzakh"]) == {"✗ not approved"}
    assert not at.metric  # the other tabs are drawn when opened

    open_tab(at, "Completeness")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Expected values reported"] == "86%"
    frames = [d.value for d in at.dataframe]
    heat = next(f for f in frames if "2021Q1" in f.columns and "Indicator" in f.columns)
    assert set(heat["2021Q1"]) <= {"✓", "✗", "·"}

    open_tab(at, "Timeliness")
    metrics = {m.label: m.value for m in at.metric}
    # The sample's values came a quarter at a time (monitoring/intake/sample.py), those of
    # 2021Q3 (41 days after its end) and 2022Q2 (35) later than the 30 days allowed.
    assert (metrics["on time"], metrics["late"]) == ("78", "57")
    late = next(d.value for d in at.dataframe if "Days late" in d.value.columns)
    assert set(late[late["Status"] == "late"]["Quarter"]) == {"2021Q3", "2022Q2"}
    assert set(late[late["Status"] == "late"]["Days late"]) == {11, 5}

    open_tab(at, "Outliers")
    outliers = next(d.value for d in at.dataframe if "Why flagged" in d.value.columns)
    assert "OC2.4" in outliers["Indicator"].tolist()

    open_tab(at, "Validation rules")
    assert "No rule is broken." in texts(at)


def test_a_long_table_shows_its_first_rows_and_downloads_all(quality_as, monkeypatch):
    from monitoring import quality as checks
    from ui import quality

    monkeypatch.setattr(checks, "FIRST_SHOWN", 1)
    built = {}  # the downloads' tables, as a click on a download button builds them
    monkeypatch.setattr(
        quality.common, "downloads_on_click", lambda build, name, key: built.update({name: build()})
    )
    at = open_tab(quality_as("manager"), "Outliers")
    shown = next(d.value for d in at.dataframe if "Why flagged" in d.value.columns)
    assert len(shown) == 1
    assert len(built["outliers"]) == 2 and built["outliers"].columns.equals(shown.columns)
    # how many are flagged, counted all, though one is drawn
    assert {m.label: m.value for m in at.metric}["Values flagged"] == "2"
    # every row's reason worded in the download, not only the rows drawn
    assert built["outliers"]["Why flagged"].str.contains("modified z-score|maximum").all()
    # regions by name, sex and age in words (codes and the data's "all" were shown before)
    assert not shown["Region"].str.startswith("UZ-").any()
    assert set(shown["Sex"]) <= {"all", "female", "male"}
    assert "The first 1 of 2 rows are shown; the downloads hold all of them." in texts(at)

    open_tab(at, "Timeliness")
    shown = next(d.value for d in at.dataframe if "Days late" in d.value.columns)
    assert len(shown) == 1 and built["timeliness"].columns.equals(shown.columns)
    metrics = {m.label: int(m.value) for m in at.metric}
    assert len(built["timeliness"]) == metrics["late"] + metrics["missing"] > 1
    assert set(built["timeliness"]["Status"]) == {"late", "missing"}
    assert built["timeliness"].head(1).equals(shown)  # the first of them, as drawn
    count = metrics["late"] + metrics["missing"]
    assert f"The first 1 of {count} rows are shown; the downloads hold all of them." in texts(at)


# OC1.2 in Jizzakh, 2021Q2: all 18 = female 14 + male 4 = ages 15-29 7 + 30+ 11 in the sample.
BREAKS_TWO_RULES = csv_bytes(
    VALUES_HEADER,
    "OC1.2,2021Q2,UZ-JI,,female,all,15,,Training attendance sheets",
    "OC1.2,2021Q2,UZ-JI,,all,30+,12,,Training attendance sheets",
)


def test_the_rules_tab_counts_every_violation_and_lists_the_first(quality_as, monkeypatch):
    from monitoring import quality as checks

    monkeypatch.setattr(checks, "FIRST_SHOWN", 1)
    at = open_tab(quality_as("manager", upload=BREAKS_TWO_RULES), "Validation rules")
    counts = next(d.value for d in at.dataframe if "Violations" in d.value.columns)
    assert dict(zip(counts["Rule"], counts["Violations"], strict=True)) == {
        "female + male = all": "2",  # all ages, and 30+ (whose total for both sexes changed)
        "age groups add up to all ages": "2",  # both sexes, and the women's
        "an achieved milestone has its date": "0",
        "disbursed not above awarded": "0",
    }
    listed = next(d.value for d in at.dataframe if "One side" in d.value.columns)
    assert listed[["Of", "Quarter", "Region", "One side"]].values.tolist() == [
        ["OC1.2", "2021Q2", "Jizzakh", "female 8 + male 3 = 11"]  # 30+ before all ages
    ]
    assert "The first 1 of 4 rows are shown; the downloads hold all of them." in texts(at)
    # As of the quarter before, none is broken.
    at.selectbox(key="as_of").set_value("2021Q1").run()
    no_exceptions(at)
    assert "No rule is broken." in texts(at)


def test_a_manager_approves_a_quarter_and_an_admin_reopens_it(quality_as, app_as):
    at = quality_as("manager")
    at.selectbox(key="approve-q").set_value("2022Q1")
    at.selectbox(key="approve-r").set_value("UZ-JI")
    at.button[0].click().run()  # Approve (the first form's button)
    no_exceptions(at)
    assert "2022Q1 approved for region UZ-JI by test-manager" in shown(at.success[0].value)
    grid = at.dataframe[0].value.set_index("Quarter")
    assert grid.at["2022Q1", "Jizzakh"] == "✓ approved by test-manager"
    assert grid.at["2022Q1", "Tashkent Region"] == "✗ not approved"
    reopen_button = next(b for b in at.button if b.label == "Reopen")
    assert reopen_button.disabled  # managers do not reopen


def test_reopening_needs_a_reason(quality_as):
    at = quality_as("admin", approved=True)
    at.selectbox(key="reopen-q").set_value("2021Q4")
    next(b for b in at.button if b.label == "Reopen").click().run()
    assert "reason" in shown(at.error[0].value)
    at.text_input(key="reopen-reason").set_value("survey corrected")
    next(b for b in at.button if b.label == "Reopen").click().run()
    assert "2021Q4 reopened for the whole programme by test-admin" in shown(at.success[0].value)
    history = at.dataframe[1].value
    assert history.iloc[0]["Why"] == "survey corrected"


def test_a_manager_marks_a_value_for_follow_up(quality_as):
    at = open_tab(quality_as("manager"), "Follow-up")
    # regions offered by name (their codes said nothing to staff), kept by code
    regions = next(s for s in at.selectbox if s.label == "Region")
    assert regions.options == ["Jizzakh", "Tashkent Region", "Namangan"]
    regions.set_value("UZ-NG")
    at.text_input(key="follow-code").set_value("G1")
    at.text_area(key="follow-note").set_value("Check the survey weights")
    next(b for b in at.button if b.label == "Mark for follow-up").click().run()
    no_exceptions(at)
    assert "Marked for follow-up as number 1." in shown(at.success[0].value)
    listed = next(d.value for d in at.dataframe if "Note" in d.value.columns)
    assert listed["Note"].tolist() == ["Check the survey weights"]
    assert listed["Value"].tolist() == ["G1 · 2022Q2 · UZ-NG"]


def test_completeness_per_organisation_is_built_when_opened(quality_as):
    from ui.quality import ORGANISATIONS_KEY

    at = open_tab(quality_as("manager"), "Completeness")
    assert not any("Organisation" in d.value.columns for d in at.dataframe)
    label = "By organisation (from its first report of each indicator)"
    assert [e.label for e in at.expander if e.label == label] == [label]
    at.session_state[ORGANISATIONS_KEY] = True  # as a click on it does
    at.run()
    no_exceptions(at)
    orgs = next(d.value for d in at.dataframe if "Organisation" in d.value.columns)
    assert list(orgs.columns) == [
        "Organisation",
        "Region",
        "Expected",
        "Reported",
        "Reported (%)",
    ]
    assert len(orgs) > 0 and (orgs["Reported"] <= orgs["Expected"]).all()
    assert not orgs["Region"].str.startswith("UZ-").any()  # regions by name
    # the tab's other tables are still there
    assert any("Indicator" in d.value.columns for d in at.dataframe)


@pytest.mark.parametrize("shown_rows", [1, 1_000])
def test_the_follow_up_tab_offers_the_values_flagged_on_the_outliers_tab(
    quality_as, monkeypatch, shown_rows
):
    # Opened first, the Follow-up tab finds its first flagged values without the Outliers
    # tab's whole result (monitoring/quality/outliers.py first_outliers): the same values,
    # in the same order, as the Outliers tab lists.
    from monitoring import quality as checks

    monkeypatch.setattr(checks, "FIRST_SHOWN", shown_rows)
    at = open_tab(quality_as("manager"), "Follow-up")
    offered = next(s for s in at.selectbox if s.label == "A flagged value").options[1:]
    open_tab(at, "Outliers")
    listed = next(d.value for d in at.dataframe if "Why flagged" in d.value.columns)
    assert len(listed) == min(shown_rows, 2)  # the sample's two, or the first one
    assert len(offered) == len(listed)
    for option, row in zip(offered, listed.itertuples(), strict=True):
        assert option.startswith(f"{row.Indicator} · {row.Quarter} · "), (option, row)


def test_staff_see_the_page_but_cannot_approve(quality_as):
    at = quality_as("staff")
    assert next(b for b in at.button if b.label == "Approve").disabled


def test_a_donor_link_never_opens_the_page(donor_app):
    at = donor_app()
    at.run()
    at.switch_page("views/quality.py").run()
    assert not any(t.value == "Data quality" for t in at.title)


def test_a_donor_sees_approved_quarters_only_and_is_told_which_are_not(
    app_as, tmp_path, sample_db_path, monkeypatch
):
    from monitoring.access import sharing
    from monitoring.quality import approvals
    from monitoring.settings import load_settings
    from tests.app.conftest import TEST_SECRET

    path = tmp_path / "donor.duckdb"
    shutil.copy(sample_db_path, path)
    db = Database(path)
    settings = load_settings()
    approvals.reopen(db, settings, "2022Q1", by="tests", reason="recount")
    approvals.reopen(db, settings, "2022Q2", by="tests", reason="recount")
    _, token = sharing.create_share_link(db, "USIP", "30d", by="tests", secret=TEST_SECRET)
    _, open_token = sharing.create_share_link(
        db, "USIP all", "30d", by="tests", secret=TEST_SECRET, unapproved=True
    )
    db.close()
    close_all()
    at = app_as(None)
    monkeypatch.setenv("MONITORING_DB", str(path))
    at.query_params[sharing.SHARE_PARAM] = token
    at.run()
    no_exceptions(at)
    assert at.selectbox(key="as_of").options == ["2021Q1", "2021Q2", "2021Q3", "2021Q4"]
    words = texts(at)
    assert "Figures are shown up to 2021Q4" in words and "2022Q1, 2022Q2" in words
    assert "31 December 2021" in "\n".join(c.value for c in at.caption)

    at = app_as(None)
    at.query_params[sharing.SHARE_PARAM] = open_token
    at.run()
    no_exceptions(at)
    assert at.selectbox(key="as_of").options[-1] == "2022Q2"
    assert "may still change: 2022Q1, 2022Q2" in texts(at)


@pytest.mark.parametrize("lang", ["ru", "uz"])
@pytest.mark.parametrize("role", ["manager", "admin"])
def test_the_page_speaks_russian_and_uzbek(
    app_as, tmp_path, sample_db_path, monkeypatch, role, lang
):
    """Every tab of the page (each opened in turn), its tables' headers and cells, its forms and
    notices in the language; dates written by Babel."""
    from babel.dates import format_date

    from monitoring import i18n
    from monitoring.settings import load_settings
    from tests.i18n_support import data_texts, shown_texts, untranslated

    path = tmp_path / "quality.duckdb"
    shutil.copy(sample_db_path, path)
    monkeypatch.setenv("MONITORING_DB", str(path))
    at = app_as(role)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("views/quality.py").run()
    no_exceptions(at)
    shown = list(shown_texts(at))
    for tab in [t.label for t in at.tabs][1:]:  # only the open tab is drawn: each in turn
        with i18n.language(lang):  # the widgets' format_func, run again here, speak it too
            open_tab(at, tab)
        shown += shown_texts(at)
    programme = load_settings().programme
    names = {programme.shown(w, x) for w in ("name", "short_name", "donor") for x in i18n.LANGUAGES}
    months = {format_date(dt, "LLLL", locale=i18n.LOCALES[lang]) for dt in _month_days()} | {
        format_date(dt, "MMMM", locale=i18n.LOCALES[lang]) for dt in _month_days()
    }
    allowed = data_texts(path) | names | months
    assert untranslated(shown, lang, allowed) == []
    quarter_end = format_date(_month_days()[5].replace(day=30), "long", locale=i18n.LOCALES[lang])
    assert quarter_end in "\n".join(shown)  # "30 июня 2022 г.", "30-iyun, 2022"


def _month_days():
    import datetime as dt

    return [dt.date(2022, m, 1) for m in range(1, 13)]


def test_the_checks_tables_name_regions_and_say_sex_and_age_in_the_readers_language(quality_as):
    """Staff in the regions read Russian and Uzbek: a flagged value's region is its name and
    its sex and age group are words of the language (they read "UZ-JI", "male" and "all")."""
    from monitoring import i18n

    at = quality_as("manager")
    at.query_params["lang"] = "ru"
    at.run()
    with i18n.language("ru"):
        tab, region, sex, age = (i18n._(w) for w in ("Outliers", "Region", "Sex", "Age group"))
        words = {i18n._(w) for w in ("all", "female", "male")}
    at.session_state["quality-tab"] = tab
    with i18n.language("ru"):
        at.run()
    no_exceptions(at)
    flagged = next(d.value for d in at.dataframe if region in d.value.columns)
    assert flagged[region].str.contains("область|Ташкент").all(), set(flagged[region])
    assert set(flagged[sex]) <= words and "все" in set(flagged[sex])
    assert set(flagged[age]) - words == {"15-29"}  # an age band, written as it is
    # The threshold in the tab's caption, a number in the Russian way (it read "свыше 3.5").
    captions = "\n".join(c.value for c in at.caption)
    assert "3,5" in captions and "3.5" not in captions
