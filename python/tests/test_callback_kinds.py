"""Every kind of callable works as a callback and gets exactly pyuv's arguments.

The binding calls callbacks through the interpreter's vectorcall entry point (no argument
tuple): a bound method uses the spare slot before the arguments, a builtin or a class with
__call__ takes another route. Each is checked for the read, write, timer and close callbacks.
"""

import functools

import pytest

import ruv
from helpers import connected_pair, run_until


class Recorder:
    def __init__(self):
        self.calls = []

    def method(self, *args):
        self.calls.append(args)

    def __call__(self, *args):
        self.calls.append(args)


def kinds():
    """(name, make) pairs: make() returns (callback, calls list)."""
    def function():
        calls = []
        return (lambda *a: calls.append(a)), calls

    def bound_method():
        r = Recorder()
        return r.method, r.calls

    def callable_object():
        r = Recorder()
        return r, r.calls

    def partial():
        calls = []

        def f(tag, *a):
            calls.append(a)
            assert tag == "tag"
        return functools.partial(f, "tag"), calls

    def builtin():
        calls = []
        return calls.append, calls      # takes one argument: used for 1-argument callbacks

    return [("function", function), ("bound_method", bound_method),
            ("callable_object", callable_object), ("partial", partial), ("builtin", builtin)]


KINDS = kinds()
MULTI = [k for k in KINDS if k[0] != "builtin"]


@pytest.mark.parametrize("name, make", MULTI, ids=[k[0] for k in MULTI])
def test_read_and_write_callbacks(loop, name, make):
    server, client, conn = connected_pair(loop)
    on_read, reads = make()
    on_write, writes = make()
    conn.start_read(on_read)
    client.write(b"hello", on_write)
    run_until(loop, lambda: reads and writes)
    assert writes == [(client, None)]
    assert reads == [(conn, b"hello", None)]
    client.close()
    run_until(loop, lambda: len(reads) == 2)
    assert reads[1] == (conn, None, ruv.errno.UV_EOF)


@pytest.mark.parametrize("name, make", KINDS, ids=[k[0] for k in KINDS])
def test_timer_and_close_callbacks(loop, name, make):
    on_timer, fired = make()
    on_close, closed = make()
    t = ruv.Timer(loop)
    t.start(on_timer, 0.001, 0)
    loop.run()
    expected = [t] if name == "builtin" else [(t,)]
    assert fired == expected
    t.close(on_close)
    loop.run()
    assert closed == expected


def test_callback_exception_reaches_excepthook(loop):
    seen = []
    loop.excepthook = lambda typ, value, tb: seen.append((typ, str(value)))

    class Boom:
        def method(self, timer):
            raise ValueError("from a bound method")

    t = ruv.Timer(loop)
    t.start(Boom().method, 0.001, 0)
    loop.run()
    assert seen == [(ValueError, "from a bound method")]


def test_callback_with_wrong_arity_raises_typeerror_to_excepthook(loop):
    seen = []
    loop.excepthook = lambda typ, value, tb: seen.append(typ)
    t = ruv.Timer(loop)
    t.start(lambda: None, 0.001, 0)     # a timer callback takes the handle
    loop.run()
    assert seen == [TypeError]
