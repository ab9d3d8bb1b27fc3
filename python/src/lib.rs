//! `ruv._ruv`: pyuv's API (Loop, TCP, Pipe, UDP, Timer, Async, Idle, Prepare, Check, Poll,
//! Signal) as a compiled extension module over ruv's safe Rust core.
//!
//! Each Python class is a `#[pyclass]` here, not a Python wrapper: a call from Python reaches
//! the core through one PyO3 method. The core runs the loop and hands each due callback to
//! `dispatch`, which calls Python with no borrow of the core held.

#![deny(unsafe_op_in_unsafe_fn)]

mod addr;
mod async_handle;
mod buffers;
mod dict_gc;
mod dispatch;
mod errors;
mod excepthook;
mod finalize;
mod gil;
mod handle;
mod hooks;
mod host;
mod invoke;
mod loop_obj;
mod pipe;
mod poll;
mod request;
mod run;
mod server;
mod signal;
mod stream;
mod tcp;
mod timer;
mod tls;
mod udp;

use pyo3::prelude::*;
use pyo3::types::PyType;

/// libuv's handle type numbers, as pyuv exposes them.
const HANDLE_TYPES: &[(&str, i32)] = &[
    ("UV_UNKNOWN_HANDLE", 0),
    ("UV_ASYNC", 1),
    ("UV_CHECK", 2),
    ("UV_FS_EVENT", 3),
    ("UV_FS_POLL", 4),
    ("UV_HANDLE", 5),
    ("UV_IDLE", 6),
    ("UV_NAMED_PIPE", 7),
    ("UV_POLL", 8),
    ("UV_PREPARE", 9),
    ("UV_PROCESS", 10),
    ("UV_STREAM", 11),
    ("UV_TCP", 12),
    ("UV_TIMER", 13),
    ("UV_TTY", 14),
    ("UV_UDP", 15),
    ("UV_SIGNAL", 16),
    ("UV_FILE", 17),
];

/// Makes `cls.__init__` the type's initializer (PyO3 builds `__new__` only): setting the
/// attribute on the type makes CPython route `cls(...)` through it.
fn wire_init(cls: &Bound<'_, PyType>) -> PyResult<()> {
    let init = cls.getattr("__init__")?;
    cls.setattr("__init__", init)
}

/// The core's one list of handle kinds: `(ruv_handle_type value, C constant, Python class)`
/// for each; the tests check the package's handle classes against it.
#[pyfunction]
fn handle_kinds() -> Vec<(u8, &'static str, &'static str)> {
    ruv::core::kinds::HandleType::ALL
        .iter()
        .map(|&t| (t as u8, t.c_enum(), t.python_class()))
        .collect()
}

#[pymodule]
fn _ruv(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<loop_obj::Loop>()?;
    m.add_class::<request::Request>()?;
    m.add_function(wrap_pyfunction!(request::_getaddrinfo, m)?)?;
    m.add_function(wrap_pyfunction!(request::_getnameinfo, m)?)?;
    m.add_class::<handle::Handle>()?;
    m.add_class::<stream::Stream>()?;
    m.add_class::<tcp::Tcp>()?;
    m.add_class::<pipe::Pipe>()?;
    m.add_class::<timer::Timer>()?;
    m.add_class::<async_handle::Async>()?;
    m.add_class::<hooks::Idle>()?;
    m.add_class::<hooks::Prepare>()?;
    m.add_class::<hooks::Check>()?;
    m.add_class::<poll::Poll>()?;
    m.add_class::<signal::Signal>()?;
    m.add_class::<udp::Udp>()?;
    m.add_class::<tls::TlsConfigObj>()?;
    for cls in [
        py.get_type::<loop_obj::Loop>(),
        py.get_type::<tcp::Tcp>(),
        py.get_type::<pipe::Pipe>(),
        py.get_type::<timer::Timer>(),
        py.get_type::<async_handle::Async>(),
        py.get_type::<hooks::Idle>(),
        py.get_type::<hooks::Prepare>(),
        py.get_type::<hooks::Check>(),
        py.get_type::<poll::Poll>(),
        py.get_type::<signal::Signal>(),
        py.get_type::<udp::Udp>(),
    ] {
        wire_init(&cls)?;
    }
    errors::register(m)?;
    m.add_function(wrap_pyfunction!(errors::error_table, m)?)?;
    m.add_function(wrap_pyfunction!(errors::py_strerror, m)?)?;
    m.add_function(wrap_pyfunction!(handle_kinds, m)?)?;
    m.add("UV_RUN_DEFAULT", 0)?;
    m.add("UV_RUN_ONCE", 1)?;
    m.add("UV_RUN_NOWAIT", 2)?;
    m.add("UV_TCP_IPV6ONLY", ruv::core::tcp_ops::TCP_IPV6ONLY)?;
    m.add("UV_READABLE", 1)?;
    m.add("UV_WRITABLE", 2)?;
    m.add("UV_DISCONNECT", 4)?;
    m.add("UV_PRIORITIZED", 8)?;
    m.add("UV_UDP_IPV6ONLY", ruv::core::udp::UDP_IPV6ONLY)?;
    m.add("UV_UDP_PARTIAL", ruv::core::udp::UDP_PARTIAL)?;
    m.add("UV_UDP_REUSEADDR", ruv::core::udp::UDP_REUSEADDR)?;
    m.add("UV_LEAVE_GROUP", ruv::core::udp::LEAVE_GROUP)?;
    m.add("UV_JOIN_GROUP", ruv::core::udp::JOIN_GROUP)?;
    for (name, value) in HANDLE_TYPES {
        m.add(*name, *value)?;
    }
    m.add("LIBRUV_VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
