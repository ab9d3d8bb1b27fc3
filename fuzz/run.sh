#!/usr/bin/env bash
# fuzz/run.sh [SECONDS] [SANITIZER] [TARGET]: a fuzz target (api_ops, the default, or tls_read:
# the TLS read path fed arbitrary peer bytes), as CI runs it (.ci/run).
#  1. replays every committed seed in fuzz/corpus/$TARGET once (a regression run: libFuzzer
#     given files runs each of them once and stops at the first failure);
#  2. fuzzes for SECONDS (default 60) from those seeds.
# SANITIZER: address (default; AddressSanitizer + LeakSanitizer) or none (~2x faster;
# invariants, crashes and descriptor leaks are still checked, memory leaks are not).
# Works on the stable toolchain: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags; cargo-fuzz
# is installed with `cargo install --locked` when missing. New inputs go to a scratch corpus
# ($RUV_FUZZ_WORK, default fuzz/target/corpus-work); the committed seeds are only read. A
# finding is saved in fuzz/artifacts/$TARGET/, printed in hex, and makes this script exit
# non-zero (a failing seed is named by the replay's last "Running:" line). Reproduce one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run $TARGET --fuzz-dir fuzz fuzz/artifacts/$TARGET/<file>
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
# target makes such calls on purpose): keep them out of the log. (Filters never fail, so a
# pipeline's status is cargo fuzz's under pipefail.)
quiet() { grep --line-buffered -v "used after its close callback ran" || true; }

mkdir -p "corpus/$target"
seeds=(corpus/"$target"/*)
echo "fuzz/run.sh: replaying ${#seeds[@]} seeds ($san)"
if ! nice -n 19 cargo fuzz run "$target" --fuzz-dir . -s "$san" "${seeds[@]}" -- -timeout=10 2>&1 \
  | quiet; then
  echo "fuzz/run.sh: the seed replay failed on the input of the last 'Running:' line" >&2
  exit 1
fi

echo "fuzz/run.sh: fuzzing for ${secs}s ($san)"
if ! nice -n 19 cargo fuzz run "$target" --fuzz-dir . -s "$san" "$work" "corpus/$target" -- \
  -max_total_time="$secs" -max_len=160 -timeout=10 -print_final_stats=1 2>&1 | quiet; then
  echo "fuzz/run.sh: the fuzzing run found a failing input; fuzz/artifacts/$target/ holds:" >&2
  for f in artifacts/"$target"/*; do
    [[ -f $f ]] && { echo "$f:" >&2; od -An -tx1 -v "$f" >&2; }
  done
  exit 1
fi
echo "fuzz/run.sh: no finding"
