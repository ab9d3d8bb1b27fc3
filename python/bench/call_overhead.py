#!/usr/bin/env python3
"""Per-call cost of the Python -> C path of the selected backend (no I/O).

    RUV_BACKEND=ctypes python3 python/bench/call_overhead.py
    RUV_BACKEND=cffi   python3 python/bench/call_overhead.py

* alive:  ruv_loop_alive(loop) through the backend (a trivial C call);
* write:  ruv_tcp_write of one 64-byte buffer on a socket-less handle, which
          returns RUV_EBADF at once: building the ruv_buf_t + the call;
* callback: C -> Python callback cost: ruv_walk over 1000 handles with a
          do-nothing Python callback of the backend's kind (CFUNCTYPE or
          ffi.callback), per callback.
Prints the best of 5 runs, in nanoseconds per call.
"""

import sys
import timeit

import ruv
from ruv._ffi import B


def main():
    loop = ruv.Loop()
    tcp = ruv.TCP(loop)
    lp, hp, data = loop._lp, tcp._hp, b"x" * 64
    many = [ruv.TCP(loop) for _ in range(999)]
    n = 200000
    res = {}
    for name, fn in (("alive", lambda: B.loop_alive(lp)),
                     ("write", lambda: B.tcp_write_bytes(hp, data))):
        best = min(timeit.repeat(fn, number=n, repeat=5))
        res[name] = best / n * 1e9
    noop = lambda handle, arg: None  # noqa: E731
    if B.NAME == "ctypes":
        cb = B.WALK_CB(noop)
        walk = lambda: B.lib.ruv_walk(lp, cb, None)  # noqa: E731
    else:
        cb = B.ffi.callback("ruv_walk_cb", noop)
        walk = lambda: B.lib.ruv_walk(lp, cb, B.ffi.NULL)  # noqa: E731
    assert len(B.walk(lp)) == 1000
    best = min(timeit.repeat(walk, number=200, repeat=5))
    res["callback"] = best / (200 * 1000) * 1e9
    print("call_overhead backend=%s alive=%.0f ns write=%.0f ns callback=%.0f ns"
          % (B.NAME, res["alive"], res["write"], res["callback"]))
    for h in many + [tcp]:
        h.close()
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
