"""The programme as one IATI 2.03 activity (docs/reports.md).

Identifier (the reporting organisation's IATI identifier and a suffix, from the `[iati]`
settings), title and description, reporting and participating organisations (funding,
implementing), status, planned and actual dates, recipient country and the programme's
regions as locations, sector, budget by quarter, transactions (2 commitment, 3 disbursement,
4 expenditure) and results: one per goal and outcome, each indicator with its measure,
direction, baseline and a period per quarter with target and actual, disaggregated actuals as
`dimension` and regional ones with `location`.

IATI files are public, so the activity is built from a donor's protected view over the whole
programme, whoever asks for it: no sensitive indicator, small counts protected, community
groups unnamed. A file is validated against the IATI 2.03 schema (data/iati-2.03, with its
attribution) and IATI's rules before it is returned: an invalid file is never offered, and
the error names the element and why.

Narratives are in English (the activity's default language, whatever the viewer's), with a
Russian and an Uzbek narrative beside them (`xml:lang="ru"`/`"uz"`) where the data has the
text in that language: indicator titles (title_ru/title_uz), region names (name_ru/name_uz)
and the goal/outcome titles of the results (monitoring/reports/names.py, monitoring/i18n.py).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import cache

import pandas as pd

from monitoring import i18n
from monitoring.access import accounts
from monitoring.access.view import Audience, ProtectedView, protected_view
from monitoring.db import Database
from monitoring.db.versions import DataVersion, current_version
from monitoring.i18n import _, ngettext
from monitoring.periods import period_end, period_of, period_start, programme_periods
from monitoring.reports import grants, indicators, iptt, overview
from monitoring.reports.documents import NotAllowed, require_reports
from monitoring.reports.names import FALLBACK_MARK, names_in
from monitoring.settings import ROOT, Settings

SCHEMA = ROOT / "data" / "iati-2.03" / "iati-activities-schema.xsd"
VERSION = "2.03"
CURRENCY = "USD"
PUBLIC = Audience(accounts.DONOR)  # a donor's view over the whole programme

# Code lists (IATI 2.03), only what this file uses, as small constant sets.
ORGANISATION_TYPES = {"10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71",
                      "72", "73", "80", "90"}  # fmt: skip
ORGANISATION_ROLES = {"1": "funding", "2": "accountable", "3": "extending", "4": "implementing"}
ACTIVITY_STATUSES = {"1", "2", "3", "4", "5", "6"}
ACTIVITY_DATE_TYPES = {"1": "planned start", "2": "actual start", "3": "planned end",
                       "4": "actual end"}  # fmt: skip
TRANSACTION_TYPES = {"2": "outgoing commitment", "3": "disbursement", "4": "expenditure"}
RESULT_TYPES = {"goal": "3", "outcome": "2", "output": "1"}  # impact, outcome, output
MEASURES = {"number": "1", "percent": "2"}  # unit, percentage
BUDGET_TYPES = {"1"}  # original
BUDGET_STATUSES = {"1"}  # indicative
LOCATION_REACH = {"1"}  # activity
LOCATION_CLASS = {"1"}  # administrative region
EXACTNESS = {"2"}  # approximate (a region's centre)
SECTOR_VOCABULARY = "1"  # OECD DAC CRS purpose codes, 5 digits
# The DAC 5-digit purpose codes of government, civil society and peace (151xx, 152xx).
SECTORS = {"15110", "15111", "15112", "15113", "15114", "15116", "15117", "15118", "15119",
           "15121", "15122", "15123", "15124", "15125", "15126", "15127", "15128", "15129",
           "15130", "15131", "15132", "15133", "15134", "15135", "15136", "15137", "15142",
           "15143", "15144", "15150", "15151", "15152", "15153", "15154", "15155", "15156",
           "15160", "15170", "15180", "15185", "15190", "15196", "15210", "15220", "15230",
           "15240", "15250", "15261"}  # fmt: skip
COUNTRY = "UZ"
CURRENCIES = {"USD", "UZS", "EUR", "GBP", "RUB"}
LANGUAGES = {"en", "ru", "uz", "fr", "es"}
_ORG_REF = re.compile(r"[A-Z]{2}(-[A-Z0-9]+)+(-.+)?|XM-[A-Z0-9-]+|XI-[A-Z0-9-]+")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Problem:
    element: str  # where: an XPath-like path
    reason: str

    def __str__(self) -> str:
        return f"{self.element}: {self.reason}"


class IatiInvalid(ValueError):
    """The activity file breaks the schema or IATI's rules: it is not offered."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        listed = "\n".join(f"  {p}" for p in problems[:20])
        more = (
            "\n  " + _("… and {n} more").format(n=i18n.number(len(problems) - 20))
            if len(problems) > 20
            else ""
        )
        heading = ngettext(
            "The IATI file is not valid, so it was not written ({n} problem):",
            "The IATI file is not valid, so it was not written ({n} problems):",
            len(problems),
        ).format(n=i18n.number(len(problems)))
        super().__init__(f"{heading}\n{listed}{more}")


