"""TCP construction, bind, listen, accept, connect, open and addresses."""

import socket

import pytest

import ruv
from ruv.errno import (UV_EADDRINUSE, UV_EAGAIN, UV_EBADF, UV_EBUSY, UV_ECONNREFUSED, UV_EINVAL,
                       UV_ENOTCONN)
from helpers import HOSTS, close_all, connected_pair, listen, needs_ipv6, run_until

TCPError = ruv.error.TCPError


def test_construct(loop):
    t = ruv.TCP(loop)
    assert t.loop is loop
    assert not t.closed and not t.active
    assert t.readable is False and t.writable is False
    assert t.write_queue_size == 0
    t.custom = "data"                  # handles take arbitrary attributes
    assert t.custom == "data"


def test_construct_errors(loop):
    with pytest.raises(TypeError):
        ruv.TCP(None)
    with pytest.raises(TypeError):
        ruv.TCP("loop")
    with pytest.raises(TypeError):
        ruv.TCP(loop, "inet")
    with pytest.raises(TCPError) as ei:
        ruv.TCP(loop, socket.AF_UNIX)
    assert ei.value.args[0] == UV_EINVAL
    t = ruv.TCP(loop)
    with pytest.raises(RuntimeError):
        t.__init__(loop)


@pytest.mark.parametrize("family", [socket.AF_INET, pytest.param(socket.AF_INET6, marks=needs_ipv6)])
def test_early_socket(loop, family):
    t = ruv.TCP(loop, family)
    assert t.family == family
    assert t.fileno() >= 0
    name = t.getsockname()
    assert len(name) == (2 if family == socket.AF_INET else 4)


def test_unspec_has_no_socket_yet(loop):
    t = ruv.TCP(loop)
    with pytest.raises(TCPError) as ei:
        t.family
    assert ei.value.args[0] == UV_EBADF
    with pytest.raises(TCPError) as ei:
        t.fileno()
    assert ei.value.args[0] == UV_EBADF
    t.bind(("127.0.0.1", 0))
    assert t.family == socket.AF_INET


@pytest.mark.parametrize("host", HOSTS)
def test_bind_listen_connect_accept(loop, host):
    server = listen(loop, host)
    name = server.getsockname()
    if ":" in host:
        assert len(name) == 4 and name[0] == "::1" and name[2:] == (0, 0)
    else:
        assert name[0] == "127.0.0.1" and len(name) == 2
    assert name[1] > 0
    assert server.active
    client = ruv.TCP(loop)
    res = []
    client.connect(name, lambda h, err: res.append((h, err)))
    assert client.active               # connecting
    run_until(loop, lambda: res and server.accepted)
    assert res == [(client, None)]
    conn = server.accepted[0]
    assert conn.getpeername() == client.getsockname()
    assert client.getpeername() == conn.getsockname() == name
    assert client.readable and client.writable and conn.readable and conn.writable
    close_all(loop, client, conn, server)


def test_bind_address_forms(loop):
    t = ruv.TCP(loop)
    t.bind(("", 0))                     # '' means 0.0.0.0
    assert t.getsockname()[0] == "0.0.0.0"
    t2 = ruv.TCP(loop, socket.AF_INET)
    t2.bind(("127.0.0.1", 0), 0)


@needs_ipv6
def test_bind_ipv6_forms(loop):
    t = ruv.TCP(loop)
    t.bind(("::1", 0, 0, 0), ruv.UV_TCP_IPV6ONLY)
    assert t.getsockname()[0] == "::1"
    t2 = ruv.TCP(loop)
    t2.bind(("::", 0), ruv.UV_TCP_IPV6ONLY)
    assert t2.family == socket.AF_INET6


def test_bind_errors(loop):
    server = listen(loop)
    port = server.getsockname()[1]
    t = ruv.TCP(loop)
    with pytest.raises(TCPError) as ei:
        t.bind(("127.0.0.1", port))
    assert ei.value.args[0] == UV_EADDRINUSE
    assert isinstance(ei.value.args[1], str)
    v4 = ruv.TCP(loop, socket.AF_INET)
    with pytest.raises(TCPError) as ei:
        v4.bind(("::1", 0))
    assert ei.value.args[0] == UV_EINVAL
    t3 = ruv.TCP(loop)
    with pytest.raises(TCPError) as ei:
        t3.bind(("127.0.0.1", 0), ruv.UV_TCP_IPV6ONLY)   # IPV6ONLY on a v4 address
    assert ei.value.args[0] == UV_EINVAL
    t4 = ruv.TCP(loop)
    with pytest.raises(TCPError) as ei:
        t4.bind(("127.0.0.1", 0), 0x80)                # unknown flag
    assert ei.value.args[0] == UV_EINVAL


@needs_ipv6
def test_bind_v4_on_v6_socket(loop):
    v6 = ruv.TCP(loop, socket.AF_INET6)
    with pytest.raises(TCPError) as ei:
        v6.bind(("127.0.0.1", 0))
    assert ei.value.args[0] == UV_EINVAL


