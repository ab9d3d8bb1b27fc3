//! `ruv.UDP`: pyuv's UDP handle — bind, open, send, try_send, receive, multicast and socket
//! options — and the dispatch of its callbacks.
//!
//! The receive callback is the handle's kind callback (`HandleState::cb`), so the GC traversal
//! and the close path of every handle cover it. Each send keeps a strong reference to its
//! callback (or to None) in the core until its completion is dispatched, and counts as a
//! pending request, which pins the handle object (pyuv's sends keep their handle alive too).

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyTuple};
use ruv::core::socket::BufferKind;
use ruv::core::udp::RecvResult;

use crate::addr::{self, interface_index};
use crate::buffers::{with_buffers, with_bytes};
use crate::errors::{closed, ErrKind};
use crate::excepthook::report;
use crate::handle::{init, op, set_kind_cb, update_pin, Handle};
use crate::host::CoreLoop;
use crate::host::WriteCb;
use crate::invoke::invoke;
use crate::loop_obj::Loop;
use crate::server::{adopt_fd, buffer_size, set_buffer_size, SizeGetSet};
use crate::stream::{check_callable, status};

/// UDP(loop, family=AF_UNSPEC): a UDP socket, client and server alike.
///
/// With family AF_INET or AF_INET6 the socket is created at once; with AF_UNSPEC on bind, open,
/// the first send, start_recv or set_membership (an unbound handle is bound to the unspecified
/// address, port 0, before it sends or receives).
#[pyclass(module = "ruv", name = "UDP", extends = Handle, subclass, frozen)]
pub struct Udp {}

/// A flag argument that must be a bool, as pyuv requires.
fn strict_bool(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    value
        .downcast::<PyBool>()
        .map(|b| b.is_true())
        .map_err(|_| PyTypeError::new_err("a bool is required"))
}

/// A TTL argument: 0-255, else ValueError (pyuv's check; the core refuses 0 for set_ttl).
fn ttl_arg(ttl: i64) -> PyResult<i32> {
    i32::try_from(ttl)
        .ok()
        .filter(|t| (0..=255).contains(t))
        .ok_or_else(|| PyValueError::new_err("ttl must be between 0 and 255"))
}

#[pymethods]
impl Udp {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyClassInitializer<Self> {
        PyClassInitializer::from(Handle::blank()).add_subclass(Udp {})
    }

