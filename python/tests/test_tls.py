"""ruv.TLSConfig and Stream.start_tls against Python's own ssl module as the peer (loopback,
certificates made at test time by scripts/make-test-certs.sh with the openssl tool)."""

import os
import shutil
import socket
import ssl
import subprocess
import threading

import pytest

import ruv
from helpers import close_all, connected_pair, listen, reader, run_until

E = ruv.errno
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl tool")


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("certs")
    subprocess.run(["bash", os.path.join(ROOT, "scripts", "make-test-certs.sh"), str(d)], check=True)
    return lambda name: str(d / name)


def ssl_server(certs, cert="leaf.pem", handler=None):
    """A one-connection ssl server on a thread: (port, thread, result)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certs(cert), certs("leaf.key"))
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    result = {}
    ctx.sni_callback = lambda sock, name, c: result.__setitem__("sni", name)
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    lsock.settimeout(10)

    def serve():
        try:
            raw, _ = lsock.accept()
            raw.settimeout(10)
            with ctx.wrap_socket(raw, server_side=True) as conn:
                (handler or echo)(conn, result)
        except Exception as e:
            result["error"] = e
        finally:
            lsock.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return lsock.getsockname()[1], t, result


def echo(conn, result):
    got = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        got += chunk
        conn.sendall(chunk)
    result["got"] = got
    conn.unwrap()


def tls_client(loop, port, config, name="localhost"):
    client = ruv.TCP(loop)
    res = []
    client.connect(("127.0.0.1", port), lambda h, err: res.append(err))
    run_until(loop, lambda: res)
    assert res == [None]
    hs = []
    reader(client)
    client.start_tls(config, name, lambda h, err: hs.append(err))
    return client, hs


def test_client_against_python_ssl_byte_exact(certs):
    loop = ruv.Loop()
    port, t, res = ssl_server(certs)
    config = ruv.TLSConfig.client(cafile=certs("ca.pem"), alpn=["http/1.1"])
    client, hs = tls_client(loop, port, config)
    data = bytes(range(256)) * 4096  # 1 MiB
    done = []
    client.write(data, lambda h, err: done.append(err))
    client.shutdown()
    assert hs == [] and done == []  # never inside the call
    run_until(loop, lambda: client.read_errors, timeout=30)
    t.join(10)
    assert hs == [None] and done == [None]
    assert client.read_errors == [E.UV_EOF]  # the server's close_notify
    assert client.received == data and res["got"] == data
    assert res["sni"] == "localhost"
    assert client.tls_version == 0x0304
    assert client.alpn_protocol == "http/1.1"
    with open(certs("leaf.pem")) as f:
        assert client.peer_certificate == ssl.PEM_cert_to_DER_cert(f.read())
    close_all(loop, client)


def test_server_against_python_ssl_client(certs):
    loop = ruv.Loop()
    hs = []
    config = ruv.TLSConfig.server(certs("leaf.pem"), certs("leaf.key"), alpn=["http/1.1"])

    def on_client(c):
        reader(c)
        c.start_tls(config, None, lambda h, err: hs.append(err))
        c.write(b"hello from ruv")
        c.shutdown()

    server = listen(loop, on_client=on_client)
    port = server.getsockname()[1]
    got = {}

    def client():
        ctx = ssl.create_default_context(cafile=certs("ca.pem"))
        ctx.set_alpn_protocols(["http/1.1"])
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"hello from python")
                data = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                got["data"] = data
                s.unwrap()

    t = threading.Thread(target=client, daemon=True)
    t.start()
    run_until(loop, lambda: server.accepted and server.accepted[0].read_errors, timeout=20)
    t.join(10)
    conn = server.accepted[0]
    assert hs == [None]
    assert got["data"] == b"hello from ruv"
    assert conn.received == b"hello from python"
    assert conn.read_errors == [E.UV_EOF]
    assert conn.tls_version == 0x0303
    assert conn.alpn_protocol == "http/1.1"
    assert conn.peer_certificate is None  # no client certificate
    close_all(loop, server, conn)


@pytest.mark.parametrize("cert,name", [("expired.pem", "localhost"), ("rogue_leaf.pem", "localhost"),
                                       ("leaf.pem", "wrong.test")])
def test_rejected_certificate_is_ecert(certs, cert, name):
    loop = ruv.Loop()
    port, t, res = ssl_server(certs, cert)
    client, hs = tls_client(loop, port, ruv.TLSConfig.client(cafile=certs("ca.pem")), name)
    writes = []
    client.write(b"never sent", lambda h, err: writes.append(err))
    run_until(loop, lambda: hs and writes)
    assert hs == [E.UV_ECERT] and writes == [E.UV_ECERT]
    with pytest.raises(ruv.error.TCPError):
        client.write(b"more")
    t.join(10)
    close_all(loop, client)


def test_truncation_is_econnreset(certs):
    def truncate(conn, result):
        conn.sendall(b"partial")
        socket.socket(fileno=conn.detach()).close()  # no close_notify

    loop = ruv.Loop()
    port, t, res = ssl_server(certs, handler=truncate)
    client, hs = tls_client(loop, port, ruv.TLSConfig.client(cadata=open(certs("ca.pem")).read()))
    run_until(loop, lambda: client.read_errors)
    assert hs == [None]
    assert client.received == b"partial"
    assert client.read_errors == [E.UV_ECONNRESET]
    close_all(loop, client)


def test_start_tls_on_a_pipe(certs):
    """TLS over a Unix-domain socket pair: any stream can carry it."""
    loop = ruv.Loop()
    a, b = socket.socketpair()
    pipe = ruv.Pipe(loop)
    pipe.open(a.detach())
    reader(pipe)
    hs = []
    pipe.start_tls(ruv.TLSConfig.client(cafile=certs("ca.pem")), "localhost", lambda h, err: hs.append(err))
    pipe.write(b"over a pipe")
    pipe.shutdown()
    got = {}

    def serve():
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(certs("leaf.pem"), certs("leaf.key"))
        b.settimeout(10)
        with ctx.wrap_socket(b, server_side=True) as s:
            got["data"] = s.recv(100)
            s.sendall(got["data"].upper())
            s.unwrap()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    run_until(loop, lambda: pipe.read_errors, timeout=20)
    t.join(10)
    assert hs == [None] and got["data"] == b"over a pipe"
    assert pipe.received == b"OVER A PIPE" and pipe.read_errors == [E.UV_EOF]
    close_all(loop, pipe)


def test_config_and_start_errors(certs):
    with pytest.raises(ruv.error.TLSError) as e:
        ruv.TLSConfig.server(certs("missing.pem"), certs("leaf.key"))
    assert e.value.args[0] == E.UV_ENOENT
    with pytest.raises(ruv.error.TLSError) as e:
        ruv.TLSConfig.server(certs("leaf.pem"), certs("client.key"))  # not the certificate's key
    assert e.value.args[0] == E.UV_EINVAL
    with pytest.raises(ruv.error.TLSError):
        ruv.TLSConfig.client(cadata="not PEM")
    with pytest.raises(ruv.error.TLSError):
        ruv.TLSConfig.client(certfile=certs("client.pem"))  # no key
    assert issubclass(ruv.error.TLSError, ruv.error.StreamError)
    loop = ruv.Loop()
    client_config = ruv.TLSConfig.client(cafile=certs("ca.pem"))
    unconnected = ruv.TCP(loop)
    with pytest.raises(ruv.error.TLSError):
        unconnected.start_tls(client_config, "localhost", lambda h, err: None)
    server, client, conn = connected_pair(loop)
    with pytest.raises(ruv.error.TLSError):
        client.start_tls(client_config, None, lambda h, err: None)  # a client needs a name
    with pytest.raises(TypeError):
        client.start_tls(client_config, "localhost", None)
    assert client.tls_version is None and client.alpn_protocol is None and client.peer_certificate is None
    hs = []
    client.start_tls(client_config, "localhost", lambda h, err: hs.append(err))
    with pytest.raises(ruv.error.TLSError):
        client.start_tls(client_config, "localhost", lambda h, err: None)  # already TLS
    client.close()
    run_until(loop, lambda: hs)
    assert hs == [E.UV_ECANCELED]
    with pytest.raises(ruv.error.HandleClosedError):
        client.start_tls(client_config, "localhost", lambda h, err: None)
    close_all(loop, server, client, conn)