@pytest.mark.parametrize("addr, exc", [
    ("127.0.0.1", TypeError),
    (["127.0.0.1", 0], TypeError),
    (("127.0.0.1",), TypeError),
    (("127.0.0.1", 0, 0, 0, 0), TypeError),
    ((b"127.0.0.1", 0), TypeError),
    (("127.0.0.1", "80"), TypeError),
    (("127.0.0.1", 65536), OverflowError),
    (("127.0.0.1", -1), OverflowError),
    (("::1", 0, 0x100000), OverflowError),
    (("::1", 0, 0, -1), OverflowError),
    (("localhost", 0), ValueError),
    (("1.2.3.400", 0), ValueError),
    (("127.0.0.1\0", 0), ValueError),
])
def test_address_errors(loop, addr, exc):
    t = ruv.TCP(loop)
    with pytest.raises(exc):
        t.bind(addr)
    with pytest.raises(exc):
        t.connect(addr, lambda h, e: None)


def test_listen_errors(loop):
    t = ruv.TCP(loop)
    with pytest.raises(TypeError):
        t.listen(None)
    with pytest.raises(TypeError):
        t.listen("not callable")
    with pytest.raises(ValueError):
        t.listen(lambda s, e: None, -1)
    with pytest.raises(TypeError):
        t.listen(lambda s, e: None, "10")
    assert not t.active


def test_listen_without_bind(loop):
    t = ruv.TCP(loop)
    t.listen(lambda s, e: None, 16)
    host, port = t.getsockname()
    assert host == "0.0.0.0" and port > 0
    assert t.active


def test_listen_on_connected_handle_fails(loop):
    server, client, conn = connected_pair(loop)
    with pytest.raises(TCPError):
        client.listen(lambda s, e: None)


def test_accept_errors(loop):
    server = listen(loop, accept=False)
    client = ruv.TCP(loop)
    with pytest.raises(TCPError) as ei:
        server.accept(client)              # nothing pending
    assert ei.value.args[0] == UV_EAGAIN
    with pytest.raises(TypeError):
        server.accept(None)
    with pytest.raises(TypeError):
        server.accept(object())
    c = ruv.TCP(loop)
    c.connect(server.getsockname(), lambda h, e: None)
    run_until(loop, lambda: server.connections)
    assert server.connections == [None]
    busy = ruv.TCP(loop, socket.AF_INET)       # already has a socket
    with pytest.raises(TCPError) as ei:
        server.accept(busy)
    assert ei.value.args[0] == UV_EBUSY
    closed = ruv.TCP(loop)
    closed.close()
    with pytest.raises(ruv.error.HandleClosedError):
        server.accept(closed)
    ok = ruv.TCP(loop)
    server.accept(ok)                      # still pending after EBUSY
    assert ok.getpeername() == c.getsockname()


def test_accept_later_outside_callback(loop):
    server = listen(loop, accept=False)
    c = ruv.TCP(loop)
    done = []
    c.connect(server.getsockname(), lambda h, e: done.append(e))
    run_until(loop, lambda: server.connections and done)
    conn = ruv.TCP(loop)
    server.accept(conn)
    assert conn.getpeername() == c.getsockname()


def test_connect_refused(loop):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                            # nothing listens there now
    t = ruv.TCP(loop)
    res = []
    t.connect(("127.0.0.1", port), lambda h, err: res.append(err))
    run_until(loop, lambda: res)
    assert res == [UV_ECONNREFUSED]


def test_connect_errors(loop):
    t = ruv.TCP(loop)
    with pytest.raises(TypeError):
        t.connect(("127.0.0.1", 1), None)
    first = []
    t.connect(listen(loop).getsockname(), lambda h, e: first.append(e))
    with pytest.raises(TCPError) as ei:
        t.connect(("127.0.0.1", 1), lambda h, e: first.append("second"))
    assert ei.value.args[0] == ruv.errno.UV_EALREADY
    run_until(loop, lambda: first)
    assert first == [None]
    server, client, conn = connected_pair(loop)
    with pytest.raises(TCPError):
        client.connect(server.getsockname(), lambda h, e: None)   # already connected


def test_getpeername_unconnected(loop):
    t = ruv.TCP(loop, socket.AF_INET)
    with pytest.raises(TCPError) as ei:
        t.getpeername()
    assert ei.value.args[0] == UV_ENOTCONN


def test_callback_gets_the_handle_subclass(loop):
    class MyTCP(ruv.TCP):
        pass
    server = listen(loop)
    t = MyTCP(loop)
    res = []
    t.connect(server.getsockname(), lambda h, e: res.append(h))
    run_until(loop, lambda: res)
    assert res[0] is t


@pytest.mark.parametrize("host", HOSTS)
def test_open_fd(loop, host):
    server = listen(loop, host)
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.connect(server.getsockname()[:2])
    s.setblocking(False)
    t = ruv.TCP(loop)
    t.open(s.detach())
    assert t.family == fam
    assert t.getpeername()[:2] == server.getsockname()[:2]
    run_until(loop, lambda: server.accepted)
    got = []
    server.accepted[0].start_read(lambda h, d, e: got.append(d))
    t.write(b"via fd")
    run_until(loop, lambda: got)
    assert got == [b"via fd"]


def test_open_errors(loop):
    t = ruv.TCP(loop)
    with pytest.raises(TypeError):
        t.open("3")
    with pytest.raises(TCPError):
        t.open(-1)
