"""What keeps a handle object alive (its pin) and what happens when nothing does."""

import gc
import weakref

import ruv
from helpers import connected_pair, reader, run_until


def test_unreferenced_writer_lives_until_its_queued_data_is_sent(loop):
    server, client, conn = connected_pair(loop)
    server.accepted.clear()
    reader(client)
    data = b"z" * (8 << 20)
    conn.write(data)                     # no callback; most of it is queued
    assert conn.write_queue_size > 0
    ref = weakref.ref(conn)
    del conn
    gc.collect()
    assert ref() is not None             # pinned by its queued bytes
    run_until(loop, lambda: client.read_errors, timeout=30)
    # all of it arrived, then the handle, unreferenced and idle, was collected and closed
    assert len(client.received) == len(data)
    assert client.read_errors == [ruv.errno.UV_EOF]
    gc.collect()
    assert ref() is None


def test_reading_handle_is_pinned_and_an_idle_one_is_not(loop):
    server, client, conn = connected_pair(loop)
    server.accepted.clear()
    conn.start_read(lambda h, d, e: None)
    ref = weakref.ref(conn)
    del conn
    gc.collect()
    assert ref() is not None
    ref().stop_read()                    # idle now: the last reference is ours (the weakref)
    gc.collect()
    assert ref() is not None and ref().closed         # closed as garbage, kept by its loop
    reader(client)
    run_until(loop, lambda: client.read_errors and ref() is None)
    assert client.read_errors == [ruv.errno.UV_EOF]


def test_dropped_async_is_closed(loop):
    a = ruv.Async(loop, lambda h: None)
    assert loop.alive
    ref = weakref.ref(a)
    del a
    gc.collect()
    # As in pyuv: an async handle does not pin itself, so it is garbage: closed, and kept by
    # its loop until the close callback.
    assert ref() is not None and ref().closed
    loop.run()
    assert ref() is None and not loop.alive


def test_closing_handle_is_listed_until_its_close_callback_runs(loop):
    t = ruv.Timer(loop)
    seen = []
    t.close(lambda h: seen.append(h in loop.handles))
    del t
    assert len(loop.handles) == 1 and loop.handles[0].closed
    loop.run()
    assert seen == [False] and loop.handles == []     # as libuv: gone when the callback runs


def test_loop_cycles_through_its_dict_are_collected():
    lp = ruv.Loop()
    t = ruv.Timer(lp)
    lp.timer = t                         # loop -> timer -> loop
    lp.me = lp
    refs = (weakref.ref(lp), weakref.ref(t))
    del lp, t
    gc.collect()
    assert [r() for r in refs] == [None, None]


def test_a_pinned_handle_keeps_its_loop():
    lp = ruv.Loop()
    server = ruv.TCP(lp)
    server.bind(("127.0.0.1", 0))
    server.listen(lambda *a: None)
    lp.server = server
    ref = weakref.ref(lp)
    del lp, server
    gc.collect()
    assert ref() is not None             # listening: the server (and so its loop) stays
    ref().server.close()
    ref().run()
