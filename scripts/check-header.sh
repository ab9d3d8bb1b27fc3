#!/usr/bin/env bash
# ctest packaging_header: include/ruv.h is self-contained and warning-free.
#   - a file that includes only ruv.h (twice: the include guard) compiles as C99, C11 and C17
#     with -Wall -Wextra -Wpedantic -Werror -Wstrict-prototypes, and as C++11 and C++17 with
#     -Wall -Wextra -Wpedantic -Werror;
#   - RUV_VERSION_MAJOR/MINOR/PATCH and RUV_VERSION_HEX equal Cargo.toml's package version
#     (checked by the compiler: a negative array size fails the build otherwise).
#
#   check-header.sh RUV_H CARGO_TOML CC [CXX]
# Without CXX the C++ half is skipped (exit 77 once the C half passed), unless CI=true.
set -euo pipefail
if (($# < 3)); then
  echo "usage: $0 RUV_H CARGO_TOML CC [CXX]" >&2
  exit 2
fi
header=$1 cargo_toml=$2 cc=$3 cxx=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

version=$(awk '
  /^\[/ { in_pkg = ($0 == "[package]") }
  in_pkg && /^version[ \t]*=/ { if (match($0, /"[0-9]+\.[0-9]+\.[0-9]+/)) { print substr($0, RSTART + 1, RLENGTH - 1); exit } }
' "$cargo_toml")
if [[ ! "$version" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]]; then
  echo "FAIL: no package version in $cargo_toml" >&2
  exit 1
fi
major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]} patch=${BASH_REMATCH[3]}

cat >"$tmp/tu.c" <<TU
#include "ruv.h"
#include "ruv.h" /* twice: the include guard must hold */
/* Cargo.toml says $version */
typedef char ruv_version_major_matches[(RUV_VERSION_MAJOR == $major) ? 1 : -1];
typedef char ruv_version_minor_matches[(RUV_VERSION_MINOR == $minor) ? 1 : -1];
typedef char ruv_version_patch_matches[(RUV_VERSION_PATCH == $patch) ? 1 : -1];
typedef char ruv_version_hex_matches[(RUV_VERSION_HEX == (($major << 16) | ($minor << 8) | $patch)) ? 1 : -1];
TU
cp "$tmp/tu.c" "$tmp/tu.cpp"
incdir=$(cd "$(dirname "$header")" && pwd)
strict=(-Wall -Wextra -Wpedantic -Werror)
passed=0
failed=0
try() {   # description compiler args...
  local what=$1
  shift
  if "$@" -fsyntax-only -I"$incdir" 2>"$tmp/err"; then
    echo "ok: $what"
    passed=$((passed + 1))
  else
    echo "FAIL: $what" >&2
    sed 's/^/    /' "$tmp/err" >&2
    failed=$((failed + 1))
  fi
}

for std in c99 c11 c17; do
  try "C $std" "$cc" -std=$std "${strict[@]}" -Wstrict-prototypes -x c "$tmp/tu.c"
done
if [[ -n "$cxx" ]]; then
  for std in c++11 c++17; do
    try "C++ ${std#c++}" "$cxx" -std=$std "${strict[@]}" -x c++ "$tmp/tu.cpp"
  done
fi
echo "version macros = Cargo.toml $version: checked in every compile above"
echo "packaging_header: $passed passed, $failed failed"
((failed == 0)) || exit 1
if [[ -z "$cxx" ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "FAIL: no C++ compiler (install g++)" >&2
    exit 1
  fi
  echo "packaging_header: C++ part skipped: no C++ compiler"
  exit 77
fi
