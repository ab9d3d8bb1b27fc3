/* bench/be_ruv.c — adapter back-end over ruv (include/ruv.h, libruv.so).
 * A bl_conn* is the ruv_tcp_t* itself: ruv allocates its handles, so this
 * back-end adds no per-connection memory of its own; the workload's pointer
 * lives in the handle's data slot.  ruv copies unsent write data and owns the
 * read buffer, so no request objects or buffers are managed here.
 *
 * Timers and async (DESIGN §6) are compiled in when the Makefile finds them in
 * include/ruv.h (BL_RUV_TIMERS / BL_RUV_ASYNC = 1; `make RUV_TIMERS=0` etc. forces
 * the choice); without them bl_timers_new / bl_async_new return BL_ENOTSUP and
 * those rows show n/a.  Timers: n ruv_timer_new (ruv allocates each handle) and one
 * array of the n pointers, as an application keeps them; the index lives in the
 * handle's data slot.
 *
 * The pipe rows (Unix-domain sockets) and UDP are in be_ruv_pipe_udp.c, compiled in when
 * include/ruv.h has the stream API (BL_RUV_STREAMS, found by the Makefile); a loop that
 * listens on or connects to a pipe (`pipes`) reads, writes and shuts down through
 * ruv_read_start / ruv_write / ruv_shutdown, TCP connections through ruv_tcp_*. */
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdint.h>
#include <stdlib.h>
#include "ruv.h"
#include "be_ruv.h"

#define TCP(c) ((ruv_tcp_t *)(c))
#define CONN(t) ((bl_conn *)(t))

_Thread_local bl_loop *g_loop;

const char *bl_backend_name(void) { return "ruv"; }
const char *bl_backend_version(void) { return ruv_version_string(); }

bl_loop *bl_loop_new(const bl_callbacks *cbs) {
  bl_loop *l = calloc(1, sizeof *l);
  if (!l || ruv_loop_new(&l->loop)) abort();
  l->cb = *cbs;
  g_loop = l;
  return l;
}

int bl_run(bl_loop *l) {
  int rc = ruv_run(l->loop, RUV_RUN_DEFAULT);
  return rc < 0 ? rc : 0;
}

int bl_run_nowait(bl_loop *l) {
  int rc = ruv_run(l->loop, RUV_RUN_NOWAIT);
  return rc < 0 ? rc : 0;
}

void bl_stop(bl_loop *l) { ruv_stop(l->loop); }

int bl_loop_free(bl_loop *l) {
  int rc = ruv_loop_close(l->loop);
  free(l);
  g_loop = NULL;
  return rc;
}

void be_ruv_on_close(ruv_handle_t *h) {
  if (h == g_loop->listener) {
    g_loop->listener = NULL;
    return;
  }
  if (g_loop->cb.on_close) g_loop->cb.on_close(CONN(h));
}

static void on_connection(ruv_tcp_t *server, int status) {
  ruv_tcp_t *t;
  if (status < 0) return;
  if (ruv_tcp_new(g_loop->loop, AF_UNSPEC, &t)) return;
  if (ruv_tcp_accept(server, t)) {
    ruv_close(RUV_HANDLE(t), NULL);
    return;
  }
  ruv_tcp_nodelay(t, 1);
  g_loop->cb.on_connection(CONN(t));
}

static int listen_on(bl_loop *l, int *port, unsigned flags) {
  struct sockaddr_in a;
  struct sockaddr_storage name;
  int len = sizeof name, rc;
  ruv_tcp_t *s;
  if ((rc = ruv_tcp_new(l->loop, AF_INET, &s))) return rc;
  l->listener = RUV_HANDLE(s);
  if ((rc = ruv_ip4_addr("127.0.0.1", *port, &a))) return rc;
  if ((rc = ruv_tcp_bind(s, (const struct sockaddr *)&a, flags))) return rc;
  if ((rc = ruv_tcp_listen(s, BL_BACKLOG, on_connection))) return rc;
  if ((rc = ruv_tcp_getsockname(s, (struct sockaddr *)&name, &len))) return rc;
  *port = ntohs(((struct sockaddr_in *)&name)->sin_port);
  return 0;
}

