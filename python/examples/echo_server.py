#!/usr/bin/env python3
"""TCP echo server on ruv's pyuv-compatible API.

    python3 python/examples/echo_server.py [--host 127.0.0.1] [--port 0]
                                           [--max-seconds N]

Prints "listening on HOST PORT" once ready.  Ctrl-C (SIGINT) or SIGTERM stops
it cleanly: Python's signal wakeup fd is a loopback socket pair whose read end
is opened as a ruv TCP handle, so a signal wakes the loop even while it is
blocked in epoll.
"""

import argparse
import signal
import socket
import sys
import threading

import ruv as pyuv


def wakeup_pair():
    """A connected loopback TCP pair (Linux socketpair() gives AF_UNIX only)."""
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)
    w = socket.create_connection(lst.getsockname())
    r, _ = lst.accept()
    lst.close()
    r.setblocking(False)
    w.setblocking(False)
    return r, w


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--max-seconds", type=float, default=0,
                    help="stop by itself after this long (0: run until a signal)")
    args = ap.parse_args(argv)

    loop = pyuv.Loop.default_loop()
    clients = []

    def on_read(client, data, error):
        if data is None:            # EOF (error == pyuv.errno.UV_EOF) or an error
            client.close()
            clients.remove(client)
            return
        client.write(data)

    def on_connection(server, error):
        if error is not None:
            print("accept error:", pyuv.errno.strerror(error), file=sys.stderr)
            return
        client = pyuv.TCP(server.loop)
        server.accept(client)
        clients.append(client)
        client.nodelay(True)
        client.start_read(on_read)

    server = pyuv.TCP(loop)
    server.bind((args.host, args.port))
    server.listen(on_connection)

    def stop(*_ignored):
        for c in list(clients):
            c.close()
        del clients[:]
        if not server.closed:
            server.close()
        if not wake.closed:
            wake.close()

    # Signals: the C-level handler writes the signal number to `w`, which wakes
    # the loop; on_wake then runs in Python and stops everything.
    r, w = wakeup_pair()
    wake = pyuv.TCP(loop)
    wake.open(r.detach())
    wake.start_read(lambda h, data, error: stop())
    wake.ref = False                # the wakeup handle alone does not keep the loop alive
    signal.set_wakeup_fd(w.fileno())
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *a: None)
    if args.max_seconds > 0:
        timer = threading.Timer(args.max_seconds, lambda: w.send(b"t"))
        timer.daemon = True
        timer.start()

    host, port = server.getsockname()[:2]
    print("listening on %s %d" % (host, port), flush=True)
    loop.run()
    signal.set_wakeup_fd(-1)
    w.close()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
