#!/usr/bin/env python3
"""TLS against peers ruv did not write (ctest example_tls): curl, openssl s_server/s_client and
Python's ssl module, with examples/https_hello and examples/tls_client.

    test-tls-peers.py [WRAPPER...] HTTPS_HELLO TLS_CLIENT     e.g. WRAPPER = valgrind ...

Certificates are made at test time by scripts/make-test-certs.sh. Loopback only, port 0 (or a
port the kernel just chose, for openssl s_server).
"""

import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

SMALL = os.environ.get("RUV_TEST_SCALE") == "small"
TIMEOUT = 120 if SMALL else 30
HERE = os.path.dirname(os.path.abspath(__file__))


def fail(msg):
    raise AssertionError(msg)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Certs:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ruv-tls-peers-")
        subprocess.run(["bash", os.path.join(HERE, "make-test-certs.sh"), self.dir], check=True)

    def __getitem__(self, name):
        return os.path.join(self.dir, name)


def run_client(wrapper, client, port, certs, *args, data=b"", servername=None):
    cmd = wrapper + [client, "127.0.0.1", str(port), "--cafile", certs["ca.pem"]]
    cmd += ["--servername", servername or "localhost"] + list(args)
    p = subprocess.run(cmd, input=data, capture_output=True, timeout=TIMEOUT)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def python_server(certs, cert, handler, client_ca=None):
    """A one-connection Python ssl server on a thread; returns (port, thread, result dict)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certs[cert], certs["leaf.key"])
    result = {}
    ctx.sni_callback = lambda sock, name, c: result.__setitem__("sni", name)
    if client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(certs[client_ca])
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    lsock.settimeout(TIMEOUT)

    def serve():
        try:
            raw, _ = lsock.accept()
            raw.settimeout(TIMEOUT)
            try:
                conn = ctx.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError) as e:
                result["error"] = e
                raw.close()
                return
            handler(conn, result)
        except Exception as e:  # reported by the main thread
            result["error"] = e
        finally:
            lsock.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return lsock.getsockname()[1], t, result


def echo_until_eof(conn, result):
    """Echoes every byte until the client's close_notify, then sends close_notify."""
    got = bytearray()
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        got += chunk
        conn.sendall(chunk)
    result["got"] = bytes(got)
    result["version"] = conn.version()
    conn.unwrap().close()


def truncate(conn, result):
    conn.sendall(b"partial answer")
    time.sleep(0.2)
    # Close the TCP connection under TLS: no close_notify.
    conn.unwrap  # (not called on purpose)
    sock = socket.socket(fileno=conn.detach())
    sock.close()
    result["done"] = True


