import pytest

from monitoring.settings import DEFAULT_SETTINGS, SettingsError, load_settings


def test_the_committed_settings_load():
    config = load_settings(DEFAULT_SETTINGS)
    assert config.programme.regions == ("UZ-JI", "UZ-TO", "UZ-NG")
    assert config.programme.start.isoformat() == "2021-01-01"


def test_an_unknown_setting_is_named(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(DEFAULT_SETTINGS.read_text().replace("[status]", "[status]\non_trak = 1"))
    with pytest.raises(SettingsError, match="on_trak"):
        load_settings(path)


def test_thresholds_must_be_ordered(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(DEFAULT_SETTINGS.read_text().replace("at_risk = 0.6", "at_risk = 0.95"))
    with pytest.raises(SettingsError, match="at_risk < on_track"):
        load_settings(path)


def test_settings_path_from_environment(tmp_path, monkeypatch):
    path = tmp_path / "other.toml"
    path.write_text(DEFAULT_SETTINGS.read_text().replace('short_name = "', 'short_name = "Next: '))
    monkeypatch.setenv("MONITORING_SETTINGS", str(path))
    assert load_settings().programme.short_name.startswith("Next: ")


def test_the_fingerprint_tells_settings_apart():
    """The pages' cache key for settings (ui/common.py): equal settings, equal fingerprints;
    any setting changed, another one."""
    import dataclasses

    settings = load_settings(DEFAULT_SETTINGS)
    again = load_settings(DEFAULT_SETTINGS)
    assert settings is not again and settings.fingerprint == again.fingerprint
    stricter = dataclasses.replace(
        settings, quality=dataclasses.replace(settings.quality, outlier_threshold=9.0)
    )
    renamed = dataclasses.replace(
        settings, programme=dataclasses.replace(settings.programme, name_ru="Другое")
    )
    assert len({settings.fingerprint, stricter.fingerprint, renamed.fingerprint}) == 3
