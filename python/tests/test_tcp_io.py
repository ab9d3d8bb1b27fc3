"""Reading, writing, try_write, shutdown, EOF and resets."""

import array
import socket
import struct

import pytest

import ruv
from ruv.errno import UV_EAGAIN, UV_ECONNRESET, UV_EOF, UV_ENOTCONN, UV_EPIPE, UV_EBADF
from helpers import HOSTS, connected_pair, reader, run_until

TCPError = ruv.error.TCPError


@pytest.mark.parametrize("host", HOSTS)
def test_echo_round_trip(loop, host):
    server, client, conn = connected_pair(loop, host)
    conn.start_read(lambda h, data, err: data is not None and h.write(data))
    reader(client)
    assert client.active and conn.active
    client.write(b"PING")
    run_until(loop, lambda: client.received == b"PING")


@pytest.mark.parametrize("data, expected", [
    (b"bytes", b"bytes"),
    (bytearray(b"bytearray"), b"bytearray"),
    (memoryview(b"memoryview"), b"memoryview"),
    (memoryview(bytearray(b"0123456789"))[2:5], b"234"),
    (memoryview(b"0123456789")[::2], b"02468"),              # non-contiguous
    (array.array("B", b"arr"), b"arr"),
    (array.array("H", [1, 2]), struct.pack("=HH", 1, 2)),
    ([b"a", bytearray(b"b"), memoryview(b"c")], b"abc"),
    ((b"tu", b"ple"), b"tuple"),
    ([b""], b""),
    (b"", b""),
])
def test_write_accepts_bytes_like(loop, data, expected):
    server, client, conn = connected_pair(loop)
    reader(conn)
    done = []
    client.write(data, lambda h, err: done.append(err))
    client.write(b"|")
    run_until(loop, lambda: done and conn.received.endswith(b"|"))
    assert done == [None]
    assert conn.received == expected + b"|"


@pytest.mark.parametrize("data, exc", [
    ("PING", TypeError),
    (1234, TypeError),
    (object(), TypeError),
    (None, TypeError),
    ([], ValueError),
    ((), ValueError),
    (list(range(5)), TypeError),
    ([b"PING", 123], TypeError),
    ([b"PING", "PING"], TypeError),
])
def test_write_rejects(loop, data, exc):
    server, client, conn = connected_pair(loop)
    with pytest.raises(exc):
        client.write(data)
    assert client.write_queue_size == 0


def test_write_callback_must_be_callable(loop):
    server, client, conn = connected_pair(loop)
    with pytest.raises(TypeError):
        client.write(b"x", "nope")


def test_write_callbacks_in_order(loop):
    server, client, conn = connected_pair(loop)
    reader(conn)
    order = []
    for i in range(50):
        client.write(b"%d," % i, lambda h, err, i=i: order.append((i, err)))
    run_until(loop, lambda: len(order) == 50)
    assert order == [(i, None) for i in range(50)]
    run_until(loop, lambda: conn.received.count(b",") == 50)


def test_big_write_queue_and_drain(loop):
    server, client, conn = connected_pair(loop)
    client.send_buffer_size = 4096
    chunk = b"z" * (1 << 20)
    done = []
    for _ in range(8):
        client.write(chunk, lambda h, err: done.append(err))
    assert client.write_queue_size > 0            # the kernel cannot take 8 MiB at once
    with pytest.raises(TCPError) as ei:
        client.try_write(b"x")                    # queue not empty
    assert ei.value.args[0] == UV_EAGAIN
    reader(conn)
    run_until(loop, lambda: len(done) == 8, timeout=20)
    assert done == [None] * 8
    assert client.write_queue_size == 0
    run_until(loop, lambda: len(conn.received) == 8 << 20, timeout=20)


def test_try_write(loop):
    server, client, conn = connected_pair(loop)
    reader(conn)
    assert client.try_write(b"abc") == 3
    assert client.try_write(bytearray(b"de")) == 2
    assert client.try_write(memoryview(b"f")) == 1
    run_until(loop, lambda: conn.received == b"abcdef")
    for bad in ("str", 1, None, [b"a"]):
        with pytest.raises(TypeError):
            client.try_write(bad)


def test_try_write_without_connection(loop):
    t = ruv.TCP(loop)
    with pytest.raises(TCPError):
        t.try_write(b"x")


def test_write_without_socket(loop):
    t = ruv.TCP(loop)
    with pytest.raises(TCPError) as ei:
        t.write(b"x")
    assert ei.value.args[0] == UV_EBADF


def test_write_on_listener(loop):
    server, client, conn = connected_pair(loop)
    with pytest.raises(TCPError) as ei:
        server.write(b"x")
    assert ei.value.args[0] == UV_EPIPE


