"""ruv.UDP over loopback (ports chosen by the kernel), through real runs of the loop."""

import gc
import socket
import weakref

import pytest

import ruv
from helpers import HOSTS, run_until

FAMILY = {"127.0.0.1": socket.AF_INET, "::1": socket.AF_INET6}


def receiver(loop, host="127.0.0.1"):
    """A UDP handle bound to host port 0, receiving into h.got: (addr, flags, data, error)."""
    h = ruv.UDP(loop)
    h.bind((host, 0))
    h.got = []
    h.start_recv(lambda handle, addr, flags, data, error: handle.got.append((addr, flags, data, error)))
    return h


def close_all(loop, *handles):
    for h in handles:
        if not h.closed:
            h.close()
    loop.run()


@pytest.mark.parametrize("host", HOSTS)
def test_datagrams_both_ways_with_callbacks_and_sender_address(loop, host):
    rx = receiver(loop, host)
    tx = receiver(loop, host)
    sent = []
    tx.send(rx.getsockname(), b"one", lambda h, e: sent.append((h, e)))
    tx.send(rx.getsockname(), [b"tw", bytearray(b"o"), memoryview(b"!")], lambda h, e: sent.append(e))
    tx.send(rx.getsockname(), b"")              # no callback
    assert sent == []                            # never from inside send()
    run_until(loop, lambda: len(rx.got) == 3 and len(sent) == 2)
    assert sent == [(tx, None), None]
    me = tx.getsockname()
    assert [g[2] for g in rx.got] == [b"one", b"two!", b""]
    for addr, flags, _data, error in rx.got:
        assert (addr[0], addr[1]) == (me[0], me[1])
        assert len(addr) == (2 if host == "127.0.0.1" else 4)
        assert flags == 0 and error is None
    rx.send(rx.got[0][0], b"back")               # reply to the sender's address
    run_until(loop, lambda: tx.got)
    assert tx.got[0][2] == b"back"
    assert tx.family == rx.family == FAMILY[host]
    close_all(loop, rx, tx)


def test_many_datagrams_in_order(loop):
    rx = receiver(loop)
    rx.receive_buffer_size = 1 << 20
    tx = ruv.UDP(loop, socket.AF_INET)
    n = 500
    done = []
    for i in range(n):
        tx.send(rx.getsockname(), b"%d" % i, lambda h, e: done.append(e))
    run_until(loop, lambda: len(rx.got) == n and len(done) == n, timeout=10)
    assert done == [None] * n
    assert [g[2] for g in rx.got] == [b"%d" % i for i in range(n)]
    close_all(loop, rx, tx)


def test_try_send(loop):
    rx = receiver(loop)
    tx = ruv.UDP(loop)
    assert tx.try_send(rx.getsockname(), b"ping") == 4    # binds the handle first
    assert tx.getsockname()[1] != 0
    assert tx.try_send(rx.getsockname(), memoryview(b"pong!")) == 5
    run_until(loop, lambda: len(rx.got) == 2)
    assert [g[2] for g in rx.got] == [b"ping", b"pong!"]
    with pytest.raises(TypeError):
        tx.try_send(rx.getsockname(), [b"a list"])
    with pytest.raises(ruv.error.UDPError) as e:
        tx.try_send(rx.getsockname(), b"x" * 70000)
    assert e.value.args[0] == ruv.errno.UV_EMSGSIZE
    close_all(loop, rx, tx)


def test_send_errors_go_to_the_callback(loop):
    tx = ruv.UDP(loop)
    seen = []
    tx.send(("127.0.0.1", 9), b"X" * 65536, lambda h, e: seen.append(e))
    assert seen == []
    loop.run()
    assert seen == [ruv.errno.UV_EMSGSIZE]
    close_all(loop, tx)


def test_close_right_after_send(loop):
    rx = receiver(loop)
    tx = ruv.UDP(loop)
    seen = []
    tx.send(rx.getsockname(), b"x", lambda h, e: seen.append(("send", e)))
    tx.close(lambda h: seen.append(("close", None)))
    run_until(loop, lambda: len(seen) == 2)
    # Sent at once, so it completed; its callback still comes before the close callback.
    # (Datagrams still queued when a handle closes get UV_ECANCELED: tested in the core,
    # since the kernel never refuses a loopback datagram with EAGAIN.)
    assert seen == [("send", None), ("close", None)]
    close_all(loop, rx)