    /// __init__(loop, family=AF_UNSPEC)
    ///
    /// Creates the handle in `loop` (the socket too, for AF_INET / AF_INET6; UDPError
    /// UV_EINVAL for another family).
    #[pyo3(signature = (r#loop, family = 0))]
    fn __init__(slf: &Bound<'_, Self>, r#loop: &Bound<'_, Loop>, family: i32) -> PyResult<()> {
        init(slf.as_super(), r#loop, ErrKind::Udp, |c, owner| {
            c.udp_new(owner, family)
        })
    }

    /// bind(address, flags=0)
    ///
    /// Binds to (ip, port[, flowinfo[, scope_id]]); flags: an or of UV_UDP_IPV6ONLY and
    /// UV_UDP_REUSEADDR (without it, a port in use is UDPError UV_EADDRINUSE).
    #[pyo3(signature = (address, flags = 0))]
    fn bind(slf: &Bound<'_, Self>, address: &Bound<'_, PyAny>, flags: u32) -> PyResult<()> {
        let py = slf.py();
        if slf.as_super().get().st.get(py)?.closing {
            return Err(closed(py));
        }
        let a = addr::parse(address)?;
        op(py, slf.as_super().get(), |c, id| c.udp_bind(id, a, flags))
    }

    /// open(fd)
    ///
    /// Adopts an existing datagram socket descriptor (made non-blocking); the handle owns (and
    /// closes) it from then on.
    fn open(slf: &Bound<'_, Self>, fd: i32) -> PyResult<()> {
        op(slf.py(), slf.as_super().get(), |c, id| {
            adopt_fd(fd, |s| c.udp_open(id, s))
        })
    }

    /// send(address, data, callback=None)
    ///
    /// Sends one datagram of `data` (a bytes-like object, or a list/tuple of them sent as one
    /// datagram) to (ip, port[, flowinfo[, scope_id]]). What the socket does not take at once
    /// is copied and sent when it can; `callback(handle, error)` runs from the loop once the
    /// datagram is sent or failed (UV_EMSGSIZE for one too big), UV_ECANCELED if the handle
    /// closed first.
    #[pyo3(signature = (address, data, callback = None))]
    fn send(
        slf: &Bound<'_, Self>,
        address: &Bound<'_, PyAny>,
        data: &Bound<'_, PyAny>,
        callback: Option<PyObject>,
    ) -> PyResult<()> {
        let py = slf.py();
        let h = slf.as_super().get();
        if h.st.get(py)?.closing {
            return Err(closed(py));
        }
        let callback = callback.filter(|c| !c.is_none(py));
        check_callable(
            py,
            callback.as_ref(),
            "'callback' must be a callable or None",
        )?;
        let a = addr::parse(address)?;
        let cb = callback.map_or_else(|| py.None().into_ptr(), |c| c.into_ptr());
        let sent = with_buffers(data, |bufs| {
            op(py, h, |c, id| c.udp_send(id, a, bufs, WriteCb(cb)))
        })
        .and_then(|r| r);
        if let Err(e) = sent {
            // SAFETY: the send was refused, so the reference made for it is still ours.
            drop(unsafe { Py::<PyAny>::from_owned_ptr(py, cb) });
            return Err(e);
        }
        h.st.get_mut(py)?.pending += 1;
        update_pin(slf.as_any(), h);
        Ok(())
    }

    /// try_send(address, data) -> int
    ///
    /// Sends one datagram now without queueing; returns the bytes sent (UDPError UV_EAGAIN
    /// when it cannot be sent now or sends are queued).
    fn try_send(
        slf: &Bound<'_, Self>,
        address: &Bound<'_, PyAny>,
        data: &Bound<'_, PyAny>,
    ) -> PyResult<usize> {
        let py = slf.py();
        let h = slf.as_super().get();
        if h.st.get(py)?.closing {
            return Err(closed(py));
        }
        let a = addr::parse(address)?;
        with_bytes(data, |bufs| op(py, h, |c, id| c.udp_try_send(id, a, bufs)))?
    }

    /// start_recv(callback)
    ///
    /// Starts receiving: `callback(handle, (ip, port), flags, data, error)` gets each datagram
    /// as bytes (b"" for an empty one), its sender, flags 0 (UV_UDP_PARTIAL if it was cut) and
    /// error None; on a receive error, address and data are None and error the code.
    /// UDPError UV_EALREADY if receiving.
    fn start_recv(slf: &Bound<'_, Self>, callback: PyObject) -> PyResult<()> {
        let py = slf.py();
        check_callable(py, Some(&callback), "a callable is required")?;
        let h = slf.as_super().get();
        op(py, h, |c, id| c.udp_recv_start(id, ()))?;
        set_kind_cb(slf.as_any(), h, Some(callback))
    }

    /// stop_recv()
    ///
    /// Stops receiving (a no-op when not receiving).
    fn stop_recv(slf: &Bound<'_, Self>) -> PyResult<()> {
        let h = slf.as_super().get();
        op(slf.py(), h, |c, id| c.udp_recv_stop(id))?;
        set_kind_cb(slf.as_any(), h, None)
    }

    /// getsockname() -> tuple
    ///
    /// The local address: (ip, port), or (ip, port, flowinfo, scope_id) for IPv6 (UDPError
    /// UV_EBADF before a socket exists).
    fn getsockname<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let a = op(slf.py(), slf.as_super().get(), |c, id| {
            c.udp_getsockname(id)
        })?;
        addr::to_tuple(slf.py(), &a)
    }

    /// set_membership(multicast_address, membership, interface=None)
    ///
    /// Joins (UV_JOIN_GROUP) or leaves (UV_LEAVE_GROUP) a multicast group, on the interface
    /// with local address `interface` (IPv6: an address whose %zone names it).
    #[pyo3(signature = (multicast_address, membership, interface = None))]
    fn set_membership(
        slf: &Bound<'_, Self>,
        multicast_address: &str,
        membership: i64,
        interface: Option<&str>,
    ) -> PyResult<()> {
        let membership = u32::try_from(membership).unwrap_or(u32::MAX);
        op(slf.py(), slf.as_super().get(), |c, id| {
            c.udp_set_membership(
                id,
                multicast_address,
                interface,
                membership,
                &interface_index,
            )
        })
    }

    /// set_multicast_interface(interface=None)
    ///
    /// The interface multicast datagrams leave by: its local address (IPv6: an address whose
    /// %zone names it); None for the system's choice.
    #[pyo3(signature = (interface = None))]
    fn set_multicast_interface(slf: &Bound<'_, Self>, interface: Option<&str>) -> PyResult<()> {
        op(slf.py(), slf.as_super().get(), |c, id| {
            c.udp_set_multicast_interface(id, interface, &interface_index)
        })
    }

    /// set_multicast_ttl(ttl)
    ///
    /// The multicast time to live, 0-255 (ValueError outside).
    fn set_multicast_ttl(slf: &Bound<'_, Self>, ttl: i64) -> PyResult<()> {
        let ttl = ttl_arg(ttl)?;
        op(slf.py(), slf.as_super().get(), |c, id| {
            c.udp_set_multicast_ttl(id, ttl)
        })
    }

    /// set_ttl(ttl)
    ///
    /// The unicast time to live, 1-255 (ValueError outside 0-255, UDPError UV_EINVAL for 0).
    fn set_ttl(slf: &Bound<'_, Self>, ttl: i64) -> PyResult<()> {
        let ttl = ttl_arg(ttl)?;
        op(slf.py(), slf.as_super().get(), |c, id| {
            c.udp_set_ttl(id, ttl)
        })
    }

    /// set_broadcast(enable)
    ///
    /// SO_BROADCAST on (True) or off (False).
    fn set_broadcast(slf: &Bound<'_, Self>, enable: &Bound<'_, PyAny>) -> PyResult<()> {
        let on = strict_bool(enable)?;
        op(slf.py(), slf.as_super().get(), |c, id| {
            c.udp_set_broadcast(id, on)
        })
    }

    /// set_multicast_loop(enable)
    ///
    /// Whether multicast datagrams sent loop back to local sockets (True / False).
    fn set_multicast_loop(slf: &Bound<'_, Self>, enable: &Bound<'_, PyAny>) -> PyResult<()> {
        let on = strict_bool(enable)?;
        op(slf.py(), slf.as_super().get(), |c, id| {
            c.udp_set_multicast_loop(id, on)
        })
    }

    /// fileno() -> int
    ///
    /// The socket's descriptor (do not close it; UDPError UV_EBADF before a socket exists).
    fn fileno(slf: &Bound<'_, Self>) -> PyResult<i32> {
        op(slf.py(), slf.as_super().get(), |c, id| c.udp_fileno(id))
    }

    /// The socket's address family (UDPError UV_EBADF before a socket exists).
    #[getter]
    fn family(slf: &Bound<'_, Self>) -> PyResult<i32> {
        op(slf.py(), slf.as_super().get(), |c, id| c.udp_family(id))
    }

    /// Bytes of the datagrams queued and not yet sent.
    #[getter]
    fn send_queue_size(slf: &Bound<'_, Self>) -> PyResult<usize> {
        op(slf.py(), slf.as_super().get(), |c, id| {
            c.udp_send_queue_size(id)
        })
    }

    /// The socket's send buffer size, SO_SNDBUF (get / set).
    #[getter]
    fn get_send_buffer_size(slf: &Bound<'_, Self>) -> PyResult<i32> {
        buffer_size(
            slf.as_super().get(),
            slf.py(),
            BufferKind::Send,
            None,
            UDP_SIZE,
        )
    }

    #[setter]
    fn set_send_buffer_size(slf: &Bound<'_, Self>, value: Option<i32>) -> PyResult<()> {
        set_buffer_size(
            slf.as_super().get(),
            slf.py(),
            BufferKind::Send,
            value,
            UDP_SIZE,
        )
    }

    /// The socket's receive buffer size, SO_RCVBUF (get / set).
    #[getter]
    fn get_receive_buffer_size(slf: &Bound<'_, Self>) -> PyResult<i32> {
        buffer_size(
            slf.as_super().get(),
            slf.py(),
            BufferKind::Receive,
            None,
            UDP_SIZE,
        )
    }

    #[setter]
    fn set_receive_buffer_size(slf: &Bound<'_, Self>, value: Option<i32>) -> PyResult<()> {
        set_buffer_size(
            slf.as_super().get(),
            slf.py(),
            BufferKind::Receive,
            value,
            UDP_SIZE,
        )
    }
}

