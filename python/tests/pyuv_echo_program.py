"""An echo server and client written for pyuv 1.4; only the import differs.

Run by test_pyuv_compat.py as a subprocess; prints "OK <n>" on success.
"""

from __future__ import print_function

import sys

import ruv as pyuv

MESSAGES = [b"PING %d\n" % i for i in range(100)]


def on_read(client, data, error):
    if data is None:
        assert error == pyuv.errno.UV_EOF, pyuv.errno.strerror(error)
        client.close()
        clients.remove(client)
        return
    client.write(data)


def on_connection(server, error):
    assert error is None
    client = pyuv.TCP(server.loop)
    server.accept(client)
    clients.append(client)
    client.start_read(on_read)


def on_client_read(handle, data, error):
    if data is None:
        handle.close()
        server.close()
        return
    received.append(data)
    if b"".join(received) == b"".join(MESSAGES):
        handle.shutdown(on_shutdown)


def on_shutdown(handle, error):
    assert error is None


def on_client_connected(handle, error):
    assert error is None, pyuv.errno.strerror(error)
    handle.start_read(on_client_read)
    for m in MESSAGES[:50]:
        handle.write(m)
    handle.write(MESSAGES[50:], on_written)


def on_written(handle, error):
    assert error is None
    written.append(True)


print("PyUV version %s" % pyuv.__version__)

loop = pyuv.Loop.default_loop()
clients = []
received = []
written = []

server = pyuv.TCP(loop)
server.bind(("127.0.0.1", 0))
server.listen(on_connection)

client = pyuv.TCP(loop)
client.connect(("127.0.0.1", server.getsockname()[1]), on_client_connected)

try:
    loop.run()
except pyuv.error.UVError as e:
    print("error", e.args)
    sys.exit(1)

assert written == [True]
assert not clients
assert b"".join(received) == b"".join(MESSAGES)
print("OK %d" % len(b"".join(received)))
