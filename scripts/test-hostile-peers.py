#!/usr/bin/env python3
"""1,000 hostile clients against examples/http_hello (ctest example_hostile_peers).

    test-hostile-peers.py [--clients N] [--write-limit BYTES] [--idle-ms MS] HTTP_HELLO

http_hello runs with a per-connection write limit and an idle timeout. Clients that send
requests and never read the answers:
  flood    pipeline requests as fast as the server takes them (the answers are ~7x larger);
  trickle  send a burst of 40 requests every 100 ms;
  silent   send half a request, then nothing;
in the proportion 6:3:1, all connected at once, while 2 well-behaved keep-alive clients keep
sending requests and reading the answers. Checked:
  - the server's resident memory (VmRSS of /proc/PID/status, sampled every 50 ms) stays below
    a bound computed from the limit (per connection: twice the limit plus one answer for the
    queue's ring buffer, plus 16 KiB for the connection's own state), and the figure is printed;
  - every request of the well-behaved clients (2 processes, connected before the attack) is
    answered, and the worst latency is printed; afterwards a new connection is served;
  - every hostile connection is closed by the server (reset, or FIN for the silent ones),
    within the deadline.
RLIMIT_NOFILE's soft limit is raised up to the hard limit (the server inherits it).
"""

import argparse
import errno
import multiprocessing
import os
import re
import resource
import selectors
import socket
import struct
import subprocess
import sys
import time

REQ = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
TCP_CLOSE, TCP_CLOSE_WAIT = 7, 8
DEADLINE_S = 25


def fail(msg):
    raise AssertionError(msg)


def rss_kb(pid, field="VmRSS"):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tcp_state(sock):
    try:
        return struct.unpack("B", sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[:1])[0]
    except OSError:
        return TCP_CLOSE


class Hostile:
    def __init__(self, kind, port):
        self.kind = kind
        self.sock = socket.socket()
        # a tiny receive window: the answers back up into the server at once
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
        self.sock.setblocking(False)
        self.closed_how = None
        self.sent = 0
        self.next_burst = 0.0
        err = self.sock.connect_ex(("127.0.0.1", port))
        if err not in (0, errno.EINPROGRESS):
            fail("connect: %s" % os.strerror(err))

    def send(self, data):
        try:
            n = self.sock.send(data)
            self.sent += n
            return n
        except BlockingIOError:
            return 0
        except (ConnectionResetError, BrokenPipeError) as e:
            self.closed_how = "reset" if isinstance(e, ConnectionResetError) else "epipe"
            return -1

    def check_closed(self):
        if self.closed_how is None:
            st = tcp_state(self.sock)
            if st == TCP_CLOSE:
                self.closed_how = "reset"
            elif st == TCP_CLOSE_WAIT:
                self.closed_how = "fin"
        return self.closed_how is not None


def one_request(s, f):
    s.sendall(REQ)
    status = f.readline()
    length = 0
    while True:
        line = f.readline()
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
        if line in (b"\r\n", b""):
            break
    body = f.read(length)
    return status.startswith(b"HTTP/1.1 200") and body == b"Hello, world!\n"


def good_client(port, ready, stop, results):
    """Keep-alive requests on a connection made before the attack, reading every answer. Runs in
    its own process, so that the driver's busy loop cannot starve it. (Connections made during
    the burst of 1,000 connects may wait for SYN retransmissions: a kernel matter, left out.)"""
    stats = {"ok": 0, "failed": 0, "worst": 0.0, "worst_at": 0.0, "errors": []}
    t_begin = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        f = s.makefile("rb")
        ready.set()
        while not stop.is_set():
            t0 = time.monotonic()
            if not one_request(s, f):
                stats["failed"] += 1
                break
            stats["ok"] += 1
            if time.monotonic() - t0 > stats["worst"]:
                stats["worst"], stats["worst_at"] = time.monotonic() - t0, t0 - t_begin
            time.sleep(0.005)
        s.close()
    except OSError as e:
        stats["failed"] += 1
        stats["errors"].append("%s (at %.1f s)" % (e, time.monotonic() - t_begin))
    ready.set()
    results.put(stats)


