/* bench/wl_pound.c — `conns` concurrent clients; each connects, sends one
 * byte, the server answers one byte and closes (the server closes first, so
 * TIME_WAIT stays on the server side and the client's ephemeral ports do not
 * run out), the client sees the byte and EOF, closes and reconnects, until
 * `duration` (or `count` completed exchanges).  Then the harness opens one
 * last connection per server thread carrying 'Q', which tells that thread's
 * loop to stop.  With --threads N, N server loops share the port (SO_REUSEPORT)
 * and N client loops share the clients.
 * Metric (server): accepted connections per second (first to last accept). */
#include <stdlib.h>
#include <string.h>
#include "bench.h"

static char g_x = 'x', g_y = 'y';

/* ---- server ---- */
static _Thread_local struct {
  bl_loop *l;
  long accepts;
  double t_first, t_last, t_before_last;
  int quitting, errors;
} S;

static void s_connection(bl_conn *c) {
  double t = bench_now();
  if (S.accepts++ == 0) S.t_first = t;
  S.t_before_last = S.t_last;
  S.t_last = t;
  CHECK(bl_start_read(c));
}

static void s_read(bl_conn *c, ssize_t n, const char *data) {
  if (n > 0 && data[0] == 'Q') {
    S.quitting = 1;
    S.accepts--; /* the quit connection does not count */
    S.t_last = S.t_before_last;
    bl_close_listener(S.l);
    bl_close(c);
    return;
  }
  if (n > 0) {
    CHECK(bl_write(c, &g_y, 1, 1)); /* close once the byte is written */
    return;
  }
  S.errors++;
  bl_close(c);
}

static void s_write(bl_conn *c, int status) {
  if (status < 0) S.errors++;
  bl_close(c);
}

static void s_close(bl_conn *c) { (void)c; }

static int server(const bench_opts *o, bench_result *r) {
  static const bl_callbacks cb = {.on_connection = s_connection, .on_read = s_read,
                                  .on_write = s_write, .on_close = s_close};
  int port;
  S.l = bl_loop_new(&cb);
  CHECK(bench_listen(S.l, o, &port));
  bench_port_ready(port);
  CHECK(bl_run(S.l));
  bl_loop_free(S.l);
  res_rate(r, "accepts", "accepts/s", S.accepts, S.t_first, S.t_last, S.errors);
  return S.quitting ? 0 : 1;
}

/* ---- client ---- */
typedef struct slot { int got; } slot;

static _Thread_local struct {
  bl_loop *l;
  int port, active;
  long done, max, errors;
  double deadline;
  slot *slots;
} C;

static void c_start(slot *s) {
  s->got = 0;
  if (!bl_connect(C.l, C.port, s)) bench_die("bl_connect", -1);
}

static void c_connect(bl_conn *c, int status) {
  if (status < 0) {
    C.errors++;
    bl_close(c);
    return;
  }
  CHECK(bl_start_read(c));
  CHECK(bl_write(c, &g_x, 1, 0));
}

static void c_read(bl_conn *c, ssize_t n, const char *data) {
  slot *s = bl_get_data(c);
  (void)data;
  if (n > 0) {
    s->got = 1;
    return;
  }
  if (n == BL_EOF && s->got) C.done++;
  else C.errors++;
  bl_close(c);
}

static void c_close(bl_conn *c) {
  slot *s = bl_get_data(c);
  if (C.done < C.max && bench_now() < C.deadline) {
    c_start(s);
    return;
  }
  C.active--; /* the loop ends with the last one */
}

static int client(const bench_opts *o, bench_result *r) {
  static const bl_callbacks cb = {.on_connect = c_connect, .on_read = c_read, .on_close = c_close};
  C.l = bl_loop_new(&cb);
  C.port = o->port;
  C.max = o->count;
  C.active = o->conns;
  C.slots = calloc((size_t)o->conns, sizeof *C.slots);
  C.deadline = bench_now() + o->duration;
  for (int i = 0; i < o->conns; i++) c_start(&C.slots[i]);
  CHECK(bl_run(C.l));
  bl_loop_free(C.l);
  free(C.slots);
  res_add(r, "exchanges", "%ld", C.done);
  res_add(r, "errors", "%ld", C.errors);
  return C.done > 0 ? 0 : 1;
}

const workload wl_pound = {
  .name = "pound",
  .help = "--conns concurrent clients connect, exchange a byte, close, reconnect; accepts/s",
  .defaults = {.duration = 3.0, .count = 100000000, .conns = 100, .size = 1},
  .server = server,
  .client = client,
  .threads_ok = 1,
};
