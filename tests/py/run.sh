#!/usr/bin/env bash
# The Python suite: boto3 and aws-cli against a real lakestack binary.
# Installs its clients into a venv (from PyPI) the first time, then reuses it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$("$here/venv.sh")"
target="${CARGO_TARGET_DIR:-$root/target}"
export LAKESTACK_BIN="${LAKESTACK_BIN:-$target/debug/lakestack}"
# First on PATH: aws-cli, and the python3 that Lambda's Python functions run
# with (it has boto3, as AWS's Python runtime does).
export PATH="$venv/bin:$PATH"
cd "$here"
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
