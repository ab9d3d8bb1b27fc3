/* bench/be_uv.c — adapter back-end over libuv (pkg-config libuv).
 * Connections are user-allocated (libuv's model): one malloc per connection
 * holding the uv_tcp_t (or, for the pipe rows, the uv_pipe_t); the workload's
 * pointer lives in the handle's data field.  Write/connect/shutdown requests come from a
 * per-process free list refilled 256 at a time, so libuv is not charged a
 * malloc per write (libuv's own benchmarks preallocate their requests too).  Reads use one
 * 64 KiB buffer shared by the loop (alloc_cb always returns it).
 * Timers: one calloc of n uv_timer_t (libuv's caller-allocated model; the index of
 * a timer is its offset in the array).  Async: one malloc holding the uv_async_t. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include "adapter.h"

struct bl_conn {
  uv_tcp_t tcp;  /* the only member: a uv_tcp_t* is a bl_conn*; a pipe connection is a
                    uv_pipe_t allocated on its own and used only as a uv_stream_t */
};

/* A connection of either kind as the stream and handle it is. */
#define STREAM(c) ((uv_stream_t *)(c))
#define HANDLE(c) ((uv_handle_t *)(c))

struct bl_loop {
  uv_loop_t loop;
  bl_callbacks cb;
  bl_conn *listener;
};

typedef union req {
  uv_write_t w;
  uv_connect_t c;
  uv_shutdown_t s;
  uv_udp_send_t u;
  union req *next;
} req;

#define REQ_CHUNK 256
typedef struct req_chunk {
  struct req_chunk *next;
  req reqs[REQ_CHUNK];
} req_chunk;

static _Thread_local bl_loop *g_loop;
static _Thread_local req *g_free;
static _Thread_local req_chunk *g_chunks;
static _Thread_local char g_rbuf[65536];

static req *req_get(void) {
  req *r = g_free;
  if (!r) {
    req_chunk *k = malloc(sizeof *k);
    if (!k) abort();
    k->next = g_chunks;
    g_chunks = k;
    for (int i = REQ_CHUNK - 1; i >= 0; i--) {
      k->reqs[i].next = g_free;
      g_free = &k->reqs[i];
    }
    r = g_free;
  }
  g_free = r->next;
  return r;
}

static void req_put(req *r) {
  r->next = g_free;
  g_free = r;
}

const char *bl_backend_name(void) { return "libuv"; }
const char *bl_backend_version(void) { return uv_version_string(); }

bl_loop *bl_loop_new(const bl_callbacks *cbs) {
  bl_loop *l = calloc(1, sizeof *l);
  if (uv_loop_init(&l->loop)) abort();
  l->cb = *cbs;
  g_loop = l;
  return l;
}

int bl_run(bl_loop *l) {
  uv_run(&l->loop, UV_RUN_DEFAULT);
  return 0;
}

int bl_run_nowait(bl_loop *l) {
  uv_run(&l->loop, UV_RUN_NOWAIT);
  return 0;
}

void bl_stop(bl_loop *l) { uv_stop(&l->loop); }

int bl_loop_free(bl_loop *l) {
  int rc = uv_loop_close(&l->loop);
  free(l);
  g_loop = NULL;
  while (g_chunks) {
    req_chunk *k = g_chunks;
    g_chunks = k->next;
    free(k);
  }
  g_free = NULL;
  return rc;
}

static void on_close(uv_handle_t *h) {
  bl_conn *c = (bl_conn *)h;
  if (c == g_loop->listener) g_loop->listener = NULL;
  else if (g_loop->cb.on_close) g_loop->cb.on_close(c);
  free(c);
}

static void on_connection(uv_stream_t *server, int status) {
  (void)server;
  if (status < 0) return;
  bl_conn *c;
  if (server->type == UV_NAMED_PIPE) {
    uv_pipe_t *p = malloc(sizeof *p);
    uv_pipe_init(&g_loop->loop, p, 0);
    c = (bl_conn *)p;
  } else {
    c = malloc(sizeof *c);
    uv_tcp_init(&g_loop->loop, &c->tcp);
  }
  HANDLE(c)->data = NULL;
  if (uv_accept(server, STREAM(c))) {
    uv_close(HANDLE(c), NULL);
    return;
  }
  if (server->type == UV_TCP) uv_tcp_nodelay(&c->tcp, 1);
  g_loop->cb.on_connection(c);
}

static int listen_on(bl_loop *l, int *port, int reuseport) {
  struct sockaddr_in a;
  struct sockaddr_storage name;
  int len = sizeof name, rc;
  bl_conn *s = calloc(1, sizeof *s);
  l->listener = s;
  if (reuseport) {
    /* libuv 1.44 has no UV_TCP_REUSEPORT: make the socket first and set SO_REUSEPORT on it */
    static const int one = 1;
    uv_os_fd_t fd;
    if ((rc = uv_tcp_init_ex(&l->loop, &s->tcp, AF_INET))) return rc;
    if ((rc = uv_fileno((uv_handle_t *)&s->tcp, &fd))) return rc;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one)) return -errno;
  } else {
    uv_tcp_init(&l->loop, &s->tcp);
  }
  uv_ip4_addr("127.0.0.1", *port, &a);
  if ((rc = uv_tcp_bind(&s->tcp, (const struct sockaddr *)&a, 0))) return rc;
  if ((rc = uv_listen((uv_stream_t *)&s->tcp, BL_BACKLOG, on_connection))) return rc;
  if ((rc = uv_tcp_getsockname(&s->tcp, (struct sockaddr *)&name, &len))) return rc;
  *port = ntohs(((struct sockaddr_in *)&name)->sin_port);
  return 0;
}