def public_view(db: Database, view: ProtectedView, settings: Settings) -> ProtectedView:
    """The view an IATI file is built from: a donor's over the whole programme. Refused to a
    viewer limited to some regions (the file covers the whole programme) or without reports."""
    require_reports(view)
    if view.link_regions is not None:
        raise NotAllowed(
            _(
                "The IATI file covers the whole programme: it cannot be made through a link "
                "limited to some regions."
            )
        )
    if view.audience == PUBLIC:
        return view
    return protected_view(db, settings, PUBLIC)


def iati_activity(
    db: Database,
    view: ProtectedView,
    settings: Settings,
    as_of: dt.date,
    *,
    version: DataVersion | None = None,
) -> bytes:
    """The IATI 2.03 activity file as of `as_of`, validated; IatiInvalid if it is not valid.
    The same data version and date give the same bytes."""
    from lxml import etree

    as_of = view.allowed_date(as_of)  # a donor's link: approved quarters only
    public = public_view(db, view, settings)
    version = version or current_version(db)
    with i18n.language(i18n.DEFAULT):  # English narratives, translations beside them
        tree = activity_tree(db, public, settings, as_of, version)
    data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    problems = validate(data, settings, version)
    if problems:
        raise IatiInvalid(problems)
    return data


# Building -----------------------------------------------------------------------------------


def _iso(day) -> str:
    return pd.Timestamp(day).date().isoformat()


def _value(number) -> str:
    """A decimal as IATI writes it: no exponent, no trailing zeros."""
    text = f"{float(number):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def identifier(settings: Settings) -> str:
    iati = settings.iati
    return f"{iati.reporting_org_ref}-{iati.activity_suffix}"


