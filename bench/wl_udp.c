/* bench/wl_udp.c — UDP ping-pong: the client keeps `conns` datagrams of `size` bytes in
 * flight (default 1) to a server that answers each with a datagram of the same size; the
 * client sends the next one when an answer arrives, until `duration`, then sends one
 * datagram starting with 'Q', which stops the server.  On loopback nothing is lost at one
 * datagram in flight; a lost one would stall the run until the harness's alarm, which
 * fails it rather than report a wrong rate.
 * Metric (server): datagrams answered per second between the first and the 'Q'. */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include "bench.h"

#define MAXDGRAM 1472 /* one Ethernet-sized datagram */
static char g_ping[MAXDGRAM], g_pong[MAXDGRAM];

/* A UDP socket on 127.0.0.1:*port, receiving into cb; exits n/a without UDP. */
static bl_udp *open_udp(bl_loop *l, int *port, bl_udp_recv_cb cb) {
  bl_udp *u;
  int rc = bl_udp_new(l, port, cb, NULL, &u);
  if (rc == BL_ENOTSUP) bench_unsupported("udp");
  CHECK(rc);
  return u;
}

/* ---- server ---- */
static struct {
  bl_loop *l;
  size_t size;
  long msgs;
  double t_first, t_end;
} S;

static void s_recv(bl_udp *u, ssize_t n, const char *data, const struct sockaddr *from) {
  if (n < 0) bench_die("udp recv", (int)n);
  if (!from) return;
  if (n > 0 && data[0] == 'Q') {
    S.t_end = bench_now();
    bl_udp_close(u);
    return;
  }
  if (S.t_first == 0) S.t_first = bench_now();
  S.msgs++;
  CHECK(bl_udp_send(u, g_pong, S.size, from));
}

static int server(const bench_opts *o, bench_result *r) {
  static const bl_callbacks cb = {0};
  int port = 0;
  memset(g_pong, 'o', sizeof g_pong);
  S.size = o->size > MAXDGRAM ? MAXDGRAM : (o->size ? o->size : 1);
  S.l = bl_loop_new(&cb);
  open_udp(S.l, &port, s_recv);
  bench_port_ready(port);
  CHECK(bl_run(S.l));
  CHECK(bl_loop_free(S.l));
  res_rate(r, "round_trips", "datagrams/s", S.msgs, S.t_first, S.t_end, 0);
  return S.msgs <= 0;
}

/* ---- client ---- */
static struct {
  size_t size;
  long replies;
  double deadline;
  struct sockaddr_in server;
  int quit_sent;
} C;

static void c_recv(bl_udp *u, ssize_t n, const char *data, const struct sockaddr *from) {
  (void)data;
  if (n < 0) bench_die("udp recv", (int)n);
  if (!from) return;
  C.replies++;
  if (C.quit_sent) return;
  if (bench_now() < C.deadline) {
    CHECK(bl_udp_send(u, g_ping, C.size, (const struct sockaddr *)&C.server));
    return;
  }
  C.quit_sent = 1;
  CHECK(bl_udp_send(u, "Q", 1, (const struct sockaddr *)&C.server));
  bl_udp_close(u);
}

static int client(const bench_opts *o, bench_result *r) {
  static const bl_callbacks cb = {0};
  int port = 0;
  memset(g_ping, 'i', sizeof g_ping);
  C.size = o->size > MAXDGRAM ? MAXDGRAM : (o->size ? o->size : 1);
  C.server.sin_family = AF_INET;
  C.server.sin_port = htons((uint16_t)o->port);
  C.server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bl_loop *l = bl_loop_new(&cb);
  bl_udp *u = open_udp(l, &port, c_recv);
  C.deadline = bench_now() + o->duration;
  for (int i = 0; i < (o->conns > 0 ? o->conns : 1); i++)
    CHECK(bl_udp_send(u, g_ping, C.size, (const struct sockaddr *)&C.server));
  CHECK(bl_run(l));
  CHECK(bl_loop_free(l));
  res_add(r, "replies", "%ld", C.replies);
  return C.replies <= 0;
}

const workload wl_udppingpong = {
  .name = "udppingpong",
  .help = "--conns datagrams of --size bytes in flight to an echoing UDP server; round trips/s",
  .defaults = {.duration = 3.0, .conns = 1, .size = 16},
  .server = server,
  .client = client,
};
