"""Loops in several threads at once; no descriptor or object leaks over many cycles."""

import gc
import os
import threading

import ruv
from helpers import connected_pair, reader, run_until


def _fd_count():
    return len(os.listdir("/proc/self/fd"))


def _echo_cycle(loop, payload):
    server, client, conn = connected_pair(loop)
    conn.start_read(lambda h, d, e: d is not None and h.write(d))
    reader(client)
    client.write(payload)
    run_until(loop, lambda: client.received == payload)
    for h in (client, conn, server):
        h.close()
    loop.run()
    assert loop.handles == []


def test_no_fd_leak_over_many_loops():
    _echo_cycle(ruv.Loop(), b"warm-up")
    gc.collect()
    before = _fd_count()
    for i in range(30):
        loop = ruv.Loop()
        _echo_cycle(loop, b"cycle %d" % i)
        del loop
        gc.collect()
    assert _fd_count() <= before + 2


def test_loops_in_parallel_threads():
    errors = []
    handles_seen = []

    def worker(n):
        try:
            loop = ruv.Loop()
            for i in range(20):
                _echo_cycle(loop, b"thread %d round %d" % (n, i))
                handles_seen.append(len(loop.handles))
        except BaseException as e:     # reported to the main thread
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert handles_seen == [0] * 80