def activity_tree(
    db: Database, view: ProtectedView, settings: Settings, as_of: dt.date, version: DataVersion
):
    """The iati-activities element of the file (not validated: see iati_activity)."""
    from lxml import etree

    iati = settings.iati
    programme = settings.programme
    at = version.at.astimezone(dt.UTC).replace(microsecond=0)
    stamp = at.isoformat().replace("+00:00", "Z")
    root = etree.Element("iati-activities", version=VERSION)
    root.set("generated-datetime", stamp)
    activity = etree.SubElement(root, "iati-activity")
    activity.set("last-updated-datetime", stamp)
    activity.set(XML_LANG, iati.language)
    activity.set("default-currency", CURRENCY)

    def narrative(parent, text: str) -> None:
        etree.SubElement(parent, "narrative").text = str(text)

    def element(parent, name: str, text: str | None = None, **attributes):
        node = etree.SubElement(
            parent, name, {k.replace("_", "-"): v for k, v in attributes.items() if v}
        )
        if text is not None:
            narrative(node, text)
        return node

    etree.SubElement(activity, "iati-identifier").text = identifier(settings)
    element(
        activity,
        "reporting-org",
        iati.reporting_org_name,
        ref=iati.reporting_org_ref,
        type=iati.reporting_org_type,
    )
    element(activity, "title", programme.name)
    element(activity, "description", iati.description or programme.name, type="1")
    element(
        activity,
        "participating-org",
        iati.funding_org_name or programme.donor,
        role="1",
        type=iati.funding_org_type,
        ref=iati.funding_org_ref,
    )
    for name in iati.implementing_orgs or (programme.partners,):
        ref = iati.reporting_org_ref if name == iati.reporting_org_name else None
        org_type = iati.reporting_org_type if ref else None
        element(activity, "participating-org", name, role="4", ref=ref, type=org_type)
    finished = as_of >= programme.end
    etree.SubElement(activity, "activity-status", code="3" if finished else "2")
    element(activity, "activity-date", type="1", iso_date=programme.start.isoformat())
    if as_of >= programme.start:
        element(activity, "activity-date", type="2", iso_date=programme.start.isoformat())
    element(activity, "activity-date", type="3", iso_date=programme.end.isoformat())
    if finished:
        element(activity, "activity-date", type="4", iso_date=programme.end.isoformat())
    etree.SubElement(activity, "recipient-country", code=COUNTRY, percentage="100")
    regions = indicators.regions_in_view(db, view, settings)
    regions = regions[regions.in_programme]
    places = _region_points(db, settings)
    for code, name in zip(regions.region_code, regions.region_name, strict=True):
        location = etree.SubElement(activity, "location", ref=code)
        etree.SubElement(location, "location-reach", code="1")
        translated_narratives(element(location, "name", str(name)), db, "region", code, str(name))
        if code in places:
            point = etree.SubElement(
                location, "point", srsName="http://www.opengis.net/def/crs/EPSG/0/4326"
            )
            etree.SubElement(point, "pos").text = places[code]
        etree.SubElement(location, "exactness", code="2")
        etree.SubElement(location, "location-class", code="1")
    etree.SubElement(
        activity, "sector", vocabulary=SECTOR_VOCABULARY, code=iati.sector_code, percentage="100"
    )
    _budgets(db, view, settings, as_of, activity, at)
    _transactions(db, view, as_of, activity, iati)
    _results(db, view, settings, as_of, activity)
    return root


OTHER_LANGUAGES = tuple(lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT)


def _narrative(parent, text: str, lang: str) -> None:
    from lxml import etree

    etree.SubElement(parent, "narrative", {XML_LANG: lang}).text = text


def translated_narratives(parent, db: Database, kind: str, code, english, prefix: str = "") -> None:
    """A narrative in each other language where the data has the text of `kind` `code` in it
    (never the English fallback; nothing for a text changed for the view, e.g. withheld)."""
    if not isinstance(english, str):
        return
    for lang in OTHER_LANGUAGES:
        words = names_in(db, lang).text(kind, str(code), english)
        if words and not words.endswith(FALLBACK_MARK) and words != english:
            _narrative(parent, prefix + words, lang)


def _region_points(db: Database, settings: Settings) -> dict[str, str]:
    """Region code -> 'lat lon' of its centre (the regions table), for the programme's."""
    points = db.query("iati_region_points", regions=list(settings.programme.regions))
    return {
        str(r.region_code): f"{float(r.lat):.4f} {float(r.lon):.4f}"
        for r in points.itertuples(index=False)
        if not _missing(r.lat) and not _missing(r.lon)
    }


def _budgets(db, view, settings, as_of, activity, at) -> None:
    from lxml import etree

    filters = grants.SpendingFilters(currency=CURRENCY)
    quarters = grants.quarters_in_view(db, view, settings, as_of, filters)
    for row in quarters.itertuples(index=False):
        if _missing(row.budget) or float(row.budget) == 0:
            continue
        budget = etree.SubElement(activity, "budget", type="1", status="1")
        start = max(period_start(row.period), settings.programme.start)
        end = min(period_end(row.period), settings.programme.end)
        etree.SubElement(budget, "period-start", {"iso-date": start.isoformat()})
        etree.SubElement(budget, "period-end", {"iso-date": end.isoformat()})
        value = etree.SubElement(
            budget, "value", {"currency": CURRENCY, "value-date": start.isoformat()}
        )
        value.text = _value(row.budget)


