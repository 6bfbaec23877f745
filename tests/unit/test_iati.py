"""The IATI 2.03 activity file (monitoring/reports/iati.py), validated against the schema."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from lxml import etree

from monitoring.db.versions import DataVersion, current_version
from monitoring.reports import iati
from monitoring.reports.documents import NotAllowed
from monitoring.settings import ROOT
from tests.conftest import ENGINES, sample_database
from tests.unit.reports_support import AS_OF, SENSITIVE, programme_settings, unnamed_names, view

SCHEMA = ROOT / "data" / "iati-2.03" / "iati-activities-schema.xsd"


@pytest.fixture(scope="module", params=ENGINES)
def sample(request):
    db = sample_database(request, request.param)
    yield db, programme_settings()
    db.close()


@pytest.fixture(scope="module")
def public(sample):
    """A donor's view over the whole programme: what an IATI file is made from."""
    db, settings = sample
    return view(db, settings, donor=True)


@pytest.fixture(scope="module")
def activity(sample, public):
    db, settings = sample
    return iati.iati_activity(db, public, settings, AS_OF)


def test_the_file_is_valid_iati_2_03(activity):
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    tree = etree.fromstring(activity)
    schema.assertValid(tree)
    assert tree.get("version") == "2.03"
    node = tree.find("iati-activity")
    assert node.findtext("iati-identifier") == "GB-CHC-1043843-UZ-CSWG-2021"
    assert node.find("reporting-org").get("ref") == "GB-CHC-1043843"
    roles = [p.get("role") for p in node.iter("participating-org")]
    assert roles == ["1", "4", "4"]
    assert [d.get("type") for d in node.iter("activity-date")] == ["1", "2", "3", "4"]
    assert [x.get("ref") for x in node.iter("location") if x.getparent() is node] == [
        "UZ-JI", "UZ-TO", "UZ-NG"
    ]  # fmt: skip
    assert {t.find("transaction-type").get("code") for t in node.iter("transaction")} == {
        "2", "3", "4"
    }  # fmt: skip
    assert len(node.findall("budget")) == 6
    assert [r.findtext("title/narrative") for r in node.iter("result")] == [
        "Goal", "Outcome 1", "Outcome 2", "Outcome 3"
    ]  # fmt: skip
    g1 = next(i for i in node.iter("indicator") if "G1 " in i.findtext("title/narrative"))
    assert (g1.get("measure"), g1.get("ascending")) == ("2", "1")
    assert g1.find("baseline").attrib == {"year": "2021", "iso-date": "2021-01-01", "value": "54"}
    assert g1.find("period/actual/dimension").attrib == {"name": "sex", "value": "female"}
    assert g1.find("period/actual/location").get("ref") == "UZ-JI"
    oc23 = next(i for i in node.iter("indicator") if "OC2.3" in i.findtext("title/narrative"))
    assert oc23.get("ascending") == "0"


def test_the_file_is_public_whoever_asks(activity, sample):
    db, settings = sample
    text = activity.decode()
    assert SENSITIVE[0] not in text and SENSITIVE[1] not in text
    for name in unnamed_names(db):
        assert name not in text
    assert "a community group in Jizzakh (name withheld)" in text
    # OC2.1 counts a handful of groups: every count of it above 0 is withheld from the public
    # ("nobody" is shown: docs/access.md).
    tree = etree.fromstring(activity)
    oc21 = next(i for i in tree.iter("indicator") if "OC2.1" in i.findtext("title/narrative"))
    assert {a.get("value") for a in oc21.findall("period/actual")} == {"0"}
    # The team gets the same file (made from a donor's view); a regional link gets none.
    assert iati.iati_activity(db, view(db, settings), settings, AS_OF) == activity
    with pytest.raises(NotAllowed, match="covers the whole programme"):
        iati.iati_activity(db, view(db, settings, ["UZ-JI"], donor=True), settings, AS_OF)


def test_an_invalid_file_is_never_offered(sample, public):
    db, settings = sample
    bad = dataclasses.replace(
        settings, iati=dataclasses.replace(settings.iati, sector_code="99999")
    )
    with pytest.raises(
        iati.IatiInvalid, match=r"iati-activity/sector: sector '99999' is not a DAC"
    ):
        iati.iati_activity(db, public, bad, AS_OF)
    no_org = dataclasses.replace(
        settings, iati=dataclasses.replace(settings.iati, reporting_org_ref="Saferworld")
    )
    with pytest.raises(iati.IatiInvalid, match="not an IATI organisation identifier"):
        iati.iati_activity(db, public, no_org, AS_OF)


def test_dates_after_the_data_version_are_refused(activity, sample):
    _, settings = sample
    assert iati.validate(activity, settings, current_version(sample[0])) == []
    early = DataVersion(5, 0, dt.datetime(2021, 6, 1, tzinfo=dt.UTC))
    problems = iati.validate(activity, settings, early)
    assert any(
        "transaction-date" in p.element and "cannot be after the data's date" in p.reason
        for p in problems
    )
    assert any("activity-date" in p.element for p in problems)  # actual start and end
    broken = activity.replace(b"<activity-status", b"<activity-state", 1)
    assert any("activity-state" in p.reason for p in iati.validate(broken, settings, early))


def test_the_same_data_and_date_give_the_same_bytes(activity, sample, public):
    db, settings = sample
    assert iati.iati_activity(db, public, settings, AS_OF) == activity
