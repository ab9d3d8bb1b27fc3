"""ruv.Timer: seconds in, pyuv's argument checks, repeat, again, ref, pins."""

import gc
import warnings
import weakref

import pytest

import ruv
from helpers import run_until


def test_one_shot_fires_once_and_goes_inactive(loop):
    t = ruv.Timer(loop)
    fired = []
    t.start(lambda h: fired.append((h, h.active)), 0.01, 0)
    assert t.active
    loop.run()
    assert fired == [(t, False)]
    assert not t.active


def test_repeat_and_again(loop):
    t = ruv.Timer(loop)
    ticks = []

    def cb(h):
        ticks.append(loop.now())
        if len(ticks) == 3:
            h.stop()

    t.start(cb, 0.001, 0.002)
    assert t.repeat == 0.002
    loop.run()
    assert len(ticks) == 3
    t.repeat = 0.005
    assert t.repeat == 0.005
    t.again()                       # restarts with repeat as the timeout
    assert t.active
    t.repeat = 0
    t.again()                       # with repeat 0 it only stops
    assert not t.active


def test_again_before_start_is_a_timer_error(loop):
    t = ruv.Timer(loop)
    with pytest.raises(ruv.error.TimerError) as ei:
        t.again()
    assert ei.value.args[0] == ruv.errno.UV_EINVAL
    assert isinstance(ei.value, ruv.error.HandleError)


def test_argument_checks(loop):
    t = ruv.Timer(loop)
    with pytest.raises(TypeError):
        t.start(None, 1, 0)
    with pytest.raises(ValueError):
        t.start(lambda h: None, -1, 0)
    with pytest.raises(ValueError):
        t.start(lambda h: None, 1, -0.5)
    with pytest.raises(TypeError):
        t.start(lambda h: None, "1", 0)
    with pytest.raises(ValueError):
        t.repeat = -1.0
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        t.start(lambda h: None, 0.0001, 0)
    assert [x.category for x in w] == [RuntimeWarning]
    t.stop()
    with pytest.raises(TypeError):
        ruv.Timer(None)
    with pytest.raises(RuntimeError):
        t.__init__(loop)


def test_unref_timer_does_not_keep_the_loop_alive(loop):
    t = ruv.Timer(loop)
    t.start(lambda h: None, 10, 0)
    t.ref = False
    assert not t.ref
    assert loop.run() is False
    t.ref = True
    assert loop.alive
    t.stop()
    assert not loop.alive


def test_started_timer_keeps_itself_alive_until_it_fired(loop):
    fired = []
    t = ruv.Timer(loop)
    t.start(lambda h: fired.append(1), 0.001, 0)
    ref = weakref.ref(t)
    del t
    gc.collect()
    assert ref() is not None        # pinned while started
    loop.run()
    assert fired == [1]
    gc.collect()
    assert ref() is None            # inactive and unreferenced: collected (and closed)
    run_until(loop, lambda: not loop.handles)


def test_stopped_timer_in_a_cycle_is_collected_and_closed(loop):
    t = ruv.Timer(loop)
    t.start(lambda h: None, 10, 0)
    t.stop()
    t.me = t                        # a cycle through the handle's __dict__
    t.marker = Marker()
    ref, marker = weakref.ref(t), weakref.ref(t.marker)
    del t
    gc.collect()
    assert ref() is None            # the GC clears weak references before finalizers run
    assert [h.closed for h in loop.handles] == [True]  # closed, kept until its close callback
    loop.run()
    assert loop.handles == [] and not loop.alive
    gc.collect()
    assert marker() is None         # the handle (and its cycle) is freed


class Marker:
    pass


def test_closed_timer_refuses_everything(loop):
    t = ruv.Timer(loop)
    t.close()
    for call in (lambda: t.start(lambda h: None, 1, 0), t.stop, t.again, t.close):
        with pytest.raises(ruv.error.HandleClosedError):
            call()
    assert t.closed and not t.active