def test_write_before_connect_completes(loop):
    server, _client, _conn = connected_pair(loop)
    c = ruv.TCP(loop)
    res = []
    c.connect(server.getsockname(), lambda h, err: res.append(("connect", err)))
    c.write(b"early", lambda h, err: res.append(("write", err)))
    run_until(loop, lambda: len(res) == 2 and len(server.accepted) == 2)
    assert res == [("connect", None), ("write", None)]
    reader(server.accepted[1])
    run_until(loop, lambda: server.accepted[1].received == b"early")


def test_start_read_errors(loop):
    t = ruv.TCP(loop)
    with pytest.raises(TypeError):
        t.start_read(None)
    with pytest.raises(TCPError) as ei:
        t.start_read(lambda h, d, e: None)
    assert ei.value.args[0] == UV_ENOTCONN


def test_start_read_twice_replaces_callback(loop):
    server, client, conn = connected_pair(loop)
    first, second = [], []
    conn.start_read(lambda h, d, e: first.append(d))
    conn.start_read(lambda h, d, e: second.append(d))     # pyuv: new callback, no error
    client.write(b"x")
    run_until(loop, lambda: second)
    assert first == [] and second == [b"x"]


def test_stop_read(loop):
    server, client, conn = connected_pair(loop)
    got = []
    conn.start_read(lambda h, d, e: got.append(d))
    assert conn.active
    conn.stop_read()
    conn.stop_read()                                      # idempotent
    assert not conn.active
    client.write(b"kept")
    for _ in range(5):
        loop.run(ruv.UV_RUN_NOWAIT)
    assert got == []                                      # not lost, just not read
    conn.start_read(lambda h, d, e: got.append(d))
    run_until(loop, lambda: got)
    assert got == [b"kept"]


def test_eof_and_shutdown(loop):
    server, client, conn = connected_pair(loop)
    reader(conn)
    res = []
    client.write(b"last words", lambda h, err: res.append(("write", err)))
    client.shutdown(lambda h, err: res.append(("shutdown", err)))
    assert not client.writable
    run_until(loop, lambda: conn.read_errors)
    assert res == [("write", None), ("shutdown", None)]
    assert conn.received == b"last words"
    assert conn.read_errors == [UV_EOF]
    assert not conn.active                # reading stopped at EOF
    with pytest.raises(TCPError) as ei:
        client.write(b"more")
    assert ei.value.args[0] == UV_EPIPE
    with pytest.raises(TCPError) as ei:
        client.shutdown()
    assert ei.value.args[0] == UV_ENOTCONN
    # the other direction still works
    reader(client)
    conn.write(b"reply")
    run_until(loop, lambda: client.received == b"reply")


def test_shutdown_without_callback_and_errors(loop):
    server, client, conn = connected_pair(loop)
    reader(conn)
    with pytest.raises(TypeError):
        client.shutdown("nope")
    client.shutdown()
    run_until(loop, lambda: conn.read_errors == [UV_EOF])
    t = ruv.TCP(loop)
    with pytest.raises(TCPError):
        t.shutdown()


def test_reset_by_peer(loop):
    server = ruv.TCP(loop)
    server.bind(("127.0.0.1", 0))
    server.listen(lambda s, e: None)
    s = socket.create_connection(server.getsockname())
    accepted = ruv.TCP(loop)
    run_until(loop, lambda: _try_accept(server, accepted))
    reader(accepted)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()                                             # RST
    run_until(loop, lambda: accepted.read_errors)
    assert accepted.read_errors == [UV_ECONNRESET]
    with pytest.raises(TCPError):
        for _ in range(10):
            accepted.write(b"x" * 65536)
            loop.run(ruv.UV_RUN_NOWAIT)


def _try_accept(server, client):
    try:
        server.accept(client)
        return True
    except TCPError:
        return False


def test_write_error_reaches_callbacks(loop):
    server = ruv.TCP(loop)
    server.bind(("127.0.0.1", 0))
    server.listen(lambda s, e: None)
    s = socket.create_connection(server.getsockname())
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    accepted = ruv.TCP(loop)
    run_until(loop, lambda: _try_accept(server, accepted))
    accepted.send_buffer_size = 4096
    errs = []
    for _ in range(4):
        accepted.write(b"y" * (1 << 20), lambda h, err: errs.append(err))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    run_until(loop, lambda: len(errs) == 4)
    assert errs[-1] is not None and errs[-1] < 0
    assert not accepted.writable


def test_try_write_while_connecting(loop):
    server, _c, _s = connected_pair(loop)
    t = ruv.TCP(loop)
    done = []
    t.connect(server.getsockname(), lambda h, e: done.append(e))
    with pytest.raises(TCPError) as ei:
        t.try_write(b"too early")
    assert ei.value.args[0] == UV_EAGAIN
    run_until(loop, lambda: done)


def test_run_once_delivers_pending_callbacks(loop):
    server, client, conn = connected_pair(loop)     # the listener keeps the loop alive
    done = []
    client.write(b"x", lambda h, e: done.append(e))
    for _ in range(50):
        if done:
            break
        assert loop.run(ruv.UV_RUN_ONCE) is True      # never blocks with work pending
    assert done == [None]
