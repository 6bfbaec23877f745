"""scripts/system-packages.sh decides what to install, and how, from what it finds.

It runs here with a PATH of its own: stub programs stand for chromium, nginx, haproxy,
initdb, `id`, `sudo` and `apt-get`, so every branch is tried without root and without
installing anything. The folders where the real nginx, haproxy and initdb live (/usr/sbin,
/usr/lib/postgresql/*/bin) are replaced by folders of the test's own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "system-packages.sh"
BASH = shutil.which("bash") or "/bin/bash"
COMMANDS = {"chromium": "chromium", "nginx": "nginx", "openssl": "openssl"}
COMMANDS |= {"pdftotext": "poppler-utils", "haproxy": "haproxy", "initdb": "postgresql"}
# The packages that are not the subject of a test, present.
NEW = ["haproxy", "initdb"]

# `id` answers as the user FAKE_UID says (1000 unless set); sudo sets it to 0.
FAKE_ID = """#!/bin/bash
if [[ $1 == -un ]]; then [[ ${FAKE_UID:-1000} == 0 ]] && echo root || echo tester
else echo "${FAKE_UID:-1000}"; fi
"""
FAKE_SUDO = """#!/bin/bash
[[ $1 == -n ]] && shift
if [[ -n ${SUDO_NEEDS_PASSWORD:-} ]]; then echo "sudo: a password is required" >&2; exit 1; fi
FAKE_UID=0 exec "$@"
"""
# apt-get logs who called it and how, and "installs" a package by adding its stub command.
FAKE_APT_GET = """#!/bin/bash
echo "uid=$(id -u) DEBIAN_FRONTEND=${DEBIAN_FRONTEND:-} $*" >> "$APT_LOG"
if [[ $1 == install ]]; then
  for pkg in "$@"; do
    case $pkg in
      chromium|haproxy|nginx|openssl) cmd=$pkg ;;
      poppler-utils) cmd=pdftotext ;;
      postgresql) cmd=initdb ;;
      *) continue ;;
    esac
    printf '#!/bin/bash\\n' > "$FAKE_BIN/$cmd"; "$CHMOD" +x "$FAKE_BIN/$cmd"
  done
fi
"""


def stub(folder: Path, name: str, text: str = "#!/bin/bash\n") -> Path:
    path = folder / name
    path.write_text(text)
    path.chmod(0o755)
    return path


@pytest.fixture
def machine(tmp_path):
    """A fake machine: a bin folder that is the whole PATH, with env and id in it."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for tool in ("env", "true"):  # the script's `sudo -n true`, through the fake sudo
        os.symlink(shutil.which(tool), bin_ / tool)
    stub(bin_, "id", FAKE_ID)
    return bin_


