#!/usr/bin/env bash
# ctest packaging_install: `cmake --install` into a fresh prefix, check the installed tree, then
# copy it (symlinks kept) to a second directory for the relocation test (packaging_find_package).
#
#   test-install.sh BUILD_DIR PREFIX RELOCATED LIBDIR INCLUDEDIR VERSION SONAME SOURCE_HEADER [CONFIG]
set -euo pipefail
if (($# < 8)); then
  echo "usage: $0 BUILD_DIR PREFIX RELOCATED LIBDIR INCLUDEDIR VERSION SONAME SOURCE_HEADER [CONFIG]" >&2
  exit 2
fi
build=$1 prefix=$2 relocated=$3 libdir=$4 includedir=$5 version=$6 soname=$7 src_header=$8
config=${9:-}
here=$(cd "$(dirname "$0")" && pwd)
fails=0
fail() { echo "packaging_install: FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "  ok: $*"; }

abs() { case "$1" in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac; }
L=$(abs "$libdir")
I=$(abs "$includedir")

rm -rf "$prefix" "$relocated"
args=(--install "$build" --prefix "$prefix")
[[ -n "$config" ]] && args+=(--config "$config")
cmake "${args[@]}"

echo "--- installed tree"
(cd "$prefix" && find . \( -type f -o -type l \) | LC_ALL=C sort | while read -r f; do
  if [[ -L "$f" ]]; then echo "$f -> $(readlink "$f")"; else echo "$f"; fi
done)
echo "--- checks"

real="libruv.so.$version"
[[ -f "$I/ruv.h" ]] && cmp -s "$I/ruv.h" "$src_header" && ok "header ruv.h" ||
  fail "$I/ruv.h missing or different from $src_header"
[[ -f "$L/$real" && ! -L "$L/$real" && -x "$L/$real" ]] && ok "$real (file, executable)" ||
  fail "$L/$real is not an executable regular file"
[[ -L "$L/$soname" && "$(readlink "$L/$soname")" == "$real" ]] && ok "$soname -> $real" ||
  fail "$L/$soname is not a symlink to $real"
[[ -L "$L/libruv.so" && "$(readlink -f "$L/libruv.so")" == "$(readlink -f "$L/$real")" ]] &&
  ok "libruv.so -> ... -> $real" || fail "$L/libruv.so does not lead to $real"
[[ -f "$L/libruv.a" ]] && ok "libruv.a" || fail "$L/libruv.a missing"

got_soname=$(readelf -d "$L/$real" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[[ "$got_soname" == "$soname" ]] && ok "readelf -d: SONAME $got_soname" ||
  fail "SONAME is '$got_soname', expected $soname"
bash "$here/../scripts/check-exports.sh" "$L/$real" "$I/ruv.h" "$soname" >/dev/null &&
  ok "installed library exports only ruv_* (= ruv.h)" || fail "exports of the installed library"

pc="$L/pkgconfig/ruv.pc"
if [[ -f "$pc" ]]; then
  grep -qx "prefix=$prefix" "$pc" && ok "ruv.pc prefix=$prefix" || fail "ruv.pc: prefix is not $prefix"
  grep -qx "Version: $version" "$pc" && ok "ruv.pc Version: $version" || fail "ruv.pc: Version"
  grep -q '^Libs.private: .*-l' "$pc" && ok "ruv.pc $(grep '^Libs.private' "$pc")" ||
    fail "ruv.pc: Libs.private lists no libraries"
  grep -q '^Libs: -L${libdir} -lruv' "$pc" || fail "ruv.pc: Libs"
  case "$libdir" in
    /*) grep -qx "libdir=$libdir" "$pc" ;;
    *) grep -qx "libdir=\${exec_prefix}/$libdir" "$pc" ;;
  esac && ok "ruv.pc libdir matches the install libdir ($libdir)" ||
    fail "ruv.pc: libdir is not the install libdir $libdir"
else
  fail "$pc missing"
fi

cmakedir="$L/cmake/ruv"
for f in ruvConfig.cmake ruvConfigVersion.cmake ruvTargets.cmake; do
  [[ -f "$cmakedir/$f" ]] && ok "cmake/ruv/$f" || fail "$cmakedir/$f missing"
done
# relocatable: no absolute path of the prefix or the build tree in the CMake package
if [[ "$libdir" != /* && "$includedir" != /* ]]; then
  if grep -lF -e "$prefix" -e "$build" "$cmakedir"/*.cmake; then
    fail "the CMake package contains absolute paths (not relocatable)"
  else
    ok "CMake package has no absolute paths"
  fi
fi

cp -a "$prefix" "$relocated"
ok "copied to $relocated for the relocation test"
if ((fails)); then
  echo "packaging_install: $fails check(s) failed" >&2
  exit 1
fi
echo "packaging_install: all checks passed"
