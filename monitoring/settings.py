"""Programme settings: name, dates, regions and thresholds, read from a TOML file."""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

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


@dataclass(frozen=True)
class StatusRule:
    on_track: float = 0.9
    at_risk: float = 0.6


@dataclass(frozen=True)
class Spending:
    underspend_below: float = 0.8
    overspend_above: float = 1.1
    stale_disbursement_days: int = 90


@dataclass(frozen=True)
class Privacy:
    small_count_threshold: int = 5
    # Organisations of these kinds are never named in a donor view (nor their grants' titles).
    unnamed_organisation_kinds: tuple[str, ...] = ("community_group",)


@dataclass(frozen=True)
class Settings:
    programme: Programme
    status: StatusRule
    spending: Spending
    privacy: Privacy
    path: Path


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


def _privacy(privacy: Privacy, path: Path) -> Privacy:
    kinds = privacy.unnamed_organisation_kinds
    if isinstance(kinds, str) or not all(isinstance(k, str) for k in kinds):
        raise SettingsError(
            f"{path}: [privacy] unnamed_organisation_kinds must be a list of organisation "
            'kinds, e.g. ["community_group"].'
        )
    return Privacy(privacy.small_count_threshold, tuple(kinds))


def load_settings(path: str | os.PathLike | None = None) -> Settings:
    """Read the settings from `path`, $MONITORING_SETTINGS or programme.toml."""
    path = Path(path or os.environ.get("MONITORING_SETTINGS") or DEFAULT_SETTINGS)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"Settings file {path} does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"Settings file {path} is not valid TOML: {exc}") from None
    unknown = set(raw) - {"programme", "status", "spending", "privacy"}
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
    )
