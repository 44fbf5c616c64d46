#!/usr/bin/env bash
# The Python suite: boto3 and aws-cli against a real lakestack binary.
# Installs its clients into a venv (from PyPI) the first time, then reuses it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${LAKESTACK_VENV:-$HOME/.cache/lakestack/venv}"
stamp="$venv/.requirements"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$stamp"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$stamp"
fi
target="${CARGO_TARGET_DIR:-$root/target}"
export LAKESTACK_BIN="${LAKESTACK_BIN:-$target/debug/lakestack}"
export PATH="$venv/bin:$PATH"
cd "$here"
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
