/* bench/be_ruv_pipe_udp.c — the ruv back-end's pipes (ruv_pipe_t, Unix-domain sockets) and
 * UDP (ruv_udp_t), over the stream API of DESIGN §8.  Compiled in when include/ruv.h has it
 * (BL_RUV_STREAMS = 1, found by the Makefile); otherwise these return BL_ENOTSUP and the
 * pipe and UDP rows read n/a.  As with TCP, a bl_conn* is the ruv handle itself. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "be_ruv.h"

#if BL_RUV_STREAMS
#define STREAM(c) ((ruv_stream_t *)(c))
#define CONN(s) ((bl_conn *)(s))

static void on_pipe_connection(ruv_stream_t *server, int status) {
  ruv_pipe_t *p;
  if (status < 0) return;
  if (ruv_pipe_new(g_loop->loop, 0, &p)) return;
  if (ruv_accept(server, RUV_STREAM(p))) {
    ruv_close(RUV_HANDLE(p), NULL);
    return;
  }
  g_loop->cb.on_connection(CONN(p));
}

int bl_listen_pipe(bl_loop *l, const char *path) {
  ruv_pipe_t *p;
  int rc;
  l->pipes = 1;
  if ((rc = ruv_pipe_new(l->loop, 0, &p))) return rc;
  l->listener = RUV_HANDLE(p);
  if ((rc = ruv_pipe_bind(p, path, strlen(path)))) return rc;
  return ruv_listen(RUV_STREAM(p), BL_BACKLOG, on_pipe_connection);
}

static void on_pipe_connect(ruv_stream_t *s, int status) { g_loop->cb.on_connect(CONN(s), status); }

bl_conn *bl_connect_pipe(bl_loop *l, const char *path, void *data) {
  ruv_pipe_t *p;
  l->pipes = 1;
  if (ruv_pipe_new(l->loop, 0, &p)) return NULL;
  ruv_handle_set_data(RUV_HANDLE(p), data);
  if (ruv_pipe_connect(p, path, strlen(path), on_pipe_connect)) {
    ruv_close(RUV_HANDLE(p), NULL);
    return NULL;
  }
  return CONN(p);
}

static void on_stream_read(ruv_stream_t *s, ssize_t nread, const char *data) {
  g_loop->cb.on_read(CONN(s), nread, data);
}

int be_ruv_stream_read_start(bl_conn *c) { return ruv_read_start(STREAM(c), on_stream_read); }

static void on_stream_write(ruv_stream_t *s, int status, void *arg) {
  (void)arg;
  g_loop->cb.on_write(CONN(s), status);
}

int be_ruv_stream_write(bl_conn *c, const ruv_buf_t *b, int want_cb) {
  return ruv_write(STREAM(c), b, 1, want_cb ? on_stream_write : NULL, NULL);
}

static void on_stream_shutdown(ruv_stream_t *s, int status) {
  if (g_loop->cb.on_shutdown) g_loop->cb.on_shutdown(CONN(s), status);
}

int be_ruv_stream_shutdown(bl_conn *c) { return ruv_shutdown(STREAM(c), on_stream_shutdown); }

/* ---------------------------------------------------------------- UDP */
struct bl_udp {
  ruv_udp_t *h;
  bl_udp_recv_cb cb;
  void *data;
  ruv_idle_t *closer; /* closing with sends still queued: waits for them */
};

static void on_udp_recv(ruv_udp_t *h, ssize_t nread, const char *data,
                        const struct sockaddr *addr, unsigned flags) {
  bl_udp *u = ruv_handle_get_data(RUV_HANDLE(h));
  (void)flags;
  u->cb(u, nread, data, addr);
}

int bl_udp_new(bl_loop *l, int *port, bl_udp_recv_cb cb, void *data, bl_udp **out) {
  struct sockaddr_in a;
  struct sockaddr_storage name;
  int len = sizeof name, rc;
  bl_udp *u = calloc(1, sizeof *u);
  if (!u) return RUV_ENOMEM;
  u->cb = cb;
  u->data = data;
  *out = u;
  if ((rc = ruv_udp_new(l->loop, AF_INET, &u->h))) return rc;
  ruv_handle_set_data(RUV_HANDLE(u->h), u);
  if ((rc = ruv_ip4_addr("127.0.0.1", *port, &a))) return rc;
  if ((rc = ruv_udp_bind(u->h, (const struct sockaddr *)&a, 0))) return rc;
  if ((rc = ruv_udp_getsockname(u->h, (struct sockaddr *)&name, &len))) return rc;
  *port = ntohs(((struct sockaddr_in *)&name)->sin_port);
  return ruv_udp_recv_start(u->h, on_udp_recv);
}

int bl_udp_send(bl_udp *u, const void *buf, size_t len, const struct sockaddr *to) {
  ruv_buf_t b = {(const char *)buf, len};
  return ruv_udp_send(u->h, &b, 1, to, NULL, NULL);
}

void *bl_udp_get_data(bl_udp *u) { return u->data; }

static void on_udp_close(ruv_handle_t *h) { free(ruv_handle_get_data(h)); }

/* ruv_close cancels queued sends; ruv sends at once when it can, so a send is queued only
 * when the socket was full: then the close waits, an iteration at a time, for the queue. */
static void on_closer(ruv_idle_t *idle) {
  bl_udp *u = ruv_handle_get_data(RUV_HANDLE(idle));
  if (ruv_udp_get_send_queue_count(u->h) > 0) return;
  ruv_close(RUV_HANDLE(idle), NULL);
  ruv_close(RUV_HANDLE(u->h), on_udp_close);
}

void bl_udp_close(bl_udp *u) {
  ruv_udp_recv_stop(u->h);
  if (ruv_udp_get_send_queue_count(u->h) == 0 || ruv_idle_new(g_loop->loop, &u->closer)) {
    ruv_close(RUV_HANDLE(u->h), on_udp_close);
    return;
  }
  ruv_handle_set_data(RUV_HANDLE(u->closer), u);
  ruv_idle_start(u->closer, on_closer);
}

#else /* the header has no stream API: no pipes, no UDP */
int bl_listen_pipe(bl_loop *l, const char *path) {
  (void)l, (void)path;
  return BL_ENOTSUP;
}
bl_conn *bl_connect_pipe(bl_loop *l, const char *path, void *data) {
  (void)l, (void)path, (void)data;
  return NULL;
}
int bl_udp_new(bl_loop *l, int *port, bl_udp_recv_cb cb, void *data, bl_udp **out) {
  (void)l, (void)port, (void)cb, (void)data, (void)out;
  return BL_ENOTSUP;
}
int bl_udp_send(bl_udp *u, const void *buf, size_t len, const struct sockaddr *to) {
  (void)u, (void)buf, (void)len, (void)to;
  return BL_ENOTSUP;
}
void *bl_udp_get_data(bl_udp *u) {
  (void)u;
  return NULL;
}
void bl_udp_close(bl_udp *u) { (void)u; }
#endif
