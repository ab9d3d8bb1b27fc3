//! Calling Python for each callback the core hands out. It runs with no borrow of the core held,
//! so callbacks may call back into the loop freely; whatever they raise goes to the excepthook.

use pyo3::ffi;
use pyo3::prelude::*;
use ruv::core::dispatch::Dispatch;
use ruv::core::handle_table::HandleId;

use crate::excepthook::report;
use crate::handle::{update_pin, Handle};
use crate::host::PyHost;
use crate::invoke::invoke;
use crate::loop_obj::Loop;
use crate::{stream, tcp, tls, udp};

/// Runs one due callback of loop `lp`.
pub fn call(lp: &Bound<'_, Loop>, due: Dispatch<PyHost>) {
    let py = lp.py();
    let owner = match &due {
        Dispatch::Close { owner, handle, .. } => return on_close(lp, *owner, *handle),
        Dispatch::Request { req, .. } => {
            let req = *req;
            if let Dispatch::Request { status, value, .. } = due {
                crate::request::on_done(lp, req, status, value);
            }
            return;
        }
        Dispatch::Connection { owner, .. }
        | Dispatch::Connect { owner, .. }
        | Dispatch::Write { owner, .. }
        | Dispatch::Shutdown { owner, .. }
        | Dispatch::Read { owner, .. }
        | Dispatch::Timer { owner, .. }
        | Dispatch::Async { owner, .. }
        | Dispatch::Hook { owner, .. }
        | Dispatch::Poll { owner, .. }
        | Dispatch::Signal { owner, .. }
        | Dispatch::Drain { owner, .. }
        | Dispatch::Handshake { owner, .. }
        | Dispatch::UdpSend { owner, .. }
        | Dispatch::UdpRecv { owner, .. } => *owner,
    };
    if owner.is_null() {
        // The object is gone (its handle was closed then): nothing to call. A write's
        // reference to its callback is still released.
        match due {
            Dispatch::Write { cb, .. } | Dispatch::UdpSend { cb, .. } if !cb.0.is_null() => {
                // SAFETY: a write's or send's non-null `cb` is an owned reference, taken back
                // once.
                drop(unsafe { Py::<PyAny>::from_owned_ptr(py, cb.0) });
            }
            Dispatch::UdpRecv {
                result: ruv::core::udp::RecvResult::Datagram { chunk, .. },
                ..
            } => {
                let _ = lp.get().with_core(py, |c| c.recycle_read_buffer(chunk));
            }
            _ => {}
        }
        return;
    }
    // SAFETY: the core hands out a handle's owner only while its object lives: the object is
    // pinned while its handle is active, has requests with callbacks, or is closing, which is
    // when the core dispatches; an object that dies points the owner at null first.
    let obj = unsafe { Bound::from_borrowed_ptr(py, owner) };
    match due {
        Dispatch::Read { result, .. } => stream::on_read(lp, &obj, result),
        Dispatch::Write { cb, status, .. } => stream::on_write(lp, &obj, cb, status),
        Dispatch::Shutdown { status, .. } => stream::on_shutdown(lp, &obj, status),
        Dispatch::Connection { status, .. } => tcp::on_connection(lp, &obj, status),
        Dispatch::Connect { status, .. } => tcp::on_connect(lp, &obj, status),
        Dispatch::Handshake { status, .. } => tls::on_handshake(lp, &obj, status),
        Dispatch::UdpSend { cb, status, .. } => udp::on_send(lp, &obj, cb, status),
        Dispatch::UdpRecv { result, .. } => udp::on_recv(lp, &obj, result),
        Dispatch::Timer { .. } => kind_cb(lp, &obj, true, |cb| invoke(py, cb, &[&obj])),
        Dispatch::Async { .. } | Dispatch::Hook { .. } => {
            kind_cb(lp, &obj, false, |cb| invoke(py, cb, &[&obj]))
        }
        // pyuv's arguments: (handle, events, None), or (handle, None, error).
        Dispatch::Poll {
            status: 0, events, ..
        } => kind_cb(lp, &obj, false, |cb| {
            let events = events.into_pyobject(py)?.into_any();
            invoke(py, cb, &[&obj, &events, &py.None().into_bound(py)])
        }),
        Dispatch::Poll { status, .. } => kind_cb(lp, &obj, true, |cb| {
            invoke(
                py,
                cb,
                &[&obj, &py.None().into_bound(py), &stream::status(py, status)],
            )
        }),
        Dispatch::Signal { signum, .. } => kind_cb(lp, &obj, true, |cb| {
            invoke(py, cb, &[&obj, signum.into_pyobject(py)?.as_any()])
        }),
        // Not produced: the Python API sets no watermarks.
        Dispatch::Drain { .. } | Dispatch::Close { .. } | Dispatch::Request { .. } => {}
    }
}

/// Calls the kind's callback of `obj` (timer, async, idle/prepare/check, poll, signal) with
/// `call`; `repin`: the handle may have stopped meanwhile (a one-shot timer or signal).
fn kind_cb<'py>(
    lp: &Bound<'py, Loop>,
    obj: &Bound<'py, PyAny>,
    repin: bool,
    call: impl FnOnce(&Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>,
) {
    let py = obj.py();
    // SAFETY: every owner is a handle object.
    let h = unsafe { Handle::of(obj) };
    let cb =
        h.st.get(py)
            .ok()
            .and_then(|st| st.cb.as_ref().map(|c| c.bind(py).clone()));
    if let Some(cb) = cb {
        if let Err(e) = call(&cb) {
            report(py, lp, e);
        }
    }
    if repin {
        update_pin(obj, h);
    }
}

/// The close callback: the handle's last. Its object is released from the core and unpinned.
fn on_close(lp: &Bound<'_, Loop>, owner: *mut ffi::PyObject, id: HandleId) {
    let py = lp.py();
    if owner.is_null() {
        let _ = lp.get().with_core(py, |c| c.release_closed(id));
        return;
    }
    // SAFETY: a closing handle's object is pinned until this callback (see `call`).
    let obj = unsafe { Bound::from_borrowed_ptr(py, owner) };
    // SAFETY: every owner is a handle object.
    let h = unsafe { Handle::of(&obj) };
    let taken = h.st.get_mut(py).ok().map(|mut st| {
        st.done = true;
        st.pending = 0;
        (st.close_cb.take(), st.cb.take(), st.pin.take())
    });
    let _ = lp.get().with_core(py, |c| c.release_closed(id));
    // Dropped last, with the pin: `obj` is this function's own reference until then.
    let doomed = lp.get().doomed.release(py, id);
    stream::forget_callbacks(&obj);
    let Some((close_cb, cb, pin)) = taken else {
        return;
    };
    if let Some(close_cb) = close_cb {
        if let Err(e) = invoke(py, close_cb.bind(py), &[&obj]) {
            report(py, lp, e);
        }
    }
    drop((cb, pin, doomed));
}
