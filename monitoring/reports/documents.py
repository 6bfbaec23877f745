"""What the report files share (docs/reports.md): who may have them, the scope they cover,
the data version they are made from, and fixed times so that they are reproducible.

The files themselves: `iptt` (the indicator performance tracking table, XLSX), `report` (the
PDF report) and `iati` (the IATI 2.03 activity file). Each is built only from what the
viewer's protected view returns, in the language of the run (monitoring/i18n.py).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from monitoring import i18n
from monitoring.access.view import ProtectedView
from monitoring.db import Database
from monitoring.db.versions import DataVersion, current_version
from monitoring.i18n import _
from monitoring.periods import period_of
from monitoring.reports import indicators, overview
from monitoring.settings import Settings

REPORTS = "reports"  # what a share link must allow (monitoring/access/sharing.py)
MISSING = "–"  # a value not reported: never 0
# The earliest time a zip file can record (1980); later ones are kept to the second.
_ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)


class NotAllowed(PermissionError):
    """The viewer may not have this file; the message says why."""


@dataclass(frozen=True)
class Scope:
    """What a file covers and for whom: as its cover and footer say."""

    programme: str
    donor: str
    partners: str
    as_of: dt.date
    reporting: str  # the reporting quarter, 2022Q2
    regions: tuple[str, ...]  # region names, in the view
    whole_programme: bool
    label: str | None  # a share link's label
    version: DataVersion
    sample_data: bool

    @property
    def regions_text(self) -> str:
        names = ", ".join(self.regions) or _("none")
        if self.whole_programme:
            return _("the whole programme ({regions})").format(regions=names)
        return names

    @property
    def audience_text(self) -> str:
        if self.label:
            return _("share link “{label}”").format(label=self.label)
        return _("programme team")


def version_label(version: DataVersion) -> str:
    """'batch 10, 0 undone' in the language of the run."""
    return _("batch {batch}, {undone} undone").format(batch=version.batch, undone=version.undone)


def version_time(version: DataVersion) -> str:
    """'30 Nov 2026 15:14 UTC' in the language of the run."""
    if i18n.current() == i18n.DEFAULT:
        return version.time_text
    at = version.at.astimezone(dt.UTC)
    return _("{date} {time} UTC").format(date=i18n.date(at.date(), "medium"), time=f"{at:%H:%M}")


def require_reports(view: ProtectedView) -> None:
    """Refuse a viewer who may not download reports (a share link that does not allow them)."""
    if not view.allows_download(REPORTS):
        raise NotAllowed(
            _(
                "Reports cannot be downloaded through this link: the programme team chose "
                "so when it was made."
            )
        )


def scope_of(
    db: Database,
    view: ProtectedView,
    settings: Settings,
    as_of: dt.date,
    label: str | None = None,
    version: DataVersion | None = None,
) -> Scope:
    """The scope of a file made for `view` as of `as_of`, from data `version` (default:
    the database's now)."""
    options = indicators.regions_in_view(db, view, settings)
    programme = options[options.in_programme] if view.regions is None else options
    programme_settings = settings.programme
    return Scope(
        # In the file's language where the settings give it (name_ru, partners_uz ...): the
        # Russian PDF had the programme's English name, and "and" between its partners.
        programme=programme_settings.shown("name"),
        donor=programme_settings.shown("donor"),
        partners=programme_settings.shown("partners"),
        as_of=as_of,
        reporting=period_of(as_of),
        regions=tuple(_region_name(db, str(n)) for n in programme.region_name),
        whole_programme=view.link_regions is None,
        label=label,
        version=version or current_version(db),
        sample_data=overview.data_freshness(db, view).has_sample_data,
    )


def _region_name(db: Database, english: str) -> str:
    """A region's name in the language of the run (monitoring/reports/names.py)."""
    if i18n.current() == i18n.DEFAULT:
        return english
    from monitoring.reports.names import names_in

    return names_in(db).by_text.get(english, english)


def fixed_zip(data: bytes, at: dt.datetime) -> bytes:
    """The zip file `data` (an XLSX workbook) with every entry dated `at`, in the same order
    and compression: the same contents give the same bytes."""
    when = max(at.astimezone(dt.UTC), _ZIP_EPOCH).timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()


def percent_met(actual, target, baseline, direction: str) -> float | None:
    """The share of the way from baseline to target covered, by the rule of every page
    (docs/indicators.md); None where it cannot be worked out."""
    import math

    def missing(x) -> bool:
        return x is None or (isinstance(x, float) and math.isnan(x))

    if missing(actual) or missing(target):
        return None
    actual, target = float(actual), float(target)
    if not missing(baseline) and float(baseline) != target:
        return (actual - float(baseline)) / (target - float(baseline))
    if direction == "increase":
        return actual / target if target else None
    if actual == 0:
        return 1.0
    return target / actual