def fresh_client(port, n):
    """After the attack: a new connection gets `n` answers."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = s.makefile("rb")
    ok = sum(1 for _ in range(n) if one_request(s, f))
    s.close()
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--write-limit", type=int, default=65536)
    ap.add_argument("--idle-ms", type=int, default=1500)
    ap.add_argument("--control", action="store_true",
                    help="run the server without the limit (1 GiB) against the same bound: "
                         "shows that the test can fail (stops once over the bound)")
    ap.add_argument("server", nargs="+")
    a = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = a.clients + 256
    if soft < need:
        new = need if hard == resource.RLIM_INFINITY else min(hard, max(need, soft))
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        soft = new
    if soft < need:
        print("example_hostile_peers: RLIMIT_NOFILE hard limit %d < %d: fewer clients" % (hard, need))
        a.clients = max(10, soft - 256)

    server_limit = (1 << 30) if a.control else a.write_limit
    bound_kb = a.clients * (2 * (a.write_limit + 512) + 16384) // 1024
    cmd = a.server + ["0", "0", "127.0.0.1", "--write-limit", str(server_limit),
                      "--idle-ms", str(a.idle_ms), "--stop-after-ms", str(DEADLINE_S * 2000)]
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL)
    t_start = time.monotonic()
    try:
        line = server.stdout.readline().decode()
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            fail("no port in %r" % line)
        port = int(m.group(1))
        baseline = rss_kb(server.pid)
        bound_kb += baseline

        stop = multiprocessing.Event()
        results = multiprocessing.Queue()
        readies = [multiprocessing.Event() for _ in range(2)]
        goods = [multiprocessing.Process(target=good_client, args=(port, r, stop, results))
                 for r in readies]
        for t in goods:
            t.start()
        for r in readies:
            r.wait(30)

        kinds = ["flood"] * 6 + ["trickle"] * 3 + ["silent"]
        hostile = [Hostile(kinds[i % 10], port) for i in range(a.clients)]
        flood_chunk = REQ * (16384 // len(REQ))
        burst = REQ * 40
        sel = selectors.DefaultSelector()
        for h in hostile:
            if h.kind == "flood":
                sel.register(h.sock, selectors.EVENT_WRITE, h)
        trickles = [h for h in hostile if h.kind == "trickle"]
        next_burst = 0.0
        silent_sent = False
        peak, samples, next_sample = baseline, 0, 0.0
        open_ = list(hostile)
        deadline = time.monotonic() + DEADLINE_S
        while open_ and time.monotonic() < deadline:
            now = time.monotonic()
            if now >= next_sample:
                peak = max(peak, rss_kb(server.pid))
                samples += 1
                if a.control and peak > bound_kb:
                    break
                next_sample = now + 0.05
                open_ = [h for h in open_ if not h.check_closed()]
                if os.environ.get("HOSTILE_TRACE") and samples % 10 == 0:
                    with open("/proc/%d/stat" % server.pid) as st:
                        f = st.read().split()
                    print("t=%.1f open=%d rss=%d cpu=%.1f" % (now - t_start, len(open_),
                          rss_kb(server.pid), (int(f[13]) + int(f[14])) / 100.0))
                for h in hostile:
                    if h.closed_how is not None and h.kind == "flood":
                        try:
                            sel.unregister(h.sock)
                        except (KeyError, ValueError):
                            pass
            if not silent_sent:
                silent_sent = True
                for h in hostile:
                    if h.kind == "silent":
                        try:
                            h.sock.send(b"GET / HTTP/1.1\r\nHost")
                        except BlockingIOError:
                            pass
                        except OSError:
                            pass
            if now >= next_burst:
                next_burst = now + 0.1
                for h in trickles:
                    if h.closed_how is None:
                        h.send(burst)
            for key, _ in sel.select(timeout=0.02):
                h = key.data
                if h.closed_how is None:
                    h.send(flood_chunk)
                if h.closed_how is not None:
                    sel.unregister(h.sock)
        elapsed = time.monotonic() - t_start
        peak = max(peak, rss_kb(server.pid))
        hwm = rss_kb(server.pid, "VmHWM")
        stop.set()
        stats = {"ok": 0, "failed": 0, "worst": 0.0, "errors": []}
        for _ in goods:
            part = results.get(timeout=30)
            stats["ok"] += part["ok"]
            stats["failed"] += part["failed"]
            if part["worst"] >= stats["worst"]:
                stats["worst"], stats["worst_at"] = part["worst"], part["worst_at"]
            stats["errors"] += part["errors"]
        for t in goods:
            t.join(15)
        fresh_ok = fresh_client(port, 20)
        still_open = [h for h in hostile if not h.check_closed()]
        hows = {}
        for h in hostile:
            hows[(h.kind, h.closed_how)] = hows.get((h.kind, h.closed_how), 0) + 1
        sent_mb = sum(h.sent for h in hostile) / 1e6
        for h in hostile:
            h.sock.close()

        print("hostile clients: %d (flood/trickle/silent 6:3:1), %.1f MB of requests sent, "
              "%s after %.1f s" % (a.clients, sent_mb, "%d still open" % len(still_open)
                                   if still_open else "all closed", elapsed))
        print("closed how: %s" % ", ".join("%s %s: %d" % (k[0], k[1], v)
                                           for k, v in sorted(hows.items(), key=str)))
        print("server VmRSS: baseline %.1f MB, peak %.1f MB (VmHWM %.1f MB, %d samples); "
              "bound %.1f MB" % (baseline / 1024, peak / 1024, hwm / 1024, samples,
                                 bound_kb / 1024))
        print("well-behaved requests: %d answered, %d failed, worst latency %.0f ms (at %.1f s); "
              "afterwards a new connection: %d of 20 answered"
              % (stats["ok"], stats["failed"], stats["worst"] * 1000, stats["worst_at"], fresh_ok))
        if still_open:
            fail("%d hostile connections still open after %d s" % (len(still_open), DEADLINE_S))
        if max(peak, hwm) > bound_kb:
            fail("server memory %.1f MB above the bound %.1f MB" % (max(peak, hwm) / 1024,
                                                                    bound_kb / 1024))
        if stats["errors"]:
            print("well-behaved errors: %r" % stats["errors"][:5])
        if stats["failed"] or stats["ok"] < 20 or fresh_ok != 20:
            fail("well-behaved clients: %d ok, %d failed %r" % (stats["ok"], stats["failed"],
                                                                 stats["errors"][:3]))
        if server.poll() is not None:
            fail("the server exited (status %s)" % server.returncode)
    finally:
        if server.poll() is None:
            server.kill()
        out, err = server.communicate()
        if err.strip():
            sys.stderr.write("--- server stderr\n%s\n" % err.decode(errors="replace")[-2000:])
    print("example_hostile_peers: 1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as e:
        print("example_hostile_peers: FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
