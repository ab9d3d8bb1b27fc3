//! `ruv.Stream`: the stream half of a TCP handle — read, write, shutdown — and the dispatch of
//! its callbacks.
//!
//! The hot path (read callback → Python → write) is: one `bytes` built from the loop's read
//! buffer, one call; `write(bytes)` lends the bytes to the core, which sends them at once when
//! it can (no copy, no completion item for a write without callback). A write without callback
//! that leaves bytes queued is followed by a zero-length *marker* write whose completion tells
//! the handle that its queue drained, so an unreferenced handle stays alive until its data is
//! sent (pyuv's write requests keep their handle alive too).

use std::io::IoSlice;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes};
use ruv::core::dispatch::ReadResult;
use ruv::core::socket::BufferKind;

use crate::buffers::{with_buffers, with_bytes};
use crate::errors::closed;
use crate::excepthook::report;
use crate::gil::GilCell;
use crate::handle::{op, query, update_pin, Handle};
use crate::host::{CoreLoop, WriteCb};
use crate::invoke::invoke;
use crate::loop_obj::Loop;
use crate::server;

/// The callbacks of a stream (TCP) handle.
#[derive(Default)]
pub struct StreamState {
    pub read_cb: Option<PyObject>,
    pub shutdown_cb: Option<PyObject>,
    pub listen_cb: Option<PyObject>,
    pub connect_cb: Option<PyObject>,
    /// The TLS handshake callback (`start_tls`).
    pub handshake_cb: Option<PyObject>,
    /// A marker write is queued (see the module doc).
    pub marker: bool,
}

/// Base class of stream handles (TCP): read, write, shutdown.
#[pyclass(module = "ruv", name = "Stream", extends = Handle, subclass, frozen)]
pub struct Stream {
    pub(crate) st: GilCell<StreamState>,
}

impl Stream {
    /// A stream object not attached to a loop yet.
    pub fn blank() -> Self {
        Stream {
            st: GilCell::new(StreamState::default()),
        }
    }
}

/// Checks that `cb` is callable (or None when `optional`).
pub fn check_callable(py: Python<'_>, cb: Option<&PyObject>, msg: &'static str) -> PyResult<()> {
    match cb {
        Some(cb) if !cb.bind(py).is_callable() => Err(PyTypeError::new_err(msg)),
        _ => Ok(()),
    }
}

