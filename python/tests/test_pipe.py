"""ruv.Pipe: streams over Unix-domain sockets, through real runs of the loop. Every socket
path lives in the test's own tmp_path."""

import gc
import os
import socket
import sys
import weakref

import pytest

import ruv
from helpers import close_all, reader, run_until

E = ruv.errno


def pipe_server(loop, path):
    """A Pipe listening at `path`; accepted clients go into server.accepted."""
    server = ruv.Pipe(loop)
    server.bind(path)
    server.accepted = []
    server.connections = []

    def on_connection(srv, error):
        srv.connections.append(error)
        c = ruv.Pipe(loop)
        srv.accept(c)
        srv.accepted.append(c)

    server.listen(on_connection)
    return server


def pipe_pair(loop, path):
    """(server, client, conn): a Pipe client connected to conn, the accepted side."""
    server = pipe_server(loop, path)
    client = ruv.Pipe(loop)
    res = []
    client.connect(path, lambda h, err: res.append(err))
    run_until(loop, lambda: res and server.accepted)
    assert res == [None]
    return server, client, server.accepted[0]


def test_echo_names_and_eof(loop, tmp_path):
    path = str(tmp_path / "echo.sock")
    server, client, conn = pipe_pair(loop, path)
    assert isinstance(server, ruv.Stream)
    assert server.getsockname() == path
    assert client.getpeername() == path
    assert conn.getsockname() == path
    assert conn.getpeername() == ""          # the client is unnamed
    assert client.getsockname() == ""

    def echo(h, data, error):
        if data is None:
            h.close()
        else:
            h.write(data)

    conn.start_read(echo)
    reader(client)
    done = []
    client.write(b"hello ", lambda h, e: done.append(("w", e)))
    client.write([b"pi", b"\x00pe"])
    client.shutdown(lambda h, e: done.append(("s", e)))
    run_until(loop, lambda: client.read_errors)
    assert client.received == b"hello pi\x00pe"
    assert client.read_errors == [E.UV_EOF]
    assert done == [("w", None), ("s", None)]
    assert server.connections == [None]
    close_all(loop, server, client, conn)
    assert not os.path.exists(path), "closing the server removes its path"


def test_large_writes_are_queued_and_arrive_whole(loop, tmp_path):
    server, client, conn = pipe_pair(loop, str(tmp_path / "big.sock"))
    data = bytes(range(256)) * (16 << 10)    # 4 MiB
    written = []
    conn.write(data, lambda h, e: written.append(e))
    assert conn.write_queue_size > 0         # a socket buffer holds far less
    conn.shutdown()
    reader(client)
    run_until(loop, lambda: client.read_errors, timeout=30)
    assert written == [None]
    assert conn.write_queue_size == 0
    assert client.received == data
    assert client.read_errors == [E.UV_EOF]
    close_all(loop, server, client, conn)


def test_connect_errors_come_through_the_callback(loop, tmp_path):
    missing = ruv.Pipe(loop)
    res = []
    missing.connect(str(tmp_path / "missing.sock"), lambda h, e: res.append(("missing", e)))
    assert res == []                          # never from inside connect
    lone = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lone.bind(str(tmp_path / "lone.sock"))    # bound, not listening
    refused = ruv.Pipe(loop)
    refused.connect(str(tmp_path / "lone.sock"), lambda h, e: res.append(("refused", e)))
    run_until(loop, lambda: len(res) == 2)
    assert sorted(res) == [("missing", E.UV_ENOENT), ("refused", E.UV_ECONNREFUSED)]
    lone.close()
    with pytest.raises(ruv.error.PipeError) as info:
        missing.connect("", lambda h, e: None)
    assert info.value.args[0] == E.UV_EINVAL
    close_all(loop, missing, refused)


def test_bind_errors(loop, tmp_path):
    path = str(tmp_path / "taken.sock")
    first = ruv.Pipe(loop)
    first.bind(path.encode())                 # bytes names too
    assert first.getsockname() == path
    with pytest.raises(ruv.error.PipeError) as info:
        first.bind(str(tmp_path / "again.sock"))
    assert info.value.args[0] == E.UV_EINVAL  # bound already
    second = ruv.Pipe(loop)
    with pytest.raises(ruv.error.PipeError) as info:
        second.bind(path)
    assert info.value.args[0] == E.UV_EADDRINUSE
    assert isinstance(info.value, ruv.error.StreamError)
    with pytest.raises(ruv.error.PipeError) as info:
        second.bind(str(tmp_path / "no" / "dir.sock"))
    assert info.value.args[0] == E.UV_ENOENT
    with pytest.raises(ruv.error.PipeError) as info:
        second.bind("x" * 200)
    assert info.value.args[0] == E.UV_EINVAL
    with pytest.raises(TypeError):
        second.bind(42)
    with pytest.raises(ruv.error.PipeError) as info:
        second.listen(lambda h, e: None)       # nothing to listen on
    assert info.value.args[0] == E.UV_EINVAL
    with pytest.raises(ruv.error.PipeError) as info:
        second.getsockname()
    assert info.value.args[0] == E.UV_EBADF
    with pytest.raises(ruv.error.PipeError) as info:
        first.getpeername()
    assert info.value.args[0] == E.UV_ENOTCONN
    with pytest.raises(ValueError):
        first.listen(lambda h, e: None, -1)
    with pytest.raises(TypeError):
        first.listen(None)
    close_all(loop, first, second)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="abstract names are Linux's")
