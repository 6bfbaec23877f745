"""Organisations of the kinds kept unnamed are described, never named, in a donor view."""

import datetime as dt

import pytest

from monitoring.reports import grants, indicators
from monitoring.reports import map as map_report
from monitoring.settings import SettingsError, load_settings
from tests.conftest import ENGINES, sample_database

AS_OF = dt.date(2022, 6, 30)
GROUP = "Bekobod returnee families support group"


@pytest.fixture(params=ENGINES)
def sample(request):
    db = sample_database(request, request.param)
    yield db
    db.close()


def test_grants_of_an_unnamed_kind_lose_their_grantee_and_title(sample, settings):
    plain = grants.grant_position(sample, settings, AS_OF, grants.SpendingFilters())
    row = plain[(plain.level == "grant") & (plain.grantee == GROUP)].iloc[0]
    donor = grants.grant_position(
        sample, settings, AS_OF, grants.SpendingFilters(unnamed_kinds=("community_group",))
    )
    same = donor[(donor.level == "grant") & (donor.grant_id == row.grant_id)].iloc[0]
    assert same.grantee == "a community group in Tashkent Region (name withheld)"
    assert same.title == "(not shared in this view)"
    assert same.awarded == row.awarded, "the money is still shown"
    assert GROUP not in set(donor.grantee.dropna())
    cso = plain[(plain.level == "grant") & plain.grant_id.str.len().gt(0)].grantee
    assert set(donor.grantee.dropna()) & set(cso), "other kinds keep their names"


def test_a_description_names_its_region_in_the_readers_language(sample, settings):
    """Russian and Uzbek readers read the region inside the description in their language
    (it kept the English name: "общественная группа, Tashkent Region (название скрыто)")."""
    from monitoring import i18n

    unnamed = grants.SpendingFilters(unnamed_kinds=("community_group",))
    for lang, region in (("ru", "Ташкентская область"), ("uz", "Toshkent viloyati")):
        with i18n.language(lang):
            donor = grants.grant_position(sample, settings, AS_OF, unnamed)
            described = donor[donor.grantee.str.contains(region, na=False, regex=False)]
            assert len(described), set(donor.grantee.dropna())
            assert not donor.grantee.str.contains("Tashkent Region", na=False).any()
            built = map_report.build_map(
                sample, donor_view(sample, settings), settings, "OC1.1", "2022Q2", "value"
            )
            shown = set(built.organisation_table.Organisation)
            assert any(region in name for name in shown), shown
            assert not any("Tashkent Region" in name for name in shown)


def donor_view(db, settings):
    from monitoring.access.view import Audience, protected_view

    return protected_view(db, settings, Audience("donor"))


def test_the_map_and_missing_reports_describe_them_too(sample, settings):
    points = map_report.organisation_points(sample, settings, "2022Q2", None, ["community_group"])
    assert GROUP not in set(points.name)
    assert (points[points.kind == "community_group"].name.str.endswith("(name withheld)")).all()
    missing = indicators.missing_reports(
        sample, settings, "OC1.1", "2022Q2", None, ("community_group", "cso", "cswg")
    )
    orgs = missing[missing.kind == "organisation"]
    assert len(orgs) == 19
    assert orgs.name.str.endswith("(name withheld)").all()
    assert "Kosonsoy Ziyo" not in set(orgs.name)


def test_the_setting_must_be_a_list_of_kinds(tmp_path):
    text = (load_settings().path).read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(
        text.replace(
            'unnamed_organisation_kinds = ["community_group"]',
            'unnamed_organisation_kinds = "community_group"',
        ),
        encoding="utf-8",
    )
    with pytest.raises(SettingsError, match="must be a list of organisation kinds"):
        load_settings(bad)
    assert load_settings().privacy.unnamed_organisation_kinds == ("community_group",)
