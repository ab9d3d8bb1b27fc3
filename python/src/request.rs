//! Pool requests from Python: `Loop.queue_work`, the `ruv.dns` lookups and pyuv's `Request`
//! (`loop`, `cancel()`).
//!
//! The core keeps each request's `Request` object as an owned reference (the host's `Req`),
//! taken back when its callback is due. Work functions run on a pool thread with the GIL taken
//! there; the loop releases the GIL while it polls, so they run while it waits.

use std::net::SocketAddr;
use std::sync::Mutex;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};
use ruv::core::error::Code;
use ruv::core::request::{JobFn, Outcome, PoolOutput, ReqId};
use ruv::ffi::resolver::{self, AddrInfoList, Hints, NameInfo};

use crate::addr;
use crate::errors::{uv_error, ErrKind};
use crate::excepthook::report;
use crate::loop_obj::Loop;

/// What a request's callback is.
enum Kind {
    Addrinfo,
    Nameinfo,
    Work,
}

/// Request: a pending lookup or work item (pyuv's Request).
///
/// `loop` is its loop; `cancel()` returns True if the request was cancelled (its callback then
/// gets UV_ECANCELED, or UV_EAI_CANCELED for a lookup, in the next loop iteration), False if it
/// is running, due or done.
#[pyclass(module = "ruv", name = "Request", subclass, frozen)]
pub struct Request {
    lp: Py<Loop>,
    id: Mutex<Option<ReqId>>,
    kind: Kind,
    callback: PyObject,
}

#[pymethods]
impl Request {
    /// The loop this request belongs to.
    #[getter(r#loop)]
    fn get_loop(&self, py: Python<'_>) -> Py<Loop> {
        self.lp.clone_ref(py)
    }

    /// cancel() -> bool
    fn cancel(&self, py: Python<'_>) -> PyResult<bool> {
        let Some(id) = *self.id.lock().unwrap_or_else(|e| e.into_inner()) else {
            return Ok(false);
        };
        Ok(self
            .lp
            .get()
            .with_core(py, |c| c.cancel_request(id))?
            .is_ok())
    }
}

/// Queues `run` for loop `lp` as a request calling `callback` when done.
fn submit(
    lp: &Bound<'_, Loop>,
    kind: Kind,
    callback: PyObject,
    lookup: bool,
    run: JobFn,
) -> PyResult<Py<Request>> {
    let py = lp.py();
    let req = Py::new(
        py,
        Request {
            lp: lp.clone().unbind(),
            id: Mutex::new(None),
            kind,
            callback,
        },
    )?;
    let owned = req.clone_ref(py).into_ptr();
    match lp
        .get()
        .with_core(py, |c| c.queue_job(owned, lookup, run))?
    {
        Ok(id) => {
            *req.get().id.lock().unwrap_or_else(|e| e.into_inner()) = Some(id);
            Ok(req)
        }
        Err(code) => {
            // SAFETY: `owned` is the reference made above, which the core did not keep.
            drop(unsafe { PyObject::from_owned_ptr(py, owned) });
            Err(uv_error(py, ErrKind::Uv, code))
        }
    }
}

/// The callback of a due request: `req` is the owned reference the core kept.
pub fn on_done(
    lp: &Bound<'_, Loop>,
    req: *mut ffi::PyObject,
    status: Code,
    value: Option<PoolOutput>,
) {
    let py = lp.py();
    // SAFETY: `req` is the owned reference to a Request that `submit` gave the core, handed
    // out once.
    let obj = unsafe { Bound::from_owned_ptr(py, req) };
    let Ok(req) = obj.downcast_into::<Request>() else {
        return;
    };
    let r = req.get();
    *r.id.lock().unwrap_or_else(|e| e.into_inner()) = None;
    if r.callback.is_none(py) {
        return;
    }
    let errorno = (status != 0).then_some(status);
    let result = match r.kind {
        Kind::Work => r.callback.call1(py, (errorno,)).map(drop),
        Kind::Addrinfo => value
            .and_then(|v| v.downcast::<AddrInfoList>().ok())
            .map_or_else(|| Ok(py.None().into_bound(py)), |l| addrinfo_list(py, &l))
            .and_then(|res| call2(py, &r.callback, res, errorno)),
        Kind::Nameinfo => value
            .and_then(|v| v.downcast::<NameInfo>().ok())
            .map_or_else(|| Ok(py.None().into_bound(py)), |n| names(py, &n))
            .and_then(|res| call2(py, &r.callback, res, errorno)),
    };
    if let Err(e) = result {
        report(py, lp, e);
    }
}

fn call2<'py>(
    py: Python<'py>,
    cb: &PyObject,
    res: Bound<'py, PyAny>,
    errorno: Option<Code>,
) -> PyResult<()> {
    cb.call1(py, (res, errorno)).map(drop)
}

/// The entries as (family, type, proto, canonname, sockaddr) tuples.
fn addrinfo_list<'py>(py: Python<'py>, list: &AddrInfoList) -> PyResult<Bound<'py, PyAny>> {
    let out = PyList::empty(py);
    for (family, socktype, proto, canon, sa) in list.entries() {
        let sockaddr = addr::to_tuple(py, &sa)?;
        out.append((family, socktype, proto, canon, sockaddr))?;
    }
    Ok(out.into_any())
}

