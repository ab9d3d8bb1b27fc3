//! Address tuples: `(ip, port)` / `(ip, port, flowinfo, scope_id)` ⇄ `SocketAddr`.
//!
//! As in pyuv: `""` is 0.0.0.0 and `"<broadcast>"` 255.255.255.255; a non-tuple or a wrong
//! type is a TypeError, an unparsable IP a ValueError, an out-of-range number an OverflowError.

use std::ffi::CString;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyString, PyTuple};

/// An integer item of an address tuple, range-checked.
fn number(item: &Bound<'_, PyAny>, what: &str, max: u64) -> PyResult<u64> {
    if !item.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an integer, not {}",
            item.get_type().name()?
        )));
    }
    match item.extract::<i128>() {
        Ok(v) if (0..=i128::from(max)).contains(&v) => Ok(v as u64),
        _ => Err(PyOverflowError::new_err(format!("{what} must be 0-{max}"))),
    }
}

/// The interface index of a `%zone` name.
pub fn interface_index(name: &str) -> Option<u32> {
    let name = CString::new(name).ok()?;
    // SAFETY: `name` is a valid NUL-terminated string for the duration of the call.
    let index = unsafe { libc::if_nametoindex(name.as_ptr()) };
    (index != 0).then_some(index)
}

/// Parses an address tuple.
pub fn parse(addr: &Bound<'_, PyAny>) -> PyResult<SocketAddr> {
    let tuple = addr.downcast::<PyTuple>().map_err(|_| {
        PyTypeError::new_err(format!(
            "address must be tuple, not {}",
            addr.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    let n = tuple.len();
    if !(2..=4).contains(&n) {
        return Err(PyTypeError::new_err(format!(
            "address must be (ip, port[, flowinfo[, scope_id]]), got {n} items"
        )));
    }
    let host = tuple.get_item(0)?;
    let host = host
        .downcast::<PyString>()
        .map_err(|_| PyTypeError::new_err("ip must be str"))?
        .extract::<String>()?;
    let port = number(&tuple.get_item(1)?, "port", 0xffff)? as u16;
    let flowinfo = match n > 2 {
        true => number(&tuple.get_item(2)?, "flowinfo", 0xf_ffff)? as u32,
        false => 0,
    };
    let scope_id = match n > 3 {
        true => number(&tuple.get_item(3)?, "scope_id", 0xffff_ffff)? as u32,
        false => 0,
    };
    if host.contains('\0') {
        return Err(PyValueError::new_err("invalid IP address"));
    }
    let v4 = match host.as_str() {
        "" => Some(Ipv4Addr::UNSPECIFIED),
        "<broadcast>" => Some(Ipv4Addr::BROADCAST),
        h => h.parse().ok(),
    };
    if let Some(ip) = v4 {
        return Ok(SocketAddr::V4(SocketAddrV4::new(ip, port)));
    }
    let v6 = ruv::core::addr::parse_ip6(&host, i32::from(port), interface_index)
        .map_err(|_| PyValueError::new_err(format!("invalid IP address: {host:?}")))?;
    let scope = if scope_id != 0 {
        scope_id
    } else {
        v6.scope_id()
    };
    Ok(SocketAddr::V6(SocketAddrV6::new(
        *v6.ip(),
        port,
        flowinfo,
        scope,
    )))
}

/// The tuple for an address: (ip, port) or (ip, port, flowinfo, scope_id).
pub fn to_tuple<'py>(py: Python<'py>, addr: &SocketAddr) -> PyResult<Bound<'py, PyTuple>> {
    match addr {
        SocketAddr::V4(a) => (a.ip().to_string(), a.port()).into_pyobject(py),
        SocketAddr::V6(a) => {
            (a.ip().to_string(), a.port(), a.flowinfo(), a.scope_id()).into_pyobject(py)
        }
    }
}