int bl_listen(bl_loop *l, int *port) {
  *port = 0;
  return listen_on(l, port, 0);
}

int bl_listen_reuseport(bl_loop *l, int *port) { return listen_on(l, port, 1); }

void bl_close_listener(bl_loop *l) {
  if (l->listener) uv_close(HANDLE(l->listener), on_close);
}

int bl_listen_pipe(bl_loop *l, const char *path) {
  int rc;
  uv_pipe_t *p = calloc(1, sizeof *p);
  l->listener = (bl_conn *)p;
  uv_pipe_init(&l->loop, p, 0);
  if ((rc = uv_pipe_bind(p, path))) return rc;
  return uv_listen(STREAM(p), BL_BACKLOG, on_connection);
}

static void on_pipe_connect(uv_connect_t *r, int status) {
  bl_conn *c = (bl_conn *)r->handle;
  req_put((req *)r);
  g_loop->cb.on_connect(c, status);
}

bl_conn *bl_connect_pipe(bl_loop *l, const char *path, void *data) {
  uv_pipe_t *p = malloc(sizeof *p);
  req *r = req_get();
  uv_pipe_init(&l->loop, p, 0);
  p->data = data;
  uv_pipe_connect(&r->c, p, path, on_pipe_connect); /* errors arrive in the callback */
  return (bl_conn *)p;
}

static void on_connect(uv_connect_t *r, int status) {
  bl_conn *c = (bl_conn *)r->handle;
  req_put((req *)r);
  if (status == 0) uv_tcp_nodelay(&c->tcp, 1);
  g_loop->cb.on_connect(c, status);
}

bl_conn *bl_connect(bl_loop *l, int port, void *data) {
  struct sockaddr_in a;
  bl_conn *c = malloc(sizeof *c);
  req *r = req_get();
  uv_tcp_init(&l->loop, &c->tcp);
  c->tcp.data = data;
  uv_ip4_addr("127.0.0.1", port, &a);
  if (uv_tcp_connect(&r->c, &c->tcp, (const struct sockaddr *)&a, on_connect)) {
    req_put(r);
    uv_close((uv_handle_t *)&c->tcp, NULL);
    return NULL;
  }
  return c;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)h;
  (void)suggested;
  buf->base = g_rbuf;
  buf->len = sizeof g_rbuf;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  if (nread == 0) return;
  g_loop->cb.on_read((bl_conn *)s, nread, nread > 0 ? buf->base : NULL);
}

int bl_start_read(bl_conn *c) { return uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read); }

static void on_write(uv_write_t *w, int status) {
  bl_conn *c = (bl_conn *)w->handle;
  int want = w->data != NULL;
  req_put((req *)w);
  if (want) g_loop->cb.on_write(c, status);
}

int bl_write(bl_conn *c, const void *buf, size_t len, int want_cb) {
  req *r = req_get();
  uv_buf_t b = uv_buf_init((char *)buf, (unsigned)len);
  r->w.data = want_cb ? (void *)1 : NULL;
  int rc = uv_write(&r->w, (uv_stream_t *)&c->tcp, &b, 1, on_write);
  if (rc) req_put(r);
  return rc;
}

static void on_shutdown(uv_shutdown_t *s, int status) {
  bl_conn *c = (bl_conn *)s->handle;
  req_put((req *)s);
  if (g_loop->cb.on_shutdown) g_loop->cb.on_shutdown(c, status);
}

int bl_shutdown(bl_conn *c) {
  req *r = req_get();
  int rc = uv_shutdown(&r->s, (uv_stream_t *)&c->tcp, on_shutdown);
  if (rc) req_put(r);
  return rc;
}

void bl_close(bl_conn *c) { uv_close((uv_handle_t *)&c->tcp, on_close); }
void *bl_get_data(bl_conn *c) { return HANDLE(c)->data; }
void bl_set_data(bl_conn *c, void *data) { HANDLE(c)->data = data; }

/* ---------------------------------------------------------------- timers */
struct bl_timers {
  uv_timer_t *t; /* n of them, one calloc */
  size_t n, open;
  bl_timer_cb cb;
  void (*done)(bl_timers *);
};

static bl_timers *g_timers;

static void on_timer(uv_timer_t *t) { g_timers->cb(g_timers, (size_t)(t - g_timers->t)); }

