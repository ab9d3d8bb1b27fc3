#!/usr/bin/env bash
# Exercises examples/client against examples/echo_server over loopback: the server on port 0
# with MAX_CONNECTIONS=3, then three client runs whose stdout must equal their stdin:
#   1. three lines, the last one without a newline (sent at end of input)
#   2. ~2 MB of lines (~130 KB with RUV_TEST_SCALE=small), written and echoed concurrently
#   3. `localhost` (a name, connected with ruv_tcp_connect_host) with --timeout-ms 10000
# and finally the server must exit 0 on its own. Then the client's connect errors: a name in
# `invalid.` (RUV_EAI_NONAME) and --timeout-ms 300 against a stalled listener (a python3
# listener with backlog 0 whose queue one connection fills): exit 1, RUV_ETIMEDOUT.
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

"$server" 0 3 >"$tmp/out" 2>"$tmp/err" </dev/null &
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

printf 'by name\n' >"$tmp/in3"
timeout 120 "${client[@]}" --timeout-ms 10000 localhost "$port" <"$tmp/in3" >"$tmp/got3" \
  2>>"$tmp/cerr" || fail "client run 3 (localhost) exited with $?"
cmp -s "$tmp/in3" "$tmp/got3" || fail "run 3: output differs: $(head -c 200 "$tmp/got3")"
echo "run 3: localhost by name echoed"

for _ in $(seq 300); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then fail "server did not exit after 3 connections"; fi
status=0
wait "$pid" || status=$?
pid=""
((status == 0)) || fail "server exit status $status"

status=0
timeout 60 "${client[@]}" nothing.invalid 80 </dev/null >/dev/null 2>"$tmp/e1" || status=$?
((status == 1)) && grep -q "unknown node or service" "$tmp/e1" ||
  fail "nothing.invalid: status $status, stderr: $(cat "$tmp/e1")"
echo "nothing.invalid: exit 1, $(cat "$tmp/e1")"

python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(0)
c = socket.create_connection(s.getsockname())
print(s.getsockname()[1], flush=True)
time.sleep(120)
' >"$tmp/stalled" &
pid=$!
sport=""
for _ in $(seq 300); do
  sport=$(cat "$tmp/stalled")
  [[ -n "$sport" ]] && break
  sleep 0.1
done
[[ -n "$sport" ]] || fail "no stalled listener"
status=0
timeout 60 "${client[@]}" --timeout-ms 300 127.0.0.1 "$sport" </dev/null >/dev/null \
  2>"$tmp/e2" || status=$?
((status == 1)) && grep -q "timed out" "$tmp/e2" ||
  fail "stalled: status $status, stderr: $(cat "$tmp/e2")"
echo "stalled listener with --timeout-ms 300: exit 1, $(cat "$tmp/e2")"
echo "example_client: 5 passed, 0 failed"
