"""ruv.Poll (descriptors ruv does not own) and ruv.Signal (POSIX signals from the loop)."""

import os
import signal
import socket
import threading

import pytest

import ruv


def test_poll_is_level_triggered_and_reports_events(loop):
    a, b = socket.socketpair()
    try:
        p = ruv.Poll(loop, a.fileno())
        assert p.fileno() == a.fileno()
        seen = []

        def cb(h, events, error):
            seen.append((events, error))
            if len(seen) == 3:
                h.stop()

        b.send(b"x")                                  # readable, and stays so (not read)
        p.start(ruv.UV_READABLE, cb)
        assert p.active
        loop.run()
        assert seen == [(ruv.UV_READABLE, None)] * 3  # once per iteration while ready
        assert not p.active
        assert a.recv(1) == b"x"                      # ruv never read it
        got = []
        p.start(ruv.UV_WRITABLE, lambda h, ev, err: (got.append(ev), h.close()))
        loop.run()
        assert got == [ruv.UV_WRITABLE]
        with pytest.raises(ruv.error.HandleClosedError):
            p.fileno()
    finally:
        a.close()
        b.close()


def test_poll_errors(loop, tmp_path):
    a, b = socket.socketpair()
    try:
        p = ruv.Poll(loop, a.fileno())
        with pytest.raises(ruv.error.PollError) as ei:
            ruv.Poll(loop, a.fileno())                # one watcher per descriptor
        assert ei.value.args[0] == ruv.errno.UV_EEXIST
        with pytest.raises(ruv.error.PollError) as ei:
            p.start(0, lambda *args: None)
        assert ei.value.args[0] == ruv.errno.UV_EINVAL
        with pytest.raises(TypeError):
            p.start(ruv.UV_READABLE, None)
        p.close()
        f = open(tmp_path / "plain", "w")
        with pytest.raises(ruv.error.PollError) as ei:
            ruv.Poll(loop, f.fileno())
        assert ei.value.args[0] == ruv.errno.UV_EPERM
        f.close()
        loop.run()
    finally:
        a.close()
        b.close()


def test_signal_delivered_from_the_loop(loop):
    seen = []

    def cb(h, signum):
        seen.append((signum, threading.current_thread() is threading.main_thread()))
        h.close()

    s = ruv.Signal(loop)
    s.start(cb, signal.SIGUSR2)
    assert s.active
    os.kill(os.getpid(), signal.SIGUSR2)
    loop.run()
    assert seen == [(signal.SIGUSR2, True)]


def test_signal_oneshot_and_errors(loop):
    seen = []
    s = ruv.Signal(loop)
    s.start_oneshot(lambda h, n: seen.append(h.active), signal.SIGUSR2)
    os.kill(os.getpid(), signal.SIGUSR2)
    loop.run()
    assert seen == [False]                            # stopped before its callback
    for bad in (signal.SIGKILL, signal.SIGSTOP, 0, 10000):
        with pytest.raises(ruv.error.SignalError) as ei:
            s.start(lambda h, n: None, bad)
        assert ei.value.args[0] == ruv.errno.UV_EINVAL
    s.close()
    loop.run()


def test_signal_in_two_loops_in_threads():
    got = []
    lock = threading.Lock()
    ready = threading.Barrier(3)

    def run():
        lp = ruv.Loop()
        s = ruv.Signal(lp)

        def cb(h, n):
            with lock:
                got.append(n)
            h.close()

        s.start(cb, signal.SIGUSR2)
        ready.wait()
        lp.run()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    ready.wait()
    os.kill(os.getpid(), signal.SIGUSR2)
    for t in threads:
        t.join(10)
    assert got == [signal.SIGUSR2] * 2


def test_stopping_the_last_handle_restores_pythons_handler(loop):
    hits = []
    old = signal.signal(signal.SIGUSR2, lambda n, f: hits.append(n))
    try:
        s = ruv.Signal(loop)
        s.start(lambda h, n: None, signal.SIGUSR2)
        s.stop()
        os.kill(os.getpid(), signal.SIGUSR2)          # Python's handler again
        assert hits == [signal.SIGUSR2]
        s.close()
        loop.run()
    finally:
        signal.signal(signal.SIGUSR2, old)
