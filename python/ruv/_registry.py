"""Which Python object owns which C handle, and what keeps it alive.

* ALL:     every live Python handle, weakly (C pointer -> object).
* PINNED:  strong references to handles that C may still call back: reading,
           listening, with a pending connect/write/shutdown, or closing.  The
           close callback (always a handle's last callback) unpins it, after
           which a closed handle is ordinary garbage.
* ZOMBIES: C handles whose Python object was collected without close(); its
           __del__ closed them, and the entry keeps their Loop alive until
           the close callback frees them.
"""

import weakref

ALL = weakref.WeakValueDictionary()
PINNED = {}
ZOMBIES = {}


def lookup(hp):
    obj = PINNED.get(hp)
    if obj is None:
        obj = ALL.get(hp)
    return obj
