#!/usr/bin/env bash
# fuzz/run.sh [SECONDS] [SANITIZER] [TARGET]: a bounded run of a fuzz target (api_ops, or
# tls_read) (default 60 s,
# AddressSanitizer + LeakSanitizer). Works on the stable toolchain: RUSTC_BOOTSTRAP=1 lets
# cargo-fuzz pass its -Z flags. New inputs go to a scratch corpus (fuzz/target/corpus-work);
# the committed seeds in fuzz/corpus/api_ops are only read. A finding is saved in
# fuzz/artifacts/api_ops/ and makes this script exit non-zero.
#   SANITIZER=none is ~2x faster (invariants, crashes and descriptor leaks are still checked;
#   memory leaks are not).
set -euo pipefail
secs=${1:-60}
san=${2:-address}
target=${3:-api_ops}
cd "$(dirname "$0")"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
suffix=${target/#api_ops/}
work=${RUV_FUZZ_WORK:-$PWD/target/corpus-work${suffix:+-$suffix}}
mkdir -p "$work"
export RUSTC_BOOTSTRAP=1
# The library prints one stderr line per call on a dead handle in debug-assertion builds (the
# target makes such calls on purpose); filter them out of the log.
mkdir -p "corpus/$target"
nice -n 19 cargo fuzz run "$target" --fuzz-dir . -s "$san" "$work" "corpus/$target" -- \
  -max_total_time="$secs" -max_len=160 -timeout=10 -print_final_stats=1 2>&1 \
  | grep --line-buffered -v "used after its close callback ran"
