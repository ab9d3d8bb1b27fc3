#!/usr/bin/env python3
"""examples/udp_echo over loopback with a Python UDP socket (ctest example_udp_echo).

    test-udp-echo.py [WRAPPER...] UDP_ECHO

Starts `udp_echo 0 6`, reads the port it prints, sends six datagrams (a short one, an empty
one, 1,000 bytes, 60,000 bytes, then two more) one at a time and checks that each comes back
whole from the server's address; then the server must exit 0 by itself and report
6 received, 6 echoed. Then `udp_echo 0 1 ::1` once over IPv6.
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time

START_TIMEOUT = 60


def fail(msg, out_path=None):
    if out_path and os.path.exists(out_path):
        sys.stderr.write("--- server stdout\n" + open(out_path).read())
    raise SystemExit("example_udp_echo: FAIL: " + msg)


def run_case(cmd, family, host, payloads):
    tmp = tempfile.mkdtemp(prefix="ruv-udp-echo-")
    out_path = os.path.join(tmp, "out")
    with open(out_path, "w") as out:
        args = [str(0), str(len(payloads))] + ([host] if family == socket.AF_INET6 else [])
        proc = subprocess.Popen(cmd + args, stdout=out, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        port = None
        while port is None and time.monotonic() < deadline:
            m = re.search(r"^udp echo listening on (\S+):(\d+)$", open(out_path).read(), re.M)
            if m:
                port = int(m.group(2))
            elif proc.poll() is not None:
                fail("server exited early", out_path)
            else:
                time.sleep(0.05)
        if port is None:
            fail("no port printed", out_path)
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.settimeout(20)
            for p in payloads:
                s.sendto(p, (host, port))
                data, addr = s.recvfrom(65536)
                if data != p or addr[1] != port:
                    fail("sent %d bytes, got %d back from %r" % (len(p), len(data), addr), out_path)
        status = proc.wait(timeout=START_TIMEOUT)
        if status != 0:
            fail("server exit status %d" % status, out_path)
        n = len(payloads)
        want = "%d datagram(s) received, %d echoed, 0 failed" % (n, n)
        if want not in open(out_path).read():
            fail("server did not report: " + want, out_path)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for name in os.listdir(tmp):
            os.unlink(os.path.join(tmp, name))
        os.rmdir(tmp)


def main(cmd):
    payloads = [b"hello udp", b"", b"x" * 1000, bytes(range(256)) * 234 + b"end", b"a", b"b"]
    run_case(cmd, socket.AF_INET, "127.0.0.1", payloads)
    print("ipv4: %d datagrams echoed (one empty, one of 59,907 bytes)" % len(payloads))
    run_case(cmd, socket.AF_INET6, "::1", [b"over ipv6"])
    print("ipv6: 1 datagram echoed")
    print("example_udp_echo: 2 passed, 0 failed")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        sys.exit(2)
    main(sys.argv[1:])
