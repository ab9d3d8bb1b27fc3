#!/usr/bin/env bash
# Exercises examples/echo_server over loopback: starts it on port 0 with MAX_CONNECTIONS=2,
# reads the chosen port from its output, runs two clients (a line round trip and ~100 KB
# streamed while reading), then checks that the server exits 0 on its own.
#
#   test-echo-example.sh [WRAPPER...] ECHO_SERVER      e.g. WRAPPER = valgrind --error-exitcode=1
set -euo pipefail
if (($# < 1)); then
  echo "usage: $0 [WRAPPER...] ECHO_SERVER" >&2
  exit 2
fi
cmd=("$@")
tmp=$(mktemp -d)
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "example_echo: FAIL: $*" >&2
  echo "--- server stdout" >&2; cat "$tmp/out" >&2 || true
  echo "--- server stderr" >&2; cat "$tmp/err" >&2 || true
  exit 1
}

"${cmd[@]}" 0 2 >"$tmp/out" 2>"$tmp/err" </dev/null &
pid=$!

port=""
for _ in $(seq 600); do   # up to 60 s (valgrind starts slowly)
  port=$(sed -n 's/^echo server listening on 0\.0\.0\.0:\([0-9][0-9]*\)$/\1/p' "$tmp/out")
  [[ -n "$port" ]] && break
  kill -0 "$pid" 2>/dev/null || fail "server exited before listening"
  sleep 0.1
done
[[ -n "$port" && "$port" != 0 ]] || fail "no port printed"
echo "echo server on port $port"

# client 1: one line there and back
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'hello ruv\n' >&3
IFS= read -r -t 20 line <&3 || fail "no echo for client 1"
[[ "$line" == "hello ruv" ]] || fail "client 1 got '$line'"
exec 3>&-
echo "client 1: line echoed"

# client 2: ~100 KB written by a background writer while this shell reads it back
data=$(seq 1 20000)
want=$(( ${#data} + 1 ))
exec 4<>"/dev/tcp/127.0.0.1/$port"
( printf '%s\n' "$data" >&4 ) &
writer=$!
got=$(timeout 30 head -c "$want" <&4) || fail "client 2 read timed out"
wait "$writer" || fail "client 2 writer failed"
exec 4>&-
[[ "$got" == "$data" ]] || fail "client 2 data differs (${#got} of ${#data} bytes)"
echo "client 2: $want bytes echoed byte-exact"

# the server stops listening after 2 connections and exits once they closed
for _ in $(seq 600); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then fail "server did not exit after its 2 connections"; fi
status=0
wait "$pid" || status=$?
pid=""
((status == 0)) || fail "server exit status $status"
grep -q "2 connection(s) served" "$tmp/out" || fail "unexpected server output"
echo "example_echo: 2 passed, 0 failed"
