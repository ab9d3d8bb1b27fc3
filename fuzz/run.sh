#!/usr/bin/env bash
# fuzz/run.sh [SECONDS] [SANITIZER]: a bounded run of the api_ops fuzz target (default 60 s,
# AddressSanitizer + LeakSanitizer). Works on the stable toolchain: RUSTC_BOOTSTRAP=1 lets
# cargo-fuzz pass its -Z flags. New inputs go to a scratch corpus (fuzz/target/corpus-work);
# the committed seeds in fuzz/corpus/api_ops are only read. A finding is saved in
# fuzz/artifacts/api_ops/ and makes this script exit non-zero.
#   SANITIZER=none is ~2x faster (invariants, crashes and descriptor leaks are still checked;
#   memory leaks are not).
set -euo pipefail
secs=${1:-60}
san=${2:-address}
cd "$(dirname "$0")"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
work=${RUV_FUZZ_WORK:-$PWD/target/corpus-work}
mkdir -p "$work"
export RUSTC_BOOTSTRAP=1
# The library prints one stderr line per call on a dead handle in debug-assertion builds (the
# target makes such calls on purpose); filter them out of the log.
nice -n 19 cargo fuzz run api_ops --fuzz-dir . -s "$san" "$work" corpus/api_ops -- \
  -max_total_time="$secs" -max_len=160 -timeout=10 -print_final_stats=1 2>&1 \
  | grep --line-buffered -v "used after its close callback ran"
