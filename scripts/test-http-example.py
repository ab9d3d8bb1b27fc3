#!/usr/bin/env python3
"""Exercises examples/http_hello over loopback (ctest example_http).

    test-http-example.py [WRAPPER...] HTTP_HELLO        e.g. WRAPPER = valgrind --error-exitcode=1

Starts `HTTP_HELLO 0 N 127.0.0.1` (port 0, exit after N connections), reads the port from its
output, runs the cases below (one connection each), and checks that the server then exits 0
with "N connection(s) served". curl is used when installed (two URLs over one kept-alive
connection); the other cases use raw sockets so that the bytes on the wire are exact.
"""

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HELLO = b"Hello, world!\n"
TIMEOUT = 30 if os.environ.get("RUV_TEST_SCALE") == "small" else 10


def fail(msg):
    raise AssertionError(msg)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_response(f):
    """One HTTP/1.1 response from a file object: (status, headers dict, body)."""
    status_line = f.readline()
    if not status_line:
        fail("connection closed before a response")
    m = re.match(rb"HTTP/1\.1 (\d{3}) [^\r\n]*\r\n$", status_line)
    if not m:
        fail("bad status line %r" % status_line)
    headers = {}
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(m.group(1)), headers


def read_full(f, head=False):
    status, headers = read_response(f)
    length = int(headers.get("content-length", "0"))
    body = b"" if head else f.read(length)
    if len(body) != (0 if head else length):
        fail("short body: %d of %d bytes" % (len(body), length))
    return status, headers, body


def expect_eof(sock):
    sock.settimeout(TIMEOUT)
    rest = sock.recv(1)
    if rest != b"":
        fail("expected the server to close the connection, got %r" % rest)


# ---- cases: each uses exactly one connection ------------------------------------------------

def case_curl_keep_alive(port):
    url = "http://127.0.0.1:%d/" % port
    out = subprocess.run(["curl", "-sS", "--max-time", str(TIMEOUT),
                          "-w", "|%{http_code}|%{num_connects}\n", url, url],
                         capture_output=True, check=True).stdout
    want = HELLO + b"|200|1\n" + HELLO + b"|200|0\n"
    if out != want:
        fail("curl output %r, want %r (second request on the same connection)" % (out, want))
    return "curl: 2 GETs over one kept-alive connection"


