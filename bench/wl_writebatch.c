/* bench/wl_writebatch.c — the client starts a connect and, before the loop
 * has run once (so the connect is still pending), queues `count` writes of
 * `size` bytes and a shutdown; the loop then flushes the whole queue.  The
 * server reads everything and checks the byte count.
 * This row measures the writer, i.e. the client process: seconds from the
 * first write call to the shutdown callback (lower is better);
 * `queue_seconds` is the time spent inside the write calls alone. */
#include <string.h>
#include "bench.h"

static char g_msg[4096];

/* ---- server: read and count ---- */
static struct {
  bl_loop *l;
  unsigned long long bytes;
  double t_first, t_end;
  int failed, eof;
} S;

static void s_connection(bl_conn *c) { CHECK(bl_start_read(c)); }

static void s_read(bl_conn *c, ssize_t n, const char *data) {
  (void)data;
  if (n > 0) {
    if (S.t_first == 0) S.t_first = bench_now();
    S.bytes += (unsigned long long)n;
    return;
  }
  S.t_end = bench_now();
  if (n == BL_EOF) S.eof = 1;
  else S.failed = (int)n;
  bl_close(c);
  bl_close_listener(S.l);
}

static void s_close(bl_conn *c) { (void)c; }

static int server(const bench_opts *o, bench_result *r) {
  static const bl_callbacks cb = {.on_connection = s_connection, .on_read = s_read, .on_close = s_close};
  size_t size = o->size > sizeof g_msg ? sizeof g_msg : (o->size ? o->size : 1);
  unsigned long long want = (unsigned long long)o->count * size;
  int port;
  S.l = bl_loop_new(&cb);
  CHECK(bl_listen(S.l, &port));
  bench_port_ready(port);
  CHECK(bl_run(S.l));
  bl_loop_free(S.l);
  res_add(r, "bytes", "%llu", S.bytes);
  res_add(r, "read_seconds", "%.4f", S.t_end - S.t_first);
  res_add(r, "complete", "%d", S.eof && S.bytes == want);
  if (S.failed) res_add(r, "error", "%d", S.failed);
  return S.eof && S.bytes == want && !S.failed ? 0 : 1;
}

/* ---- client: the writer, measured ---- */
static struct {
  double t0, t_queued, t1;
  int status, done;
} C;

static void c_connect(bl_conn *c, int status) {
  if (status < 0) {
    C.status = status;
    bl_close(c);
  }
}

static void c_shutdown(bl_conn *c, int status) {
  C.t1 = bench_now();
  C.status = status;
  C.done = 1;
  bl_close(c);
}

static void c_close(bl_conn *c) { (void)c; }

static int client(const bench_opts *o, bench_result *r) {
  static const bl_callbacks cb = {.on_connect = c_connect, .on_shutdown = c_shutdown, .on_close = c_close};
  size_t size = o->size > sizeof g_msg ? sizeof g_msg : (o->size ? o->size : 1);
  memset(g_msg, 'w', sizeof g_msg);
  bl_loop *l = bl_loop_new(&cb);
  bl_conn *c = bl_connect(l, o->port, NULL);
  if (!c) bench_die("bl_connect", -1);
  C.t0 = bench_now();
  for (long i = 0; i < o->count; i++) CHECK(bl_write(c, g_msg, size, 0));
  C.t_queued = bench_now();
  CHECK(bl_shutdown(c));
  CHECK(bl_run(l));
  bl_loop_free(l);
  res_add(r, "writes", "%ld", o->count);
  res_add(r, "queue_seconds", "%.4f", C.t_queued - C.t0);
  res_add(r, "value", "%.4f", C.t1 - C.t0);
  res_add(r, "unit", "s");
  if (C.status) res_add(r, "error", "%d", C.status);
  return C.done && !C.status ? 0 : 1;
}

const workload wl_writebatch = {
  .name = "writebatch",
  .help = "client queues --count writes of --size bytes during its connect, then shutdown; seconds",
  .defaults = {.duration = 0, .count = 1000000, .conns = 1, .size = 13},
  .server = server,
  .client = client,
};