def test_abstract_name(loop, tmp_path):
    name = "\x00ruv-test-%d-%s" % (os.getpid(), tmp_path.name)
    server, client, conn = pipe_pair(loop, name)
    assert server.getsockname() == name
    assert client.getpeername() == name
    close_all(loop, server, client, conn)


def test_open_a_socketpair_end(loop):
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    p = ruv.Pipe(loop)
    p.open(a.detach())
    assert p.readable and p.writable
    assert p.getpeername() == ""
    reader(p)
    b.sendall(b"from python")
    b.shutdown(socket.SHUT_WR)
    run_until(loop, lambda: p.read_errors)
    assert p.received == b"from python"
    assert p.read_errors == [E.UV_EOF]
    p.write(b"back")
    p.shutdown()
    run_until(loop, lambda: p.write_queue_size == 0 and not p.active)
    b.settimeout(5)
    assert b.recv(100) == b"back"
    close_all(loop, p)
    b.close()


def test_open_os_pipe_ends(loop):
    r, w = os.pipe()
    reader_end, writer_end = ruv.Pipe(loop), ruv.Pipe(loop)
    reader_end.open(r)
    writer_end.open(w)
    assert reader_end.fileno() == r and writer_end.fileno() == w
    assert reader_end.readable and not reader_end.writable
    assert writer_end.writable and not writer_end.readable
    with pytest.raises(ruv.error.PipeError) as info:
        reader_end.write(b"wrong way")
    assert info.value.args[0] == E.UV_EPIPE
    with pytest.raises(ruv.error.PipeError) as info:
        writer_end.start_read(lambda h, d, e: None)
    assert info.value.args[0] == E.UV_ENOTCONN
    with pytest.raises(ruv.error.PipeError) as info:
        reader_end.getsockname()
    assert info.value.args[0] == E.UV_ENOTSOCK
    reader(reader_end)
    data = os.urandom(1 << 20)
    done = []
    writer_end.write(data, lambda h, e: done.append(e))
    assert writer_end.write_queue_size > 0            # a pipe holds 64 KiB
    run_until(loop, lambda: done, timeout=30)
    assert done == [None]
    writer_end.close()                                # a pipe end's close is the end of stream
    run_until(loop, lambda: reader_end.read_errors, timeout=30)
    assert reader_end.received == data
    assert reader_end.read_errors == [E.UV_EOF]
    close_all(loop, reader_end)
    for fd in (r, w):
        with pytest.raises(OSError):
            os.fstat(fd)                              # the handles closed them


def test_os_pipe_with_its_reader_gone_fails_the_write(loop):
    r, w = os.pipe()
    os.close(r)
    p = ruv.Pipe(loop)
    p.open(w)
    res = []
    p.write(b"nobody reads", lambda h, e: res.append(e))   # Python ignores SIGPIPE
    run_until(loop, lambda: res)
    assert res == [E.UV_EPIPE]
    assert not p.writable
    close_all(loop, p)


def test_open_refusals(loop, tmp_path):
    p = ruv.Pipe(loop)
    regular = tmp_path / "file"
    regular.write_bytes(b"x")
    fd = os.open(str(regular), os.O_RDONLY)
    tcp_sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(ruv.error.PipeError) as info:
            p.open(fd)
        assert info.value.args[0] == E.UV_EPERM          # cannot be polled
        with pytest.raises(ruv.error.PipeError) as info:
            p.open(tcp_sock.fileno())
        assert info.value.args[0] == E.UV_EAFNOSUPPORT
        with pytest.raises(ruv.error.PipeError) as info:
            p.open(-1)
        assert info.value.args[0] == E.UV_EBADF
        os.fstat(fd)                                     # refused descriptors stay open
        os.fstat(tcp_sock.fileno())
        r, w = os.pipe()
        p.open(r)
        other = ruv.Pipe(loop)
        with pytest.raises(ruv.error.PipeError) as info:
            other.open(r)                                # p holds it
        assert info.value.args[0] == E.UV_EEXIST
        with pytest.raises(ruv.error.PipeError) as info:
            p.open(w)                                    # p has one already
        assert info.value.args[0] == E.UV_EBUSY
        os.close(w)
    finally:
        os.close(fd)
        tcp_sock.close()
    close_all(loop, p, other)


