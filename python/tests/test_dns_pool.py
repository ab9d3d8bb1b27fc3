"""ruv.dns, Loop.queue_work, Request.cancel and TCP.connect_host (loopback and local names only:
numeric hosts, localhost from /etc/hosts, names in `invalid.` that ruv answers itself)."""

import socket
import threading

import pytest

import ruv
from ruv import dns
from ruv.errno import UV_EAI_CANCELED, UV_EAI_NONAME, UV_ECANCELED


def test_getaddrinfo_numeric_async_and_sync(loop):
    got = []
    req = dns.getaddrinfo(loop, "127.0.0.1", 8080, socket.AF_INET, socket.SOCK_STREAM,
                          callback=lambda res, err: got.append((res, err)))
    assert isinstance(req, ruv.Request) and req.loop is loop
    assert got == []  # never inside the call
    loop.run()
    (res, err), = got
    assert err is None
    assert res[0].family == socket.AF_INET and res[0].sockaddr == ("127.0.0.1", 8080)
    assert res[0].type == socket.SOCK_STREAM
    res = dns.getaddrinfo(loop, b"::1", None, socket.AF_INET6)
    assert res[0].sockaddr[:2] == ("::1", 0)


def test_getaddrinfo_localhost_and_invalid(loop):
    res = dns.getaddrinfo(loop, "localhost", "http", socket.AF_INET)
    assert res[0].sockaddr == ("127.0.0.1", 80)
    got = []
    dns.getaddrinfo(loop, "nothing.invalid", 80, callback=lambda r, e: got.append((r, e)))
    loop.run()
    assert got == [(None, UV_EAI_NONAME)]
    with pytest.raises(ruv.error.UVError) as e:
        dns.getaddrinfo(loop, "nothing.invalid", 80)
    assert e.value.args[0] == UV_EAI_NONAME


def test_getaddrinfo_argument_errors(loop):
    with pytest.raises(TypeError):
        dns.getaddrinfo(loop, "localhost", 80, callback=42)
    with pytest.raises(ValueError):
        dns.getaddrinfo(loop, "localhost", 70000)
    with pytest.raises(TypeError):
        dns.getaddrinfo(loop, 12, 80)
    with pytest.raises(TypeError):
        dns.getaddrinfo(None, "localhost", 80)


def test_getnameinfo(loop):
    flags = socket.NI_NUMERICHOST | socket.NI_NUMERICSERV
    assert dns.getnameinfo(loop, ("127.0.0.1", 8080), flags) == ("127.0.0.1", "8080")
    got = []
    dns.getnameinfo(loop, ("127.0.0.1", 22), flags, lambda r, e: got.append((r, e)))
    loop.run()
    assert got == [(("127.0.0.1", "22"), None)]


def test_queue_work_runs_off_the_loop_thread(loop):
    seen = {}

    def work():
        seen["work"] = threading.get_ident()

    def done(err):
        seen["done"] = (threading.get_ident(), err)

    req = loop.queue_work(work, done)
    assert isinstance(req, ruv.Request)
    loop.run()
    assert seen["work"] != threading.get_ident()
    assert seen["done"] == (threading.get_ident(), None)
    assert req.cancel() is False  # done
    loop.queue_work(lambda: None)  # done_callback may be omitted
    loop.run()
    with pytest.raises(TypeError):
        loop.queue_work(42)
    with pytest.raises(TypeError):
        loop.queue_work(lambda: None, 42)


def test_cancel_queued_work(loop):
    gate = threading.Event()
    started = threading.Semaphore(0)
    results = []

    def block():
        started.release()
        gate.wait(10)

    # Fill every pool thread (4 by default), then queue one more and cancel it.
    blockers = [loop.queue_work(block, results.append) for _ in range(4)]
    for _ in range(4):
        assert started.acquire(timeout=10)
    late = loop.queue_work(lambda: None, lambda err: results.append(("late", err)))
    assert blockers[0].cancel() is False  # running
    assert late.cancel() is True
    assert late.cancel() is False  # already due
    assert results == []  # not inside cancel()
    gate.set()
    loop.run()
    assert ("late", UV_ECANCELED) in results
    assert results.count(None) == 4


def test_connect_host(loop):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    port = srv.getsockname()[1]
    got = []
    tcp = ruv.TCP(loop)
    tcp.connect_host("localhost", port, lambda h, err: got.append(err))
    loop.run()
    assert got == [None]
    assert tcp.getpeername() == ("127.0.0.1", port)
    tcp.close()
    bad = ruv.TCP(loop)
    bad.connect_host("nothing.invalid", port, lambda h, err: got.append(err))
    loop.run()
    assert got[-1] == UV_EAI_NONAME
    bad.close()
    with pytest.raises(ValueError):
        ruv.TCP(loop).connect_host("localhost", -1, lambda h, e: None)
    with pytest.raises(ruv.error.TCPError):
        ruv.TCP(loop, socket.AF_INET).connect_host("localhost", port, lambda h, e: None)
    loop.run()
    srv.close()


def test_eai_codes_in_errno():
    assert UV_EAI_NONAME == -3008 and UV_EAI_CANCELED == -3003
    assert ruv.errno.errorcode[-3008] == "UV_EAI_NONAME"