fn names<'py>(py: Python<'py>, n: &NameInfo) -> PyResult<Bound<'py, PyAny>> {
    let host = n.host.to_string_lossy().into_owned();
    let service = n.service.to_string_lossy().into_owned();
    Ok(PyTuple::new(py, [host, service])?.into_any())
}

/// A str or bytes argument as a Rust string (None stays None).
fn text(arg: &Bound<'_, PyAny>, what: &str) -> PyResult<Option<String>> {
    if arg.is_none() {
        return Ok(None);
    }
    if let Ok(s) = arg.downcast::<PyString>() {
        return Ok(Some(s.to_str()?.to_owned()));
    }
    if let Ok(b) = arg.downcast::<PyBytes>() {
        return Ok(Some(String::from_utf8_lossy(b.as_bytes()).into_owned()));
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be a string, bytes or None"
    )))
}

fn c_string(s: Option<String>) -> PyResult<Option<std::ffi::CString>> {
    s.map(|s| std::ffi::CString::new(s).map_err(|_| PyValueError::new_err("embedded NUL")))
        .transpose()
}

/// _getaddrinfo(loop, host, port, family, socktype, protocol, flags, callback) -> Request, or
/// the list itself when `callback` is None (a blocking lookup, without the GIL).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn _getaddrinfo<'py>(
    lp: &Bound<'py, Loop>,
    host: &Bound<'py, PyAny>,
    port: &Bound<'py, PyAny>,
    family: i32,
    socktype: i32,
    protocol: i32,
    flags: i32,
    callback: PyObject,
) -> PyResult<Bound<'py, PyAny>> {
    let py = lp.py();
    let node = c_string(text(host, "host")?)?;
    let service = if let Ok(n) = port.extract::<i64>() {
        if !(0..=65535).contains(&n) {
            return Err(PyValueError::new_err("port must be between 0 and 65535"));
        }
        Some(n.to_string())
    } else {
        text(port, "port")?
    };
    let service = c_string(service)?;
    let hints = Hints {
        flags,
        family,
        socktype,
        protocol,
    };
    if callback.is_none(py) {
        let res =
            py.allow_threads(|| resolver::getaddrinfo(node.as_deref(), service.as_deref(), hints));
        return match res {
            Ok(list) => addrinfo_list(py, &list),
            Err(code) => Err(uv_error(py, ErrKind::Uv, code)),
        };
    }
    let run: JobFn = Box::new(move |_| {
        match resolver::getaddrinfo(node.as_deref(), service.as_deref(), hints) {
            Ok(list) => Outcome {
                status: 0,
                value: Some(Box::new(list)),
            },
            Err(code) => Outcome {
                status: code,
                value: None,
            },
        }
    });
    Ok(submit(lp, Kind::Addrinfo, callback, true, run)?
        .into_bound(py)
        .into_any())
}

/// _getnameinfo(loop, address, flags, callback) -> Request, or (host, service) when `callback`
/// is None (a blocking lookup, without the GIL).
#[pyfunction]
pub fn _getnameinfo<'py>(
    lp: &Bound<'py, Loop>,
    address: &Bound<'py, PyAny>,
    flags: i32,
    callback: PyObject,
) -> PyResult<Bound<'py, PyAny>> {
    let py = lp.py();
    let sa: SocketAddr = addr::parse(address)?;
    if callback.is_none(py) {
        return match py.allow_threads(|| resolver::getnameinfo_of(&sa, flags)) {
            Ok(n) => names(py, &n),
            Err(code) => Err(uv_error(py, ErrKind::Uv, code)),
        };
    }
    let run: JobFn = Box::new(move |_| match resolver::getnameinfo_of(&sa, flags) {
        Ok(n) => Outcome {
            status: 0,
            value: Some(Box::new(n)),
        },
        Err(code) => Outcome {
            status: code,
            value: None,
        },
    });
    Ok(submit(lp, Kind::Nameinfo, callback, true, run)?
        .into_bound(py)
        .into_any())
}

/// Loop.queue_work's body: `work()` on a pool thread (with the GIL; an exception it raises is
/// printed), then `done(errorno)` on the loop.
pub fn queue_work(lp: &Bound<'_, Loop>, work: PyObject, done: PyObject) -> PyResult<Py<Request>> {
    let py = lp.py();
    if !work.bind(py).is_callable() {
        return Err(PyTypeError::new_err("a callable is required"));
    }
    if !done.is_none(py) && !done.bind(py).is_callable() {
        return Err(PyTypeError::new_err(
            "done_callback must be a callable or None",
        ));
    }
    let run: JobFn = Box::new(move |_| {
        Python::with_gil(|py| {
            if let Err(e) = work.call0(py) {
                e.print(py);
            }
            drop(work);
        });
        Outcome {
            status: 0,
            value: None,
        }
    });
    submit(lp, Kind::Work, done, false, run)
}