def test_bad_arguments(loop):
    h = ruv.UDP(loop)
    addr = ("127.0.0.1", 9)
    for bad in (object(), 1, "text", None):
        with pytest.raises(TypeError):
            h.send(addr, bad)
    with pytest.raises(ValueError):
        h.send(addr, [])
    with pytest.raises(TypeError):
        h.send(addr, b"x", 42)                   # not a callable
    with pytest.raises(TypeError):
        h.send("127.0.0.1", b"x")                # not a tuple
    with pytest.raises(ValueError):
        h.send(("no such ip", 9), b"x")
    with pytest.raises(OverflowError):
        h.send(("127.0.0.1", 70000), b"x")
    with pytest.raises(TypeError):
        h.bind(["127.0.0.1", 0])
    with pytest.raises(TypeError):
        h.start_recv(None)
    with pytest.raises(TypeError):
        h.set_broadcast(1)                       # a bool is required, as in pyuv
    with pytest.raises(TypeError):
        h.set_multicast_loop("yes")
    with pytest.raises(ValueError):
        h.set_ttl(256)
    with pytest.raises(ValueError):
        h.set_multicast_ttl(-1)
    with pytest.raises(ruv.error.UDPError) as e:
        ruv.UDP(loop, 12345)
    assert e.value.args[0] == ruv.errno.UV_EINVAL
    assert h.send_queue_size == 0
    close_all(loop, h)


def test_error_codes(loop):
    h = ruv.UDP(loop)
    for call in (h.fileno, h.getsockname, lambda: h.family, lambda: h.send_buffer_size,
                 lambda: h.set_ttl(10), lambda: h.set_broadcast(True)):
        with pytest.raises(ruv.error.UDPError) as e:
            call()
        assert e.value.args[0] == ruv.errno.UV_EBADF
    with pytest.raises(ruv.error.UDPError) as e:
        h.bind(("127.0.0.1", 0), 8)              # unknown flag
    assert e.value.args[0] == ruv.errno.UV_EINVAL
    with pytest.raises(ruv.error.UDPError) as e:
        h.bind(("127.0.0.1", 0), ruv.UV_UDP_IPV6ONLY)
    assert e.value.args[0] == ruv.errno.UV_EINVAL
    h.bind(("127.0.0.1", 0))
    with pytest.raises(ruv.error.UDPError) as e:
        h.bind(("127.0.0.1", 0))                 # bound twice
    assert e.value.args[0] == ruv.errno.UV_EINVAL
    with pytest.raises(ruv.error.UDPError) as e:
        h.send(("::1", 9), b"x")                 # other family than the socket's
    assert e.value.args[0] == ruv.errno.UV_EINVAL
    other = ruv.UDP(loop)
    with pytest.raises(ruv.error.UDPError) as e:
        other.bind(h.getsockname())              # in use, no UV_UDP_REUSEADDR
    assert e.value.args[0] == ruv.errno.UV_EADDRINUSE
    with pytest.raises(ruv.error.UDPError) as e:
        h.set_ttl(0)
    assert e.value.args[0] == ruv.errno.UV_EINVAL
    with pytest.raises(ruv.error.UDPError) as e:
        h.set_membership("239.255.0.1", 7)
    assert e.value.args[0] == ruv.errno.UV_EINVAL
    with pytest.raises(ruv.error.UDPError) as e:
        h.set_membership("not an address", ruv.UV_JOIN_GROUP)
    assert e.value.args[0] == ruv.errno.UV_EINVAL
    with pytest.raises(ruv.error.UDPError) as e:
        h.set_multicast_interface("::1")         # v6 interface for a v4 socket
    assert e.value.args[0] == ruv.errno.UV_EINVAL
    h.start_recv(lambda *a: None)
    with pytest.raises(ruv.error.UDPError) as e:
        h.start_recv(lambda *a: None)
    assert e.value.args[0] == ruv.errno.UV_EALREADY
    h.stop_recv()
    h.stop_recv()
    assert not h.active
    with pytest.raises(ruv.error.UDPError) as e:
        ruv.UDP(loop).open(-1)
    assert e.value.args[0] == ruv.errno.UV_EBADF
    h.close()
    for call in (lambda: h.send(("127.0.0.1", 9), b"x"), lambda: h.try_send(("127.0.0.1", 9), b"x"),
                 lambda: h.bind(("127.0.0.1", 0)), lambda: h.start_recv(lambda *a: None),
                 h.stop_recv, h.fileno, h.getsockname, lambda: h.set_ttl(1), h.close):
        with pytest.raises(ruv.error.HandleClosedError):
            call()
    close_all(loop, other)
    loop.run()


def test_reuseaddr_shares_a_port(loop):
    a = ruv.UDP(loop)
    a.bind(("127.0.0.1", 0), ruv.UV_UDP_REUSEADDR)
    b = ruv.UDP(loop)
    b.bind(a.getsockname(), ruv.UV_UDP_REUSEADDR)
    assert a.getsockname() == b.getsockname()
    close_all(loop, a, b)


