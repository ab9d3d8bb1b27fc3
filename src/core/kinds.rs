//! The one list of handle kinds. Every other list of kinds is made from it or checked against
//! it: the C `ruv_handle_type` values and opaque type names (`src/ffi/types.rs` asserts them,
//! and a test reads them back from `include/ruv.h`), the handle magic of the C layer, and the
//! Python class names (a Python test compares `ruv` against [`HandleType::python_class`]).

/// Writes [`HandleType`] and its tables from one list of
/// `Variant = value, "C type", "C enum constant", "Python class", "C typedef doc";`.
/// (`build.rs` includes this file too: it writes the header's opaque typedefs from the list.)
macro_rules! handle_kinds {
    ($($(#[$doc:meta])* $variant:ident = $value:literal, $c_type:literal, $c_enum:literal, $py:literal, $c_doc:literal;)*) => {
        /// The kind of a handle; the values are the C `ruv_handle_type` values (fixed).
        #[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
        #[repr(u8)]
        pub enum HandleType {
            $($(#[$doc])* $variant = $value,)*
        }

        impl HandleType {
            /// Every kind, in value order.
            pub const ALL: &'static [HandleType] = &[$(HandleType::$variant),*];

            /// The kind whose `ruv_handle_type` value is `value`.
            pub fn from_value(value: u32) -> Option<HandleType> {
                match value {
                    $($value => Some(HandleType::$variant),)*
                    _ => None,
                }
            }

            /// The C type of a handle of this kind (`"ruv_tcp_t"`).
            pub fn c_type(self) -> &'static str {
                match self { $(HandleType::$variant => $c_type,)* }
            }

            /// The C `ruv_handle_type` constant of this kind (`"RUV_TCP"`).
            pub fn c_enum(self) -> &'static str {
                match self { $(HandleType::$variant => $c_enum,)* }
            }

            /// The class of the Python package `ruv` for this kind (`"TCP"`).
            pub fn python_class(self) -> &'static str {
                match self { $(HandleType::$variant => $py,)* }
            }

            /// The doc comment of the C typedef of this kind.
            pub fn c_doc(self) -> &'static str {
                match self { $(HandleType::$variant => $c_doc,)* }
            }
        }
    };
}

handle_kinds! {
    /// A TCP stream or listener.
    Tcp = 1, "ruv_tcp_t", "RUV_TCP", "TCP",
        "A TCP handle. Opaque; create with ruv_tcp_new, free with ruv_close.";
    /// A timer.
    Timer = 2, "ruv_timer_t", "RUV_TIMER", "Timer",
        "A timer. Opaque; create with ruv_timer_new, free with ruv_close.";
    /// A cross-thread wakeup.
    Async = 3, "ruv_async_t", "RUV_ASYNC", "Async",
        "An async handle (cross-thread wakeup). Opaque; create with ruv_async_new, free with ruv_close.";
    /// Runs once per iteration, before prepare; keeps the poll from blocking.
    Idle = 4, "ruv_idle_t", "RUV_IDLE", "Idle",
        "An idle handle. Opaque; create with ruv_idle_new, free with ruv_close.";
    /// Runs once per iteration, right before the poll.
    Prepare = 5, "ruv_prepare_t", "RUV_PREPARE", "Prepare",
        "A prepare handle. Opaque; create with ruv_prepare_new, free with ruv_close.";
    /// Runs once per iteration, right after the I/O callbacks.
    Check = 6, "ruv_check_t", "RUV_CHECK", "Check",
        "A check handle. Opaque; create with ruv_check_new, free with ruv_close.";
    /// Watches a descriptor ruv does not own.
    Poll = 7, "ruv_poll_t", "RUV_POLL", "Poll",
        "A poll handle: watches a descriptor ruv does not own. Opaque; create with ruv_poll_new, free with ruv_close.";
    /// Watches a POSIX signal.
    Signal = 8, "ruv_signal_t", "RUV_SIGNAL", "Signal",
        "A signal handle. Opaque; create with ruv_signal_new, free with ruv_close.";
    /// A pipe: a Unix-domain stream socket, or a pipe or FIFO end.
    NamedPipe = 9, "ruv_pipe_t", "RUV_NAMED_PIPE", "Pipe",
        "A pipe handle (Unix-domain socket, pipe or FIFO end). Opaque; create with ruv_pipe_new, free with ruv_close.";
    /// A UDP socket.
    Udp = 10, "ruv_udp_t", "RUV_UDP", "UDP",
        "A UDP handle. Opaque; create with ruv_udp_new, free with ruv_close.";
}

impl HandleType {
    /// Whether handles of this kind are streams (`ruv_stream_t`: read, write, listen, …).
    pub fn is_stream(self) -> bool {
        matches!(self, HandleType::Tcp | HandleType::NamedPipe)
    }
}

#[cfg(test)]
mod tests {
    use super::HandleType;

    #[test]
    fn the_table_is_consistent() {
        for (i, &ty) in HandleType::ALL.iter().enumerate() {
            assert_eq!(HandleType::from_value(ty as u32), Some(ty));
            assert!(ty.c_type().starts_with("ruv_") && ty.c_type().ends_with("_t"));
            assert!(ty.c_enum().starts_with("RUV_"));
            assert!(HandleType::ALL[..i]
                .iter()
                .all(|o| o.python_class() != ty.python_class()));
        }
        assert_eq!(HandleType::from_value(0), None);
        assert_eq!(HandleType::from_value(11), None);
    }
}