def case_http_client(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    for method, path, status, body in [("GET", "/", 200, HELLO), ("GET", "/?x=1", 200, HELLO),
                                       ("HEAD", "/", 200, b""), ("GET", "/missing", 404, None),
                                       ("GET", "/", 200, HELLO)]:
        conn.request(method, path)
        r = conn.getresponse()
        data = r.read()
        if r.status != status or (body is not None and data != body):
            fail("%s %s: %d %r" % (method, path, r.status, data))
        if method == "HEAD" and r.getheader("Content-Length") != str(len(HELLO)):
            fail("HEAD: Content-Length %r" % r.getheader("Content-Length"))
    if conn.sock is None:
        fail("http.client did not keep the connection")
    conn.close()
    return "http.client: 5 requests (GET, query, HEAD, 404) on one connection"


def case_pipelined(port):
    s = connect(port)
    reqs = (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
            b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    s.sendall(reqs)
    f = s.makefile("rb")
    got = [read_full(f), read_full(f, head=True), read_full(f), read_full(f)]
    if [g[0] for g in got] != [200, 200, 404, 200] or got[0][2] != HELLO or got[3][2] != HELLO:
        fail("pipelined: %r" % [(g[0], g[2]) for g in got])
    if got[3][1].get("connection") != "close":
        fail("pipelined: last answer without Connection: close")
    if f.read() != b"":
        fail("pipelined: data after the last answer")
    s.close()
    return "pipelining: 4 requests in one write, answered in order, closed after Connection: close"


def case_byte_by_byte(port):
    s = connect(port)
    req = b"GET / HTTP/1.0\r\nUser-Agent: slow\r\n\r\n"
    for i in range(len(req)):
        s.sendall(req[i:i + 1])
        time.sleep(0.002)
    f = s.makefile("rb")
    status, headers, body = read_full(f)
    if status != 200 or body != HELLO or headers.get("connection") != "close":
        fail("byte by byte: %d %r %r" % (status, headers, body))
    if f.read() != b"":
        fail("HTTP/1.0 without keep-alive: connection not closed")
    s.close()
    return "a request sent byte by byte; HTTP/1.0 closes after the answer"


def case_body_then_keepalive_10(port):
    s = connect(port)
    # POST with a body (405, body discarded), then an HTTP/1.0 keep-alive GET, split oddly
    data = (b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello=world"
            b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
            b"\r\nGET / HTTP/1.1\r\nConnection: close\r\n\r\n")
    for chunk in (data[:20], data[20:47], data[47:60], data[60:]):
        s.sendall(chunk)
        time.sleep(0.01)
    f = s.makefile("rb")
    a, b, c = read_full(f), read_full(f), read_full(f)
    if a[0] != 405 or a[1].get("allow") != "GET, HEAD":
        fail("POST: %r" % (a,))
    if b[0] != 200 or b[2] != HELLO or b[1].get("connection") != "keep-alive":
        fail("HTTP/1.0 keep-alive: %r" % (b,))
    if c[0] != 200 or c[2] != HELLO:
        fail("after the body: %r" % (c,))
    if f.read() != b"":
        fail("not closed after Connection: close")
    s.close()
    return "POST body skipped (405), HTTP/1.0 keep-alive, requests split across writes"


def case_errors(port, request, status):
    s = connect(port)
    s.sendall(request)
    f = s.makefile("rb")
    got = read_full(f)
    if got[0] != status or got[1].get("connection") != "close":
        fail("%r: %r" % (request[:40], got))
    if f.read() != b"":
        fail("%r: connection not closed after %d" % (request[:40], status))
    s.close()
    return "%d for %r" % (status, request[:24])


def case_huge_head(port):
    s = connect(port)
    s.sendall(b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 10000 + b"\r\n\r\n")
    f = s.makefile("rb")
    got = read_full(f)
    if got[0] != 431:
        fail("huge head: %r" % (got,))
    s.close()
    return "431 for a 10 KB request head"


def case_abandoned(port):
    s = connect(port)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # incomplete, then the client goes away
    s.close()
    return "client leaving mid-request"


def case_unread_flood(port):
    # Many pipelined requests (~8 MB of answers) from a client that does not read at first and
    # has a small receive buffer: the server's write queue passes its high-water mark, so it
    # must stop reading, resume once the queue drains, and still answer every request.
    n = 6000 if os.environ.get("RUV_TEST_SCALE") == "small" else 60000
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    s.settimeout(TIMEOUT)
    s.connect(("127.0.0.1", port))
    req = b"GET / HTTP/1.1\r\n\r\n"
    payload = req * (n - 1) + b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n"
    err = []

    def writer():
        try:
            s.sendall(payload)
        except OSError as e:  # pragma: no cover
            err.append(e)

    t = threading.Thread(target=writer)
    t.start()
    time.sleep(0.3)  # let the server's write queue fill up
    f = s.makefile("rb")
    count = 0
    while True:
        line = f.readline()
        if not line:
            break
        if line.startswith(b"HTTP/1.1 200"):
            count += 1
    t.join(TIMEOUT)
    if err or count != n:
        fail("flood: %d of %d answers, %r" % (count, n, err))
    s.close()
    return "%d pipelined requests from a slow reader all answered" % n


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = sys.argv[1:]
    cases = []
    if shutil.which("curl"):
        cases.append(case_curl_keep_alive)
    else:
        print("curl not installed: its case is left out")
    cases += [case_http_client, case_pipelined, case_byte_by_byte, case_body_then_keepalive_10,
              lambda p: case_errors(p, b"garbage\r\n\r\n", 400),
              lambda p: case_errors(p, b"GET / HTTP/2.0\r\n\r\n", 505),
              lambda p: case_errors(p, b"GET / HTTP/1.1\r\nBad header\r\n\r\n", 400),
              lambda p: case_errors(p, b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
              lambda p: case_errors(p, b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", 400),
              case_huge_head, case_abandoned, case_unread_flood]

    with tempfile.TemporaryDirectory() as tmp:
        out_path, err_path = os.path.join(tmp, "out"), os.path.join(tmp, "err")
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            server = subprocess.Popen(cmd + ["0", str(len(cases)), "127.0.0.1"], stdout=out,
                                      stderr=err, stdin=subprocess.DEVNULL)

        def dump():
            for name, path in (("stdout", out_path), ("stderr", err_path)):
                with open(path, "rb") as fh:
                    sys.stderr.write("--- server %s\n%s\n" % (name, fh.read().decode(errors="replace")))

        try:
            port = None
            deadline = time.monotonic() + 60
            while port is None and time.monotonic() < deadline:
                with open(out_path, "rb") as fh:
                    m = re.search(rb"listening on http://127\.0\.0\.1:(\d+)/", fh.read())
                if m:
                    port = int(m.group(1))
                elif server.poll() is not None:
                    break
                else:
                    time.sleep(0.05)
            if not port:
                fail("the server printed no port")
            print("http_hello on port %d" % port)
            for case in cases:
                print("ok:", case(port))
            try:
                status = server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                fail("the server did not exit after %d connections" % len(cases))
            if status != 0:
                fail("server exit status %d" % status)
            with open(out_path, "rb") as fh:
                if b"%d connection(s) served" % len(cases) not in fh.read():
                    fail("unexpected server output")
        except (AssertionError, OSError, subprocess.SubprocessError) as e:
            print("example_http: FAIL: %s" % e, file=sys.stderr)
            dump()
            return 1
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
    print("example_http: %d passed, 0 failed" % len(cases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
