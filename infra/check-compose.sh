#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine: docker-compose 1.29 (Python, from PyPI)
# parses and checks the file as `docker compose config` does. Installed once under .infra/.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.infra/compose-venv
if [ ! -x "$venv/bin/docker-compose" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "cython<3" wheel
  # PyYAML 5.4 (required by docker-compose 1.29) does not build with Cython 3.
  "$venv/bin/pip" install -q --disable-pip-version-check --no-build-isolation "pyyaml==5.4.1"
  "$venv/bin/pip" install -q --disable-pip-version-check "docker-compose==1.29.2"
fi
"$venv/bin/docker-compose" -f docker-compose.yml config --quiet
echo "docker-compose.yml is valid ($("$venv/bin/docker-compose" version --short))"
