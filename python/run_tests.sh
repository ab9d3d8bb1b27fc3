#!/bin/sh
# Install the Python package into a venv and run its tests.
#
#   python/run_tests.sh <venv-dir>
#
# Creates the venv if missing (python3 -m venv), runs `pip install ./python`
# and `pip install pytest` (the former builds libruv.so with cargo and bundles it), then
# `python -m pytest -q python/tests` from the repository root.  Exits non-zero
# on any failure.  Works from any current directory.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 <venv-dir>" >&2
    exit 2
fi

ROOT=$(cd "$(dirname "$0")/.." && pwd)
case "$1" in
    /*) VENV=$1 ;;
    *) VENV=$(pwd)/$1 ;;
esac
PYTHON=${PYTHON:-python3}

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi

cd "$ROOT"
pip() { "$VENV/bin/python" -m pip --disable-pip-version-check "$@"; }
pip install -q pytest
# Always rebuild and reinstall ruv, so a stale install cannot hide a failure.
pip install -q --force-reinstall --no-deps ./python
exec "$VENV/bin/python" -m pytest -q python/tests
