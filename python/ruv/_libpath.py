"""Locate the ruv shared library.

Search order (first hit wins):

1. ``$RUV_LIBRARY`` -- an explicit path to a ``libruv.so``; if it is set but
   does not exist, importing ``ruv`` fails instead of silently falling back.
2. The library bundled inside the installed package (``ruv/libruv.so``),
   copied there by ``pip install ./python``.
3. A development checkout: ``<repo>/target/{release,debug}/libruv.so`` when the
   package is imported straight from ``<repo>/python``.
4. The system search path (``ctypes.util.find_library("ruv")``), e.g. after a
   CMake ``make install``.
"""

import ctypes.util
import os
import sys

if sys.platform == "darwin":
    LIBNAME = "libruv.dylib"
else:
    LIBNAME = "libruv.so"

_HERE = os.path.dirname(os.path.abspath(__file__))


def candidates():
    """Yield (origin, path) pairs in search order (without the env variable)."""
    yield "bundled", os.path.join(_HERE, LIBNAME)
    repo = os.path.dirname(os.path.dirname(_HERE))
    if os.path.isfile(os.path.join(repo, "Cargo.toml")):
        for profile in ("release", "debug"):
            yield "checkout", os.path.join(repo, "target", profile, LIBNAME)


def find_library():
    """Return the path of the library to load, or raise ImportError."""
    env = os.environ.get("RUV_LIBRARY")
    if env:
        if not os.path.isfile(env):
            raise ImportError("RUV_LIBRARY=%r: no such file" % env)
        return env
    for _origin, path in candidates():
        if os.path.isfile(path):
            return path
    found = ctypes.util.find_library("ruv")
    if found:
        return found
    raise ImportError(
        "cannot find %s: set RUV_LIBRARY to its path, or reinstall the "
        "package with `pip install ./python` from the ruv checkout" % LIBNAME
    )