def run(bin_: Path, *, have=(), apt=True, sudo=None, uid=1000, sbin="", pg_glob="", **extra):
    """Run the script on the fake machine; `have` are the commands already there."""
    for cmd in have:
        stub(bin_, cmd)
    if apt:
        stub(bin_, "apt-get", FAKE_APT_GET)
    if sudo is not None:
        stub(bin_, "sudo", FAKE_SUDO)
    log = bin_.parent / "apt.log"
    env = {
        "PATH": str(bin_),
        "FAKE_BIN": str(bin_),
        "FAKE_UID": str(uid),
        "APT_LOG": str(log),
        "CHMOD": shutil.which("chmod"),
        "SYSTEM_PACKAGES_SBIN": sbin,
        "POSTGRES_BIN_GLOB": pg_glob,
        **({"SUDO_NEEDS_PASSWORD": "1"} if sudo == "password" else {}),
        **extra,
    }
    result = subprocess.run(
        [BASH, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return result, calls


def test_nothing_missing_does_nothing_and_says_nothing(machine):
    result, calls = run(machine, have=COMMANDS, uid=0)
    assert (result.returncode, result.stdout, result.stderr, calls) == (0, "", "", [])


def test_missing_without_root_or_sudo_says_exactly_what_to_install(machine):
    result, calls = run(machine, have=["openssl", "pdftotext", *NEW])
    assert result.returncode == 1
    assert calls == [], "nothing is installed"
    message = result.stderr
    assert "missing: chromium nginx" in message
    assert "root or passwordless sudo" in message and "(tester)" in message
    assert "sudo apt-get update && sudo apt-get install -y chromium nginx" in message
    assert result.stdout == ""


def test_sudo_that_asks_for_a_password_counts_as_no_sudo(machine):
    result, calls = run(machine, have=["chromium", "nginx", "openssl", *NEW], sudo="password")
    assert result.returncode == 1
    assert calls == []
    assert "sudo apt-get install -y poppler-utils" in result.stderr


def test_as_root_it_updates_then_installs_what_is_missing_noninteractively(machine):
    result, calls = run(machine, have=["openssl", *NEW], uid=0)
    assert result.returncode == 0, result.stderr
    assert calls == [
        "uid=0 DEBIAN_FRONTEND=noninteractive update -qq",
        "uid=0 DEBIAN_FRONTEND=noninteractive install -y -qq chromium nginx poppler-utils",
    ]
    assert "Installed: chromium nginx poppler-utils" in result.stdout


def test_with_passwordless_sudo_it_installs_through_sudo(machine):
    result, calls = run(machine, have=["chromium", "openssl", "pdftotext", *NEW], sudo="nopassword")
    assert result.returncode == 0, result.stderr
    assert calls == [
        "uid=0 DEBIAN_FRONTEND=noninteractive update -qq",
        "uid=0 DEBIAN_FRONTEND=noninteractive install -y -qq nginx",
    ]


def test_an_install_that_leaves_something_missing_fails(machine):
    stub(machine, "apt-get", '#!/bin/bash\necho "uid=$(id -u) $*" >> "$APT_LOG"\n')
    result, calls = run(machine, have=["chromium", "openssl", "pdftotext", *NEW], apt=False, uid=0)
    assert result.returncode == 1
    assert len(calls) == 2
    assert "still missing: nginx" in result.stderr


def test_without_apt_get_it_says_to_use_the_systems_package_manager(machine):
    result, calls = run(machine, have=["openssl", "pdftotext", "nginx", *NEW], apt=False, uid=0)
    assert result.returncode == 1
    assert "missing: chromium" in result.stderr
    assert "does not have" in result.stderr and "package manager" in result.stderr


def test_chromium_path_and_sbin_count_as_present(machine, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    chromium = stub(elsewhere, "chromium-browser")
    stub(elsewhere, "nginx")  # as /usr/sbin/nginx, not on a normal user's PATH
    result, calls = run(
        machine,
        have=["openssl", "pdftotext", *NEW],
        sbin=f"/nonexistent:{elsewhere}",
        CHROMIUM_PATH=str(chromium),
    )
    assert (result.returncode, result.stderr, calls) == (0, "", [])


def test_haproxy_and_postgresql_missing_are_installed_with_the_rest(machine):
    result, calls = run(machine, have=["chromium", "nginx", "openssl", "pdftotext"], uid=0)
    assert result.returncode == 0, result.stderr
    assert calls == [
        "uid=0 DEBIAN_FRONTEND=noninteractive update -qq",
        "uid=0 DEBIAN_FRONTEND=noninteractive install -y -qq haproxy postgresql",
    ]
    assert "Installed: haproxy postgresql" in result.stdout


def test_haproxy_and_postgresql_missing_without_root_are_named(machine):
    result, calls = run(machine, have=["chromium", "nginx", "openssl", "pdftotext"])
    assert (result.returncode, calls) == (1, [])
    assert "missing: haproxy postgresql" in result.stderr
    assert "sudo apt-get install -y haproxy postgresql" in result.stderr


def test_haproxy_in_sbin_and_initdb_in_a_postgresql_version_folder_count_as_present(
    machine, tmp_path
):
    sbin = tmp_path / "sbin"
    sbin.mkdir()
    stub(sbin, "haproxy")  # as /usr/sbin/haproxy
    # As Debian's /usr/lib/postgresql/15/bin/initdb, found by the pattern's wildcard.
    versions = tmp_path / "lib" / "postgresql"
    (versions / "15" / "bin").mkdir(parents=True)
    stub(versions / "15" / "bin", "initdb")
    result, calls = run(
        machine,
        have=["chromium", "nginx", "openssl", "pdftotext"],
        sbin=str(sbin),
        pg_glob=f"/nonexistent/*/bin:{versions}/*/bin",
    )
    assert (result.returncode, result.stderr, calls) == (0, "", [])


def test_postgresql_is_missing_when_no_folder_of_the_pattern_holds_initdb(machine, tmp_path):
    versions = tmp_path / "lib" / "postgresql"
    (versions / "15" / "bin").mkdir(parents=True)
    stub(versions / "15" / "bin", "pg_ctl")  # a folder, but no initdb in it
    stub(versions / "15", "initdb")  # initdb, but not in a folder the pattern matches
    result, calls = run(
        machine,
        have=["chromium", "nginx", "openssl", "pdftotext", "haproxy"],
        pg_glob=f"{versions}/*/bin",
    )
    assert (result.returncode, calls) == (1, [])
    assert "missing: postgresql" in result.stderr


def test_postgres_bin_counts_as_present_like_pgserver(machine, tmp_path):
    folder = tmp_path / "pgsql-bin"
    folder.mkdir()
    stub(folder, "initdb")
    result, calls = run(
        machine,
        have=["chromium", "nginx", "openssl", "pdftotext", "haproxy"],
        POSTGRES_BIN=str(folder),
    )
    assert (result.returncode, result.stderr, calls) == (0, "", [])


def test_the_default_places_are_those_pgserver_searches():
    from monitoring.db.pgserver import SEARCHED

    text = SCRIPT.read_text(encoding="utf-8")
    assert "${POSTGRES_BIN_GLOB-" + ":".join(SEARCHED) + "}" in text
    assert "${SYSTEM_PACKAGES_SBIN-/usr/sbin:/sbin}" in text
