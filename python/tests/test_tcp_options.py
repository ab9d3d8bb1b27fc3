"""nodelay, keepalive, simultaneous_accepts, fileno, buffer sizes, family."""

import socket

import pytest

import ruv
from ruv.errno import UV_EINVAL
from helpers import connected_pair, listen, run_until

TCPError = ruv.error.TCPError


def _opt(handle, level, opt):
    s = socket.socket(fileno=handle.fileno())
    try:
        return s.getsockopt(level, opt)
    finally:
        s.detach()


def test_nodelay(loop):
    server, client, conn = connected_pair(loop)
    client.nodelay(True)
    assert _opt(client, socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    client.nodelay(False)
    assert _opt(client, socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
    client.nodelay(1)
    with pytest.raises(TypeError):
        client.nodelay("yes")


def test_nodelay_before_socket_applies_later(loop):
    server = listen(loop)
    t = ruv.TCP(loop)
    t.nodelay(True)
    t.keepalive(True, 7)
    done = []
    t.connect(server.getsockname(), lambda h, e: done.append(e))
    run_until(loop, lambda: done)
    assert _opt(t, socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    assert _opt(t, socket.SOL_SOCKET, socket.SO_KEEPALIVE) != 0
    assert _opt(t, socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 7


def test_keepalive(loop):
    server, client, conn = connected_pair(loop)
    client.keepalive(True, 30)
    assert _opt(client, socket.SOL_SOCKET, socket.SO_KEEPALIVE) != 0
    assert _opt(client, socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 30
    client.keepalive(False, 0)
    assert _opt(client, socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 0
    with pytest.raises(TCPError) as ei:
        client.keepalive(True, 0)
    assert ei.value.args[0] == UV_EINVAL
    with pytest.raises(TypeError):
        client.keepalive(True, "10")
    with pytest.raises(TypeError):
        client.keepalive(None, 10)
    with pytest.raises(OverflowError):
        client.keepalive(True, -1)


def test_simultaneous_accepts(loop):
    server = listen(loop)
    server.simultaneous_accepts(False)
    clients = [ruv.TCP(loop) for _ in range(3)]
    for c in clients:
        c.connect(server.getsockname(), lambda h, e: None)
    run_until(loop, lambda: len(server.accepted) == 3)
    server.simultaneous_accepts(True)
    with pytest.raises(TypeError):
        server.simultaneous_accepts([])


def test_fileno(loop):
    server, client, conn = connected_pair(loop)
    fd = client.fileno()
    assert isinstance(fd, int) and fd >= 0
    s = socket.socket(fileno=fd)
    try:
        assert s.getpeername() == client.getpeername()
    finally:
        s.detach()


@pytest.mark.parametrize("name, opt", [("send_buffer_size", socket.SO_SNDBUF),
                                       ("receive_buffer_size", socket.SO_RCVBUF)])
def test_buffer_sizes(loop, name, opt):
    t = ruv.TCP(loop, socket.AF_INET)
    size = getattr(t, name)
    assert isinstance(size, int) and size > 0
    setattr(t, name, 32768)
    got = getattr(t, name)
    assert got == _opt(t, socket.SOL_SOCKET, opt)
    assert got >= 32768                      # Linux doubles the value
    with pytest.raises(TypeError):
        setattr(t, name, "big")
    with pytest.raises(AttributeError):     # pyuv: TypeError (see python/README.md)
        delattr(t, name)
    with pytest.raises(TCPError):
        setattr(t, name, 0)
    unspec = ruv.TCP(loop)
    with pytest.raises(TCPError):
        getattr(unspec, name)
    with pytest.raises(TCPError):
        setattr(unspec, name, 4096)


def test_family(loop):
    assert ruv.TCP(loop, socket.AF_INET).family == socket.AF_INET
    server, client, conn = connected_pair(loop)
    assert client.family == conn.family == server.family == socket.AF_INET
