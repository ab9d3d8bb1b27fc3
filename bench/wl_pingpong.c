/* bench/wl_pingpong.c — one connection, one small message in flight.
 * The client sends `size` bytes; the server answers every complete message
 * with `size` bytes of its own (a static reply, so no buffer outlives a read
 * callback); the client sends the next message when the reply is complete.
 * Metric (server): round trips per second between its first byte and EOF. */
#include <string.h>
#include "bench.h"

#define MAXMSG 65536
static char g_ping[MAXMSG], g_pong[MAXMSG];

/* ---- server ---- */
static struct {
  bl_loop *l;
  size_t size, partial;
  long msgs;
  double t_first, t_end;
} S;

static void s_connection(bl_conn *c) { CHECK(bl_start_read(c)); }

static void s_read(bl_conn *c, ssize_t n, const char *data) {
  (void)data;
  if (n < 0) {
    S.t_end = bench_now();
    bl_close(c);
    bl_close_listener(S.l);
    return;
  }
  if (S.t_first == 0) S.t_first = bench_now();
  S.partial += (size_t)n;
  while (S.partial >= S.size) {
    S.partial -= S.size;
    S.msgs++;
    CHECK(bl_write(c, g_pong, S.size, 0));
  }
}

static void s_close(bl_conn *c) { (void)c; }

static int server(const bench_opts *o, bench_result *r) {
  static const bl_callbacks cb = {.on_connection = s_connection, .on_read = s_read, .on_close = s_close};
  int port;
  S.size = o->size > MAXMSG ? MAXMSG : (o->size ? o->size : 1);
  memset(g_pong, 'o', sizeof g_pong);
  S.l = bl_loop_new(&cb);
  CHECK(bl_listen(S.l, &port));
  bench_port_ready(port);
  CHECK(bl_run(S.l));
  bl_loop_free(S.l);
  double dt = S.t_end - S.t_first;
  res_add(r, "round_trips", "%ld", S.msgs);
  res_add(r, "seconds", "%.4f", dt);
  res_add(r, "value", "%.1f", dt > 0 ? (double)S.msgs / dt : 0.0);
  res_add(r, "unit", "round_trips/s");
  return S.msgs > 0 ? 0 : 1;
}

/* ---- client ---- */
static struct {
  size_t size, partial;
  long rts, max;
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
  C.t0 = bench_now();
  CHECK(bl_write(c, g_ping, C.size, 0));
}

static void c_read(bl_conn *c, ssize_t n, const char *data) {
  (void)data;
  if (n < 0) {
    C.failed = (int)n;
    bl_close(c);
    return;
  }
  C.partial += (size_t)n;
  if (C.partial < C.size) return;
  C.partial -= C.size;
  C.rts++;
  if (C.rts >= C.max || bench_now() >= C.deadline) {
    C.t1 = bench_now();
    bl_close(c);
    return;
  }
  CHECK(bl_write(c, g_ping, C.size, 0));
}

static void c_close(bl_conn *c) { (void)c; }

static int client(const bench_opts *o, bench_result *r) {
  static const bl_callbacks cb = {.on_connect = c_connect, .on_read = c_read, .on_close = c_close};
  C.size = o->size > MAXMSG ? MAXMSG : (o->size ? o->size : 1);
  C.max = o->count;
  memset(g_ping, 'i', sizeof g_ping);
  bl_loop *l = bl_loop_new(&cb);
  C.deadline = bench_now() + o->duration;
  if (!bl_connect(l, o->port, NULL)) bench_die("bl_connect", -1);
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
  .help = "one connection, one --size byte message in flight; round trips/s",
  .defaults = {.duration = 3.0, .count = 100000000, .conns = 1, .size = 16},
  .server = server,
  .client = client,
};
