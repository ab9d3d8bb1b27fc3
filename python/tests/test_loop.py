"""ruv.Loop: construction, run modes, stop, time, alive, handles, excepthook."""

import re
import time

import pytest

import ruv
from helpers import connected_pair, listen, run_until


def test_new_loops_are_distinct(loop):
    other = ruv.Loop()
    assert other is not loop
    assert not loop.default and not other.default


def test_default_loop_is_a_singleton():
    a = ruv.Loop.default_loop()
    b = ruv.Loop.default_loop()
    assert a is b
    assert a.default
    assert a is not ruv.Loop()


def test_reinit_is_refused(loop):
    with pytest.raises(RuntimeError):
        loop.__init__()


def test_run_empty_loop_returns_false(loop):
    assert loop.run() is False
    assert loop.run(ruv.UV_RUN_ONCE) is False
    assert loop.run(ruv.UV_RUN_NOWAIT) is False
    assert loop.alive is False


def test_run_invalid_mode(loop):
    with pytest.raises(ValueError):
        loop.run(3)
    with pytest.raises(ValueError):
        loop.run(-1)


def test_alive_and_nowait_with_listener(loop):
    server = listen(loop)
    assert loop.alive is True
    assert loop.run(ruv.UV_RUN_NOWAIT) is True
    server.ref = False
    assert loop.alive is False
    assert loop.run(ruv.UV_RUN_NOWAIT) is False
    server.ref = True
    server.close()
    assert loop.alive is True          # a closing handle keeps the loop alive
    assert loop.run() is False
    assert loop.alive is False


def test_stop_before_run(loop):
    server = listen(loop)
    loop.stop()
    assert loop.run() is True          # returns at once, still alive
    server.close()
    loop.run()


def test_stop_from_callback(loop):
    server, client, conn = connected_pair(loop)
    calls = []

    def on_write(h, err):
        calls.append(err)
        loop.stop()

    client.write(b"x", on_write)
    assert loop.run() is True          # stopped while the listener is still active
    assert calls == [None]


def test_now_and_update_time(loop):
    t0 = loop.now()
    assert isinstance(t0, int) and t0 >= 0
    time.sleep(0.03)
    assert loop.now() == t0            # cached
    loop.update_time()
    assert loop.now() >= t0 + 20


def test_fileno_and_timeout(loop):
    assert loop.fileno() >= 0
    assert isinstance(loop.get_timeout(), float)


def test_handles(loop):
    assert loop.handles == []
    server, client, conn = connected_pair(loop)
    hs = loop.handles
    assert len(hs) == 3
    for h in (server, client, conn):
        assert any(x is h for x in hs)
    client.close()
    run_until(loop, lambda: client not in loop.handles)
    assert len(loop.handles) == 2


def test_loop_data_attributes(loop):
    loop.counter = 41
    loop.counter += 1
    assert loop.counter == 42
    assert loop.__dict__["counter"] == 42


def test_nested_run_is_an_error(loop):
    server, client, conn = connected_pair(loop)
    seen = []

    def on_write(h, err):
        try:
            loop.run(ruv.UV_RUN_NOWAIT)
        except ruv.error.UVError as e:
            seen.append(e.args[0])

    client.write(b"x", on_write)
    run_until(loop, lambda: seen)
    assert seen == [ruv.errno.UV_EBUSY]


def _raise_in_write_callback(loop, exc):
    server, client, conn = connected_pair(loop)
    after = []

    def on_write(h, err):
        raise exc

    client.write(b"x", on_write)
    client.write(b"y", lambda h, err: after.append(err))
    run_until(loop, lambda: after)
    return after


def test_default_excepthook_prints_and_loop_continues(loop, capsys):
    after = _raise_in_write_callback(loop, RuntimeError("Bad"))
    assert after == [None]             # the loop kept running
    err = capsys.readouterr().err
    assert re.match(r"(?s)^Unhandled exception in callback\nTraceback.*RuntimeError: Bad\n$", err), err


def test_custom_excepthook(loop, capsys):
    calls = []
    loop.excepthook = lambda t, v, tb: calls.append((t, v, tb))
    exc = RuntimeError("Bad")
    _raise_in_write_callback(loop, exc)
    assert len(calls) == 1
    assert calls[0][0] is RuntimeError and calls[0][1] is exc and calls[0][2] is not None
    assert capsys.readouterr().err == ""


def test_excepthook_none(loop, capsys):
    loop.excepthook = None
    _raise_in_write_callback(loop, RuntimeError("Bad"))
    assert "Unhandled exception in callback" in capsys.readouterr().err


def test_excepthook_that_raises(loop, capsys):
    def hook(t, v, tb):
        raise NameError("abc")
    loop.excepthook = hook
    _raise_in_write_callback(loop, RuntimeError("Bad"))
    err = capsys.readouterr().err
    assert re.match(r"(?s)^Unhandled exception in excepthook\n.*NameError: abc\n\n"
                    r"Unhandled exception in callback\n.*RuntimeError: Bad\n$", err), err


class _SubLoop(ruv.Loop):
    def __init__(self):
        super().__init__()
        self.calls = []

    def excepthook(self, typ, value, tb):
        self.calls.append(value)


def test_excepthook_override_in_subclass():
    loop = _SubLoop()
    exc = ValueError("x")
    _raise_in_write_callback(loop, exc)
    assert loop.calls == [exc]
    for h in loop.handles:
        if not h.closed:
            h.close()
    loop.run()


def test_keyboard_interrupt_stops_run(loop):
    server, client, conn = connected_pair(loop)

    def on_write(h, err):
        raise KeyboardInterrupt

    client.write(b"x", on_write)
    with pytest.raises(KeyboardInterrupt):
        loop.run()
    assert loop.alive                  # nothing was torn down
