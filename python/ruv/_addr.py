"""(ip, port[, flowinfo[, scope_id]]) tuples <-> struct sockaddr bytes (Linux layout)."""

import socket
import struct

AF_INET = socket.AF_INET
AF_INET6 = socket.AF_INET6

_ANY4 = b"\0\0\0\0"
_BCAST4 = b"\xff\xff\xff\xff"


def _int(value, what):
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            return value.__index__()
        except AttributeError:
            raise TypeError("%s must be an integer, not %s" % (what, type(value).__name__))
    return value


def pack(addr):
    """Return the sockaddr bytes for an address tuple (TypeError, ValueError, OverflowError)."""
    if not isinstance(addr, tuple):
        raise TypeError("address must be tuple, not %s" % type(addr).__name__)
    if not 2 <= len(addr) <= 4:
        raise TypeError("address must be (ip, port[, flowinfo[, scope_id]]), got %d items" % len(addr))
    host = addr[0]
    if not isinstance(host, str):
        raise TypeError("ip must be str, not %s" % type(host).__name__)
    port = _int(addr[1], "port")
    flowinfo = _int(addr[2], "flowinfo") if len(addr) > 2 else 0
    scope_id = _int(addr[3], "scope_id") if len(addr) > 3 else 0
    if not 0 <= port <= 0xFFFF:
        raise OverflowError("port must be 0-65535")
    if not 0 <= flowinfo <= 0xFFFFF:
        raise OverflowError("flowinfo must be 0-1048575")
    if not 0 <= scope_id <= 0xFFFFFFFF:
        raise OverflowError("scope_id must be 0-4294967295")
    if "\0" in host:
        raise ValueError("invalid IP address")
    if host == "":
        packed4 = _ANY4
    elif host == "<broadcast>":
        packed4 = _BCAST4
    else:
        try:
            packed4 = socket.inet_pton(AF_INET, host)
        except OSError:
            packed4 = None
    if packed4 is not None:
        return struct.pack("=H", AF_INET) + struct.pack("!H", port) + packed4 + b"\0" * 8
    try:
        packed6 = socket.inet_pton(AF_INET6, host)
    except OSError:
        raise ValueError("invalid IP address: %r" % host) from None
    return (struct.pack("=H", AF_INET6) + struct.pack("!HI", port, flowinfo) + packed6
            + struct.pack("=I", scope_id))


def unpack(raw):
    """Tuple for sockaddr bytes: (ip, port) for IPv4, (ip, port, flowinfo, scope_id) for IPv6."""
    if raw is None or len(raw) < 2:
        return None
    family = struct.unpack_from("=H", raw, 0)[0]
    if family == AF_INET and len(raw) >= 8:
        port = struct.unpack_from("!H", raw, 2)[0]
        return socket.inet_ntop(AF_INET, raw[4:8]), port
    if family == AF_INET6 and len(raw) >= 28:
        port, flowinfo = struct.unpack_from("!HI", raw, 2)
        scope_id = struct.unpack_from("=I", raw, 24)[0]
        return socket.inet_ntop(AF_INET6, raw[8:24]), port, flowinfo, scope_id
    return None
