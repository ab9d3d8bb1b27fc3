/* bench/wl_pump.c — `conns` connections, each keeping one `size`-byte write
 * outstanding from the client (issue the next write from the previous write's
 * callback) for `duration` seconds (or until `count` writes in all), then
 * close.  The server only reads.
 * Metric (server, the receiver): Gbit/s between its first byte and the last
 * connection's EOF. */
#include <string.h>
#include "bench.h"

#define MAXW (1 << 20)
static char g_buf[MAXW];

/* ---- server ---- */
static struct {
  bl_loop *l;
  int conns, eofs;
  unsigned long long bytes;
  double t_first, t_end;
  int failed;
} S;

static void s_connection(bl_conn *c) { CHECK(bl_start_read(c)); }

static void s_read(bl_conn *c, ssize_t n, const char *data) {
  (void)data;
  if (n > 0) {
    if (S.t_first == 0) S.t_first = bench_now();
    S.bytes += (unsigned long long)n;
    return;
  }
  if (n != BL_EOF) S.failed = (int)n;
  bl_close(c);
  if (++S.eofs == S.conns) {
    S.t_end = bench_now();
    bl_close_listener(S.l);
  }
}

static void s_close(bl_conn *c) { (void)c; }

static int server(const bench_opts *o, bench_result *r) {
  static const bl_callbacks cb = {.on_connection = s_connection, .on_read = s_read, .on_close = s_close};
  int port;
  S.conns = o->conns;
  S.l = bl_loop_new(&cb);
  CHECK(bench_listen(S.l, o, &port));
  bench_port_ready(port);
  CHECK(bl_run(S.l));
  bl_loop_free(S.l);
  double dt = S.t_end - S.t_first;
  res_add(r, "bytes", "%llu", S.bytes);
  res_add(r, "seconds", "%.4f", dt);
  res_add(r, "value", "%.4f", dt > 0 ? (double)S.bytes * 8 / dt / 1e9 : 0.0);
  res_add(r, "unit", "Gbit/s");
  if (S.failed) res_add(r, "error", "%d", S.failed);
  return S.bytes == 0 || S.failed;
}

/* ---- client ---- */
static struct {
  size_t size;
  unsigned long long bytes;
  long writes, max_writes;
  double deadline;
  int failed, connected;
} C;

static void c_connect(bl_conn *c, int status) {
  if (status < 0) {
    C.failed = status;
    bl_close(c);
    return;
  }
  C.connected++;
  CHECK(bl_write(c, g_buf, C.size, 1));
}

static void c_write(bl_conn *c, int status) {
  if (status < 0) {
    C.failed = status;
    bl_close(c);
    return;
  }
  C.bytes += C.size;
  if (++C.writes < C.max_writes && bench_now() < C.deadline)
    CHECK(bl_write(c, g_buf, C.size, 1));
  else
    bl_close(c);
}

static void c_close(bl_conn *c) { (void)c; }

static int client(const bench_opts *o, bench_result *r) {
  static const bl_callbacks cb = {.on_connect = c_connect, .on_write = c_write, .on_close = c_close};
  C.size = o->size > MAXW ? MAXW : (o->size ? o->size : 1);
  C.max_writes = o->count > 0 ? o->count : 1L << 40;
  memset(g_buf, 'p', sizeof g_buf);
  bl_loop *l = bl_loop_new(&cb);
  C.deadline = bench_now() + o->duration;
  for (int i = 0; i < o->conns; i++)
    if (!bench_connect(l, o, NULL)) bench_die("bl_connect", -1);
  CHECK(bl_run(l));
  bl_loop_free(l);
  res_add(r, "bytes", "%llu", C.bytes);
  res_add(r, "connected", "%d", C.connected);
  if (C.failed) res_add(r, "error", "%d", C.failed);
  return C.failed || C.connected != o->conns;
}

const workload wl_pump = {
  .name = "pump",
  .help = "--conns connections each keep one --size byte write outstanding; Gbit/s at the receiver",
  .defaults = {.duration = 3.0, .count = 1000000000, .conns = 1, .size = 8192},
  .server = server,
  .client = client,
};