def transactions_in_view(db: Database, view: ProtectedView, as_of: dt.date) -> pd.DataFrame:
    """The programme's transactions as an IATI file gives them (iati_transactions.sql):
    refused where the viewer does not see the programme's money (a link limited to regions);
    grantees of the kinds the view never names are described, not named."""
    if not grants.budget_shown(view):
        raise NotAllowed(_("The programme's spending is not shown through this link."))
    kinds = view.unnamed_kinds
    return db.query(
        "iati_transactions", as_of=as_of, unnamed_kinds=None if kinds is None else list(kinds)
    )


def _transactions(db, view, as_of, activity, iati) -> None:
    from lxml import etree

    frame = transactions_in_view(db, view, as_of)
    for row in frame.itertuples(index=False):
        kind = str(int(row.transaction_type))
        transaction = etree.SubElement(activity, "transaction")
        etree.SubElement(transaction, "transaction-type", code=kind)
        day = _iso(row.date)
        etree.SubElement(transaction, "transaction-date", {"iso-date": day})
        value = etree.SubElement(
            transaction, "value", {"currency": str(row.currency), "value-date": day}
        )
        value.text = _value(row.amount)
        words = f"{TRANSACTION_TYPES[kind].capitalize()}s in {row.period}"
        if isinstance(row.grant_id, str):
            words += f", small grant {row.grant_id}"
        etree.SubElement(etree.SubElement(transaction, "description"), "narrative").text = words
        provider = etree.SubElement(transaction, "provider-org", ref=iati.reporting_org_ref)
        etree.SubElement(provider, "narrative").text = iati.reporting_org_name
        if isinstance(row.receiver, str):
            receiver = etree.SubElement(transaction, "receiver-org")
            etree.SubElement(receiver, "narrative").text = row.receiver


def _results(db, view, settings, as_of, activity) -> None:
    from lxml import etree

    table = iptt.iptt_table(db, view, settings, as_of)
    status = overview.indicator_status(db, view, settings, as_of).set_index("indicator_code")
    quarters = iptt.quarters_in_view(db, view, settings, as_of)
    reporting = period_of(as_of)
    periods = [p for p in programme_periods(settings.programme) if p <= reporting]
    start_year = str(settings.programme.start.year)
    in_regions = regional_in_view(db, view, settings, as_of)
    results: dict[str, object] = {}
    for line in table.lines:
        if line.kind != "indicator":
            continue
        code = str(line.fixed["No."])
        info = status.loc[code]
        group = indicators.outcome_label(info.level, info.outcome)
        result = results.get(group)
        if result is None:
            result = etree.SubElement(
                activity,
                "result",
                {"type": RESULT_TYPES.get(info.level, "2"), "aggregation-status": "1"},  # fmt: skip
            )
            title = etree.SubElement(result, "title")
            etree.SubElement(title, "narrative").text = group
            for lang in OTHER_LANGUAGES:
                with i18n.language(lang):
                    words = indicators.outcome_label(info.level, info.outcome)
                if words != group:
                    _narrative(title, words, lang)
            results[group] = result
        indicator = etree.SubElement(
            result,
            "indicator",
            measure=MEASURES.get(info.unit, "1"),
            ascending="0" if info.direction == "decrease" else "1",
        )
        title = etree.SubElement(indicator, "title")
        english = line.fixed["Indicator"]
        etree.SubElement(title, "narrative").text = f"{code} {english}"
        translated_narratives(title, db, "indicator", code, english, prefix=f"{code} ")
        baseline = line.fixed["Baseline"]
        if isinstance(baseline, float):
            etree.SubElement(
                indicator,
                "baseline",
                {
                    "year": start_year,
                    "iso-date": settings.programme.start.isoformat(),
                    "value": _value(baseline),
                },  # fmt: skip
            )
        rows = quarters[quarters.indicator_code == code].set_index("period")
        by_region = in_regions.get(code, {})
        parts = _dimensions(db, view, code, periods[0], reporting, info.disaggregation)
        for period in periods:
            target = rows.target.get(period) if period in rows.index else None
            actual = rows.actual.get(period) if period in rows.index else None
            regional = by_region.get(period, [])
            dims = parts.get(period, [])
            has_target = isinstance(target, float) and not math.isnan(target)
            has_actual = isinstance(actual, float) and not math.isnan(actual)
            if not (has_target or has_actual or regional or dims):
                continue
            node = etree.SubElement(indicator, "period")
            start = max(period_start(period), settings.programme.start)
            end = min(period_end(period), settings.programme.end)
            etree.SubElement(node, "period-start", {"iso-date": start.isoformat()})
            etree.SubElement(node, "period-end", {"iso-date": end.isoformat()})
            if has_target:
                etree.SubElement(node, "target", value=_value(target))
            if has_actual:
                etree.SubElement(node, "actual", value=_value(actual))
            for region, value in regional:
                shown = etree.SubElement(node, "actual", value=_value(value))
                etree.SubElement(shown, "location", ref=region)
            for name, category, value in dims:
                shown = etree.SubElement(node, "actual", value=_value(value))
                etree.SubElement(shown, "dimension", name=name, value=category)