/// The core's buffer-size call of UDP handles.
const UDP_SIZE: SizeGetSet = CoreLoop::udp_buffer_size;

/// Send dispatch: the send whose callback the core kept as `cb` completed with `code`.
pub fn on_send(lp: &Bound<'_, Loop>, obj: &Bound<'_, PyAny>, cb: WriteCb, code: i32) {
    let py = obj.py();
    // SAFETY: every UDP send's `cb` is the owned reference `send` made (a callable or None);
    // it is taken back exactly once, here.
    let cb = unsafe { Bound::from_owned_ptr(py, cb.0) };
    // SAFETY: every owner the core dispatches is a handle object.
    let h = unsafe { Handle::of(obj) };
    if let Ok(mut st) = h.st.get_mut(py) {
        st.pending = st.pending.saturating_sub(1);
    }
    update_pin(obj, h);
    if cb.is_none() {
        return;
    }
    if let Err(e) = invoke(py, &cb, &[obj, &status(py, code)]) {
        report(py, lp, e);
    }
}

/// Receive dispatch: a datagram or a receive error for the UDP object `obj`.
pub fn on_recv(lp: &Bound<'_, Loop>, obj: &Bound<'_, PyAny>, result: RecvResult) {
    let py = obj.py();
    let none = py.None().into_bound(py);
    let (address, flags, data, error) = match result {
        RecvResult::Datagram { chunk, addr, flags } => {
            let data = PyBytes::new(py, chunk.data()).into_any();
            let _ = lp.get().with_core(py, |c| c.recycle_read_buffer(chunk));
            let address = match addr::to_tuple(py, &addr) {
                Ok(t) => t.into_any(),
                Err(e) => return report(py, lp, e),
            };
            (address, flags, data, none.clone())
        }
        RecvResult::Error(code) => (none.clone(), 0, none.clone(), status(py, code)),
    };
    // SAFETY: every owner the core dispatches is a handle object.
    let h = unsafe { Handle::of(obj) };
    let Some(cb) =
        h.st.get(py)
            .ok()
            .and_then(|st| st.cb.as_ref().map(|c| c.bind(py).clone()))
    else {
        return;
    };
    let flags = match flags.into_pyobject(py) {
        Ok(f) => f.into_any(),
        Err(e) => match e {},
    };
    if let Err(e) = invoke(py, &cb, &[obj, &address, &flags, &data, &error]) {
        report(py, lp, e);
    }
}
