#!/usr/bin/env python3
"""Writes the seed corpus of the api_ops fuzz target into fuzz/corpus/api_ops/seed-*.

Encoding (see fuzz_targets/api_ops.rs): byte 0 = accept mode of the slot-0 listener, then
operations `op a [args]`: 0 create(fam) 1 bind(h, c) 2 listen(h, c) 3 connect(h, target)
4 accept(server, client) 5 write(h, c, d) 6 try_write(h, c) 7 start_read 8 stop_read
9 shutdown 10 close 11 abort 12/13 run NOWAIT x(1 + a%4) 14 run ONCE 15 action(h, what,
target, when) 16 options(h, c) 17 queries 18 ref/unref 19 stop+run 20 pipe/UDP calls on a TCP
handle(h, c; c & 0x80: a pipe probe instead). An op byte is read modulo 21; one >= 128 (e.g. `tw(op)`) makes the op's stream calls
through the ruv_* stream twins. A handle byte that is 30 modulo 32 picks a pointer closed by an
earlier input of the same process (NULL in the first).
"""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "api_ops")

CREATE, BIND, LISTEN, CONNECT, ACCEPT, WRITE, TRYW, START, STOP, SHUT, CLOSE, ABORT, RUN, \
    RUN2, ONCE, ACTION, OPTS, QUERY, REF, STOPRUN, WRONGKIND = range(21)


def tw(op):
    """`op` through the ruv_* stream twins (147 = 7 * 21, >= 128)."""
    return op + 147


def run(n=3):
    return [RUN, n]


def pair(slot=1, target=0, v6=False):
    """Create slot `slot` and connect it to the listener in `target`."""
    return [CREATE, 0, CONNECT, slot, target | (0x80 if v6 else 0)] + run() + run()