def regional_in_view(
    db: Database, view: ProtectedView, settings: Settings, as_of: dt.date
) -> dict[str, dict[str, list]]:
    """code -> period -> [(region, value)]: each indicator's quarters in each of the viewer's
    programme regions on its own (the running total of a cumulative indicator, else the
    quarter's value), judged by the view like the indicator page's regions; withheld values
    and quarters a region did not report are left out."""
    reporting = period_of(as_of)
    periods = [p for p in programme_periods(settings.programme) if p <= reporting]
    status = overview.indicator_status(db, view, settings, as_of).set_index("indicator_code")
    regions = view.regions or tuple(settings.programme.regions)
    out: dict[str, dict[str, list]] = {}
    for region in regions:
        series = indicators.indicator_series(db, periods, [region])
        series = series.loc[series.indicator_code.isin(status.index)].reset_index(drop=True)
        if series.empty:
            continue
        cumulative = (series.indicator_code.map(status.aggregation) == "sum").to_numpy()
        frame = series.assign(
            shown=series.actual_to_date.where(cumulative, series.value).where(series.value.notna())
        )
        states = [
            (view.to_date if cum else view.quarter)(code, [region], period, value)
            for code, period, value, cum in zip(
                frame.indicator_code, frame.period, frame.shown, cumulative, strict=True
            )
        ]
        shown = view.withhold(frame, {"shown": states}).table
        for row in shown.itertuples(index=False):
            if isinstance(row.shown, str) or _missing(row.shown):
                continue
            out.setdefault(row.indicator_code, {}).setdefault(row.period, []).append(
                (region, float(row.shown))
            )
    return out


def _dimensions(db, view, code, first, last, disaggregation) -> dict[str, list]:
    """period -> [(dimension, category, value)] shown of the values by sex and age group."""
    if not isinstance(disaggregation, str) or not disaggregation:
        return {}
    shown = indicators.breakdown_in_view(db, view, code, first, last)
    if shown is None or shown.table.empty:
        return {}
    wanted = set(disaggregation.split(";"))
    out: dict[str, list] = {}
    for row in shown.table.itertuples(index=False):
        if row.dimension not in wanted or row.category in ("all", "total"):
            continue
        if isinstance(row.value, str) or _missing(row.value):
            continue
        name = "sex" if row.dimension == "sex" else "age group"
        out.setdefault(row.period, []).append((name, str(row.category), float(row.value)))
    return out


# Checking -------------------------------------------------------------------------------------


@cache
def _schema():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def validate(data: bytes, settings: Settings, version: DataVersion) -> list[Problem]:
    """Every way `data` breaks the IATI 2.03 schema or IATI's rules (no transaction, value
    or actual date after the data version's date; identifiers prefixed by the reporting
    organisation's; codes from the code lists), with the element and why."""
    from lxml import etree

    try:
        tree = etree.fromstring(data)
    except etree.XMLSyntaxError as exc:
        return [Problem("file", f"not well-formed XML: {exc}")]
    problems = []
    schema = _schema()
    if not schema.validate(tree):
        for error in schema.error_log:
            problems.append(Problem(error.path or f"line {error.line}", error.message))
    problems.extend(_rules(tree, settings, version))
    return problems


