"""ruv.Async (cross-thread wakeups) and ruv.Idle / Prepare / Check (per-iteration hooks)."""

import threading

import pytest

import ruv


def test_async_from_threads_coalesces_and_never_loses_a_send(loop):
    seen = []
    done = threading.Event()

    def cb(h):
        seen.append(1)
        if done.is_set():
            h.close()

    a = ruv.Async(loop, cb)
    assert a.active

    def sender():
        for _ in range(1000):
            a.send()
        done.set()
        a.send()                    # a send after the flag: a callback after it follows

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    loop.run()                      # the GIL is released while waiting, so senders run
    for t in threads:
        t.join()
    assert 1 <= len(seen) <= 4001
    assert a.closed


def test_async_without_callback_only_wakes(loop):
    a = ruv.Async(loop)
    check_calls = []
    c = ruv.Check(loop)
    c.start(lambda h: (check_calls.append(1), loop.stop()))
    threading.Timer(0.01, a.send).start()
    loop.run()
    assert check_calls == [1]
    a.close()
    c.close()
    loop.run()


def test_async_send_on_closed_handle(loop):
    a = ruv.Async(loop, lambda h: None)
    a.close()
    with pytest.raises(ruv.error.HandleClosedError):
        a.send()
    with pytest.raises(TypeError):
        ruv.Async(loop, "not callable")


def test_phase_order_in_one_iteration(loop):
    order = []
    idle, prep, check = ruv.Idle(loop), ruv.Prepare(loop), ruv.Check(loop)
    timer = ruv.Timer(loop)
    check.start(lambda h: order.append("check"))
    prep.start(lambda h: order.append("prepare"))
    idle.start(lambda h: order.append("idle"))
    timer.start(lambda h: order.append("timer"), 0, 0)
    loop.run(ruv.UV_RUN_NOWAIT)
    assert order == ["timer", "idle", "prepare", "check"]
    for h in (idle, prep, check, timer):
        h.close()
    loop.run()


@pytest.mark.parametrize("kind", ["Idle", "Prepare", "Check"])
def test_hook_start_replaces_callback_stop_and_errors(loop, kind):
    h = getattr(ruv, kind)(loop)
    calls = []
    h.start(lambda x: calls.append("a"))
    h.start(lambda x: calls.append("b"))
    assert h.active
    loop.run(ruv.UV_RUN_NOWAIT)
    assert calls == ["b"]
    h.stop()
    assert not h.active
    loop.run(ruv.UV_RUN_NOWAIT)
    assert calls == ["b"]
    with pytest.raises(TypeError):
        h.start(42)
    h.close()
    with pytest.raises(ruv.error.HandleClosedError):
        h.start(lambda x: None)


def test_idle_keeps_the_poll_from_blocking(loop):
    timer = ruv.Timer(loop)
    timer.start(lambda h: None, 60, 0)
    idle = ruv.Idle(loop)
    idle.start(lambda h: None)
    assert loop.get_timeout() == 0
    idle.stop()
    assert 59 < loop.get_timeout() <= 60
    timer.stop()
    assert not loop.alive


def test_callback_exception_reaches_excepthook_and_loop_goes_on(loop):
    seen = []
    loop.excepthook = lambda t, v, tb: seen.append(v)
    idle = ruv.Idle(loop)
    n = []

    def cb(h):
        n.append(1)
        if len(n) == 3:
            h.close()
        raise ValueError(len(n))

    idle.start(cb)
    loop.run()
    assert [v.args for v in seen] == [(1,), (2,), (3,)]


def test_keyboard_interrupt_in_callback_stops_run(loop):
    idle = ruv.Idle(loop)

    def cb(h):
        raise KeyboardInterrupt

    idle.start(cb)
    with pytest.raises(KeyboardInterrupt):
        loop.run()
    idle.close()
    loop.run()


def test_nested_run_from_a_hook_is_ebusy(loop):
    seen = []
    idle = ruv.Idle(loop)

    def cb(h):
        try:
            loop.run(ruv.UV_RUN_NOWAIT)
        except ruv.error.UVError as e:
            seen.append(e.args[0])
        h.close()

    idle.start(cb)
    loop.run()
    assert seen == [ruv.errno.UV_EBUSY]


def test_module_constants_match_pyuv():
    assert (ruv.UV_READABLE, ruv.UV_WRITABLE, ruv.UV_DISCONNECT, ruv.UV_PRIORITIZED) == (1, 2, 4, 8)
    assert (ruv.UV_TCP, ruv.UV_TIMER, ruv.UV_ASYNC, ruv.UV_IDLE) == (12, 13, 1, 6)
    assert (ruv.UV_PREPARE, ruv.UV_CHECK, ruv.UV_POLL, ruv.UV_SIGNAL) == (9, 2, 8, 16)
