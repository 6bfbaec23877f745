"""Programme settings: name, dates, regions and thresholds, read from a TOML file."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
import tomllib
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path

from monitoring import i18n

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETTINGS = ROOT / "programme.toml"


class SettingsError(ValueError):
    """The settings file is missing a value or holds one that cannot be used."""


@dataclass(frozen=True)
class Programme:
    name: str
    short_name: str
    donor: str
    partners: str
    start: dt.date
    end: dt.date
    regions: tuple[str, ...]
    reporting_currency: str = "USD"
    # The same in Russian and Uzbek (optional; empty: the English one), docs/settings.md.
    name_ru: str = ""
    name_uz: str = ""
    short_name_ru: str = ""
    short_name_uz: str = ""
    donor_ru: str = ""
    donor_uz: str = ""
    partners_ru: str = ""
    partners_uz: str = ""

    def shown(self, what: str, lang: str | None = None) -> str:
        """`name`, `short_name`, `donor` or `partners` in `lang` (default: the current
        language), else in English."""
        english = getattr(self, what)
        translated = getattr(self, f"{what}_{lang or i18n.current()}", "")
        return translated.strip() if isinstance(translated, str) and translated.strip() else english


@dataclass(frozen=True)
class StatusRule:
    on_track: float = 0.9
    at_risk: float = 0.6


@dataclass(frozen=True)
class Spending:
    underspend_below: float = 0.8
    overspend_above: float = 1.1
    stale_disbursement_days: int = 90


PROTECTIONS = ("suppress", "round")  # how shown counts of people are protected


@dataclass(frozen=True)
class Privacy:
    small_count_threshold: int = 5
    # Organisations of these kinds are never named in a donor view (nor their grants' titles).
    unnamed_organisation_kinds: tuple[str, ...] = ("community_group",)
    # "suppress": shown counts are exact, some hidden so that no withheld one can be worked
    # out; "round": shown counts are rounded to `rounding_base` (docs/access.md).
    protection: str = "suppress"
    rounding_base: int = 5


@dataclass(frozen=True)
class Access:
    """Sign-in sessions and the client address (docs/access.md)."""

    idle_minutes: int = 60  # a session unused this long ends
    max_hours: int = 12  # a session ends this long after its sign-in, however used
    # Proxies whose X-Forwarded-For names the client (addresses or networks, e.g. 10.0.0.0/8)
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class Iati:
    """The programme as an IATI activity (docs/reports.md): who reports it and how it is coded.
    The codes are checked against the code lists of monitoring/reports/iati.py."""

    reporting_org_ref: str = ""  # the reporting organisation's IATI identifier, e.g. GB-CHC-1
    reporting_org_name: str = ""
    reporting_org_type: str = "21"  # IATI OrganisationType: 21 international NGO
    activity_suffix: str = ""  # the activity identifier is reporting_org_ref-activity_suffix
    funding_org_name: str = ""
    funding_org_ref: str = ""  # optional
    funding_org_type: str = "10"  # 10 government
    implementing_orgs: tuple[str, ...] = ()
    sector_code: str = "15220"  # OECD DAC 5-digit: civilian peace-building
    description: str = ""
    language: str = "en"


# Validation rules (docs/quality.md): each kind is one check, written as data in the settings
# ([[quality.rules]]); monitoring/quality/rules.py runs them.
RULE_KINDS = (
    "sex_adds_up",  # female + male = all, where all three are reported
    "age_groups_add_up",  # the age groups add up to all, where all are reported
    "not_above",  # indicator `numerator` not above indicator `denominator` (same quarter, region)
    "achieved_milestone_has_date",  # a milestone with status achieved has its achieved_on
    "disbursed_within_award",  # a grant's disbursements not above its award
)


@dataclass(frozen=True)
class Rule:
    """One validation rule: its kind, and for `not_above` the two indicators compared."""

    kind: str
    numerator: str = ""
    denominator: str = ""
    indicators: tuple[str, ...] = ()  # the indicators it applies to; empty: all
    tolerance: float = 0.0  # how far the two sides may differ (rounding in reports)


DEFAULT_RULES = (
    Rule("sex_adds_up"),
    Rule("age_groups_add_up"),
    Rule("achieved_milestone_has_date"),
    Rule("disbursed_within_award"),
)


@dataclass(frozen=True)
class Quality:
    """The Data quality page's settings (docs/quality.md)."""

    timeliness_days: int = 30  # a quarter's values are on time within this many days of its end
    outlier_threshold: float = 3.5  # modified z-score beyond which a value is an outlier
    rules: tuple[Rule, ...] = DEFAULT_RULES
    # after an upload through the dashboard, compute the checks of the new data at once, in
    # the background, for every viewer (monitoring/quality/prepared.py)
    prepare_after_upload: bool = True