int bl_listen(bl_loop *l, int *port) {
  *port = 0;
  return listen_on(l, port, 0);
}

int bl_listen_reuseport(bl_loop *l, int *port) { return listen_on(l, port, RUV_TCP_REUSEPORT); }

void bl_close_listener(bl_loop *l) {
  if (l->listener) ruv_close(l->listener, be_ruv_on_close);
}

static void on_connect(ruv_tcp_t *t, int status) {
  if (status == 0) ruv_tcp_nodelay(t, 1);
  g_loop->cb.on_connect(CONN(t), status);
}

bl_conn *bl_connect(bl_loop *l, int port, void *data) {
  struct sockaddr_in a;
  ruv_tcp_t *t;
  if (ruv_tcp_new(l->loop, AF_INET, &t)) return NULL;
  ruv_handle_set_data(RUV_HANDLE(t), data);
  ruv_ip4_addr("127.0.0.1", port, &a);
  if (ruv_tcp_connect(t, (const struct sockaddr *)&a, on_connect)) {
    ruv_close(RUV_HANDLE(t), NULL);
    return NULL;
  }
  return CONN(t);
}

static void on_read(ruv_tcp_t *t, ssize_t nread, const char *data) {
  g_loop->cb.on_read(CONN(t), nread, data);
}

int bl_start_read(bl_conn *c) {
#if BL_RUV_STREAMS
  if (g_loop->pipes) return be_ruv_stream_read_start(c);
#endif
  return ruv_tcp_start_read(TCP(c), on_read);
}

static void on_write(ruv_tcp_t *t, int status, void *arg) {
  (void)arg;
  g_loop->cb.on_write(CONN(t), status);
}

int bl_write(bl_conn *c, const void *buf, size_t len, int want_cb) {
  ruv_buf_t b = {(const char *)buf, len};
#if BL_RUV_STREAMS
  if (g_loop->pipes) return be_ruv_stream_write(c, &b, want_cb);
#endif
  return ruv_tcp_write(TCP(c), &b, 1, want_cb ? on_write : NULL, NULL);
}

static void on_shutdown(ruv_tcp_t *t, int status) {
  if (g_loop->cb.on_shutdown) g_loop->cb.on_shutdown(CONN(t), status);
}

int bl_shutdown(bl_conn *c) {
#if BL_RUV_STREAMS
  if (g_loop->pipes) return be_ruv_stream_shutdown(c);
#endif
  return ruv_tcp_shutdown(TCP(c), on_shutdown);
}

void bl_close(bl_conn *c) { ruv_close(RUV_HANDLE(TCP(c)), be_ruv_on_close); }
void *bl_get_data(bl_conn *c) { return ruv_handle_get_data(RUV_HANDLE(TCP(c))); }
void bl_set_data(bl_conn *c, void *data) { ruv_handle_set_data(RUV_HANDLE(TCP(c)), data); }

/* ---------------------------------------------------------------- timers */
#ifndef BL_RUV_TIMERS
#define BL_RUV_TIMERS 0
#endif
#ifndef BL_RUV_ASYNC
#define BL_RUV_ASYNC 0
#endif

#if BL_RUV_TIMERS
struct bl_timers {
  size_t n, open;
  bl_timer_cb cb;
  void (*done)(bl_timers *);
  ruv_timer_t *t[]; /* n pointers; the handles are ruv's */
};

static bl_timers *g_timers;

static void on_timer(ruv_timer_t *t) {
  g_timers->cb(g_timers, (size_t)(uintptr_t)ruv_handle_get_data(RUV_HANDLE(t)));
}

