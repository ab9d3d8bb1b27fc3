/* bench/wl_idle.c — the server's loop holds `conns` idle connections (each
 * accepted and reading).  Resident memory is sampled after listening (the
 * empty loop) and once every connection is accepted; then the server closes
 * everything and the client follows on EOF.  The client keeps at most 200
 * connects in flight so that the listen backlog never overflows.
 * Metric (server): resident bytes per connection above the empty loop. */
#include <stdlib.h>
#include "bench.h"

#define INFLIGHT 200

/* ---- server ---- */
static struct {
  bl_loop *l;
  bl_conn **conns;
  int want, have, errors;
  long rss0, rss1;
  double t0, t1;
} S;

static void s_connection(bl_conn *c) {
  if (S.have == 0) S.t0 = bench_now();
  bl_set_data(c, (void *)(long)S.have);
  S.conns[S.have++] = c;
  CHECK(bl_start_read(c));
  if (S.have < S.want) return;
  S.t1 = bench_now();
  S.rss1 = bench_rss_bytes();
  for (int i = 0; i < S.have; i++)
    if (S.conns[i]) bl_close(S.conns[i]);
  bl_close_listener(S.l);
}

static void s_read(bl_conn *c, ssize_t n, const char *data) {
  (void)n;
  (void)data;
  S.errors++;
  S.conns[(long)bl_get_data(c)] = NULL;
  bl_close(c);
}

static void s_close(bl_conn *c) { (void)c; }

static int server(const bench_opts *o, bench_result *r) {
  static const bl_callbacks cb = {.on_connection = s_connection, .on_read = s_read, .on_close = s_close};
  int port;
  S.want = o->conns;
  S.conns = calloc((size_t)S.want, sizeof *S.conns);
  S.l = bl_loop_new(&cb);
  CHECK(bl_listen(S.l, &port));
  S.rss0 = bench_rss_bytes();
  bench_port_ready(port);
  CHECK(bl_run(S.l));
  bl_loop_free(S.l);
  free(S.conns);
  res_add(r, "conns", "%d", S.have);
  res_add(r, "rss_empty", "%ld", S.rss0);
  res_add(r, "rss_full", "%ld", S.rss1);
  res_add(r, "accept_seconds", "%.4f", S.t1 - S.t0);
  res_add(r, "value", "%.1f", S.have ? (double)(S.rss1 - S.rss0) / S.have : 0.0);
  res_add(r, "unit", "bytes/conn");
  res_add(r, "errors", "%d", S.errors);
  return S.have == S.want && !S.errors ? 0 : 1;
}

/* ---- client ---- */
static struct {
  bl_loop *l;
  int port, want, launched, connected, closed, errors;
} C;

static void c_launch(void) {
  C.launched++;
  if (!bl_connect(C.l, C.port, NULL)) bench_die("bl_connect", -1);
}

static void c_connect(bl_conn *c, int status) {
  if (status < 0) {
    C.errors++;
    C.launched--;
    bl_close(c);
    if (C.errors < 1000) c_launch();
    return;
  }
  C.connected++;
  CHECK(bl_start_read(c));
  if (C.launched < C.want) c_launch();
}

static void c_read(bl_conn *c, ssize_t n, const char *data) {
  (void)data;
  if (n != BL_EOF) C.errors++;
  bl_close(c);
}

static void c_close(bl_conn *c) {
  (void)c;
  C.closed++;
}

static int client(const bench_opts *o, bench_result *r) {
  static const bl_callbacks cb = {.on_connect = c_connect, .on_read = c_read, .on_close = c_close};
  C.l = bl_loop_new(&cb);
  C.port = o->port;
  C.want = o->conns;
  for (int i = 0; i < INFLIGHT && C.launched < C.want; i++) c_launch();
  CHECK(bl_run(C.l));
  bl_loop_free(C.l);
  res_add(r, "connected", "%d", C.connected);
  res_add(r, "errors", "%d", C.errors);
  return C.connected == C.want && !C.errors ? 0 : 1;
}

const workload wl_idle = {
  .name = "idle",
  .help = "--conns idle connections in one loop; resident bytes per connection",
  .defaults = {.duration = 0, .count = 0, .conns = 10000, .size = 0},
  .server = server,
  .client = client,
};
