#!/usr/bin/env python3
"""echo_server --pipe over a Unix-domain socket, with peers that are not ruv (ctest
example_echo_pipe).

    test-echo-pipe.py [WRAPPER...] ECHO_SERVER

Starts `echo_server 0 4 --pipe DIR/echo.sock` and checks:
  - a Python socket (AF_UNIX) gets one line back, byte for byte;
  - a second one streams 1 MB while reading it back (a writer thread), byte-exact;
  - socat (if installed) sends a few lines through the path and prints them back;
  - a TCP client on the printed port is served by the same code;
  - after its 4 connections the server exits 0 by itself and the socket file is gone.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

START_TIMEOUT = 60


def fail(msg, out_path=None):
    if out_path and os.path.exists(out_path):
        sys.stderr.write("--- server stdout\n" + open(out_path).read())
    raise SystemExit("example_echo_pipe: FAIL: " + msg)


def wait_for(pattern, path, proc):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        m = re.search(pattern, open(path).read(), re.M)
        if m:
            return m
        if proc.poll() is not None:
            fail("server exited early (%s)" % proc.returncode, path)
        time.sleep(0.05)
    fail("server did not print " + pattern, path)


def recv_exact(sock, n):
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(65536, n - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def main(cmd):
    tmp = tempfile.mkdtemp(prefix="ruv-echo-pipe-")
    path = os.path.join(tmp, "echo.sock")
    out_path = os.path.join(tmp, "out")
    served = 0
    with open(out_path, "w") as out:
        proc = subprocess.Popen(cmd + ["0", "4", "--pipe", path], stdout=out,
                                stdin=subprocess.DEVNULL)
    try:
        port = int(wait_for(r"^echo server listening on 0\.0\.0\.0:(\d+)$", out_path,
                            proc).group(1))
        wait_for(r"^echo server listening on pipe " + re.escape(path) + "$", out_path, proc)
        if not os.path.exists(path):
            fail("no socket file at " + path)

        # 1: one line, from a Python socket
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(20)
            s.connect(path)
            s.sendall(b"hello pipe\n")
            if recv_exact(s, 11) != b"hello pipe\n":
                fail("line not echoed", out_path)
        served += 1
        print("python client: line echoed")

        # 2: 1 MB streamed while reading it back
        data = bytes((i * 131 + (i >> 9)) & 0xFF for i in range(1 << 20))
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(30)
            s.connect(path)
            writer = threading.Thread(target=lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR)))
            writer.start()
            got = recv_exact(s, len(data))
            writer.join()
            if got != data:
                fail("1 MB differs (%d of %d bytes back)" % (len(got), len(data)), out_path)
            if s.recv(1) != b"":
                fail("no end of stream after the echo", out_path)
        served += 1
        print("python client: 1 MB echoed byte-exact, then EOF")

        # 3: socat, if installed
        socat = shutil.which("socat")
        lines = b"".join(b"line %d\n" % i for i in range(100))
        if socat:
            r = subprocess.run([socat, "-t", "5", "-", "UNIX-CONNECT:" + path], input=lines,
                               capture_output=True, timeout=30)
            if r.returncode != 0 or r.stdout != lines:
                fail("socat got %r (exit %d)" % (r.stdout[:80], r.returncode), out_path)
            print("socat: 100 lines echoed")
        else:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(20)
                s.connect(path)
                s.sendall(lines)
                if recv_exact(s, len(lines)) != lines:
                    fail("lines not echoed", out_path)
            print("socat not installed: 100 lines echoed to a Python socket instead")
        served += 1

        # 4: TCP, same server code
        with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
            s.sendall(b"tcp too\n")
            if recv_exact(s, 8) != b"tcp too\n":
                fail("TCP line not echoed", out_path)
        served += 1
        print("tcp client: line echoed")

        try:
            status = proc.wait(timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired:
            fail("server did not exit after its connections", out_path)
        if status != 0:
            fail("server exit status %d" % status, out_path)
        if "%d connection(s) served" % served not in open(out_path).read():
            fail("unexpected server output", out_path)
        if os.path.exists(path):
            fail("the socket file was left behind")
        print("example_echo_pipe: %d passed, 0 failed" % (served + 1))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        sys.exit(2)
    main(sys.argv[1:])
