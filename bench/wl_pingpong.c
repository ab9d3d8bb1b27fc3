/* bench/wl_pingpong.c — `conns` connections (default 1), each with one small
 * message in flight.  The client sends `size` bytes on every connection; the
 * server answers every complete message with `size` bytes of its own (a static
 * reply, so no buffer outlives a read callback); the client sends the next
 * message on a connection when its reply is complete, until `duration`, then
 * closes.  The harness then sends one 'Q' connection per server thread, which
 * stops that thread's loop.  With --threads N, N server loops share the port
 * (SO_REUSEPORT) and N client loops share the connections.
 * Metric (server): round trips per second between its first byte and the
 * last end of stream. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"

#define MAXMSG 65536
static char g_ping[MAXMSG], g_pong[MAXMSG];
static pthread_once_t g_fill_once = PTHREAD_ONCE_INIT;

static void fill(void) {
  memset(g_ping, 'i', sizeof g_ping);
  memset(g_pong, 'o', sizeof g_pong);
}

/* a connection's bytes of the current message; `started` once its first byte came */
typedef struct conn_state {
  size_t partial;
  int started;
} conn_state;

/* ---- server ---- */
static _Thread_local struct {
  bl_loop *l;
  size_t size;
  long msgs;
  double t_first, t_end;
  int quitting;
} S;

static void s_connection(bl_conn *c) {
  bl_set_data(c, calloc(1, sizeof(conn_state)));
  CHECK(bl_start_read(c));
}

static void s_read(bl_conn *c, ssize_t n, const char *data) {
  conn_state *cs = bl_get_data(c);
  if (n < 0) {
    S.t_end = bench_now();
    bl_close(c);
    return;
  }
  if (!cs->started) {
    cs->started = 1;
    if (data[0] == 'Q') { /* the harness: this loop is done */
      S.quitting = 1;
      bl_close_listener(S.l);
      bl_close(c);
      return;
    }
    if (S.t_first == 0) S.t_first = bench_now();
  }
  cs->partial += (size_t)n;
  while (cs->partial >= S.size) {
    cs->partial -= S.size;
    S.msgs++;
    CHECK(bl_write(c, g_pong, S.size, 0));
  }
}

static void s_close(bl_conn *c) { free(bl_get_data(c)); }

static int server(const bench_opts *o, bench_result *r) {
  static const bl_callbacks cb = {.on_connection = s_connection, .on_read = s_read, .on_close = s_close};
  int port;
  pthread_once(&g_fill_once, fill);
  S.size = o->size > MAXMSG ? MAXMSG : (o->size ? o->size : 1);
  S.l = bl_loop_new(&cb);
  CHECK(bench_listen(S.l, o, &port));
  bench_port_ready(port);
  CHECK(bl_run(S.l));
  bl_loop_free(S.l);
  res_rate(r, "round_trips", "round_trips/s", S.msgs, S.t_first, S.t_end, 0);
  return S.quitting ? 0 : 1;
}

/* ---- client ---- */
static _Thread_local struct {
  size_t size;
  long rts, max;
  int open;
  double deadline, t0, t1;
  int failed;
} C;

static void c_connect(bl_conn *c, int status) {
  if (status < 0) {
    C.failed = status;
    bl_close(c);
    return;
  }
  CHECK(bl_start_read(c));
  if (C.t0 == 0) C.t0 = bench_now();
  CHECK(bl_write(c, g_ping, C.size, 0));
}

static void c_read(bl_conn *c, ssize_t n, const char *data) {
  conn_state *cs = bl_get_data(c);
  (void)data;
  if (n < 0) {
    C.failed = (int)n;
    bl_close(c);
    return;
  }
  cs->partial += (size_t)n;
  if (cs->partial < C.size) return;
  cs->partial -= C.size;
  C.rts++;
  if (C.rts >= C.max || bench_now() >= C.deadline) {
    bl_close(c);
    return;
  }
  CHECK(bl_write(c, g_ping, C.size, 0));
}

static void c_close(bl_conn *c) {
  free(bl_get_data(c));
  if (--C.open == 0) C.t1 = bench_now();
}

static int client(const bench_opts *o, bench_result *r) {
  static const bl_callbacks cb = {.on_connect = c_connect, .on_read = c_read, .on_close = c_close};
  pthread_once(&g_fill_once, fill);
  C.size = o->size > MAXMSG ? MAXMSG : (o->size ? o->size : 1);
  C.max = o->count;
  bl_loop *l = bl_loop_new(&cb);
  C.deadline = bench_now() + o->duration;
  for (int i = 0; i < o->conns; i++) {
    if (!bench_connect(l, o, calloc(1, sizeof(conn_state)))) bench_die("bl_connect", -1);
    C.open++;
  }
  CHECK(bl_run(l));
  bl_loop_free(l);
  double dt = C.t1 - C.t0;
  res_add(r, "round_trips", "%ld", C.rts);
  res_add(r, "value", "%.1f", dt > 0 ? (double)C.rts / dt : 0.0);
  if (C.failed) res_add(r, "error", "%d", C.failed);
  return C.failed || !C.rts;
}

const workload wl_pingpong = {
  .name = "pingpong",
  .help = "--conns connections, one --size byte message in flight each; round trips/s",
  .defaults = {.duration = 3.0, .count = 100000000, .conns = 1, .size = 16},
  .server = server,
  .client = client,
  .threads_ok = 1,
};
