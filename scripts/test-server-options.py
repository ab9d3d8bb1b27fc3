#!/usr/bin/env python3
"""The server examples' options over loopback (ctest example_server_options).

    test-server-options.py [WRAPPER...] ECHO_SERVER HTTP_HELLO

Each case starts a server on port 0 and reads the port from its output:
  threads     --threads 2: 40 concurrent clients all served, both loops accept (the kernel
              spreads connections over the two SO_REUSEPORT listeners), clean exit after
              MAX_CONNECTIONS;
  idle        --idle-ms 300: a silent client is closed (EOF), a chatty one is not, a client that
              floods and never reads is reset (ECONNRESET);
  async stop  --stop-after-ms 700: with connections open, a helper thread stops every loop
              (ruv_async_send + ruv_walk); the clients see the end, the server exits 0;
  signal stop SIGINT, then SIGTERM, with connections open: the same clean stop (ruv signal
              handles), exit 0.
for both echo_server and http_hello. WRAPPER (e.g. valgrind) is put before each server.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

SMALL = os.environ.get("RUV_TEST_SCALE") == "small"
SLOW = 5 if SMALL else 1  # timing margins under valgrind
START_TIMEOUT = 60


def fail(msg):
    raise AssertionError(msg)


class Server:
    def __init__(self, cmd, args, tmp, name):
        self.out_path = os.path.join(tmp, name + ".out")
        self.err_path = os.path.join(tmp, name + ".err")
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(cmd + args, stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL)
        self.port = None
        deadline = time.monotonic() + START_TIMEOUT
        while self.port is None and time.monotonic() < deadline:
            m = re.search(rb"listening on (?:http://)?[0-9.]+:(\d+)", self.output())
            if m:
                self.port = int(m.group(1))
            elif self.proc.poll() is not None:
                break
            else:
                time.sleep(0.05)
        if not self.port:
            self.kill()
            fail("%s printed no port:\n%s" % (name, self.dump()))

    def output(self):
        with open(self.out_path, "rb") as f:
            return f.read()

    def dump(self):
        with open(self.err_path, "rb") as f:
            err = f.read()
        return "--- stdout\n%s--- stderr\n%s" % (self.output().decode(errors="replace"),
                                                 err.decode(errors="replace"))

    def wait(self, timeout):
        try:
            status = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            fail("the server did not exit within %.0f s\n%s" % (timeout, self.dump()))
        if status != 0:
            fail("server exit status %d\n%s" % (status, self.dump()))
        return self.output().decode()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10 * SLOW)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def echo_round_trip(s, msg):
    s.sendall(msg)
    got = b""
    while len(got) < len(msg):
        chunk = s.recv(len(msg) - len(got))
        if not chunk:
            fail("connection closed during a round trip")
        got += chunk
    if got != msg:
        fail("echo %r, want %r" % (got, msg))


def http_round_trip(s, _msg):
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    got = b""
    while not got.endswith(b"Hello, world!\n"):
        chunk = s.recv(4096)
        if not chunk:
            fail("connection closed during a request")
        got += chunk
    if not got.startswith(b"HTTP/1.1 200 OK"):
        fail("bad answer %r" % got[:40])


def per_thread(out):
    m = re.search(r"(\d+) connection\(s\) served \(per thread: (\d+) (\d+)\)", out)
    if not m:
        fail("no per-thread counts in %r" % out)
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def wait_closed(s, timeout, want_reset=False):
    """Waits for the server to end the connection: EOF (or reset with want_reset)."""
    s.settimeout(timeout)
    t0 = time.monotonic()
    try:
        while True:
            data = s.recv(65536)
            if not data:
                if want_reset:
                    fail("EOF, expected a reset")
                return time.monotonic() - t0
    except ConnectionResetError:
        if not want_reset:
            fail("reset, expected an end of stream")
        return time.monotonic() - t0
    except socket.timeout:
        fail("the connection was not closed within %.1f s" % timeout)


# ---- cases -----------------------------------------------------------------------------------

N_THREAD_CLIENTS = 40


def case_threads(cmd, args, rt, tmp, name):
    srv = Server(cmd, ["0", str(N_THREAD_CLIENTS)] + args + ["--threads", "2"], tmp, name)
    try:
        clients = [connect(srv.port) for _ in range(N_THREAD_CLIENTS)]  # all open at once
        for i, s in enumerate(clients):
            rt(s, b"client %d\n" % i)
        for s in clients:
            s.close()
        out = srv.wait(30 * SLOW)
    finally:
        srv.kill()
    total, a, b = per_thread(out)
    if total != N_THREAD_CLIENTS or a + b != total or a == 0 or b == 0:
        fail("per-thread counts %d = %d + %d" % (total, a, b))
    return "--threads 2: %d clients served, %d and %d per loop" % (total, a, b)


def case_idle(cmd, args, rt, tmp, name):
    idle_ms = 300 * SLOW
    srv = Server(cmd, ["0", "3"] + args + ["--idle-ms", str(idle_ms)], tmp, name)
    try:
        quiet, chatty = connect(srv.port), connect(srv.port)
        rt(quiet, b"once\n")
        t0 = time.monotonic()
        while time.monotonic() - t0 < 4 * idle_ms / 1000.0:  # chatty keeps talking
            rt(chatty, b"still here\n")
            time.sleep(idle_ms / 4000.0)
        rt(chatty, b"still here\n")
        quiet_after = wait_closed(quiet, 1)  # it was closed long ago
        # a client that floods requests and never reads its answers: reset once idle
        flood = socket.socket()
        flood.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        flood.connect(("127.0.0.1", srv.port))
        flood.setblocking(False)
        payload = (b"GET / HTTP/1.1\r\n\r\n" * 3000)[:49152]
        reset, t0 = False, time.monotonic()
        while time.monotonic() - t0 < 20 * SLOW:
            try:
                flood.send(payload)
            except BlockingIOError:
                time.sleep(0.01)
            except (ConnectionResetError, BrokenPipeError):
                reset = True
                break
        if not reset:
            wait_closed(flood, 10 * SLOW, want_reset=True)
        flood_after = time.monotonic() - t0
        chatty.close()
        quiet.close()
        flood.close()
        srv.wait(30 * SLOW)
    finally:
        srv.kill()
    return ("--idle-ms %d: silent client closed (EOF, %.2f s after the check), chatty one kept, "
            "non-reading flooder reset after %.2f s" % (idle_ms, quiet_after, flood_after))


def case_async_stop(cmd, args, rt, tmp, name):
    stop_ms = 700 * SLOW
    t_start = time.monotonic()
    srv = Server(cmd, ["0", "0"] + args + ["--threads", "2", "--stop-after-ms", str(stop_ms)],
                 tmp, name)
    try:
        clients = [connect(srv.port) for _ in range(6)]
        for s in clients:
            rt(s, b"before the stop\n")
        for s in clients:
            wait_closed(s, 30 * SLOW)
        out = srv.wait(30 * SLOW)
    finally:
        srv.kill()
    took = time.monotonic() - t_start
    if took < stop_ms / 1000.0:
        fail("stopped after %.2f s, before --stop-after-ms" % took)
    total, a, b = per_thread(out)
    if total != 6:
        fail("%d connections counted, want 6" % total)
    return "--stop-after-ms %d: 6 open connections closed, exit 0 after %.2f s" % (stop_ms, took)


def case_signal_stop(cmd, args, rt, tmp, name):
    done = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        srv = Server(cmd, ["0", "0"] + args + ["--threads", "2"], tmp, "%s-%d" % (name, signum))
        try:
            clients = [connect(srv.port) for _ in range(4)]
            for s in clients:
                rt(s, b"before the signal\n")
            t_sent = time.monotonic()
            srv.proc.send_signal(signum)
            for s in clients:
                wait_closed(s, 30 * SLOW)
            out = srv.wait(30 * SLOW)
        finally:
            srv.kill()
        total, _, _ = per_thread(out)
        if total != 4:
            fail("%d connections counted, want 4" % total)
        done.append("%s: 4 open connections closed, exit 0 after %.2f s"
                    % (signal.Signals(signum).name, time.monotonic() - t_sent))
    return "; ".join(done)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    wrapper, echo, http = sys.argv[1:-2], sys.argv[-2], sys.argv[-1]
    servers = [("echo_server", wrapper + [echo], [], echo_round_trip),
               ("http_hello", wrapper + [http], [], http_round_trip)]
    cases = [case_threads, case_idle, case_async_stop, case_signal_stop]
    passed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, cmd, args, rt in servers:
            for case in cases:
                try:
                    print("ok: %s %s" % (name, case(cmd, args, rt, tmp, name + "-" + case.__name__)))
                    passed += 1
                except (AssertionError, OSError) as e:
                    print("example_server_options: FAIL: %s %s: %s" % (name, case.__name__, e),
                          file=sys.stderr)
                    return 1
    print("example_server_options: %d passed, 0 failed" % passed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