@dataclass(frozen=True)
class Settings:
    programme: Programme
    status: StatusRule
    spending: Spending
    privacy: Privacy
    path: Path
    access: Access = Access()
    iati: Iati = Iati()
    quality: Quality = Quality()

    @cached_property
    def fingerprint(self) -> str:
        """A digest of every setting: equal settings give equal ones, different settings
        different ones. A cache key cheaper than the settings themselves: Streamlit hashes a
        dataclass by copying it whole (dataclasses.asdict), 1.7 ms for these, for every cached
        call of every page run (ui/common.py)."""
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()


def _section(cls, raw: dict, name: str, path: Path):
    data = raw.get(name, {})
    known = {f.name for f in fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise SettingsError(
            f"{path}: unknown setting(s) in [{name}]: {', '.join(sorted(unknown))}. "
            f"Known: {', '.join(sorted(known))}."
        )
    try:
        return cls(**data)
    except TypeError as exc:
        raise SettingsError(f"{path}: [{name}] is incomplete: {exc}") from None


def _whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _privacy(privacy: Privacy, path: Path) -> Privacy:
    kinds = privacy.unnamed_organisation_kinds
    if isinstance(kinds, str) or not all(isinstance(k, str) for k in kinds):
        raise SettingsError(
            f"{path}: [privacy] unnamed_organisation_kinds must be a list of organisation "
            'kinds, e.g. ["community_group"].'
        )
    threshold = privacy.small_count_threshold
    if not _whole_number(threshold) or threshold < 1:
        raise SettingsError(
            f"{path}: [privacy] small_count_threshold must be a whole number of at least 1 "
            f'(counts below it are shown as "<N"), not {threshold!r}.'
        )
    if privacy.protection not in PROTECTIONS:
        raise SettingsError(
            f'{path}: [privacy] protection must be "suppress" (exact counts, some hidden) '
            f'or "round" (counts rounded to rounding_base), not {privacy.protection!r}.'
        )
    base = privacy.rounding_base
    if not _whole_number(base) or not 2 <= base <= 100:
        raise SettingsError(
            f"{path}: [privacy] rounding_base must be a whole number from 2 to 100 (shown "
            f"counts are rounded to a multiple of it, e.g. 5), not {base!r}."
        )
    return Privacy(threshold, tuple(kinds), privacy.protection, base)


def _access(access: Access, path: Path) -> Access:
    for name, low, high in (("idle_minutes", 1, 24 * 60), ("max_hours", 1, 24 * 30)):
        value = getattr(access, name)
        if not _whole_number(value) or not low <= value <= high:
            raise SettingsError(
                f"{path}: [access] {name} must be a whole number from {low} to {high}, "
                f"not {value!r}."
            )
    proxies = access.trusted_proxies
    if isinstance(proxies, str) or not all(isinstance(p, str) for p in proxies):
        raise SettingsError(
            f'{path}: [access] trusted_proxies must be a list of addresses, e.g. ["127.0.0.1"].'
        )
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy.strip(), strict=False)
        except ValueError:
            raise SettingsError(
                f"{path}: [access] trusted_proxies: {proxy!r} is not an address or a network "
                "like 10.0.0.0/8."
            ) from None
    return Access(access.idle_minutes, access.max_hours, tuple(p.strip() for p in proxies))


