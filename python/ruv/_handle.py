"""ruv.Handle: what every handle has (close, closed, active, ref, loop)."""

import collections

from ._ffi import B
from ._registry import ALL, PINNED, ZOMBIES
from .error import HandleClosedError, HandleError

CLOSED_MSG = "Handle is closing/closed"


def _flag(value, what="value"):
    """bool/int -> 0/1; anything else is a TypeError."""
    if isinstance(value, int):
        return 1 if value else 0
    try:
        return 1 if value.__index__() else 0
    except AttributeError:
        raise TypeError("%s must be a bool, not %s" % (what, type(value).__name__)) from None


class Handle(object):
    """Base class of all handles; not instantiated directly."""

    def __init__(self, *args, **kwargs):
        if type(self) is Handle:
            raise TypeError("cannot create 'ruv.Handle' instances")
        super().__init__()

    def _init_handle(self, loop, hp):
        self._hp = hp
        self._loop = loop
        self._closing = False
        self._close_cb = None
        self._pending = 0          # connect + write + shutdown requests in flight
        self._reading = False
        self._listening = False
        self._read_cb = None
        self._listen_cb = None
        self._connect_cb = None
        self._shutdown_cb = None
        self._write_cbs = collections.deque()   # FIFO, like the C write queue
        ALL[hp] = self

    def _update_pin(self):
        hp = self._hp
        if hp is None:
            return
        if self._reading or self._listening or self._pending or self._closing:
            PINNED[hp] = self
        else:
            PINNED.pop(hp, None)

    def __del__(self):
        # Only reached for handles C cannot call back (unpinned): close the C
        # handle so it is not leaked; ZOMBIES keeps its loop alive until freed.
        d = self.__dict__
        hp = d.get("_hp")
        if hp is None or d.get("_closing", True):
            return
        try:
            ZOMBIES[hp] = d.get("_loop")
            B.close(hp)
        except Exception:
            pass

    def close(self, callback=None):
        """Close the handle; callback(handle) runs from the loop once closed."""
        if self._closing:
            raise HandleClosedError(CLOSED_MSG)
        if callback is not None and not callable(callback):
            raise TypeError("a callable or None is required")
        err = B.close(self._hp)
        if err < 0:
            raise HandleError(err, B.strerror(err))
        self._closing = True
        self._close_cb = callback
        self._update_pin()

    @property
    def closed(self):
        """True once close() was called (closing or closed)."""
        return self._closing

    @property
    def active(self):
        """True while listening, connecting or reading."""
        if self._closing:
            return False
        return B.is_active(self._hp) > 0

    @property
    def ref(self):
        """Whether this handle keeps the loop alive while active (get/set)."""
        if self._hp is None:
            return False
        return B.has_ref(self._hp) > 0

    @ref.setter
    def ref(self, value):
        value = _flag(value, "ref")
        if self._hp is None:
            return
        if value:
            B.ref(self._hp)
        else:
            B.unref(self._hp)

    @property
    def loop(self):
        """The Loop this handle belongs to."""
        return self._loop
