"""A blocked Loop.run() stays interruptible: Ctrl-C and Python signal handlers."""

import os
import signal
import threading

import pytest

import ruv


def _kill_soon(signum, delay=0.05):
    t = threading.Timer(delay, os.kill, (os.getpid(), signum))
    t.start()
    return t


def test_ctrl_c_stops_a_blocked_run(loop):
    timer = ruv.Timer(loop)
    timer.start(lambda h: None, 30, 0)          # the poll blocks for 30 s
    killer = _kill_soon(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        loop.run()
    killer.join()
    assert timer.active                         # nothing was torn down
    timer.close()
    loop.run()


def test_signal_handler_may_stop_the_loop(loop):
    stopped = []

    def handler(signum, frame):
        loop.stop()                             # the loop is usable from the handler
        stopped.append(signum)

    old = signal.signal(signal.SIGUSR1, handler)
    try:
        timer = ruv.Timer(loop)
        timer.start(lambda h: None, 30, 0)
        killer = _kill_soon(signal.SIGUSR1)
        assert loop.run() is True               # stopped, still alive
        killer.join()
        assert stopped == [signal.SIGUSR1]
        timer.close()
        loop.run()
    finally:
        signal.signal(signal.SIGUSR1, old)


def test_other_threads_run_while_the_loop_waits(loop):
    # The GIL is released while polling: a Python thread makes progress and wakes the loop.
    counted = []
    a = ruv.Async(loop, lambda h: h.close())

    def work():
        counted.append(sum(range(100000)))
        a.send()

    t = threading.Thread(target=work)
    t.start()
    loop.run()
    t.join()
    assert counted == [sum(range(100000))]
