"""ruv.Loop: the event loop (pyuv.Loop's API over ruv_loop_t)."""

import sys
import traceback

from . import _registry
from ._ffi import B
from .error import UVError

UV_RUN_DEFAULT = 0
UV_RUN_ONCE = 1
UV_RUN_NOWAIT = 2


class Loop(object):
    """An event loop.  ``Loop()`` makes a new loop; ``Loop.default_loop()``
    returns the process-wide default one.  Instances accept arbitrary
    attributes (like pyuv's loop ``__dict__``)."""

    _default = None

    def __init__(self):
        if self.__dict__.get("_lp") is not None:
            raise RuntimeError("Object was already initialized")
        err, lp = B.loop_new()
        if err < 0:
            raise UVError(err, B.strerror(err))
        self._lp = lp
        self._is_default = False
        self._exit_exc = None

    @classmethod
    def default_loop(cls):
        """Return the default loop (created on first use, then always the same)."""
        if Loop._default is None:
            loop = cls()
            loop._is_default = True
            Loop._default = loop
        return Loop._default

    def __del__(self):
        lp = self.__dict__.get("_lp")
        if lp is None:
            return
        self._lp = None
        try:
            # RUV_EBUSY while handles remain: then the C loop is left alone.
            B.loop_close(lp)
        except Exception:
            pass

    def run(self, mode=UV_RUN_DEFAULT):
        """Run the loop; return True if it is still alive (pending work remains)."""
        if mode not in (UV_RUN_DEFAULT, UV_RUN_ONCE, UV_RUN_NOWAIT):
            raise ValueError("invalid mode specified")
        r = B.run(self._lp, mode)
        exc = self._exit_exc
        if exc is not None:
            self._exit_exc = None
            raise exc
        if r < 0:
            raise UVError(r, B.strerror(r))
        return bool(r)

    def stop(self):
        """Make run() return after the current iteration."""
        B.stop(self._lp)

    def now(self):
        """Loop time in milliseconds, cached at the start of each iteration."""
        return int(B.now(self._lp))

    def update_time(self):
        """Refresh the cached loop time."""
        B.update_time(self._lp)

    def fileno(self):
        """The file descriptor of the polling backend (epoll)."""
        return B.backend_fd(self._lp)

    def get_timeout(self):
        """The poll timeout in seconds, -1 for none."""
        t = B.backend_timeout(self._lp)
        return -1.0 if t < 0 else t / 1000.0

    @property
    def alive(self):
        """True while the loop has active referenced handles or pending requests."""
        return B.loop_alive(self._lp) > 0

    @property
    def default(self):
        """True for the loop returned by Loop.default_loop()."""
        return self._is_default

    @property
    def handles(self):
        """List of the live handles of this loop (ruv_walk)."""
        out = []
        for hp in B.walk(self._lp):
            obj = _registry.lookup(hp)
            if obj is not None:
                out.append(obj)
        return out

    def excepthook(self, typ, value, tb):
        """Called with (type, value, traceback) when a callback raises; prints it.

        Assign another 3-argument callable to ``loop.excepthook`` (or
        override it in a subclass) to handle callback exceptions yourself.
        """
        sys.stderr.write("Unhandled exception in callback\n")
        traceback.print_exception(typ, value, tb)

    def _report_exception(self, typ, value, tb):
        """Route an exception raised by a callback; the loop keeps running.

        KeyboardInterrupt/SystemExit (non-Exception errors) stop the loop and
        are re-raised from run() instead.
        """
        if typ is not None and not issubclass(typ, Exception):
            if self._exit_exc is None:
                self._exit_exc = value
            B.stop(self._lp)
            return
        hook_failed = False
        try:
            hook = self.excepthook
        except AttributeError:
            hook = None
        except BaseException:
            sys.stderr.write("Exception while getting excepthook\n")
            traceback.print_exc()
            hook, hook_failed = None, True
        if hook is not None:
            try:
                hook(typ, value, tb)
                return
            except BaseException:
                sys.stderr.write("Unhandled exception in excepthook\n")
                traceback.print_exc()
                hook_failed = True
        if hook_failed:
            sys.stderr.write("\n")
        sys.stderr.write("Unhandled exception in callback\n")
        traceback.print_exception(typ, value, tb)