def _path(node) -> str:
    return node.getroottree().getpath(node)


def _rules(tree, settings: Settings, version: DataVersion) -> list[Problem]:
    problems: list[Problem] = []
    today = version.at.astimezone(dt.UTC).date()

    def check(ok: bool, node, reason: str) -> None:
        if not ok:
            problems.append(Problem(_path(node), reason))

    for activity in tree.iter("iati-activity"):
        ident = activity.findtext("iati-identifier") or ""
        org = activity.find("reporting-org")
        ref = "" if org is None else org.get("ref", "")
        check(
            bool(_ORG_REF.fullmatch(ref)),
            org if org is not None else activity,
            f"the reporting organisation's identifier {ref!r} is not an IATI organisation "
            "identifier (an agency prefix like GB-CHC- and a number): set "
            "[iati] reporting_org_ref",
        )
        check(
            ident.startswith(ref + "-") and len(ident) > len(ref) + 1,
            activity.find("iati-identifier"),
            f"the activity identifier {ident!r} must start with the reporting "
            f"organisation's identifier {ref}- and go on (set [iati] activity_suffix)",
        )
        check(
            activity.get(XML_LANG) in LANGUAGES,
            activity,
            f"language {activity.get(XML_LANG)!r} is not one of {sorted(LANGUAGES)}",
        )
        for node in activity.iter("reporting-org", "participating-org"):
            kind = node.get("type")
            check(
                kind is None or kind in ORGANISATION_TYPES,
                node,
                f"organisation type {kind!r} is not in IATI's OrganisationType code list",
            )
        for node in activity.iter("participating-org"):
            check(
                node.get("role") in ORGANISATION_ROLES,
                node,
                f"role {node.get('role')!r} is not in IATI's OrganisationRole code list",
            )
        for node in activity.iter("activity-status"):
            check(node.get("code") in ACTIVITY_STATUSES, node, "unknown activity status")
        for node in activity.iter("activity-date"):
            kind = node.get("type")
            check(kind in ACTIVITY_DATE_TYPES, node, f"unknown activity date type {kind!r}")
            day = dt.date.fromisoformat(node.get("iso-date"))
            check(
                kind not in ("2", "4") or day <= today,
                node,
                f"an actual date ({day}) cannot be after the data's date ({today})",
            )
        for node in activity.iter("sector"):
            check(
                node.get("vocabulary") == SECTOR_VOCABULARY and node.get("code") in SECTORS,
                node,
                f"sector {node.get('code')!r} is not a DAC 5-digit code of this "
                "file's code list (151xx, 152xx): set [iati] sector_code",
            )
        for node in activity.iter("transaction"):
            kind = node.find("transaction-type")
            code = None if kind is None else kind.get("code")
            check(code in TRANSACTION_TYPES, node, f"transaction type {code!r} is not 2, 3 or 4")
            date = node.find("transaction-date")
            if date is not None:
                day = dt.date.fromisoformat(date.get("iso-date"))
                check(
                    day <= today,
                    date,
                    f"a transaction date ({day}) cannot be after the data's date ({today})",
                )
        for node in activity.iter("value"):
            currency = node.get("currency") or activity.get("default-currency")
            check(currency in CURRENCIES, node, f"currency {currency!r} is not known")
            value_date = node.get("value-date")
            if value_date and node.getparent().tag == "transaction":
                day = dt.date.fromisoformat(value_date)
                check(
                    day <= today,
                    node,
                    f"a value date ({day}) cannot be after the data's date ({today})",
                )
        for node in activity.iter("indicator"):
            check(node.get("measure") in MEASURES.values(), node, "measure must be 1 or 2")
            check(node.get("ascending") in ("0", "1"), node, "ascending must be 0 or 1")
        refs = {node.get("ref") for node in activity.iter("location")}
        for node in activity.iter("actual"):
            for place in node.iter("location"):
                check(
                    place.get("ref") in refs,
                    place,
                    f"location {place.get('ref')!r} is not a location of the activity",
                )
    return problems
