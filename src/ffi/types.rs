//! The C-visible types. A `ruv_loop_t *` stands for a [`LoopObj`] and every handle pointer
//! (`ruv_tcp_t *`, `ruv_timer_t *`, …, `ruv_handle_t *`) for a [`HandleObj`]; the pointers are
//! tagged ids into process-wide tables, checked on every call (see `slot_table`), so a stale,
//! made-up or wrong-kind pointer is `RUV_EINVAL` rather than undefined behaviour.

use std::os::raw::{c_char, c_int};

use crate::core::handle::HandleType;

use super::guard::Fallback;

pub use super::callbacks::*;
pub(crate) use super::handle_obj::{async_shared, handle_ref, kind_ref, owner_ptr, HandleObj};
pub(crate) use super::loop_obj::{loop_ref, LoopObj};

/// Declares opaque C handle types (their typedefs are in the header's prelude).
macro_rules! opaque {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[repr(C)]
        pub struct $name {
            _private: [u8; 0],
        }
    )*};
}

opaque! {
    /// Opaque C type of a loop.
    ruv_loop_t;
    /// Opaque C type of any handle.
    ruv_handle_t;
    /// Opaque C type of a TCP handle.
    ruv_tcp_t;
    /// Opaque C type of any stream handle (TCP or pipe).
    ruv_stream_t;
    /// Opaque C type of a pipe handle.
    ruv_pipe_t;
    /// Opaque C type of a UDP handle.
    ruv_udp_t;
    /// Opaque C type of a timer.
    ruv_timer_t;
    /// Opaque C type of an async handle.
    ruv_async_t;
    /// Opaque C type of an idle handle.
    ruv_idle_t;
    /// Opaque C type of a prepare handle.
    ruv_prepare_t;
    /// Opaque C type of a check handle.
    ruv_check_t;
    /// Opaque C type of a poll handle.
    ruv_poll_t;
    /// Opaque C type of a signal handle.
    ruv_signal_t;
    /// Opaque C type of a pending pool request (lookup or work item).
    ruv_req_t;
}

/// A buffer to write (declared in the header's prelude).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ruv_buf_t {
    /// Start of the bytes; may be NULL only when `len` is 0.
    pub base: *const c_char,
    /// Number of bytes.
    pub len: usize,
}

/// `ruv_run_mode` as it crosses the ABI: a C enum is an `int`, and any value may arrive.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct ruv_run_mode(pub c_int);

/// The type of a handle (values fixed).
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ruv_handle_type {
    /// Not a handle (an invalid pointer).
    RUV_UNKNOWN_HANDLE = 0,
    /// A TCP handle.
    RUV_TCP = 1,
    /// A timer.
    RUV_TIMER = 2,
    /// An async handle.
    RUV_ASYNC = 3,
    /// An idle handle.
    RUV_IDLE = 4,
    /// A prepare handle.
    RUV_PREPARE = 5,
    /// A check handle.
    RUV_CHECK = 6,
    /// A poll handle.
    RUV_POLL = 7,
    /// A signal handle.
    RUV_SIGNAL = 8,
    /// A pipe handle (a Unix-domain stream socket, or a pipe or FIFO end).
    RUV_NAMED_PIPE = 9,
    /// A UDP handle.
    RUV_UDP = 10,
}

// The C values are literals (cbindgen copies them); they must be the core's.
const _: () = {
    assert!(ruv_handle_type::RUV_TCP as i32 == HandleType::Tcp as i32);
    assert!(ruv_handle_type::RUV_TIMER as i32 == HandleType::Timer as i32);
    assert!(ruv_handle_type::RUV_ASYNC as i32 == HandleType::Async as i32);
    assert!(ruv_handle_type::RUV_IDLE as i32 == HandleType::Idle as i32);
    assert!(ruv_handle_type::RUV_PREPARE as i32 == HandleType::Prepare as i32);
    assert!(ruv_handle_type::RUV_CHECK as i32 == HandleType::Check as i32);
    assert!(ruv_handle_type::RUV_POLL as i32 == HandleType::Poll as i32);
    assert!(ruv_handle_type::RUV_SIGNAL as i32 == HandleType::Signal as i32);
    assert!(ruv_handle_type::RUV_NAMED_PIPE as i32 == HandleType::NamedPipe as i32);
    assert!(ruv_handle_type::RUV_UDP as i32 == HandleType::Udp as i32);
};

impl From<HandleType> for ruv_handle_type {
    fn from(ty: HandleType) -> Self {
        match ty {
            HandleType::Tcp => ruv_handle_type::RUV_TCP,
            HandleType::Timer => ruv_handle_type::RUV_TIMER,
            HandleType::Async => ruv_handle_type::RUV_ASYNC,
            HandleType::Idle => ruv_handle_type::RUV_IDLE,
            HandleType::Prepare => ruv_handle_type::RUV_PREPARE,
            HandleType::Check => ruv_handle_type::RUV_CHECK,
            HandleType::Poll => ruv_handle_type::RUV_POLL,
            HandleType::Signal => ruv_handle_type::RUV_SIGNAL,
            HandleType::NamedPipe => ruv_handle_type::RUV_NAMED_PIPE,
            HandleType::Udp => ruv_handle_type::RUV_UDP,
        }
    }
}

impl Fallback for ruv_handle_type {
    fn fallback() -> Self {
        ruv_handle_type::RUV_UNKNOWN_HANDLE
    }
}

/// The kind stored in a handle slot, back as a `HandleType` (`None` for no kind).
pub(crate) fn type_of_kind(kind: u8) -> Option<HandleType> {
    HandleType::from_value(u32::from(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_slot_kind() {
        for &ty in HandleType::ALL {
            assert_eq!(type_of_kind(ty as u8), Some(ty));
            assert_eq!(ruv_handle_type::from(ty) as i32, ty as i32);
        }
        assert_eq!(type_of_kind(0), None);
        assert_eq!(type_of_kind(0xff), None);
    }

    #[test]
    fn the_header_lists_every_kind_of_the_one_table() {
        let header = include_str!("../../include/ruv.h");
        for &ty in HandleType::ALL {
            let constant = format!("{} = {},", ty.c_enum(), ty as u8);
            assert!(header.contains(&constant), "ruv.h lacks {constant}");
            let stem = ty.c_type().trim_end_matches("_t");
            let typedef = format!("typedef struct {stem}_s {};", ty.c_type());
            assert!(header.contains(&typedef), "ruv.h lacks {typedef}");
        }
    }
}
