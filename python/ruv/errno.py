"""Error codes of the C library (the counterpart of pyuv.errno).

``UV_<NAME>`` constants are read from libruv itself at import time (every
code for which ``ruv_err_name`` knows a name), so they always match what the
C library returns.  ``errorcode`` maps code -> "UV_<NAME>";
``strerror(code)`` is ``ruv_strerror``.  The one name ruv_err_name also gives
unknown codes ("UNKNOWN") is bound to libuv's code for it, -4094.
"""

import re as _re

from ._ffi import B as _B

errorcode = {}


def strerror(errorno):
    """Return the message the C library gives for an error code."""
    if not isinstance(errorno, int):
        raise TypeError("an integer is required, not %s" % type(errorno).__name__)
    return _B.strerror(errorno)


def _collect():
    name_re = _re.compile(r"^[A-Z][A-Z0-9_]*$")
    catch_all = _B.err_name(1)          # what unknown codes are called ("UNKNOWN")
    seen = {}
    # Linux errnos are small; libuv's own codes (EOF, EAI_*, ECHARSET...) sit
    # in -3000..-4095.  Scan the whole range once: ~4k cheap calls.
    for code in range(-1, -4096, -1):
        name = _B.err_name(code)
        if name_re.match(name):
            seen.setdefault(name, []).append(code)
    for name, codes in seen.items():
        if name == catch_all:
            # Every unknown code has this name; the code that really carries it
            # is libuv's UV_UNKNOWN, -4094 (RUV_UNKNOWN in ruv.h).
            codes = [c for c in codes if c == -4094]
        if len(codes) != 1:
            continue
        globals()["UV_" + name] = codes[0]
        errorcode[codes[0]] = "UV_" + name


_collect()
del _collect