seeds = {
    "connect-write-close": [0] + pair() + [WRITE, 1, 1, 100] + run() + [CLOSE, 1] + run(),
    "echo-like": [0] + pair() + [START, 1, START, 2, WRITE, 1, 2, 40] + run() + run()
    + [WRITE, 2, 1, 9] + run() + [SHUT, 1] + run() + run(),
    "write-before-connect": [0, CREATE, 0, CONNECT, 1, 0, WRITE, 1, 3, 8, WRITE, 1, 1, 5, SHUT, 1]
    + run() + run() + run(),
    "big-write-peer-resets": [0] + pair() + [WRITE, 1, 3, 200, WRITE, 1, 3, 200, WRITE, 1, 1, 7]
    + run() + [ABORT, 2] + run() + run() + [WRITE, 1, 1, 1] + run(),
    "refused": [0, CREATE, 0, CONNECT, 1, 5] + run() + run() + [CONNECT, 1, 0] + run(),
    "connect-twice": [0, CREATE, 0, CONNECT, 1, 0, CONNECT, 1, 0] + run() + [CONNECT, 1, 0] + run(),
    "close-while-connecting": [0, CREATE, 0, CONNECT, 1, 0, WRITE, 1, 1, 3, SHUT, 1, CLOSE, 1] + run(),
    "never-accept": [1] + pair() + pair(2) + run() + [CREATE, 0, ACCEPT, 0, 4] + run() + [ACCEPT, 0, 4],
    "accept-close": [2] + pair() + pair(2) + run() + run(),
    "accept-before-listen": [0, CREATE, 1, CREATE, 0, ACCEPT, 1, 2, LISTEN, 1, 0, ACCEPT, 1, 2]
    + [CONNECT, 2, 1] + run() + [ACCEPT, 1, 2],
    "listen-on-connected": [0] + pair() + [LISTEN, 1, 0, LISTEN, 2, 0, BIND, 1, 0] + run(),
    "start-read-twice": [0] + pair() + [START, 1, START, 1, STOP, 1, STOP, 1, START, 1] + run(),
    "shutdown-twice": [0] + pair() + [SHUT, 1, SHUT, 1, WRITE, 1, 1, 1, TRYW, 1, 1] + run() + run(),
    "half-close": [0] + pair() + [START, 1, START, 2, SHUT, 1] + run() + run()
    + [WRITE, 2, 2, 30, SHUT, 2] + run() + run(),
    "try-write": [0] + pair() + [TRYW, 1, 5, TRYW, 1, 255, TRYW, 1, 255, WRITE, 1, 3, 100, TRYW, 1, 1]
    + run(),
    "closing-handle-ops": [0] + pair() + [CLOSE, 1, WRITE, 1, 1, 1, START, 1, SHUT, 1, CONNECT, 1, 0,
                                          QUERY, 1, OPTS, 1, 7, CLOSE, 1, ABORT, 1] + run(),
    "dead-handle": [0] + pair() + [CLOSE, 1] + run() + run() + [QUERY, 31, CLOSE, 31, WRITE, 31, 1, 1,
                                                               START, 31, REF, 31]
    + run(),
    "close-self-in-read": [0] + pair() + [ACTION, 2, 1, 0, 0x04, START, 2, WRITE, 1, 1, 50] + run() + run(),
    "close-other-in-write": [0] + pair() + [ACTION, 1, 2, 2, 0x10, WRITE, 1, 1, 10] + run() + run(),
    "close-listener-in-connection": [0, ACTION, 0, 1, 0, 0x01] + pair() + run(),
    "close-all-in-connect": [0, CREATE, 0, ACTION, 1, 7, 0, 0x02, CONNECT, 1, 0] + run() + run(),
    "write-in-read": [0] + pair() + [ACTION, 2, 3, 5, 0x04, START, 2, START, 1, WRITE, 1, 1, 20]
    + run() + run() + run(),
    "shutdown-in-eof": [0] + pair() + [ACTION, 2, 4, 0, 0x08, START, 2, START, 1, SHUT, 1]
    + run() + run() + run(),
    "nested-run": [0, ACTION, 0, 6, 0, 0xff] + pair() + [ACTION, 1, 6, 0, 0xff, ACTION, 2, 6, 0, 0xff,
                                                          START, 1, START, 2, WRITE, 1, 1, 1, SHUT, 1]
    + run() + run() + [CLOSE, 2] + run(),
    "close-in-close": [0] + pair() + [ACTION, 1, 2, 2, 0x40, CLOSE, 1] + run() + run(),
    "stop-read-in-read": [0] + pair() + [ACTION, 2, 5, 0, 0x04, START, 2, WRITE, 1, 3, 10] + run() + run()
    + [START, 2] + run(),
    "v6": [0, CREATE, 2, BIND, 1, 1, LISTEN, 1, 2, CREATE, 0, CONNECT, 2, 0x81] + run() + run(),
    "bind-flags": [0, CREATE, 1, BIND, 1, 4, BIND, 1, 5, CREATE, 2, BIND, 2, 4, BIND, 2, 0, CREATE, 3]
    + run(),
    "options-queries": [0] + pair() + [OPTS, 1, 0x13, OPTS, 2, 0x02, OPTS, 0, 4, QUERY, 0, QUERY, 1,
                                       QUERY, 2, QUERY, 9] + run(),
    "unref-ref": [0, REF, 0x40, STOPRUN, 0] + pair() + [REF, 0x41, REF, 1] + run(),
    "stop-run": [0, STOPRUN, 0, STOPRUN, 0] + pair() + [STOPRUN, 0] + run(),
    # §3.8: with every handle unref'd, a pending write, a pending connect or a closing handle
    # alone keeps the loop alive; a stop before the run returns that liveness.
    "alive-by-write": [0] + pair() + [REF, 0x40, REF, 0x42, WRITE, 1, 1, 5, STOPRUN, 0] + run(),
    "alive-by-connect": [0, REF, 0x40, CREATE, 0, REF, 0x41, CONNECT, 1, 0, STOPRUN, 0] + run(),
    "alive-by-closing": [0] + pair() + [REF, 0x40, REF, 0x41, REF, 0x42, CLOSE, 1, STOPRUN, 0]
    + run(),
    # A refused connect cancels the writes queued behind it; the handle may connect again and
    # write (found by the fuzzer: the target took those cancellations for a failed write and
    # expected RUV_EPIPE from the writes after the second connect).
    "reconnect-after-refused": [0, CREATE, 0, CONNECT, 1, 5, WRITE, 1, 1, 5] + run() + run()
    + [CONNECT, 1, 5, WRITE, 1, 1, 5] + run() + [CONNECT, 1, 0, WRITE, 1, 1, 5] + run() + run(),
    "accept-later": [1] + pair() + pair(2) + [CREATE, 0, ACCEPT, 0, 3, ACCEPT, 0, 4] + run()
    + [CREATE, 0, ACCEPT, 0, 5, START, 3] + run(),
    "once": [0] + pair() + [ONCE, 0, WRITE, 1, 1, 3, ONCE, 0, ONCE, 0],
    "listen-without-bind": [0, CREATE, 0, LISTEN, 1, 0x08, CREATE, 0, CONNECT, 2, 1] + run() + run(),
    "many-clients": [0] + pair(1) + pair(2) + pair(3) + [START, 4, START, 5, WRITE, 1, 2, 3,
                                                       WRITE, 2, 2, 3, CLOSE, 0] + run() + run(),
    "abort-reader": [0] + pair() + [START, 1, START, 2, WRITE, 2, 2, 200, ABORT, 1] + run() + run(),
    "stream-twins": [0] + pair() + [tw(START), 2, tw(START), 2, tw(WRITE), 1, 0x31, 77, QUERY, 1,
                                    tw(WRITE), 1, 1, 9, tw(SHUT), 1, QUERY, 2] + run() + run()
    + [tw(STOP), 2, tw(SHUT), 1, QUERY, 1, tw(START), 1, WRITE, 2, 2, 30] + run() + run(),
    "stream-twins-in-callbacks": [0] + pair() + [ACTION, 2, 3, 5, 0x04, tw(START), 2, START, 1,
                                                 tw(WRITE), 1, 1, 20] + run() + [tw(RUN), 3]
    + [ACTION, 1, 4, 0, 0x10, tw(WRITE), 1, 1, 3] + [tw(RUN), 3],
    "wrong-kind": [0] + pair() + [WRONGKIND, 0, 0, WRONGKIND, 1, 1, WRONGKIND, 9, 0, CLOSE, 2,
                                  WRONGKIND, 2, 0] + run() + [WRONGKIND, 31, 1, WRONGKIND, 30, 0],
    "pipe-probe": [0] + pair() + [WRONGKIND, 0, 0x80, WRONGKIND, 1, 0x81, WRONGKIND, 31, 0x80,
                                  STOPRUN, 0, WRONGKIND, 2, 0x80] + run() + run(),
    "stale-handles": [0] + pair() + [QUERY, 30, CLOSE, 30, WRITE, 30, 1, 1, tw(START), 30,
                                     tw(SHUT), 62, ACCEPT, 0, 30, REF, 30, OPTS, 94, 1] + run(),
    "vectored": [0] + pair() + [START, 2, WRITE, 1, 0x31, 77, WRITE, 1, 0x21, 9, WRITE, 1, 0x11, 1]
    + run() + run(),
}

rng = random.Random(5)
for i in range(6):
    prog = [rng.randrange(3)] + pair()
    for _ in range(30):
        prog += [rng.randrange(20), rng.randrange(10), rng.randrange(256), rng.randrange(256)]
    seeds["random-%d" % i] = prog

os.makedirs(OUT, exist_ok=True)
for name, prog in sorted(seeds.items()):
    with open(os.path.join(OUT, "seed-" + name), "wb") as f:
        f.write(bytes(b & 0xff for b in prog))
print("%d seeds in %s" % (len(seeds), OUT))
