#!/usr/bin/env bash
# Fails when regenerating include/ruv.h (build.rs runs cbindgen on `cargo build`) changes it
# compared with what git has (the index, i.e. what is committed or staged).
# Exit 77 (ctest: skipped) outside a git checkout or while the header is untracked, except under
# CI=true where an untracked header is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo_bin=${CARGO:-cargo}
profile=${RUV_CARGO_PROFILE:-dev}
target_dir=${RUV_CARGO_TARGET_DIR:-$PWD/target}

"$cargo_bin" build --profile "$profile" --target-dir "$target_dir" --quiet

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "header_fresh: not a git checkout; skipped"
  exit 77
fi
if ! git ls-files --error-unmatch include/ruv.h >/dev/null 2>&1; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "header_fresh: include/ruv.h is not tracked by git (commit the generated header)" >&2
    exit 1
  fi
  echo "header_fresh: include/ruv.h is not tracked by git yet; skipped"
  exit 77
fi
if ! git diff --exit-code -- include/ruv.h; then
  echo "header_fresh: include/ruv.h is stale: cargo build regenerated it (diff above); commit it" >&2
  exit 1
fi
echo "header_fresh: include/ruv.h is up to date"
