"""A handle that becomes garbage before it was closed: closed, kept by its loop until the close
callback, then freed (pyuv's rule) — and never leaked, whatever else becomes garbage with it."""

import gc
import os
import socket
import threading
import time
import weakref

import pytest

import ruv
from helpers import run_until


class Marker:
    pass


def make(kind, loop, keep):
    """A new, unclosed handle of `kind`; `keep` holds what it needs (descriptors)."""
    if kind == "TCP":
        return ruv.TCP(loop)
    if kind == "Async":
        return ruv.Async(loop, lambda h: None)
    if kind == "Poll":
        r, w = os.pipe()
        keep += [r, w]
        return ruv.Poll(loop, r)
    return getattr(ruv, kind)(loop)


KINDS = ["TCP", "Pipe", "UDP", "Timer", "Async", "Idle", "Prepare", "Check", "Poll", "Signal"]


@pytest.fixture
def fds():
    keep = []
    yield keep
    for fd in keep:
        os.close(fd)


def test_every_kind_dropped_unclosed_is_listed_closed_until_the_loop_runs(loop, fds):
    refs = []
    for kind in KINDS:
        h = make(kind, loop, fds)
        h.marker = Marker()
        refs.append((kind, weakref.ref(h), weakref.ref(h.marker)))
        del h
    gc.collect()
    handles = loop.handles
    assert sorted(type(h).__name__ for h in handles) == sorted(KINDS)
    assert all(h.closed and not h.active for h in handles)
    assert [r() is not None for _, r, _ in refs] == [True] * len(KINDS)   # kept, not freed
    del handles
    loop.run()
    assert loop.handles == [] and not loop.alive
    assert [(k, r(), m()) for k, r, m in refs] == [(k, None, None) for k in KINDS]


def test_an_active_handle_is_not_finalized(loop):
    ticks = []
    t = ruv.Timer(loop)
    t.start(lambda h: (ticks.append(1), len(ticks) == 3 and h.close()), 0.001, 0.001)
    ref = weakref.ref(t)
    del t
    gc.collect()
    assert ref() is not None and not ref().closed and ref().active   # pinned: still running
    loop.run()
    assert ticks == [1, 1, 1] and ref() is None


def test_a_loop_dropped_with_doomed_handles_is_collected_with_them():
    lp = ruv.Loop()
    t, i = ruv.Timer(lp), ruv.Idle(lp)
    t.marker = Marker()
    refs = [weakref.ref(lp), weakref.ref(t), weakref.ref(t.marker), weakref.ref(i)]
    del t, i                        # doomed: the loop keeps them (and they keep the loop)
    assert [r() is not None for r in refs] == [True] * 4
    del lp                          # never run again: garbage, all of it
    gc.collect()
    assert [r() for r in refs] == [None] * 4


def test_many_dropped_handles(loop):
    for _ in range(2000):
        ruv.Timer(loop)             # dies at once
    assert len(loop.handles) == 2000 and all(h.closed for h in loop.handles)
    loop.run()
    assert loop.handles == [] and not loop.alive


def test_close_callback_of_a_dropped_handle_is_not_needed(loop):
    # A dropped handle has no close callback of its own; the loop still finishes cleanly and a
    # second close of the doomed object is refused like any closed handle's.
    t = ruv.Timer(loop)
    ref = weakref.ref(t)
    del t
    with pytest.raises(ruv.error.HandleClosedError):
        ref().close()
    assert loop.run() is False and ref() is None


def test_dropped_while_the_loop_polls_in_another_thread():
    # The core is busy (polled without the GIL by another thread): the finalizer cannot close
    # the handle, so the object simply dies and its core handle closes once the poll returns.
    lp = ruv.Loop()
    t = ruv.TCP(lp, socket.AF_INET)
    wake = ruv.Async(lp, lambda h: h.close())
    runner = threading.Thread(target=lp.run)
    runner.start()
    deadline = time.monotonic() + 10
    while True:                     # until the loop is inside its blocking poll
        try:
            lp.alive
        except RuntimeError:
            break
        assert time.monotonic() < deadline, "the loop never started polling"
        time.sleep(0.001)
    ref = weakref.ref(t)
    del t
    assert ref() is None            # not kept: the loop could not take it
    wake.send()
    runner.join(10)
    assert not runner.is_alive()
    assert lp.handles == [] and not lp.alive