def test_options_and_sizes(loop):
    h = ruv.UDP(loop, socket.AF_INET)
    assert h.family == socket.AF_INET
    assert h.getsockname() == ("0.0.0.0", 0)
    h.set_broadcast(True)
    h.set_ttl(10)
    h.set_multicast_ttl(0)
    h.set_multicast_loop(False)
    h.set_multicast_interface()
    h.set_multicast_interface("127.0.0.1")
    h.send_buffer_size = 65536
    assert h.send_buffer_size >= 65536
    h.receive_buffer_size = 65536
    assert h.receive_buffer_size >= 65536
    peer = socket.socket(fileno=socket.dup(h.fileno()))   # the kernel's view of the socket
    assert peer.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST) == 1
    assert peer.getsockopt(socket.IPPROTO_IP, socket.IP_TTL) == 10
    assert peer.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP) == 0
    peer.close()
    close_all(loop, h)


def test_multicast_membership_on_loopback(loop):
    h = ruv.UDP(loop)
    h.bind(("0.0.0.0", 0))
    try:
        h.set_membership("239.255.0.1", ruv.UV_JOIN_GROUP, "127.0.0.1")
    except ruv.error.UDPError as e:
        close_all(loop, h)
        pytest.skip("no multicast on loopback here: %s" % (e.args,))
    h.set_membership("239.255.0.1", ruv.UV_LEAVE_GROUP, "127.0.0.1")
    with pytest.raises(ruv.error.UDPError):
        h.set_membership("239.255.0.1", ruv.UV_LEAVE_GROUP, "127.0.0.1")   # not a member now
    close_all(loop, h)


def test_open_adopts_a_socket(loop):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    h = ruv.UDP(loop)
    h.open(s.detach())
    h.got = []
    h.start_recv(lambda handle, addr, flags, data, error: handle.got.append(data))
    tx = ruv.UDP(loop)
    tx.send(h.getsockname(), b"adopted")
    run_until(loop, lambda: h.got)
    assert h.got == [b"adopted"]
    stream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(ruv.error.UDPError) as e:
        ruv.UDP(loop).open(stream.fileno())
    assert e.value.args[0] == ruv.errno.UV_EINVAL
    stream.close()                               # still ours: open handed it back
    close_all(loop, h, tx)


def test_callback_exceptions_go_to_excepthook(loop):
    seen = []
    loop.excepthook = lambda typ, value, tb: seen.append(typ)
    rx = ruv.UDP(loop)
    rx.bind(("127.0.0.1", 0))

    def boom(*args):
        raise KeyError("recv")

    rx.start_recv(boom)
    tx = ruv.UDP(loop)
    tx.send(rx.getsockname(), b"x", lambda h, e: 1 / 0)
    run_until(loop, lambda: len(seen) == 2)
    assert sorted(t.__name__ for t in seen) == ["KeyError", "ZeroDivisionError"]
    close_all(loop, rx, tx)


def test_receiving_handle_is_pinned_and_an_idle_one_is_not(loop):
    rx = receiver(loop)
    addr = rx.getsockname()
    ref = weakref.ref(rx)
    del rx
    gc.collect()
    assert ref() is not None                     # receiving: pinned
    tx = ruv.UDP(loop)
    tx.send(addr, b"still here")
    run_until(loop, lambda: ref().got)
    assert ref().got[0][2] == b"still here"
    ref().stop_recv()
    gc.collect()
    assert ref() is not None and ref().closed    # idle: garbage, closed, kept by its loop
    loop.run()
    assert ref() is None
    assert len(loop.handles) == 1 and loop.handles[0] is tx
    close_all(loop, tx)


def test_unreferenced_sender_lives_until_its_callback(loop):
    rx = receiver(loop)
    seen = []
    tx = ruv.UDP(loop)
    tx.send(rx.getsockname(), b"x", lambda h, e: seen.append(h))
    ref = weakref.ref(tx)
    del tx
    gc.collect()
    assert ref() is not None                     # a pending send pins it
    run_until(loop, lambda: seen and rx.got)
    assert seen[0] is ref()
    del seen[:]
    gc.collect()
    assert ref() is not None and ref().closed    # idle now: garbage, closed, kept by its loop
    close_all(loop, rx)
    assert ref() is None


def test_unref_receiver_does_not_keep_the_loop_alive(loop):
    rx = receiver(loop)
    rx.ref = False
    assert rx.active
    loop.run()                                   # returns: nothing referenced is active
    assert not loop.alive
    rx.ref = True
    assert loop.alive
    close_all(loop, rx)


def test_module_surface():
    assert ruv.UV_UDP_IPV6ONLY == 1 and ruv.UV_UDP_PARTIAL == 2 and ruv.UV_UDP_REUSEADDR == 4
    assert (ruv.UV_LEAVE_GROUP, ruv.UV_JOIN_GROUP) == (0, 1)
    assert issubclass(ruv.error.UDPError, ruv.error.HandleError)
    assert issubclass(ruv.UDP, ruv.Handle)
    assert "datagram" in ruv.UDP.send.__doc__
    assert "UV_UDP_PARTIAL" in ruv.UDP.start_recv.__doc__
    assert repr(ruv.UDP).startswith("<class 'ruv.UDP'")
