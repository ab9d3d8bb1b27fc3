#!/usr/bin/env python3
"""Ping-pong: round trips per second on one TCP connection over loopback.

One process, one ruv loop: a client writes a small message, the server
echoes it, the client writes the next as soon as the echo arrives.  Each
round trip costs two writes and four C->Python callbacks (two reads, two
write completions), so the figure measures the binding's per-call overhead
plus loopback latency.

    python3 python/bench/ping_pong.py [--count 20000] [--seconds 10] [--size 64]

Bounded by --count round trips and --seconds wall time, whichever comes
first.  RUV_BACKEND=ctypes|cffi selects the binding backend.
"""

import argparse
import sys
import time

import ruv


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--host", default="127.0.0.1")
    args = ap.parse_args(argv)

    loop = ruv.Loop()
    msg = b"x" * args.size
    state = {"done": 0, "got": 0, "t0": 0.0, "t1": 0.0, "c0": 0.0, "c1": 0.0}
    deadline = [0.0]
    handles = []

    def finish():
        state["t1"] = time.perf_counter()
        state["c1"] = time.process_time()
        for h in handles:
            if not h.closed:
                h.close()

    def server_read(conn, data, error):
        if data is None:
            conn.close()
            return
        conn.write(data)

    def on_connection(server, error):
        conn = ruv.TCP(loop)
        server.accept(conn)
        conn.nodelay(True)
        handles.append(conn)
        conn.start_read(server_read)

    def client_read(client, data, error):
        if data is None:
            finish()
            return
        state["got"] += len(data)
        while state["got"] >= args.size:
            state["got"] -= args.size
            state["done"] += 1
            if state["done"] >= args.count or (
                    state["done"] % 256 == 0 and time.perf_counter() > deadline[0]):
                finish()
                return
            client.write(msg)

    def on_connect(client, error):
        if error is not None:
            sys.exit("connect failed: %s" % ruv.errno.strerror(error))
        client.nodelay(True)
        client.start_read(client_read)
        state["t0"] = time.perf_counter()
        state["c0"] = time.process_time()
        deadline[0] = state["t0"] + args.seconds
        client.write(msg)

    server = ruv.TCP(loop)
    server.bind((args.host, 0))
    server.listen(on_connection)
    handles.append(server)
    client = ruv.TCP(loop)
    handles.append(client)
    client.connect(server.getsockname(), on_connect)
    loop.run()

    elapsed = state["t1"] - state["t0"]
    cpu = state["c1"] - state["c0"]
    rate = state["done"] / elapsed if elapsed > 0 else 0.0
    cpu_rate = state["done"] / cpu if cpu > 0 else 0.0
    # rate: round trips per wall-clock second (the headline figure);
    # cpu_rate: per CPU second of this process, less sensitive to other load.
    print("ping_pong backend=%s size=%d round_trips=%d seconds=%.3f rate=%.0f rt/s cpu_rate=%.0f rt/cpu-s"
          % (ruv.BACKEND, args.size, state["done"], elapsed, rate, cpu_rate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
