"""Helpers shared by the tests (loopback only, every wait bounded)."""

import select
import socket
import time

import pytest

import ruv


def has_ipv6():
    if not socket.has_ipv6:
        return False
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


HAS_IPV6 = has_ipv6()
needs_ipv6 = pytest.mark.skipif(not HAS_IPV6, reason="no IPv6 loopback")
HOSTS = ["127.0.0.1", pytest.param("::1", marks=needs_ipv6)]


def run_until(loop, cond, timeout=5.0):
    """Run `loop` without blocking for longer than 10 ms at a time until cond()."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs" % timeout)
        loop.run(ruv.UV_RUN_NOWAIT)
        if cond():
            break
        select.select([loop.fileno()], [], [], 0.01)


def listen(loop, host="127.0.0.1", accept=True, on_client=None):
    """A listening server on host port 0; accepted clients go into server.accepted."""
    server = ruv.TCP(loop)
    server.bind((host, 0))
    server.accepted = []
    server.connections = []            # one entry (the error) per connection callback

    def on_connection(srv, error):
        srv.connections.append(error)
        if not accept:
            return
        c = ruv.TCP(loop)
        srv.accept(c)
        srv.accepted.append(c)
        if on_client is not None:
            on_client(c)

    server.listen(on_connection)
    return server


def connected_pair(loop, host="127.0.0.1"):
    """(server, client, conn): client connected to conn (the accepted side)."""
    server = listen(loop, host)
    client = ruv.TCP(loop)
    res = []
    client.connect(server.getsockname(), lambda h, err: res.append(err))
    run_until(loop, lambda: res and server.accepted)
    assert res == [None]
    return server, client, server.accepted[0]


def close_all(loop, *handles):
    for h in handles:
        if not h.closed:
            h.close()
    run_until(loop, lambda: not any(h in loop.handles for h in handles))


def reader(handle):
    """Start reading into handle.received (bytes) and handle.read_errors."""
    handle.received = b""
    handle.read_errors = []

    def cb(h, data, error):
        if data is None:
            h.read_errors.append(error)
        else:
            assert error is None
            h.received += data

    handle.start_read(cb)
    return handle


