#!/usr/bin/env bash
# Exercises examples/poll_pipe: a poll handle on a pipe another thread writes, and a clean
# stop by SIGINT / SIGTERM through signal handles.
#   1. `poll_pipe 50 0`: all 50 lines arrive in order, with at least one callback per 16 bytes
#      (each reads at most 16: the rest must come from level-triggered repeats), exit 0 at end
#      of stream;
#   2. `poll_pipe 0 5` (endless), then SIGINT once a few lines arrived: exit 0, "stopped by
#      SIGINT"; the same with SIGTERM.
#
#   test-poll-example.sh [WRAPPER...] POLL_PIPE      e.g. WRAPPER = valgrind --error-exitcode=1
set -euo pipefail
if (($# < 1)); then
  echo "usage: $0 [WRAPPER...] POLL_PIPE" >&2
  exit 2
fi
cmd=("$@")
tmp=$(mktemp -d)
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "example_poll_pipe: FAIL: $*" >&2
  echo "--- stdout" >&2; tail -n 20 "$tmp/out" >&2 || true
  echo "--- stderr" >&2; cat "$tmp/err" >&2 || true
  exit 1
}

# 1. a finite stream
"${cmd[@]}" 50 0 >"$tmp/out" 2>"$tmp/err" </dev/null || fail "exit status $? on a finite stream"
expected=$(for i in $(seq 50); do echo "line $i"; done)
got=$(grep '^line ' "$tmp/out" || true)
[[ "$got" == "$expected" ]] || fail "the lines differ from line 1..50"
summary=$(tail -n 1 "$tmp/out")
[[ "$summary" =~ ^poll_pipe:\ 50\ lines\ in\ ([0-9]+)\ callbacks,\ stopped\ by\ end\ of\ stream$ ]] ||
  fail "unexpected summary: $summary"
callbacks=${BASH_REMATCH[1]}
bytes=$(printf '%s\n' "$expected" | wc -c)
# at most 16 bytes per callback, plus the end-of-stream one
((callbacks >= (bytes + 15) / 16 + 1)) || fail "$callbacks callbacks for $bytes bytes"
echo "finite stream: 50 lines, $bytes bytes, $callbacks callbacks"

# 2. an endless stream stopped by a signal
for sig in INT TERM; do
  # Emptied here, not only by the child's redirection: the child may truncate the file after
  # the first look below, which would then see the finite run's "line 3" and stop waiting.
  : >"$tmp/out"
  "${cmd[@]}" 0 5 >"$tmp/out" 2>"$tmp/err" </dev/null &
  pid=$!
  for _ in $(seq 600); do   # up to 60 s (valgrind starts slowly)
    grep -q '^line 3$' "$tmp/out" && break
    kill -0 "$pid" 2>/dev/null || fail "exited before SIG$sig"
    sleep 0.1
  done
  grep -q '^line 3$' "$tmp/out" || fail "no output before SIG$sig"
  kill -"$sig" "$pid"
  status=0
  wait "$pid" || status=$?
  pid=""
  ((status == 0)) || fail "exit status $status after SIG$sig"
  tail -n 1 "$tmp/out" | grep -Eq "^poll_pipe: [0-9]+ lines in [0-9]+ callbacks, stopped by SIG$sig\$" ||
    fail "no clean stop after SIG$sig"
  echo "SIG$sig: $(tail -n 1 "$tmp/out")"
done
echo "example_poll_pipe: ok"