int bl_timers_new(bl_loop *l, size_t n, bl_timer_cb cb, bl_timers **out) {
  if (g_timers) return UV_EBUSY;
  bl_timers *ts = calloc(1, sizeof *ts);
  if (!ts || !(ts->t = calloc(n, sizeof *ts->t))) {
    free(ts);
    return UV_ENOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    int rc = uv_timer_init(&l->loop, &ts->t[i]);
    if (rc) return rc;
  }
  ts->n = n;
  ts->cb = cb;
  g_timers = ts;
  *out = ts;
  return 0;
}

int bl_timer_start(bl_timers *ts, size_t i, uint64_t timeout, uint64_t repeat) {
  return uv_timer_start(&ts->t[i], on_timer, timeout, repeat);
}

int bl_timer_stop(bl_timers *ts, size_t i) { return uv_timer_stop(&ts->t[i]); }

static void on_timer_close(uv_handle_t *h) {
  (void)h;
  if (--g_timers->open) return;
  bl_timers *ts = g_timers;
  g_timers = NULL;
  if (ts->done) ts->done(ts);
  free(ts->t);
  free(ts);
}

void bl_timers_close(bl_timers *ts, void (*done)(bl_timers *)) {
  ts->done = done;
  ts->open = ts->n;
  for (size_t i = 0; i < ts->n; i++) uv_close((uv_handle_t *)&ts->t[i], on_timer_close);
}

/* ---------------------------------------------------------------- async */
struct bl_async {
  uv_async_t h; /* first member */
  bl_async_cb cb;
  void *data;
  void (*done)(bl_async *);
};

static void on_async(uv_async_t *h) {
  bl_async *a = (bl_async *)h;
  a->cb(a);
}

int bl_async_new(bl_loop *l, bl_async_cb cb, void *data, bl_async **out) {
  bl_async *a = calloc(1, sizeof *a);
  if (!a) return UV_ENOMEM;
  int rc = uv_async_init(&l->loop, &a->h, on_async);
  if (rc) {
    free(a);
    return rc;
  }
  a->cb = cb;
  a->data = data;
  *out = a;
  return 0;
}

int bl_async_send(bl_async *a) { return uv_async_send(&a->h); }
void *bl_async_get_data(bl_async *a) { return a->data; }

static void on_async_close(uv_handle_t *h) {
  bl_async *a = (bl_async *)h;
  if (a->done) a->done(a);
  free(a);
}

void bl_async_close(bl_async *a, void (*done)(bl_async *)) {
  a->done = done;
  uv_close((uv_handle_t *)&a->h, on_async_close);
}

/* ---------------------------------------------------------------- UDP */
struct bl_udp {
  uv_udp_t h; /* first member */
  bl_udp_recv_cb cb;
  void *data;
  int pending, closing; /* sends whose callback has not run; bl_udp_close was called */
};

static void on_udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
                        const struct sockaddr *addr, unsigned flags) {
  bl_udp *u = (bl_udp *)h;
  (void)flags;
  u->cb(u, nread, nread > 0 ? buf->base : NULL, addr);
}

int bl_udp_new(bl_loop *l, int *port, bl_udp_recv_cb cb, void *data, bl_udp **out) {
  struct sockaddr_in a;
  struct sockaddr_storage name;
  int len = sizeof name, rc;
  bl_udp *u = calloc(1, sizeof *u);
  if (!u) return UV_ENOMEM;
  u->cb = cb;
  u->data = data;
  *out = u;
  if ((rc = uv_udp_init(&l->loop, &u->h))) return rc;
  uv_ip4_addr("127.0.0.1", *port, &a);
  if ((rc = uv_udp_bind(&u->h, (const struct sockaddr *)&a, 0))) return rc;
  if ((rc = uv_udp_getsockname(&u->h, (struct sockaddr *)&name, &len))) return rc;
  *port = ntohs(((struct sockaddr_in *)&name)->sin_port);
  return uv_udp_recv_start(&u->h, on_alloc, on_udp_recv);
}

static void on_udp_close(uv_handle_t *h) { free(h); }

/* uv_close cancels sends still queued (one issued from a receive callback is queued, not
 * sent at once), so a closing handle waits for its last send's callback. */
static void on_udp_send(uv_udp_send_t *r, int status) {
  bl_udp *u = (bl_udp *)r->handle;
  (void)status;
  req_put((req *)r);
  if (--u->pending == 0 && u->closing) uv_close((uv_handle_t *)&u->h, on_udp_close);
}

int bl_udp_send(bl_udp *u, const void *buf, size_t len, const struct sockaddr *to) {
  req *r = req_get();
  uv_buf_t b = uv_buf_init((char *)buf, (unsigned)len);
  int rc = uv_udp_send(&r->u, &u->h, &b, 1, to, on_udp_send);
  if (rc) req_put(r);
  else u->pending++;
  return rc;
}

void *bl_udp_get_data(bl_udp *u) { return u->data; }

void bl_udp_close(bl_udp *u) {
  u->closing = 1;
  uv_udp_recv_stop(&u->h);
  if (u->pending == 0) uv_close((uv_handle_t *)&u->h, on_udp_close);
}
