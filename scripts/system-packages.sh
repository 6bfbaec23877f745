#!/usr/bin/env bash
# The Debian/Ubuntu packages the tests need beyond Python, installed when missing.
#
# Run by `make system-packages`, which `make test`, `make e2e` and `make bench` (its browser
# and PostgreSQL steps) depend on:
#   chromium       the browser tests (tests/e2e) drive Debian's Chromium
#   haproxy        tests/e2e/test_replicas.py runs the shipped deploy/haproxy.cfg in front
#                  of two dashboard replicas
#   nginx          tests/e2e/test_deploy.py runs the shipped deploy/nginx.conf in front of
#                  the dashboard
#   openssl        the same test makes a self-signed certificate
#   poppler-utils  pdftotext and pdftoppm, to read the PDF reports back in tests
#   postgresql     the tests run every engine test on PostgreSQL too, on a throwaway server
#                  of their own (initdb, pg_ctl: monitoring/db/pgserver.py)
#
# Everything present: prints nothing and exits 0. Something missing: installs it with
# apt-get (after `apt-get update`, noninteractive) when run as root or with passwordless
# sudo; otherwise exits 1 saying exactly what to install and how, installing nothing.
#
# Only bash builtins, `id`, `env`, `sudo` and `apt-get` are used, all found on PATH, so that
# tests/unit/test_system_packages.py can run it with a PATH of its own. A command counts as
# present when it is on PATH or in SYSTEM_PACKAGES_SBIN (default /usr/sbin:/sbin, where
# nginx and haproxy live, not on a normal user's PATH); CHROMIUM_PATH, when it names a
# program, stands for chromium. PostgreSQL's initdb is not on PATH either: it also counts
# as present in $POSTGRES_BIN (as monitoring/db/pgserver.py) or in a folder matching
# POSTGRES_BIN_GLOB (default /usr/lib/postgresql/*/bin:/usr/local/pgsql/bin, the folders
# pgserver.py searches; several patterns separated by colons).
set -euo pipefail

# Each line: the command that shows the package is there, then the package.
NEEDED="chromium chromium
haproxy haproxy
nginx nginx
openssl openssl
pdftotext poppler-utils
initdb postgresql"

present() {
  local cmd=$1 dir
  if [[ $cmd == chromium && -n ${CHROMIUM_PATH:-} && -x ${CHROMIUM_PATH} ]]; then
    return 0
  fi
  command -v "$cmd" >/dev/null 2>&1 && return 0
  local IFS=:
  for dir in ${SYSTEM_PACKAGES_SBIN-/usr/sbin:/sbin}; do
    [[ -n $dir && -x $dir/$cmd ]] && return 0
  done
  if [[ $cmd == initdb ]]; then
    [[ -n ${POSTGRES_BIN:-} && -x ${POSTGRES_BIN}/initdb ]] && return 0
    # Unquoted: each pattern is expanded to the folders it matches (or stays as it is).
    # shellcheck disable=SC2086
    for dir in ${POSTGRES_BIN_GLOB-/usr/lib/postgresql/*/bin:/usr/local/pgsql/bin}; do
      [[ -n $dir && -x $dir/initdb ]] && return 0
    done
  fi
  return 1
}

missing_packages() {
  local cmd pkg out=""
  while read -r cmd pkg; do
    present "$cmd" || out+="${out:+ }$pkg"
  done <<<"$NEEDED"
  printf '%s' "$out"
}

missing=$(missing_packages)
[[ -z $missing ]] && exit 0

refuse() {
  {
    echo "make test needs these system packages, which are missing: $missing"
    echo "$1"
    echo "Install them (as root: the same without sudo), then run make test again:"
    echo "    sudo apt-get update && sudo apt-get install -y $missing"
    echo "On a system other than Debian or Ubuntu, use its package manager for the same"
    echo "programs, and point CHROMIUM_PATH at Chromium if it is not on PATH as chromium."
  } >&2
  exit 1
}

if ! command -v apt-get >/dev/null 2>&1; then
  refuse "They are installed with apt-get, which this system does not have."
fi

if [[ $(id -u) == 0 ]]; then
  as_root=(env)
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
  as_root=(sudo -n env)
else
  refuse "Installing them needs root or passwordless sudo, and this user ($(id -un 2>/dev/null || id -u)) has neither."
fi

echo "Installing the system packages the tests need: $missing"
"${as_root[@]}" DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086  # one word per package
"${as_root[@]}" DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null

still=$(missing_packages)
if [[ -n $still ]]; then
  echo "apt-get finished but these are still missing: $still" >&2
  exit 1
fi
echo "Installed: $missing"