int bl_timers_new(bl_loop *l, size_t n, bl_timer_cb cb, bl_timers **out) {
  if (g_timers) return RUV_EBUSY;
  bl_timers *ts = malloc(sizeof *ts + n * sizeof ts->t[0]);
  if (!ts) return RUV_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    int rc = ruv_timer_new(l->loop, &ts->t[i]);
    if (rc) return rc;
    ruv_handle_set_data(RUV_HANDLE(ts->t[i]), (void *)(uintptr_t)i);
  }
  ts->n = n;
  ts->open = 0;
  ts->cb = cb;
  ts->done = NULL;
  g_timers = ts;
  *out = ts;
  return 0;
}

int bl_timer_start(bl_timers *ts, size_t i, uint64_t timeout, uint64_t repeat) {
  return ruv_timer_start(ts->t[i], on_timer, timeout, repeat);
}

int bl_timer_stop(bl_timers *ts, size_t i) { return ruv_timer_stop(ts->t[i]); }

static void on_timer_close(ruv_handle_t *h) {
  (void)h;
  if (--g_timers->open) return;
  bl_timers *ts = g_timers;
  g_timers = NULL;
  if (ts->done) ts->done(ts);
  free(ts);
}

void bl_timers_close(bl_timers *ts, void (*done)(bl_timers *)) {
  ts->done = done;
  ts->open = ts->n;
  for (size_t i = 0; i < ts->n; i++) ruv_close(RUV_HANDLE(ts->t[i]), on_timer_close);
}
#else
int bl_timers_new(bl_loop *l, size_t n, bl_timer_cb cb, bl_timers **out) {
  (void)l, (void)n, (void)cb, (void)out;
  return BL_ENOTSUP;
}
int bl_timer_start(bl_timers *ts, size_t i, uint64_t timeout, uint64_t repeat) {
  (void)ts, (void)i, (void)timeout, (void)repeat;
  return BL_ENOTSUP;
}
int bl_timer_stop(bl_timers *ts, size_t i) {
  (void)ts, (void)i;
  return BL_ENOTSUP;
}
void bl_timers_close(bl_timers *ts, void (*done)(bl_timers *)) { (void)ts, (void)done; }
#endif

/* ---------------------------------------------------------------- async */
#if BL_RUV_ASYNC
struct bl_async {
  ruv_async_t *h; /* set before any other thread sees the bl_async */
  bl_async_cb cb;
  void *data;
  void (*done)(bl_async *);
};

static void on_async(ruv_async_t *h) {
  bl_async *a = ruv_handle_get_data(RUV_HANDLE(h));
  a->cb(a);
}

int bl_async_new(bl_loop *l, bl_async_cb cb, void *data, bl_async **out) {
  bl_async *a = calloc(1, sizeof *a);
  if (!a) return RUV_ENOMEM;
  int rc = ruv_async_new(l->loop, on_async, &a->h);
  if (rc) {
    free(a);
    return rc;
  }
  ruv_handle_set_data(RUV_HANDLE(a->h), a);
  a->cb = cb;
  a->data = data;
  *out = a;
  return 0;
}

int bl_async_send(bl_async *a) { return ruv_async_send(a->h); }
void *bl_async_get_data(bl_async *a) { return a->data; }

static void on_async_close(ruv_handle_t *h) {
  bl_async *a = ruv_handle_get_data(h);
  if (a->done) a->done(a);
  free(a);
}

void bl_async_close(bl_async *a, void (*done)(bl_async *)) {
  a->done = done;
  ruv_close(RUV_HANDLE(a->h), on_async_close);
}
#else
int bl_async_new(bl_loop *l, bl_async_cb cb, void *data, bl_async **out) {
  (void)l, (void)cb, (void)data, (void)out;
  return BL_ENOTSUP;
}
int bl_async_send(bl_async *a) {
  (void)a;
  return BL_ENOTSUP;
}
void *bl_async_get_data(bl_async *a) {
  (void)a;
  return NULL;
}
void bl_async_close(bl_async *a, void (*done)(bl_async *)) { (void)a, (void)done; }
#endif
