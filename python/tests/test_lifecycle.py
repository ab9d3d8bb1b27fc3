"""close(), closed/active/ref, HandleClosedError everywhere, cancellation, GC."""

import gc
import socket
import weakref

import pytest

import ruv
from ruv.errno import UV_ECANCELED
from helpers import connected_pair, listen, run_until

HandleClosedError = ruv.error.HandleClosedError


def test_close_callback_and_state(loop):
    t = ruv.TCP(loop)
    calls = []
    t.close(lambda h: calls.append(h))
    assert t.closed
    assert not t.active
    assert calls == []                     # never from inside close()
    loop.run()
    assert calls == [t]
    assert t.closed and not t.active and not t.ref
    assert t.readable is False and t.writable is False and t.write_queue_size == 0


def test_close_without_callback(loop):
    t = ruv.TCP(loop, socket.AF_INET)
    t.close()
    assert loop.run() is False
    assert loop.handles == []


def test_close_errors(loop):
    t = ruv.TCP(loop)
    with pytest.raises(TypeError):
        t.close("nope")
    assert not t.closed
    t.close()
    with pytest.raises(HandleClosedError):
        t.close()
    loop.run()
    with pytest.raises(HandleClosedError):
        t.close()


CLOSED_CALLS = [
    ("bind", (("127.0.0.1", 0),)),
    ("listen", (lambda s, e: None,)),
    ("accept", (None,)),
    ("connect", (("127.0.0.1", 1), lambda h, e: None)),
    ("open", (0,)),
    ("getsockname", ()),
    ("getpeername", ()),
    ("shutdown", ()),
    ("write", (b"x",)),
    ("try_write", (b"x",)),
    ("start_read", (lambda h, d, e: None,)),
    ("stop_read", ()),
    ("nodelay", (True,)),
    ("keepalive", (True, 10)),
    ("simultaneous_accepts", (True,)),
    ("fileno", ()),
    ("close", ()),
]


@pytest.mark.parametrize("when", ["closing", "closed"])
@pytest.mark.parametrize("method, args", CLOSED_CALLS, ids=[c[0] for c in CLOSED_CALLS])
def test_operations_on_closed_handle(loop, when, method, args):
    t = ruv.TCP(loop, socket.AF_INET)
    t.close()
    if when == "closed":
        loop.run()
    with pytest.raises(HandleClosedError):
        getattr(t, method)(*args)


@pytest.mark.parametrize("prop", ["family", "send_buffer_size", "receive_buffer_size"])
def test_properties_on_closed_handle(loop, prop):
    t = ruv.TCP(loop, socket.AF_INET)
    t.close()
    with pytest.raises(HandleClosedError):
        getattr(t, prop)
    if prop != "family":
        with pytest.raises(HandleClosedError):
            setattr(t, prop, 4096)
    loop.run()


def test_ref_property(loop):
    server = listen(loop)
    assert server.ref is True
    server.ref = False
    assert server.ref is False
    assert not loop.alive
    server.ref = True
    assert loop.alive
    with pytest.raises(TypeError):
        server.ref = "yes"


def test_unref_handle_with_pending_write_keeps_loop_alive(loop):
    server, client, conn = connected_pair(loop)
    server.ref = False
    client.ref = False
    done = []
    client.write(b"x", lambda h, e: done.append(e))
    loop.run()                              # returns after the write completes
    assert done == [None]


def test_close_cancels_pending_requests_in_order(loop):
    server = listen(loop, accept=False)
    t = ruv.TCP(loop)
    order = []
    t.connect(server.getsockname(), lambda h, e: order.append(("connect", e)))
    t.write(b"a", lambda h, e: order.append(("write1", e)))
    t.write(b"b", lambda h, e: order.append(("write2", e)))
    t.shutdown(lambda h, e: order.append(("shutdown", e)))
    t.close(lambda h: order.append(("close", None)))
    run_until(loop, lambda: len(order) == 5)
    assert order == [("connect", UV_ECANCELED), ("write1", UV_ECANCELED),
                     ("write2", UV_ECANCELED), ("shutdown", UV_ECANCELED), ("close", None)]


def test_callbacks_may_close_their_own_handle(loop):
    server, client, conn = connected_pair(loop)
    closed = []

    def on_read(h, data, err):
        h.close(lambda x: closed.append(x))

    conn.start_read(on_read)
    client.write(b"x")
    client.write(b"y")
    run_until(loop, lambda: closed)
    assert closed == [conn]


def test_closed_handle_is_garbage_collectable(loop):
    server, client, conn = connected_pair(loop)
    conn.start_read(lambda h, d, e: None)
    client.write(b"x", lambda h, e: None)
    refs = [weakref.ref(h) for h in (server, client, conn)]
    done = []
    for h in (server, client, conn):
        h.close(lambda h: done.append(1))
    del h, server, client, conn
    run_until(loop, lambda: len(done) == 3)
    gc.collect()
    assert [r() for r in refs] == [None, None, None]


def test_handle_kept_alive_while_c_may_call_it(loop):
    server = listen(loop)
    got = []

    def start():
        c = ruv.TCP(loop)
        c.connect(server.getsockname(), lambda h, e: (got.append(e), h.start_read(
            lambda h2, d, e2: got.append(d))))
        return weakref.ref(c)

    ref = start()
    gc.collect()
    assert ref() is not None               # pinned by its pending connect
    run_until(loop, lambda: got and server.accepted)
    gc.collect()
    assert ref() is not None               # pinned while reading
    server.accepted[0].write(b"hello")
    run_until(loop, lambda: len(got) == 2)
    assert got == [None, b"hello"]
    ref().close()
    run_until(loop, lambda: ref() is None or ref().closed and ref() not in loop.handles)
    gc.collect()
    assert ref() is None


def test_dropped_idle_handle_is_closed_and_kept_until_its_close_callback(loop):
    t = ruv.TCP(loop, socket.AF_INET)
    ref = weakref.ref(t)
    assert len(loop.handles) == 1
    del t
    gc.collect()
    assert ref() is not None and ref().closed      # as pyuv: closed, kept by its loop
    assert loop.handles == [ref()]
    with pytest.raises(HandleClosedError):
        ref().bind(("127.0.0.1", 0))
    loop.run()                             # the close completes: the object goes
    assert ref() is None
    assert loop.handles == [] and not loop.alive


def test_exception_in_close_callback(loop, capsys):
    t = ruv.TCP(loop)

    def bad(h):
        raise RuntimeError("in close")

    t.close(bad)
    loop.run()
    assert "RuntimeError: in close" in capsys.readouterr().err
