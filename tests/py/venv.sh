#!/usr/bin/env bash
# Creates (the first time, or when requirements.txt changed) the venv of the
# clients the tests drive lakestack with, and prints its path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${LAKESTACK_VENV:-$HOME/.cache/lakestack/venv}"
stamp="$venv/.requirements"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$stamp"; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
  cp "$here/requirements.txt" "$stamp"
fi
echo "$venv"
