#!/usr/bin/env bash
# Build and install the Python package into a venv, then run the project's Python tests and
# pyuv 1.4.0's own test files against it (`import ruv as pyuv`).
#
#   python/run_tests.sh <venv-dir>
#
# * creates the venv if missing (python3 -m venv) and installs pytest;
# * `pip install ./python`: maturin builds the extension with cargo (its progress is shown);
# * `pytest python/tests` (the project's tests);
# * fetches pyuv 1.4.0's sdist from PyPI (pip download) into $RUV_BUILD_DIR/pyuv-tests (or
#   beside the venv), never into the source tree; renames `async` (a keyword since Python 3.7)
#   in test_async.py and test_signal.py; runs the listed test files with `pyuv` = `ruv`.
#   No network (the download fails): this script fails, loudly.
# Exits non-zero on any failure. Works from any current directory.
set -euo pipefail

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
FETCH_DIR=${RUV_BUILD_DIR:-$(dirname "$VENV")}/pyuv-tests
PYUV_FILES="test_tcp.py test_timer.py test_idle.py test_prepare.py test_check.py test_poll.py
  test_multihandles.py test_loop.py test_loop_handles.py test_gc.py test_excepthook.py
  test_async.py test_signal.py test_pipe.py test_udp.py test_dns.py test_threadpool.py"

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
cd "$ROOT"
pip() { "$VENV/bin/python" -m pip --disable-pip-version-check "$@"; }
pip install -q pytest

echo "== building and installing ./python (cargo via maturin)"
LOG="$VENV/pip-install.log"
# Always rebuild and reinstall, so a stale install cannot hide a failure. pip shows the build
# backend's output only with -v: keep cargo's progress lines, the whole log on failure.
if ! CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2} pip install -v --force-reinstall --no-deps ./python \
        2>&1 | tee "$LOG" | grep --line-buffered -E '^ *(Compiling|Finished|Building|Built wheel)|📦|error'; then
    :
fi
if ! "$VENV/bin/python" -c 'import ruv._ruv' 2>/dev/null || ! grep -q "Successfully installed ruv" "$LOG"; then
    echo "FAILED: pip install ./python (log: $LOG)" >&2
    tail -50 "$LOG" >&2
    exit 1
fi

echo "== project tests (python/tests)"
status=0
"$VENV/bin/python" -m pytest -q python/tests || status=1

echo "== pyuv 1.4.0's own tests, with pyuv = ruv"
mkdir -p "$FETCH_DIR"
if [ ! -f "$FETCH_DIR/pyuv-1.4.0/tests/test_tcp.py" ]; then
    if ! pip download -q --no-deps --no-binary :all: -d "$FETCH_DIR" pyuv==1.4.0; then
        echo "FAILED: could not fetch pyuv 1.4.0's sdist from PyPI (network?); its tests did not run" >&2
        exit 1
    fi
    tar xzf "$FETCH_DIR/pyuv-1.4.0.tar.gz" -C "$FETCH_DIR"
fi
RUN="$FETCH_DIR/run"
rm -rf "$RUN" && mkdir -p "$RUN"
cp "$FETCH_DIR/pyuv-1.4.0/tests/common.py" "$RUN/"
for f in $PYUV_FILES; do cp "$FETCH_DIR/pyuv-1.4.0/tests/$f" "$RUN/"; done
sed -i 's/\basync\b/async_/g' "$RUN/test_async.py" "$RUN/test_signal.py"
cat > "$RUN/conftest.py" <<'PY'
# The fetched pyuv tests `import pyuv`: make that ruv.
import sys
import ruv
sys.modules["pyuv"] = ruv
PY
# Deselected, each for its reason (python/README.md, "Not run"); anything else must pass.
# These send datagrams off the machine (multicast through every interface, a broadcast), and
# ruv's tests use loopback addresses only.
OFF_MACHINE=(test_udp.py::UDPTestMulticast::test_udp_multicast
  test_udp.py::UDPTestMulticast::test_udp_multicast_loop
  test_udp.py::UDPBroadcastTest::test_broadcast_pingpong)
DESELECT=()
for t in "${OFF_MACHINE[@]}"; do
    DESELECT+=(--deselect "$t")
    echo "NOTE: deselected $t (sends off the machine: loopback only)" >&2
done
# This one looks up 'lala.lala.lala', a name only a DNS server off this machine can answer.
LOOKUP_OFF_MACHINE=(test_dns.py::DnsTest::test_getaddrinfo_sync_fail)
for t in "${LOOKUP_OFF_MACHINE[@]}"; do
    DESELECT+=(--deselect "$t")
    echo "NOTE: deselected $t (looks up a name off the machine: local lookups only)" >&2
done
read -r -a FILES <<<"$(echo $PYUV_FILES)"
(cd "$RUN" && "$VENV/bin/python" -m pytest -q -p no:cacheprovider "${DESELECT[@]}" "${FILES[@]}") || status=1
exit $status
