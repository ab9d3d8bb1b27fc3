"""ruv.error, ruv.errno and the module-level constants."""

import errno as std_errno

import pytest

import ruv
from ruv import error


def test_hierarchy():
    assert issubclass(error.UVError, Exception)
    assert issubclass(error.HandleError, error.UVError)
    assert issubclass(error.HandleClosedError, error.HandleError)
    assert issubclass(error.StreamError, error.HandleError)
    assert issubclass(error.TCPError, error.StreamError)
    assert not issubclass(error.TCPError, error.HandleClosedError)


def test_error_args():
    e = error.TCPError(ruv.errno.UV_EINVAL, ruv.errno.strerror(ruv.errno.UV_EINVAL))
    assert e.args[0] == ruv.errno.UV_EINVAL
    assert e.args[1] == "invalid argument"


def test_errno_values_come_from_the_library():
    E = ruv.errno
    assert E.UV_EOF == -4095
    for name in ("EAGAIN", "EINVAL", "EBADF", "EBUSY", "EALREADY", "ECANCELED", "ECONNREFUSED",
                 "ECONNRESET", "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT", "ENOTCONN",
                 "EISCONN", "EPIPE", "ETIMEDOUT", "EMFILE", "ENFILE", "ENOBUFS", "ENOMEM",
                 "EACCES", "ENOTSOCK", "EHOSTUNREACH", "ENETUNREACH", "EINTR", "EPROTO"):
        assert getattr(E, "UV_" + name) == -getattr(std_errno, name), name


def test_errorcode_and_strerror():
    E = ruv.errno
    assert E.errorcode[E.UV_EAGAIN] == "UV_EAGAIN"
    assert E.errorcode[E.UV_EOF] == "UV_EOF"
    for code, name in E.errorcode.items():
        assert getattr(E, name) == code
    assert E.strerror(E.UV_EOF) == "end of file"
    assert E.strerror(E.UV_ECONNREFUSED) == "connection refused"
    assert isinstance(E.strerror(-123456), str)
    with pytest.raises(TypeError):
        E.strerror("EAGAIN")


def test_module_constants():
    assert ruv.UV_RUN_DEFAULT == 0
    assert ruv.UV_RUN_ONCE == 1
    assert ruv.UV_RUN_NOWAIT == 2
    assert ruv.UV_TCP_IPV6ONLY == 1
    assert isinstance(ruv.__version__, str)
    assert ruv.LIBRUV_VERSION.startswith("0.")
    assert ruv.LIBUV_VERSION == ruv.LIBRUV_VERSION
    # the compiled extension, not a ctypes binding
    assert ruv._ruv.__file__.endswith((".so", ".pyd"))
    assert ruv.TCP.__module__ == "ruv"


def test_import_as_pyuv():
    import ruv as pyuv
    assert pyuv.error.TCPError is error.TCPError
    assert pyuv.errno.UV_EAGAIN < 0
    for name in ("Loop", "TCP", "Handle", "Stream"):
        assert isinstance(getattr(pyuv, name), type)
    assert issubclass(pyuv.TCP, pyuv.Stream) and issubclass(pyuv.Stream, pyuv.Handle)


def test_handle_is_abstract():
    with pytest.raises(TypeError):
        ruv.Handle()


def test_handle_classes_are_the_cores_list_of_kinds():
    """The package's handle classes are exactly the kinds of the core's one table."""
    from ruv import _ruv

    kinds = _ruv.handle_kinds()
    assert [value for value, _, _ in kinds] == sorted(value for value, _, _ in kinds)
    for value, c_name, py_class in kinds:
        assert c_name.startswith("RUV_"), (value, c_name)
        cls = getattr(ruv, py_class)
        assert isinstance(cls, type) and issubclass(cls, ruv.Handle), py_class
    exported = {
        name
        for name, obj in vars(ruv).items()
        if isinstance(obj, type) and issubclass(obj, ruv.Handle)
        and obj not in (ruv.Handle, ruv.Stream) and not name.startswith("_")
    }
    assert exported == {py_class for _, _, py_class in kinds}
