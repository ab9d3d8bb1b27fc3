#!/usr/bin/env bash
# ctest packaging_pkg_config: compile the consumer programs against the installed tree with
# pkg-config only (no CMake), shared and static, C and C++17, and run each (echo round trip).
#
#   test-pkg-config.sh PREFIX LIBDIR VERSION CONSUMER_SRC_DIR OUT_DIR CC [CXX]
#
# shared:  $CC consumer.c $(pkg-config --cflags --libs ruv)
# static:  $CC consumer.c $(pkg-config --cflags --static --libs ruv), with -lruv replaced by
#          -l:libruv.a so that the linker takes the archive although libruv.so sits next to it
# Exit 77 (skipped) without pkg-config or, for the C++ half, without a C++ compiler, unless CI=true.
set -euo pipefail
if (($# < 6)); then
  echo "usage: $0 PREFIX LIBDIR VERSION CONSUMER_SRC_DIR OUT_DIR CC [CXX]" >&2
  exit 2
fi
prefix=$1 libdir=$2 version=$3 src=$4 out=$5 cc=$6 cxx=${7:-}
skip() {
  if [[ "${CI:-}" == "true" ]]; then echo "packaging_pkg_config: FAIL: $*" >&2; exit 1; fi
  echo "packaging_pkg_config: skipped: $*"; exit 77
}
fail() { echo "packaging_pkg_config: FAIL: $*" >&2; exit 1; }
command -v pkg-config >/dev/null || skip "pkg-config not installed"

case "$libdir" in /*) ;; *) libdir="$prefix/$libdir" ;; esac
export PKG_CONFIG_PATH="$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
rm -rf "$out"
mkdir -p "$out"

got=$(pkg-config --modversion ruv) || fail "pkg-config does not find ruv in $PKG_CONFIG_PATH"
[[ "$got" == "$version" ]] || fail "pkg-config --modversion ruv = $got, expected $version"
pkg-config --exists "ruv >= ${version%.*}" || fail "pkg-config --exists 'ruv >= ${version%.*}'"
echo "pkg-config --modversion ruv: $got"
echo "pkg-config --cflags --libs ruv: $(pkg-config --cflags --libs ruv)"
echo "pkg-config --static --libs ruv: $(pkg-config --static --libs ruv)"
pc_libdir=$(pkg-config --variable=libdir ruv)

# the static flags with libruv taken from the archive
static_libs=()
for flag in $(pkg-config --cflags --static --libs ruv); do
  if [[ "$flag" == "-lruv" ]]; then static_libs+=("-l:libruv.a"); else static_libs+=("$flag"); fi
done

passed=0
build_and_run() {   # name compiler std source kind
  local name=$1 compiler=$2 std=$3 source=$4 kind=$5 exe="$out/$1"
  local defs=(-DCONSUMER_KIND="\"pkg-config, $kind\"" -DCONSUMER_EXPECT_VERSION="\"$got\"")
  if [[ "$kind" == shared ]]; then
    # shellcheck disable=SC2046  # word splitting of pkg-config's output is intended
    "$compiler" "-std=$std" -Wall -Wextra -Werror "${defs[@]}" "$src/$source" -o "$exe" \
      $(pkg-config --cflags --libs ruv) -Wl,-rpath,"$pc_libdir"
    readelf -d "$exe" | grep -q "NEEDED.*libruv\.so\.${version%%.*}\]" ||
      fail "$name does not need libruv.so.${version%%.*}"
  else
    "$compiler" "-std=$std" -Wall -Wextra -Werror "${defs[@]}" "$src/$source" -o "$exe" \
      "${static_libs[@]}"
    if readelf -d "$exe" | grep -q 'NEEDED.*libruv'; then fail "$name needs libruv.so"; fi
  fi
  "$exe" || fail "$name exited with $?"
  passed=$((passed + 1))
}

build_and_run consumer_c "$cc" c99 consumer.c shared
build_and_run consumer_c_static "$cc" c99 consumer.c static
if [[ -n "$cxx" ]]; then
  build_and_run consumer_cxx "$cxx" c++17 consumer.cpp shared
  build_and_run consumer_cxx_static "$cxx" c++17 consumer.cpp static
else
  echo "packaging_pkg_config: $passed passed; no C++ compiler"
  skip "no C++ compiler for the C++17 consumer"
fi
echo "packaging_pkg_config: $passed passed, 0 failed"
