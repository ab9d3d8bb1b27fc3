//! What `write` accepts: a bytes-like object or a list/tuple of them, lent to the core as
//! `IoSlice`s without a copy for `bytes` and `bytearray` (other buffer objects, such as a
//! `memoryview`, are copied once: the limited API of Python 3.8 has no buffer protocol).

use std::io::IoSlice;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyInt, PyList, PyString, PyTuple};

/// A bytes-like object as `bytes` or `bytearray` (a copy for any other buffer), or a TypeError
/// built by `wrong`.
fn bytes_like<'py>(
    obj: &Bound<'py, PyAny>,
    wrong: impl Fn(&Bound<'py, PyAny>) -> PyErr,
) -> PyResult<Bound<'py, PyAny>> {
    if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
        return Ok(obj.clone());
    }
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyInt>() {
        return Err(wrong(obj));
    }
    let py = obj.py();
    let builtins = py.import(pyo3::intern!(py, "builtins"))?;
    match builtins
        .getattr(pyo3::intern!(py, "memoryview"))?
        .call1((obj,))
    {
        Ok(view) => Ok(builtins
            .getattr(pyo3::intern!(py, "bytes"))?
            .call1((view,))?),
        Err(_) => Err(wrong(obj)),
    }
}

/// The bytes of an object `bytes_like` returned.
fn slice_of<'a>(obj: &'a Bound<'_, PyAny>) -> &'a [u8] {
    if let Ok(b) = obj.downcast::<PyBytes>() {
        return b.as_bytes();
    }
    match obj.downcast::<PyByteArray>() {
        // SAFETY: the slice is only used by the core's write, which runs no Python code, so
        // nothing can resize or free the bytearray while it is borrowed.
        Ok(b) => unsafe { b.as_bytes() },
        Err(_) => &[],
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// Runs `f` on the buffers of `data`, write's argument.
pub fn with_buffers<R>(
    data: &Bound<'_, PyAny>,
    f: impl FnOnce(&[IoSlice<'_>]) -> R,
) -> PyResult<R> {
    if let Ok(b) = data.downcast::<PyBytes>() {
        return Ok(f(&[IoSlice::new(b.as_bytes())]));
    }
    let items: Vec<Bound<'_, PyAny>> =
        if data.is_instance_of::<PyList>() || data.is_instance_of::<PyTuple>() {
            let items = data
                .try_iter()?
                .map(|item| {
                    bytes_like(&item?, |o| {
                        PyTypeError::new_err(format!(
                            "a bytes-like object is required, not '{}'",
                            type_name(o)
                        ))
                    })
                })
                .collect::<PyResult<Vec<_>>>()?;
            if items.is_empty() {
                return Err(PyValueError::new_err("iterable is empty"));
            }
            items
        } else {
            vec![bytes_like(data, |o| {
                PyTypeError::new_err(format!(
                    "only bytes and sequences are supported, not '{}'",
                    type_name(o)
                ))
            })?]
        };
    let slices: Vec<IoSlice<'_>> = items.iter().map(|o| IoSlice::new(slice_of(o))).collect();
    Ok(f(&slices))
}

/// Runs `f` on the bytes of the single bytes-like object `data` (try_write's argument).
pub fn with_bytes<R>(data: &Bound<'_, PyAny>, f: impl FnOnce(&[IoSlice<'_>]) -> R) -> PyResult<R> {
    let obj = bytes_like(data, |o| {
        PyTypeError::new_err(format!(
            "a bytes-like object is required, not '{}'",
            type_name(o)
        ))
    })?;
    Ok(f(&[IoSlice::new(slice_of(&obj))]))
}
