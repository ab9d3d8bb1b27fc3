/* bench/adapter.h — the small event-loop interface every workload is written
 * against.  Three back-ends implement it: be_ruv.c (ruv), be_uv.c (libuv) and
 * be_epoll.c (a hand-written level-triggered epoll loop).  Workloads never see
 * a library type; only these calls differ between the three binaries.
 *
 * Contract (the strictest of the three libraries, so every back-end can honour
 * it without extra copies):
 *   - one loop per thread (the back-ends keep their state thread-local); callbacks
 *     are registered once per loop;
 *   - every callback is delivered from bl_run(), never from inside the call
 *     that requested it;
 *   - a buffer passed to bl_write() must stay valid until that write's
 *     callback (workloads only write static buffers);
 *   - on_read data is valid only during the callback; nread > 0 is data,
 *     nread == BL_EOF is end of stream, other negative values are -errno;
 *   - after on_close(c) returns, c is freed.
 */
#ifndef BENCH_ADAPTER_H
#define BENCH_ADAPTER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sockaddr;

#define BL_EOF (-4095)            /* same value as UV_EOF and RUV_EOF */
#define BL_ENOTSUP (-95)          /* a call the back-end does not have (UV_ENOTSUP, RUV_ENOTSUP) */
#define BL_BACKLOG 511

typedef struct bl_loop bl_loop;   /* back-end defined */
typedef struct bl_conn bl_conn;   /* back-end defined; a TCP connection or the listener */

typedef struct bl_callbacks {
  /* server: a connection was accepted (TCP_NODELAY already set, not reading) */
  void (*on_connection)(bl_conn *c);
  /* client: connect finished; on error the workload must bl_close(c) */
  void (*on_connect)(bl_conn *c, int status);
  void (*on_read)(bl_conn *c, ssize_t nread, const char *data);
  /* only for writes issued with want_cb != 0 */
  void (*on_write)(bl_conn *c, int status);
  void (*on_shutdown)(bl_conn *c, int status);
  void (*on_close)(bl_conn *c);
} bl_callbacks;

const char *bl_backend_name(void);
const char *bl_backend_version(void);

bl_loop *bl_loop_new(const bl_callbacks *cbs);
int      bl_run(bl_loop *l);            /* until nothing is left (or bl_stop) */
int      bl_run_nowait(bl_loop *l);     /* one non-blocking iteration (RUN_NOWAIT); <0 on error */
void     bl_stop(bl_loop *l);
int      bl_loop_free(bl_loop *l);      /* the library's loop-close result: 0, or <0 (e.g. EBUSY) */

/* listen on 127.0.0.1 port 0, backlog BL_BACKLOG; *port receives the port */
int      bl_listen(bl_loop *l, int *port);
/* the same with SO_REUSEPORT on 127.0.0.1:*port (0: the kernel chooses; *port receives the
 * port), so that the loops of several threads share one port */
int      bl_listen_reuseport(bl_loop *l, int *port);
void     bl_close_listener(bl_loop *l);  /* no callback */

/* start a connection to 127.0.0.1:port; NULL on immediate failure */
bl_conn *bl_connect(bl_loop *l, int port, void *data);

/* Unix-domain stream sockets (the pipe rows): listen on / connect to a socket path, with the
 * back-end's pipe type (uv_pipe_t, ruv_pipe_t); the connections are bl_conn like TCP ones.
 * A back-end without them returns BL_ENOTSUP / NULL. */
int      bl_listen_pipe(bl_loop *l, const char *path);
bl_conn *bl_connect_pipe(bl_loop *l, const char *path, void *data);

int      bl_start_read(bl_conn *c);
int      bl_write(bl_conn *c, const void *buf, size_t len, int want_cb);
int      bl_shutdown(bl_conn *c);        /* after queued writes; then on_shutdown */
void     bl_close(bl_conn *c);           /* then on_close */

void    *bl_get_data(bl_conn *c);
void     bl_set_data(bl_conn *c, void *data);

/* ---- timers and async (wl_timers.c, wl_async.c) ---------------------------------------
 * A back-end without them (be_epoll.c; be_ruv.c built against a ruv.h that lacks them)
 * returns BL_ENOTSUP from bl_timers_new / bl_async_new and the workload reports n/a.
 *
 * Timers come as one set of n, addressed by index, so each back-end can store them the
 * way an application would: libuv's uv_timer_t are caller-allocated (one calloc of n),
 * ruv's are allocated by ruv_timer_new (plus the n pointers the caller keeps).  At most one
 * set per loop.  Times are milliseconds relative to the loop's cached time. */
typedef struct bl_timers bl_timers;
typedef void (*bl_timer_cb)(bl_timers *ts, size_t i);
int  bl_timers_new(bl_loop *l, size_t n, bl_timer_cb cb, bl_timers **out);
int  bl_timer_start(bl_timers *ts, size_t i, uint64_t timeout, uint64_t repeat);
int  bl_timer_stop(bl_timers *ts, size_t i);
/* closes all n; done (may be NULL) runs from the loop after the last close callback, then
 * the set is freed */
void bl_timers_close(bl_timers *ts, void (*done)(bl_timers *ts));

/* One cross-thread wakeup.  bl_async_send may be called from any thread; everything else
 * from the loop's thread.  Sends must have stopped before bl_async_close is called. */
typedef struct bl_async bl_async;
typedef void (*bl_async_cb)(bl_async *a);
int   bl_async_new(bl_loop *l, bl_async_cb cb, void *data, bl_async **out);
int   bl_async_send(bl_async *a);
void *bl_async_get_data(bl_async *a);
/* then done(a) (may be NULL) from the loop after the close callback; then a is freed */
void  bl_async_close(bl_async *a, void (*done)(bl_async *a));

/* ---- UDP (wl_udp.c) --------------------------------------------------------------------
 * One UDP socket bound to 127.0.0.1:*port (0: the kernel chooses; *port receives the port),
 * receiving at once into `cb` (nread >= 0 bytes from `from`, or a negative error).  Sends
 * take a static buffer and need no callback.  A back-end without UDP returns BL_ENOTSUP. */
typedef struct bl_udp bl_udp;
typedef void (*bl_udp_recv_cb)(bl_udp *u, ssize_t nread, const char *data,
                               const struct sockaddr *from);
int   bl_udp_new(bl_loop *l, int *port, bl_udp_recv_cb cb, void *data, bl_udp **out);
int   bl_udp_send(bl_udp *u, const void *buf, size_t len, const struct sockaddr *to);
void *bl_udp_get_data(bl_udp *u);
/* stops receiving; closes once the sends already issued have gone out (no callback) */
void  bl_udp_close(bl_udp *u);

#endif
