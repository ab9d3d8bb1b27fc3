"""Loads libruv through the chosen backend.

The backend is ctypes by default (no dependency; see notes/README-python.md
for the ctypes-vs-cffi measurement).  ``RUV_BACKEND=cffi`` selects cffi's
ABI mode when the ``cffi`` package is installed.
"""

import os

from . import _libpath

_choice = os.environ.get("RUV_BACKEND", "ctypes").strip().lower() or "ctypes"
if _choice == "cffi":
    from . import _backend_cffi as B
elif _choice == "ctypes":
    from . import _backend_ctypes as B
else:
    raise ImportError("RUV_BACKEND must be 'ctypes' or 'cffi', not %r" % _choice)

LIBRARY_PATH = _libpath.find_library()
B.load(LIBRARY_PATH)
