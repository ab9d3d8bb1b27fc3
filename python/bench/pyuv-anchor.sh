#!/usr/bin/env bash
# python/bench/pyuv-anchor.sh [VENV]: builds pyuv 1.4.0, the anchor ruv's Python package is
# measured against (python/bench/run.py --pyuv-python), into the venv VENV (default
# ${TMPDIR:-/tmp}/pyuv-anchor) and prints the path of that venv's python on stdout.
#
# * nothing to do when VENV's python already imports pyuv 1.4.0;
# * else: creates VENV (python3 -m venv, or $PYTHON), downloads pyuv 1.4.0's source from PyPI
#   with the venv's pip (network needed), and builds it with the venv's pip (a C compiler and
#   the Python headers needed; pyuv compiles the libuv it bundles);
# * pyuv 1.4.0 predates CPython 3.11, which removed two C API forms it uses: a store to
#   Py_REFCNT(obj) (now Py_SET_REFCNT) and PyUnicode_EncodeUTF8 of PyUnicode_AS_UNICODE (now
#   PyUnicode_AsEncodedString). Both lines are rewritten before the build; the script fails if
#   either is not found, so a different source cannot build unpatched by accident.
# Progress goes to stderr; exits non-zero on any failure.
set -euo pipefail

venv=${1:-${TMPDIR:-/tmp}/pyuv-anchor}
python=${PYTHON:-python3}
version=1.4.0

has_anchor() {
  [[ -x "$venv/bin/python" ]] &&
    "$venv/bin/python" -c "import pyuv, sys; sys.exit(pyuv.__version__ != '$version')" 2>/dev/null
}

if ! has_anchor; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  [[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
  pip() { "$venv/bin/python" -m pip --disable-pip-version-check -q "$@"; }
  echo "pyuv-anchor: downloading pyuv $version from PyPI" >&2
  pip download --no-deps --no-binary :all: -d "$work" "pyuv==$version" >&2
  tar -xzf "$work/pyuv-$version.tar.gz" -C "$work"
  src=$work/pyuv-$version

  # rewrite FILE OLD NEW: replaces the exact line text OLD (a fixed string) by NEW, or fails.
  rewrite() {
    local file=$src/$1 old=$2 new=$3
    grep -qF -- "$old" "$file" || { echo "pyuv-anchor: '$old' not in $1" >&2; exit 1; }
    "$python" -c 'import sys; f, old, new = sys.argv[1:]; t = open(f).read()
open(f, "w").write(t.replace(old, new))' "$file" "$old" "$new"
  }
  rewrite src/handle.c 'Py_REFCNT(self) = refcnt;' 'Py_SET_REFCNT(self, refcnt);'
  rewrite src/common.c \
    'PyUnicode_EncodeUTF8(PyUnicode_AS_UNICODE(unicode), PyUnicode_GET_SIZE(unicode), "surrogateescape")' \
    'PyUnicode_AsEncodedString(unicode, "utf-8", "surrogateescape")'

  echo "pyuv-anchor: building pyuv $version into $venv (compiles its bundled libuv)" >&2
  pip install "$src" >&2
  has_anchor || { echo "pyuv-anchor: $venv/bin/python does not import pyuv $version" >&2; exit 1; }
fi
echo "$venv/bin/python"