def test_tcp_and_pipe_do_not_mix(loop, tmp_path):
    path = str(tmp_path / "mix.sock")
    server = ruv.Pipe(loop)
    server.bind(path)
    errors = []

    def on_connection(srv, error):
        tcp = ruv.TCP(loop)
        with pytest.raises(ruv.error.PipeError) as info:
            srv.accept(tcp)
        errors.append(info.value.args[0])
        with pytest.raises(TypeError):
            srv.accept(ruv.Timer(loop))
        srv.accepted = ruv.Pipe(loop)
        srv.accept(srv.accepted)
        tcp.close()

    server.listen(on_connection)
    client = ruv.Pipe(loop)
    client.connect(path, lambda h, e: None)
    run_until(loop, lambda: errors and hasattr(server, "accepted"))
    assert errors == [E.UV_EINVAL]
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    t = ruv.TCP(loop)
    with pytest.raises(ruv.error.TCPError) as info:
        t.open(a.fileno())
    assert info.value.args[0] == E.UV_EAFNOSUPPORT
    a.close()
    b.close()
    assert not hasattr(server, "nodelay") and not hasattr(server, "keepalive")
    close_all(loop, server, client, server.accepted, t)


def test_ipc_is_kept_but_handle_passing_is_refused(loop, tmp_path):
    assert ruv.Pipe(loop).ipc is False
    assert ruv.Pipe(loop, False).ipc is False
    with pytest.raises(TypeError):
        ruv.Pipe(loop, 1)
    server, client, conn = pipe_pair(loop, str(tmp_path / "ipc.sock"))
    ipc = ruv.Pipe(loop, True)
    assert ipc.ipc is True
    assert client.pending_handle_type() == ruv.UV_UNKNOWN_HANDLE
    with pytest.raises(ruv.error.PipeError) as info:
        client.write(b"x", None, conn)
    assert info.value.args[0] == E.UV_ENOTSUP
    assert client.write_queue_size == 0
    client.write(b"ok", None, None)                # no handle: an ordinary write
    reader(conn)
    run_until(loop, lambda: conn.received == b"ok")
    close_all(loop, server, client, conn, ipc)


def test_pending_instances_buffers_blocking_fileno(loop, tmp_path):
    server, client, conn = pipe_pair(loop, str(tmp_path / "misc.sock"))
    server.pending_instances(100)                 # Windows only in libuv: accepted, no effect
    assert client.fileno() >= 0
    client.send_buffer_size = 65536
    assert client.send_buffer_size >= 65536
    assert client.receive_buffer_size > 0
    with pytest.raises(TypeError):
        client.set_blocking(1)
    client.set_blocking(True)
    client.write(b"x" * 100000)                   # sent whole before write returns
    assert client.write_queue_size == 0
    client.set_blocking(False)
    reader(conn)
    run_until(loop, lambda: len(conn.received) == 100000)
    close_all(loop, server, client, conn)
    with pytest.raises(ruv.error.HandleClosedError):
        server.pending_instances(1)
    with pytest.raises(ruv.error.HandleClosedError):
        server.bind("x")
    with pytest.raises(ruv.error.HandleClosedError):
        server.getsockname()


def test_close_cancels_a_pending_connect_and_writes(loop, tmp_path):
    path = str(tmp_path / "cancel.sock")
    server = ruv.Pipe(loop)
    server.bind(path)
    server.listen(lambda h, e: None, 1)           # never accepts
    client = ruv.Pipe(loop)
    seen = []
    client.connect(path, lambda h, e: seen.append(("connect", e)))
    client.write(b"queued", lambda h, e: seen.append(("write", e)))
    client.close(lambda h: seen.append(("close", None)))
    run_until(loop, lambda: len(seen) == 3)
    assert seen == [("connect", E.UV_ECANCELED), ("write", E.UV_ECANCELED), ("close", None)]
    assert client.closed
    with pytest.raises(ruv.error.HandleClosedError):
        client.close()
    close_all(loop, server)


def test_gc_of_idle_and_reading_pipes(loop, tmp_path):
    server, client, conn = pipe_pair(loop, str(tmp_path / "gc.sock"))
    server.accepted.clear()
    conn.start_read(lambda h, d, e: None)
    ref = weakref.ref(conn)
    del conn
    gc.collect()
    assert ref() is not None                      # a reading pipe is pinned
    ref().stop_read()
    gc.collect()
    assert ref() is not None and ref().closed     # idle: garbage, closed, kept by its loop
    reader(client)
    run_until(loop, lambda: client.read_errors and ref() is None)
    assert client.read_errors == [E.UV_EOF]
    idle = ruv.Pipe(loop)
    ref = weakref.ref(idle)
    del idle
    gc.collect()
    assert ref() is not None and ref().closed
    close_all(loop, server, client)
    assert ref() is None


def test_repr_type_and_error_class(loop):
    p = ruv.Pipe(loop)
    assert repr(p).startswith("<ruv.Pipe object at ")
    assert ruv.UV_NAMED_PIPE == 7
    assert issubclass(ruv.error.PipeError, ruv.error.StreamError)
    assert "Unix-domain" in ruv.Pipe.__doc__
    assert ruv.Pipe.connect.__doc__.startswith("connect(name, callback)")
    with pytest.raises(RuntimeError):
        ruv.Pipe.__new__(ruv.Pipe).bind("x")
    close_all(loop, p)
