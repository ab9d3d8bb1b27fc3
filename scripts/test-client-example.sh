#!/usr/bin/env bash
# Exercises examples/client against examples/echo_server over loopback: the server on port 0
# with MAX_CONNECTIONS=2, then two client runs whose stdout must equal their stdin:
#   1. three lines, the last one without a newline (sent at end of input)
#   2. ~2 MB of lines (~130 KB with RUV_TEST_SCALE=small), written and echoed concurrently
# and finally the server must exit 0 on its own.
#
#   test-client-example.sh ECHO_SERVER [WRAPPER...] CLIENT   e.g. WRAPPER = valgrind ...
set -euo pipefail
if (($# < 2)); then
  echo "usage: $0 ECHO_SERVER [WRAPPER...] CLIENT" >&2
  exit 2
fi
server=$1
shift
client=("$@")
tmp=$(mktemp -d)
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "example_client: FAIL: $*" >&2
  echo "--- server stdout" >&2; cat "$tmp/out" >&2 || true
  echo "--- server stderr" >&2; cat "$tmp/err" >&2 || true
  echo "--- client stderr" >&2; cat "$tmp/cerr" >&2 || true
  exit 1
}

"$server" 0 2 >"$tmp/out" 2>"$tmp/err" </dev/null &
pid=$!
port=""
for _ in $(seq 300); do
  port=$(sed -n 's/^echo server listening on 0\.0\.0\.0:\([0-9][0-9]*\)$/\1/p' "$tmp/out")
  [[ -n "$port" ]] && break
  kill -0 "$pid" 2>/dev/null || fail "server exited before listening"
  sleep 0.1
done
[[ -n "$port" && "$port" != 0 ]] || fail "no port printed"
echo "echo server on port $port"

: >"$tmp/cerr"
printf 'hello ruv\nsecond line\nno newline at the end' >"$tmp/in1"
timeout 120 "${client[@]}" 127.0.0.1 "$port" <"$tmp/in1" >"$tmp/got1" 2>>"$tmp/cerr" ||
  fail "client run 1 exited with $?"
cmp -s "$tmp/in1" "$tmp/got1" || fail "run 1: output differs from input: $(head -c 200 "$tmp/got1")"
echo "run 1: 3 lines echoed (the last without newline)"

if [[ "${RUV_TEST_SCALE:-}" == "small" ]]; then lines=20000; else lines=300000; fi
seq 1 "$lines" >"$tmp/in2"
timeout 120 "${client[@]}" 127.0.0.1 "$port" <"$tmp/in2" >"$tmp/got2" 2>>"$tmp/cerr" ||
  fail "client run 2 exited with $?"
cmp -s "$tmp/in2" "$tmp/got2" ||
  fail "run 2: output differs ($(wc -c <"$tmp/got2") of $(wc -c <"$tmp/in2") bytes)"
echo "run 2: $(wc -c <"$tmp/in2") bytes ($lines lines) echoed byte-exact"

for _ in $(seq 300); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then fail "server did not exit after 2 connections"; fi
status=0
wait "$pid" || status=$?
pid=""
((status == 0)) || fail "server exit status $status"
echo "example_client: 2 passed, 0 failed"