def load_settings(path: str | os.PathLike | None = None) -> Settings:
    """Read the settings from `path`, $MONITORING_SETTINGS or programme.toml."""
    path = Path(path or os.environ.get("MONITORING_SETTINGS") or DEFAULT_SETTINGS)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"Settings file {path} does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"Settings file {path} is not valid TOML: {exc}") from None
    unknown = set(raw) - {"programme", "status", "spending", "privacy", "access", "iati", "quality"}
    if unknown:
        raise SettingsError(f"{path}: unknown section(s): {', '.join(sorted(unknown))}.")
    programme = _section(Programme, raw, "programme", path)
    programme = Programme(**{**programme.__dict__, "regions": tuple(programme.regions)})
    if not isinstance(programme.start, dt.date) or not isinstance(programme.end, dt.date):
        raise SettingsError(f"{path}: programme start and end must be dates like 2021-01-01.")
    if programme.end <= programme.start:
        raise SettingsError(f"{path}: the programme must end after it starts.")
    status = _section(StatusRule, raw, "status", path)
    if not 0 < status.at_risk < status.on_track:
        raise SettingsError(f"{path}: status thresholds need 0 < at_risk < on_track.")
    return Settings(
        programme=programme,
        status=status,
        spending=_section(Spending, raw, "spending", path),
        privacy=_privacy(_section(Privacy, raw, "privacy", path), path),
        path=path,
        access=_access(_section(Access, raw, "access", path), path),
        iati=_iati(_section(Iati, raw, "iati", path), path),
        quality=_quality(raw.get("quality", {}), path),
    )


def _quality(data: dict, path: Path) -> Quality:
    known = {f.name for f in fields(Quality)}
    unknown = set(data) - known
    if unknown:
        raise SettingsError(
            f"{path}: unknown setting(s) in [quality]: {', '.join(sorted(unknown))}. "
            f"Known: {', '.join(sorted(known))}."
        )
    days = data.get("timeliness_days", Quality.timeliness_days)
    if not _whole_number(days) or not 0 <= days <= 366:
        raise SettingsError(
            f"{path}: [quality] timeliness_days must be a whole number of days from 0 to 366 "
            f"(values uploaded within that many days after a quarter ends are on time), "
            f"not {days!r}."
        )
    threshold = data.get("outlier_threshold", Quality.outlier_threshold)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or threshold <= 0:
        raise SettingsError(
            f"{path}: [quality] outlier_threshold must be a positive number, e.g. 3.5, "
            f"not {threshold!r}."
        )
    prepare = data.get("prepare_after_upload", Quality.prepare_after_upload)
    if not isinstance(prepare, bool):
        raise SettingsError(
            f"{path}: [quality] prepare_after_upload must be true or false, not {prepare!r}."
        )
    if "rules" not in data:
        return Quality(days, float(threshold), prepare_after_upload=prepare)
    rules = []
    for number, entry in enumerate(data["rules"] or [], start=1):
        where = f"{path}: [[quality.rules]] number {number}"
        if not isinstance(entry, dict):
            raise SettingsError(f"{where} must be a table of settings (kind = ...).")
        extra = set(entry) - {f.name for f in fields(Rule)}
        if extra:
            raise SettingsError(f"{where}: unknown setting(s) {', '.join(sorted(extra))}.")
        kind = entry.get("kind")
        if kind not in RULE_KINDS:
            raise SettingsError(
                f"{where}: kind must be one of {', '.join(RULE_KINDS)}, not {kind!r}."
            )
        numerator, denominator = entry.get("numerator", ""), entry.get("denominator", "")
        if kind == "not_above" and not (
            isinstance(numerator, str)
            and numerator
            and isinstance(denominator, str)
            and denominator
        ):
            raise SettingsError(
                f'{where}: a not_above rule names two indicators, e.g. numerator = "OC3.2" '
                'and denominator = "OC3.1".'
            )
        indicators = entry.get("indicators", [])
        if isinstance(indicators, str) or not all(isinstance(i, str) for i in indicators):
            raise SettingsError(f'{where}: indicators must be a list of codes, e.g. ["G1"].')
        tolerance = entry.get("tolerance", 0.0)
        if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0:
            raise SettingsError(f"{where}: tolerance must be a number of at least 0.")
        rules.append(Rule(kind, numerator, denominator, tuple(indicators), float(tolerance)))
    return Quality(days, float(threshold), tuple(rules), prepare)


def _iati(iati: Iati, path: Path) -> Iati:
    orgs = iati.implementing_orgs
    if isinstance(orgs, str) or not all(isinstance(o, str) for o in orgs):
        raise SettingsError(
            f'{path}: [iati] implementing_orgs must be a list of names, e.g. ["Saferworld"].'
        )
    texts = {f.name: getattr(iati, f.name) for f in fields(Iati) if f.name != "implementing_orgs"}
    wrong = [name for name, value in texts.items() if not isinstance(value, str)]
    if wrong:
        raise SettingsError(
            f"{path}: [iati] {', '.join(wrong)} must be text in quotes, e.g. "
            'reporting_org_type = "21".'
        )
    return Iati(**{**texts, "implementing_orgs": tuple(orgs)})