def tls_client_cases(wrapper, client, certs):
    size = (256 << 10) if SMALL else (4 << 20)
    data = bytes((i * 131 ^ (i >> 9)) & 0xFF for i in range(size))
    # Byte-exact both ways against Python's ssl, close_notify both ways: exit 0, SNI sent.
    port, t, res = python_server(certs, "leaf.pem", echo_until_eof)
    rc, out, err = run_client(wrapper, client, port, certs, data=data)
    t.join(TIMEOUT)
    if rc != 0 or out != data or res.get("got") != data:
        fail("echo: rc=%d out=%d got=%d err=%s %r" % (rc, len(out), len(res.get("got", b"")), err, res))
    if res.get("sni") != "localhost" or "version=TLSv1.3" not in err:
        fail("echo: sni=%r err=%s" % (res.get("sni"), err))
    # TLS 1.2 against Python.
    port, t, res = python_server(certs, "leaf.pem", echo_until_eof)
    rc, out, err = run_client(wrapper, client, port, certs, "--tls12", data=b"twelve")
    t.join(TIMEOUT)
    if rc != 0 or out != b"twelve" or res.get("version") != "TLSv1.2" or "TLSv1.2" not in err:
        fail("tls12: rc=%d out=%r res=%r err=%s" % (rc, out, res, err))
    # Truncation without close_notify: RUV_ECONNRESET, not a clean end.
    port, t, res = python_server(certs, "leaf.pem", truncate)
    rc, out, err = run_client(wrapper, client, port, certs, data=b"x")
    t.join(TIMEOUT)
    if rc != 1 or "ECONNRESET" not in err or out != b"partial answer":
        fail("truncation: rc=%d out=%r err=%s" % (rc, out, err))
    # Every way a server certificate fails: RUV_ECERT.
    for cert, name in (("expired.pem", None), ("rogue_leaf.pem", None), ("leaf.pem", "wrong.test")):
        port, t, res = python_server(certs, cert, echo_until_eof)
        rc, out, err = run_client(wrapper, client, port, certs, servername=name, data=b"x")
        t.join(TIMEOUT)
        if rc != 1 or "error: ECERT" not in err:
            fail("%s/%s: rc=%d err=%s" % (cert, name, rc, err))
    # openssl s_server: TLS 1.3 and 1.2, ALPN; client certificates required.
    for versions, expect in ((["-tls1_3"], "TLSv1.3"), (["-tls1_2"], "TLSv1.2")):
        port = free_port()
        srv = subprocess.Popen(
            ["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-cert", certs["leaf.pem"],
             "-key", certs["leaf.key"], "-www", "-naccept", "1", "-alpn", "h2,http/1.1"] + versions,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        wait_accepting(srv)
        rc, out, err = run_client(wrapper, client, port, certs, "--alpn", "http/1.1",
                                  data=b"GET / HTTP/1.0\r\n\r\n")
        srv.wait(TIMEOUT)
        if rc != 0 or not out.startswith(b"HTTP/1.0 200 ok") or expect not in err or "alpn=http/1.1" not in err:
            fail("s_server %s: rc=%d out=%r err=%s" % (expect, rc, out[:60], err))
    for with_cert in (True, False):
        port = free_port()
        srv = subprocess.Popen(
            ["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-cert", certs["leaf.pem"],
             "-key", certs["leaf.key"], "-www", "-naccept", "1", "-Verify", "1",
             "-verify_return_error", "-CAfile", certs["ca.pem"]],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        wait_accepting(srv)
        args = ["--cert", certs["client.pem"], "--key", certs["client.key"]] if with_cert else []
        rc, out, err = run_client(wrapper, client, port, certs, *args, data=b"GET / HTTP/1.0\r\n\r\n")
        srv.wait(TIMEOUT)
        if with_cert and (rc != 0 or not out.startswith(b"HTTP/1.0 200 ok")):
            fail("client cert: rc=%d err=%s" % (rc, err))
        if not with_cert and (rc != 1 or "error: ECERT" not in err):
            fail("no client cert: rc=%d err=%s" % (rc, err))


def wait_accepting(srv):
    """Waits for openssl s_server's ACCEPT line (connecting would use up its one accept)."""
    for line in srv.stdout:
        if line.startswith("ACCEPT"):
            return
    fail("openssl s_server did not start")


def https_hello_cases(wrapper, server, certs):
    connections = 6
    proc = subprocess.Popen(wrapper + [server, "0", certs["leaf.pem"], certs["leaf.key"], str(connections)],
                            stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline().split()[-1])
    try:
        # 1. curl, TLS 1.3, ALPN http/1.1, SNI localhost.
        out = subprocess.run(["curl", "-sS", "--cacert", certs["ca.pem"], "https://localhost:%d/" % port],
                             capture_output=True, timeout=TIMEOUT)
        if out.returncode != 0 or out.stdout != b"Hello, world!\n":
            fail("curl: %r" % (out,))
        line = proc.stdout.readline()
        if "sni=localhost version=TLSv1.3" not in line or "alpn=http/1.1" not in line:
            fail("https_hello logged %r" % line)
        # 2. curl limited to TLS 1.2.
        out = subprocess.run(["curl", "-sS", "--tlsv1.2", "--tls-max", "1.2", "--cacert", certs["ca.pem"],
                              "https://127.0.0.1:%d/" % port], capture_output=True, timeout=TIMEOUT)
        line = proc.stdout.readline()
        if out.stdout != b"Hello, world!\n" or "sni=- version=TLSv1.2" not in line:
            fail("curl tls1.2: %r / %r" % (out, line))
        # 3. curl that does not trust the server: it rejects; the server hears unknown_ca.
        out = subprocess.run(["curl", "-sS", "--cacert", certs["rogue.pem"], "https://localhost:%d/" % port],
                             capture_output=True, timeout=TIMEOUT)
        line = proc.stdout.readline()
        if out.returncode == 0 or "tls error: ECERT" not in line:
            fail("untrusting curl: %r / %r" % (out.returncode, line))
        # 4. garbage: RUV_ETLS, and the server goes on serving.
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            s.recv(100)
        line = proc.stdout.readline()
        if "tls error: ETLS" not in line:
            fail("garbage: %r" % line)
        # 5. openssl s_client, ALPN and SNI.
        out = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-servername",
                              "localhost", "-alpn", "http/1.1", "-CAfile", certs["ca.pem"], "-verify_return_error",
                              "-quiet"], input=b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
                             capture_output=True, timeout=TIMEOUT)
        line = proc.stdout.readline()
        if b"Hello, world!" not in out.stdout or "sni=localhost" not in line:
            fail("s_client: %r / %r" % (out, line))
        # 6. Python's ssl, the request one byte at a time.
        ctx = ssl.create_default_context(cafile=certs["ca.pem"])
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                for b in b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n":
                    s.sendall(bytes([b]))
                got = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    got += chunk
        proc.stdout.readline()
        if not got.endswith(b"\r\n\r\nHello, world!\n"):
            fail("python client: %r" % got)
        if proc.wait(TIMEOUT) != 0:
            fail("https_hello exited %d" % proc.returncode)
    finally:
        if proc.poll() is None:
            proc.kill()


def main():
    *wrapper, server, client = sys.argv[1:]
    for tool in ("openssl", "curl"):
        if not shutil.which(tool):
            fail("%s is needed (apt-get install %s)" % (tool, tool))
    certs = Certs()
    try:
        https_hello_cases(wrapper, server, certs)
        print("https_hello: curl, openssl s_client, python ssl, garbage: ok")
        tls_client_cases(wrapper, client, certs)
        print("tls_client: python ssl (echo, 1.2, truncation, certificate failures), openssl s_server: ok")
    finally:
        shutil.rmtree(certs.dir, ignore_errors=True)
    print("2 passed, 0 failed")


if __name__ == "__main__":
    main()
