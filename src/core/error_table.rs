// The one table of ruv's error codes. `src/core/error.rs` turns it into the core's constants and
// its name/message table (ruv_err_name, ruv_strerror); `build.rs` turns it into the header's
// `ruv_errno_t` enum. `own` codes are ruv's; each `errno` row is `-NAME` of the platform.
error_table! {
    own {
        EOF = -4095, "end of file";
        UNKNOWN = -4094, "unknown error";
        EPANIC = -4093, "internal error: a Rust panic was caught at the C boundary";
        ETLS = -4092, "TLS protocol error or alert";
        ECERT = -4091, "TLS certificate rejected";
        EAI_ADDRFAMILY = -3000, "address family for the host name not supported";
        EAI_AGAIN = -3001, "temporary failure in name resolution";
        EAI_BADFLAGS = -3002, "bad ai_flags value";
        EAI_CANCELED = -3003, "lookup canceled";
        EAI_FAIL = -3004, "permanent failure in name resolution";
        EAI_FAMILY = -3005, "ai_family not supported";
        EAI_MEMORY = -3006, "out of memory in name resolution";
        EAI_NODATA = -3007, "no address for the host name";
        EAI_NONAME = -3008, "unknown node or service";
        EAI_OVERFLOW = -3009, "argument buffer overflow";
        EAI_SERVICE = -3010, "service not available for the socket type";
        EAI_SOCKTYPE = -3011, "socket type not supported";
        EAI_BADHINTS = -3013, "invalid value for hints";
        EAI_PROTOCOL = -3014, "resolved protocol is unknown";
    }
    errno {
        E2BIG, "argument list too long";
        EACCES, "permission denied";
        EADDRINUSE, "address already in use";
        EADDRNOTAVAIL, "address not available";
        EAFNOSUPPORT, "address family not supported";
        EAGAIN, "resource temporarily unavailable";
        EALREADY, "connection already in progress";
        EBADF, "bad file descriptor";
        EBUSY, "resource busy or locked";
        ECANCELED, "operation canceled";
        ECONNABORTED, "software caused connection abort";
        ECONNREFUSED, "connection refused";
        ECONNRESET, "connection reset by peer";
        EDESTADDRREQ, "destination address required";
        EEXIST, "file already exists";
        EFAULT, "bad address in system call argument";
        EFBIG, "file too large";
        EHOSTDOWN, "host is down";
        EHOSTUNREACH, "host is unreachable";
        EILSEQ, "illegal byte sequence";
        EINTR, "interrupted system call";
        EINVAL, "invalid argument";
        EIO, "i/o error";
        EISCONN, "socket is already connected";
        EISDIR, "illegal operation on a directory";
        ELOOP, "too many symbolic links encountered";
        EMFILE, "too many open files";
        EMLINK, "too many links";
        EMSGSIZE, "message too long";
        ENAMETOOLONG, "name too long";
        ENETDOWN, "network is down";
        ENETUNREACH, "network is unreachable";
        ENFILE, "file table overflow";
        ENOBUFS, "no buffer space available";
        ENODATA, "no data available";
        ENODEV, "no such device";
        ENOENT, "no such file or directory";
        ENOMEM, "not enough memory";
        ENONET, "machine is not on the network";
        ENOPROTOOPT, "protocol not available";
        ENOSPC, "no space left on device";
        ENOSYS, "function not implemented";
        ENOTCONN, "socket is not connected";
        ENOTDIR, "not a directory";
        ENOTEMPTY, "directory not empty";
        ENOTSOCK, "socket operation on non-socket";
        ENOTSUP, "operation not supported on socket";
        ENOTTY, "inappropriate ioctl for device";
        ENXIO, "no such device or address";
        EOVERFLOW, "value too large for defined data type";
        EPERM, "operation not permitted";
        EPIPE, "broken pipe";
        EPROTO, "protocol error";
        EPROTONOSUPPORT, "protocol not supported";
        EPROTOTYPE, "protocol wrong type for socket";
        ERANGE, "result too large";
        EREMOTEIO, "remote I/O error";
        EROFS, "read-only file system";
        ESHUTDOWN, "cannot send after transport endpoint shutdown";
        ESOCKTNOSUPPORT, "socket type not supported";
        ESPIPE, "invalid seek";
        ESRCH, "no such process";
        ETIMEDOUT, "connection timed out";
        ETXTBSY, "text file is busy";
        EUNATCH, "protocol driver not attached";
        EXDEV, "cross-device link not permitted";
    }
}