/// Errors as pyuv's callbacks get them: None for success, else the negative code.
pub fn status(py: Python<'_>, code: i32) -> Bound<'_, PyAny> {
    if code == 0 {
        py.None().into_bound(py)
    } else {
        code.into_pyobject(py)
            .map_or_else(|e| match e {}, |c| c.into_any())
    }
}

/// Queues a marker write (see the module doc) unless one is queued.
fn add_marker(py: Python<'_>, h: &Handle, s: &Stream) -> PyResult<()> {
    if s.st.get(py)?.marker {
        return Ok(());
    }
    let none = py.None().into_ptr();
    let empty: [IoSlice<'_>; 1] = [IoSlice::new(&[])];
    match op(py, h, |c, id| c.stream_write(id, &empty, WriteCb(none))) {
        Ok(()) => {
            s.st.get_mut(py)?.marker = true;
            h.st.get_mut(py)?.pending += 1;
            Ok(())
        }
        Err(e) => {
            // SAFETY: the write was refused, so the reference made for it is still ours.
            drop(unsafe { Py::<PyAny>::from_owned_ptr(py, none) });
            Err(e)
        }
    }
}

/// The core's buffer-size call of stream handles.
const TCP_SIZE: server::SizeGetSet = CoreLoop::stream_buffer_size;

#[pymethods]
impl Stream {
    /// shutdown(callback=None)
    ///
    /// Shuts the write side down once the queued writes are sent; `callback(handle, error)`.
    #[pyo3(signature = (callback = None))]
    fn shutdown(slf: &Bound<'_, Self>, callback: Option<PyObject>) -> PyResult<()> {
        let py = slf.py();
        check_callable(py, callback.as_ref(), "a callable or None is required")?;
        let h = slf.as_super().get();
        op(py, h, |c, id| c.stream_shutdown(id, ()))?;
        slf.get().st.get_mut(py)?.shutdown_cb = callback;
        h.st.get_mut(py)?.pending += 1;
        update_pin(slf.as_any(), h);
        Ok(())
    }

    /// write(data, callback=None)
    ///
    /// Writes `data`: bytes, bytearray, memoryview (any buffer) or a list/tuple of them.
    /// What the socket does not take at once is copied, so buffers may be reused when this
    /// returns. `callback(handle, error)` runs once the data is written (or failed).
    #[pyo3(signature = (data, callback = None))]
    pub(crate) fn write(
        slf: &Bound<'_, Self>,
        data: &Bound<'_, PyAny>,
        callback: Option<PyObject>,
    ) -> PyResult<()> {
        let py = slf.py();
        let h = slf.as_super().get();
        if h.st.get(py)?.closing {
            return Err(closed(py));
        }
        check_callable(
            py,
            callback.as_ref(),
            "'callback' must be a callable or None",
        )?;
        let has_cb = callback.is_some();
        let cb = callback.map_or(std::ptr::null_mut(), |c| c.into_ptr());
        let queued = with_buffers(data, |bufs| {
            op(py, h, |c, id| {
                c.stream_write(id, bufs, WriteCb(cb))?;
                Ok(c.stream_write_queue_size(id).unwrap_or(0))
            })
        })
        .and_then(|r| r);
        let queued = match queued {
            Ok(q) => q,
            Err(e) => {
                if has_cb {
                    // SAFETY: the write was refused, so the reference made for it is ours.
                    drop(unsafe { Py::<PyAny>::from_owned_ptr(py, cb) });
                }
                return Err(e);
            }
        };
        if has_cb {
            h.st.get_mut(py)?.pending += 1;
        } else if queued > 0 {
            add_marker(py, h, slf.get())?;
        } else {
            return Ok(());
        }
        update_pin(slf.as_any(), h);
        Ok(())
    }

    /// try_write(data) -> int
    ///
    /// Writes what the socket takes now without queueing; returns the byte count
    /// (TCPError UV_EAGAIN when nothing can be written now).
    fn try_write(slf: &Bound<'_, Self>, data: &Bound<'_, PyAny>) -> PyResult<usize> {
        let py = slf.py();
        let h = slf.as_super().get();
        if h.st.get(py)?.closing {
            return Err(closed(py));
        }
        with_bytes(data, |bufs| op(py, h, |c, id| c.stream_try_write(id, bufs)))?
    }

    /// start_read(callback)
    ///
    /// Starts reading: `callback(handle, data, error)` gets each chunk as bytes (error None);
    /// at end of stream or on an error, data is None, error the code (UV_EOF at end of
    /// stream), and reading stops. On a reading handle, replaces the callback.
    fn start_read(slf: &Bound<'_, Self>, callback: PyObject) -> PyResult<()> {
        let py = slf.py();
        check_callable(py, Some(&callback), "a callable is required")?;
        let h = slf.as_super().get();
        let s = slf.get();
        if s.st.get(py)?.read_cb.is_none() {
            op(py, h, |c, id| c.stream_read_start(id, ()))?;
        } else if h.st.get(py)?.closing {
            return Err(closed(py));
        }
        let old = s.st.get_mut(py)?.read_cb.replace(callback);
        drop(old);
        update_pin(slf.as_any(), h);
        Ok(())
    }

    /// stop_read()
    ///
    /// Stops reading (a no-op when not reading).
    fn stop_read(slf: &Bound<'_, Self>) -> PyResult<()> {
        let py = slf.py();
        let h = slf.as_super().get();
        op(py, h, |c, id| c.stream_read_stop(id))?;
        let old = slf.get().st.get_mut(py)?.read_cb.take();
        drop(old);
        update_pin(slf.as_any(), h);
        Ok(())
    }

    /// set_blocking(blocking)
    ///
    /// Puts the descriptor in blocking mode (True) or back in non-blocking mode (False). While
    /// blocking, write() sends everything before it returns; reads and accepts of the loop may
    /// then block it, as in libuv: meant for a handle that only writes.
    fn set_blocking(slf: &Bound<'_, Self>, blocking: &Bound<'_, PyAny>) -> PyResult<()> {
        let blocking = blocking
            .downcast::<PyBool>()
            .map_err(|_| PyTypeError::new_err("blocking must be a bool"))?
            .is_true();
        op(slf.py(), slf.as_super().get(), |c, id| {
            c.stream_set_blocking(id, blocking)
        })
    }

    /// fileno() -> int
    ///
    /// The socket's descriptor (do not close it; TCPError UV_EBADF before a socket exists).
    fn fileno(slf: &Bound<'_, Self>) -> PyResult<i32> {
        op(slf.py(), slf.as_super().get(), |c, id| c.stream_fileno(id))
    }

    /// True while the stream can be read from.
    #[getter]
    fn readable(slf: &Bound<'_, Self>) -> PyResult<bool> {
        query(slf.py(), slf.as_super().get(), |c, id| {
            c.stream_readable(id).unwrap_or(false)
        })
    }

    /// True while the stream accepts writes.
    #[getter]
    fn writable(slf: &Bound<'_, Self>) -> PyResult<bool> {
        query(slf.py(), slf.as_super().get(), |c, id| {
            c.stream_writable(id).unwrap_or(false)
        })
    }

    /// The socket's send buffer size, SO_SNDBUF (get / set).
    #[getter]
    fn get_send_buffer_size(slf: &Bound<'_, Self>) -> PyResult<i32> {
        server::buffer_size(
            slf.as_super().get(),
            slf.py(),
            BufferKind::Send,
            None,
            TCP_SIZE,
        )
    }

    #[setter]
    fn set_send_buffer_size(slf: &Bound<'_, Self>, value: Option<i32>) -> PyResult<()> {
        server::set_buffer_size(
            slf.as_super().get(),
            slf.py(),
            BufferKind::Send,
            value,
            TCP_SIZE,
        )
    }

    /// The socket's receive buffer size, SO_RCVBUF (get / set).
    #[getter]
    fn get_receive_buffer_size(slf: &Bound<'_, Self>) -> PyResult<i32> {
        server::buffer_size(
            slf.as_super().get(),
            slf.py(),
            BufferKind::Receive,
            None,
            TCP_SIZE,
        )
    }

    #[setter]
    fn set_receive_buffer_size(slf: &Bound<'_, Self>, value: Option<i32>) -> PyResult<()> {
        server::set_buffer_size(
            slf.as_super().get(),
            slf.py(),
            BufferKind::Receive,
            value,
            TCP_SIZE,
        )
    }

    /// Bytes accepted by write() and not yet written to the socket.
    #[getter]
    fn write_queue_size(slf: &Bound<'_, Self>) -> PyResult<usize> {
        query(slf.py(), slf.as_super().get(), |c, id| {
            c.stream_write_queue_size(id).unwrap_or(0)
        })
    }
}

/// The `Stream` part of a stream handle object.
///
/// # Safety
/// `obj` must be an instance of `Stream` (or of a subclass).
pub unsafe fn stream_of<'a>(obj: &'a Bound<'_, PyAny>) -> &'a Stream {
    // SAFETY: the caller guarantees the type (see the contract).
    unsafe { obj.downcast_unchecked::<Stream>() }.get()
}

/// Read dispatch: data, end of stream or an error for the stream object `obj`.
pub fn on_read(lp: &Bound<'_, Loop>, obj: &Bound<'_, PyAny>, result: ReadResult) {
    let py = obj.py();
    // SAFETY: reads are dispatched for TCP handles only, whose objects are Streams.
    let s = unsafe { stream_of(obj) };
    let called = match result {
        ReadResult::Data(chunk) => {
            let data = PyBytes::new(py, chunk.data());
            let _ = lp.get().with_core(py, |c| c.recycle_read_buffer(chunk));
            let Some(cb) =
                s.st.get(py)
                    .ok()
                    .and_then(|st| st.read_cb.as_ref().map(|c| c.bind(py).clone()))
            else {
                return;
            };
            invoke(py, &cb, &[obj, data.as_any(), &py.None().into_bound(py)])
        }
        ReadResult::Error(code) => {
            let cb = s.st.get_mut(py).ok().and_then(|mut st| st.read_cb.take());
            let cb = cb.map(|c| c.into_bound(py));
            // SAFETY: `obj` is the owner the core dispatched for a stream handle, so it is an
            // instance of a Handle subclass (Handle::of's requirement).
            update_pin(obj, unsafe { Handle::of(obj) });
            let Some(cb) = cb else {
                return;
            };
            invoke(
                py,
                &cb,
                &[obj, &py.None().into_bound(py), &status(py, code)],
            )
        }
    };
    if let Err(e) = called {
        report(py, lp, e);
    }
}

/// Write dispatch: the write whose callback the core kept as `cb` completed with `code`.
pub fn on_write(lp: &Bound<'_, Loop>, obj: &Bound<'_, PyAny>, cb: WriteCb, code: i32) {
    let py = obj.py();
    // SAFETY: only writes with a callback produce a completion, and their `cb` is the owned
    // reference `write`/`add_marker` made; it is taken back exactly once, here.
    let cb = unsafe { Bound::from_owned_ptr(py, cb.0) };
    // SAFETY: writes are dispatched for TCP handles only, whose objects are Streams.
    let (h, s) = unsafe { (Handle::of(obj), stream_of(obj)) };
    if let Ok(mut st) = h.st.get_mut(py) {
        st.pending = st.pending.saturating_sub(1);
    }
    if cb.is_none() {
        if let Ok(mut st) = s.st.get_mut(py) {
            st.marker = false;
        }
        let queued = query(py, h, |c, id| c.stream_write_queue_size(id).unwrap_or(0)).unwrap_or(0);
        if queued > 0 && code == 0 {
            let _ = add_marker(py, h, s);
        }
        update_pin(obj, h);
        return;
    }
    update_pin(obj, h);
    if let Err(e) = invoke(py, &cb, &[obj, &status(py, code)]) {
        report(py, lp, e);
    }
}

/// Shutdown dispatch.
pub fn on_shutdown(lp: &Bound<'_, Loop>, obj: &Bound<'_, PyAny>, code: i32) {
    // SAFETY: shutdowns are dispatched for TCP handles only, whose objects are Streams.
    unsafe { complete_request(lp, obj, code, |st| st.shutdown_cb.take()) }
}

/// A one-shot request of a stream completed (shutdown, connect): its callback, taken by `take`,
/// gets `(handle, error)`, and the handle's pending count and pin follow.
///
/// # Safety
/// `obj` must be a Stream object (a TCP handle's).
pub unsafe fn complete_request(
    lp: &Bound<'_, Loop>,
    obj: &Bound<'_, PyAny>,
    code: i32,
    take: impl FnOnce(&mut StreamState) -> Option<PyObject>,
) {
    let py = obj.py();
    // SAFETY: the caller guarantees `obj` is a Stream, hence also a Handle.
    let (h, s) = unsafe { (Handle::of(obj), stream_of(obj)) };
    let cb = s.st.get_mut(py).ok().and_then(|mut st| take(&mut st));
    let cb = cb.map(|c| c.into_bound(py));
    if let Ok(mut st) = h.st.get_mut(py) {
        st.pending = st.pending.saturating_sub(1);
    }
    update_pin(obj, h);
    if let Some(cb) = cb {
        if let Err(e) = invoke(py, &cb, &[obj, &status(py, code)]) {
            report(py, lp, e);
        }
    }
}

/// Drops every callback of a closed stream object (breaking cycles through them).
pub fn forget_callbacks(obj: &Bound<'_, PyAny>) {
    if let Ok(s) = obj.downcast::<Stream>() {
        let old = s
            .get()
            .st
            .get_mut(obj.py())
            .map(|mut st| std::mem::take(&mut *st));
        drop(old);
    }
}
