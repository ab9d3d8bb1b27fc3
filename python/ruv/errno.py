"""Error codes (pyuv's ``pyuv.errno``): ``UV_<NAME>`` constants, ``errorcode``, ``strerror``.

The codes are the core's own table: Linux ``-errno`` values, ``UV_EOF`` = -4095 and
``UV_UNKNOWN`` = -4094, so they always match what the callbacks and exceptions carry.
"""

from ._ruv import error_table as _error_table, strerror as _strerror

#: code -> "UV_<NAME>"
errorcode = {}


def strerror(errorno):
    """Return the message for an error code."""
    if not isinstance(errorno, int):
        raise TypeError("an integer is required, not %s" % type(errorno).__name__)
    return _strerror(errorno)


for _code, _name, _message in _error_table():
    globals()["UV_" + _name] = _code
    errorcode[_code] = "UV_" + _name
del _code, _name, _message, _error_table
