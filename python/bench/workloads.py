#!/usr/bin/env python3
"""The Python benchmark workloads, written once against pyuv's API.

    python3 workloads.py --impl ruv|pyuv WORKLOAD [--seconds S]

prints one JSON line: {"impl": ..., "workload": ..., "value": ..., "unit": ...}. The same code
runs on ruv (``import ruv as pyuv``) and on pyuv 1.4 (``import pyuv``); `run.py` alternates
the two and takes medians. Every workload runs on one loop in one process over 127.0.0.1,
bounded in time.

* ping_pong: a server and a client on one loop, nodelay, 5-byte messages; the client sends
  the next message when the echo arrives. Round trips per second.
* pump: one connection, the client writes 64 KiB chunks as fast as the write queue drains
  (at most 4 in flight), the server reads. Gbit/s received.
* timer_churn: 100,000 timers started, then restarted over and over (`start` on a started
  timer), with a non-blocking loop iteration after each pass. Restarts per second.
* echo100: 100 clients on one loop, each with one 64-byte message in flight to an echo server
  on the same loop. Messages echoed per second.
"""

import argparse
import json
import sys
import time


def echo_server(uv, loop, handles):
    """A nodelay echo server on 127.0.0.1 port 0 in `loop`; it and each connection it accepts
    are appended to `handles` (the server first)."""

    def server_read(conn, data, error):
        if data is None:
            conn.close()
        else:
            conn.write(data)

    def on_connection(server, error):
        conn = uv.TCP(loop)
        server.accept(conn)
        conn.nodelay(True)
        handles.append(conn)
        conn.start_read(server_read)

    server = uv.TCP(loop)
    server.bind(("127.0.0.1", 0))
    server.listen(on_connection, 511)
    handles.append(server)
    return server


def ping_pong(uv, seconds):
    loop = uv.Loop()
    msg = b"ping\n"
    st = {"n": 0, "got": 0, "t0": 0.0, "t1": 0.0}
    handles = []

    def finish():
        st["t1"] = time.perf_counter()
        for h in handles:
            if not h.closed:
                h.close()

    deadline = [0.0]

    def client_read(client, data, error):
        if data is None:
            finish()
            return
        st["got"] += len(data)
        while st["got"] >= len(msg):
            st["got"] -= len(msg)
            st["n"] += 1
            if st["n"] % 1024 == 0 and time.perf_counter() > deadline[0]:
                finish()
                return
            client.write(msg)

    def on_connect(client, error):
        assert error is None, error
        client.nodelay(True)
        client.start_read(client_read)
        st["t0"] = time.perf_counter()
        deadline[0] = st["t0"] + seconds
        client.write(msg)

    server = echo_server(uv, loop, handles)
    client = uv.TCP(loop)
    handles.append(client)
    client.connect(server.getsockname(), on_connect)
    loop.run()
    return st["n"] / (st["t1"] - st["t0"]), "round trips/s"


def pump(uv, seconds):
    loop = uv.Loop()
    chunk = b"x" * 65536
    st = {"bytes": 0, "t0": 0.0, "t1": 0.0, "inflight": 0, "done": False}
    handles = []

    def server_read(conn, data, error):
        if data is None:
            conn.close()
            return
        st["bytes"] += len(data)
        if not st["done"] and time.perf_counter() - st["t0"] > seconds:
            st["done"] = True
            st["t1"] = time.perf_counter()
            for h in handles:
                if not h.closed:
                    h.close()

    def on_connection(server, error):
        conn = uv.TCP(loop)
        server.accept(conn)
        handles.append(conn)
        conn.start_read(server_read)

    def on_write(client, error):
        st["inflight"] -= 1
        fill(client)

    def fill(client):
        while not st["done"] and not client.closed and st["inflight"] < 4:
            st["inflight"] += 1
            client.write(chunk, on_write)

    def on_connect(client, error):
        assert error is None, error
        st["t0"] = time.perf_counter()
        fill(client)

    server = uv.TCP(loop)
    server.bind(("127.0.0.1", 0))
    server.listen(on_connection)
    client = uv.TCP(loop)
    handles += [server, client]
    client.connect(server.getsockname(), on_connect)
    loop.run()
    return st["bytes"] * 8 / (st["t1"] - st["t0"]) / 1e9, "Gbit/s"


def timer_churn(uv, seconds, count=100000):
    loop = uv.Loop()

    def never(timer):
        raise AssertionError("a 100 s timer fired")

    timers = [uv.Timer(loop) for _ in range(count)]
    for t in timers:
        t.start(never, 100.0, 0)
    restarts = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for t in timers:
            t.start(never, 100.0, 0)
        restarts += count
        loop.run(uv.UV_RUN_NOWAIT)
    elapsed = time.perf_counter() - t0
    for t in timers:
        t.close()
    loop.run()
    return restarts / elapsed, "restarts/s"


def echo100(uv, seconds, clients=100):
    loop = uv.Loop()
    msg = b"m" * 64
    st = {"n": 0, "t0": 0.0, "t1": 0.0, "done": False, "connected": 0}
    handles = []

    def finish():
        st["done"] = True
        st["t1"] = time.perf_counter()
        for h in handles:
            if not h.closed:
                h.close()

    def client_read(client, data, error):
        if data is None or st["done"]:
            return
        client.got += len(data)
        while client.got >= len(msg):
            client.got -= len(msg)
            st["n"] += 1
            if st["n"] % 4096 == 0 and time.perf_counter() - st["t0"] > seconds:
                finish()
                return
            client.write(msg)

    def on_connect(client, error):
        assert error is None, error
        client.nodelay(True)
        client.got = 0
        client.start_read(client_read)
        st["connected"] += 1
        if st["connected"] == clients:
            st["t0"] = time.perf_counter()
            for c in handles[1:1 + clients]:
                c.write(msg)

    addr = echo_server(uv, loop, handles).getsockname()
    for _ in range(clients):
        c = uv.TCP(loop)
        handles.append(c)
        c.connect(addr, on_connect)
    loop.run()
    return st["n"] / (st["t1"] - st["t0"]), "messages/s"


WORKLOADS = {"ping_pong": ping_pong, "pump": pump, "timer_churn": timer_churn,
             "echo100": echo100}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--impl", choices=("ruv", "pyuv"), required=True)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("workload", choices=sorted(WORKLOADS))
    args = ap.parse_args(argv)
    if args.impl == "ruv":
        import ruv as uv
    else:
        import pyuv as uv
    value, unit = WORKLOADS[args.workload](uv, args.seconds)
    print(json.dumps({"impl": args.impl, "workload": args.workload, "value": value,
                      "unit": unit}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
