#!/usr/bin/env bash
# ctest packaging_exports: the shared library exports exactly the functions declared in ruv.h,
# all named ruv_*, and nothing else (no Rust internals such as rust_eh_personality or
# __rust_alloc); its soname is SONAME.
#
#   check-exports.sh LIBRUV_SO RUV_H SONAME
set -euo pipefail
if (($# != 3)); then
  echo "usage: $0 LIBRUV_SO RUV_H SONAME" >&2
  exit 2
fi
lib=$1 header=$2 soname=$3
fail=0

got_soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
if [[ "$got_soname" != "$soname" ]]; then
  echo "FAIL: $lib has soname '$got_soname', expected '$soname'" >&2
  fail=1
else
  echo "soname: $got_soname"
fi

exports=$(nm -D --defined-only "$lib" | awk 'NF >= 3 { print $NF }' | sed 's/@.*//' | LC_ALL=C sort -u)
count=$(printf '%s\n' "$exports" | grep -c . || true)
others=$(printf '%s\n' "$exports" | grep -v '^ruv_' | grep . || true)
if [[ -n "$others" ]]; then
  echo "FAIL: exported symbols not starting with ruv_:" >&2
  printf '  %s\n' $others >&2
  fail=1
fi

# functions declared in the header: `<type> ruv_name(` at the start of a declaration
declared=$(grep -v '^[[:space:]]*\(typedef\|#\|\*\|/\)' "$header" |
  grep -o '\bruv_[a-z0-9_]*(' | tr -d '(' | LC_ALL=C sort -u)
missing=$(LC_ALL=C comm -23 <(printf '%s\n' "$declared") <(printf '%s\n' "$exports") | grep . || true)
extra=$(LC_ALL=C comm -13 <(printf '%s\n' "$declared") <(printf '%s\n' "$exports") | grep '^ruv_' || true)
if [[ -n "$missing" ]]; then
  echo "FAIL: declared in $(basename "$header") but not exported:" >&2
  printf '  %s\n' $missing >&2
  fail=1
fi
if [[ -n "$extra" ]]; then
  echo "FAIL: exported but not declared in $(basename "$header"):" >&2
  printf '  %s\n' $extra >&2
  fail=1
fi
if ((fail)); then exit 1; fi
echo "nm -D --defined-only: $count symbols, all ruv_*, = the $(printf '%s\n' "$declared" | grep -c .) functions of $(basename "$header")"
