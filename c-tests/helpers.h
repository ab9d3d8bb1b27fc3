/*
 * helpers.h - loopback helpers shared by the ruv C tests (port 0 always).
 */
#ifndef RUV_C_TEST_HELPERS_H
#define RUV_C_TEST_HELPERS_H

#include "test.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>

#include "ruv.h"

/* ---- loop ---------------------------------------------------------------- */

static inline ruv_loop_t *make_loop(void) {
  ruv_loop_t *loop = NULL;
  ASSERT_EQ(ruv_loop_new(&loop), 0);
  ASSERT_NOT_NULL(loop);
  return loop;
}

static inline ruv_tcp_t *make_tcp(ruv_loop_t *loop, int family) {
  ruv_tcp_t *tcp = NULL;
  ASSERT_EQ(ruv_tcp_new(loop, family, &tcp), 0);
  ASSERT_NOT_NULL(tcp);
  return tcp;
}

typedef struct {
  ruv_handle_t *h[256];
  int n;
} handle_list;

static inline void collect_walk_cb(ruv_handle_t *h, void *arg) {
  handle_list *l = (handle_list *)arg;
  if (l->n < 256) l->h[l->n++] = h;
}

/* Close every handle that is not already closing. */
static inline void close_all(ruv_loop_t *loop) {
  handle_list l;
  int i;
  l.n = 0;
  ruv_walk(loop, collect_walk_cb, &l);
  for (i = 0; i < l.n; i++)
    if (!ruv_is_closing(l.h[i])) ASSERT_EQ(ruv_close(l.h[i], NULL), 0);
}

/* Close everything, drain the loop and free it; asserts the loop frees. */
static inline void finish_loop(ruv_loop_t *loop) {
  close_all(loop);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

/* Run NOWAIT until *flag becomes non-zero, for at most 10 s. */
static inline void run_until(ruv_loop_t *loop, volatile int *flag) {
  uint64_t deadline = test_now_ms() + 10000;
  int i;
  for (i = 0; !*flag && test_now_ms() < deadline; i++) {
    ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
    if (!*flag && i % 16 == 15) test_sleep_ms(1);
  }
  ASSERT_MSG(*flag, "run_until: condition never became true");
}

/* ---- addresses ----------------------------------------------------------- */

static inline struct sockaddr_storage make_addr(int family, const char *ip,
                                                int port) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  if (family == AF_INET) {
    ASSERT_EQ(ruv_ip4_addr(ip ? ip : "127.0.0.1", port,
                           (struct sockaddr_in *)&ss), 0);
  } else {
    ASSERT_EQ(ruv_ip6_addr(ip ? ip : "::1", port,
                           (struct sockaddr_in6 *)&ss), 0);
  }
  return ss;
}

static inline struct sockaddr_storage loopback(int family, int port) {
  return make_addr(family, NULL, port);
}

static inline int addr_port(const struct sockaddr_storage *ss) {
  if (ss->ss_family == AF_INET)
    return ntohs(((const struct sockaddr_in *)ss)->sin_port);
  return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static inline int tcp_port(const ruv_tcp_t *tcp) {
  struct sockaddr_storage ss;
  int len = (int)sizeof ss;
  ASSERT_EQ(ruv_tcp_getsockname(tcp, (struct sockaddr *)&ss, &len), 0);
  return addr_port(&ss);
}

static inline int tcp_fd(const ruv_tcp_t *tcp) {
  int fd = -1;
  ASSERT_EQ(ruv_tcp_fileno(tcp, &fd), 0);
  ASSERT_GE(fd, 0);
  return fd;
}

/* A listening handle on the loopback of `family`, port chosen by the kernel. */
static inline ruv_tcp_t *listen_on(ruv_loop_t *loop, int family,
                                   ruv_connection_cb cb, int *port) {
  ruv_tcp_t *server = make_tcp(loop, family);
  struct sockaddr_storage ss = loopback(family, 0);
  ASSERT_EQ(ruv_tcp_bind(server, (struct sockaddr *)&ss, 0), 0);
  ASSERT_EQ(ruv_tcp_listen(server, 128, cb), 0);
  *port = tcp_port(server);
  ASSERT_GT(*port, 0);
  return server;
}

/* A TCP port on 127.0.0.1 (or ::1) with nobody listening: bind, read, close. */
static inline int free_port(int family) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  int fd = socket(family, SOCK_STREAM, 0);
  int port;
  ASSERT_GE(fd, 0);
  ss = loopback(family, 0);
  ASSERT_EQ(bind(fd, (struct sockaddr *)&ss,
                 family == AF_INET ? sizeof(struct sockaddr_in)
                                   : sizeof(struct sockaddr_in6)),
            0);
  ASSERT_EQ(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
  port = addr_port(&ss);
  close(fd);
  return port;
}

/* ---- raw sockets made by the test itself --------------------------------- */

static inline socklen_t family_len(int family) {
  return family == AF_INET ? (socklen_t)sizeof(struct sockaddr_in)
                           : (socklen_t)sizeof(struct sockaddr_in6);
}

/* Blocking connect of a plain socket (the handshake completes through the
 * kernel backlog, no ruv_run needed). */
static inline int raw_connect(int family, int port) {
  struct sockaddr_storage ss = loopback(family, port);
  int fd = socket(family, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(connect(fd, (struct sockaddr *)&ss, family_len(family)), 0);
  return fd;
}

static inline int raw_listen(int family, int *port) {
  struct sockaddr_storage ss = loopback(family, 0);
  socklen_t len = sizeof ss;
  int fd = socket(family, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(bind(fd, (struct sockaddr *)&ss, family_len(family)), 0);
  ASSERT_EQ(listen(fd, 16), 0);
  ASSERT_EQ(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
  *port = addr_port(&ss);
  return fd;
}

static inline void raw_set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  ASSERT_GE(fl, 0);
  ASSERT_EQ(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
}

/* Close with SO_LINGER {1, 0}: the peer gets a RST. */
static inline void raw_reset(int fd) {
  struct linger lg;
  lg.l_onoff = 1;
  lg.l_linger = 0;
  ASSERT_EQ(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
  ASSERT_EQ(close(fd), 0);
}

/* Read exactly n bytes from a blocking raw socket (bounded by alarm). */
static inline void raw_read_exact(int fd, char *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = recv(fd, buf + got, n - got, 0);
    if (r < 0 && errno == EINTR) continue;
    ASSERT_GT(r, 0);
    got += (size_t)r;
  }
}

static inline int fd_is_open(int fd) {
  return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

static inline int sockopt_int(int fd, int level, int name) {
  int v = -1;
  socklen_t len = sizeof v;
  ASSERT_EQ(getsockopt(fd, level, name, &v, &len), 0);
  return v;
}

/* ---- a byte pattern for stream checks ------------------------------------ */

static inline unsigned char pattern_byte(uint64_t off) {
  return (unsigned char)((off * 131u) ^ (off >> 9) ^ (off >> 17));
}

static inline void pattern_fill(char *buf, size_t n, uint64_t off) {
  size_t i;
  for (i = 0; i < n; i++) buf[i] = (char)pattern_byte(off + i);
}

/* Returns the index of the first mismatch, or n if all match. */
static inline size_t pattern_check(const char *buf, size_t n, uint64_t off) {
  size_t i;
  for (i = 0; i < n; i++)
    if ((unsigned char)buf[i] != pattern_byte(off + i)) return i;
  return n;
}

/* ---- a generic accept-everything server ---------------------------------- */

/* Accepts every connection into a fresh AF_UNSPEC handle.  `on_accept`, if set
 * in the server's data, is called with the new client. */
typedef void (*accepted_fn)(ruv_tcp_t *server, ruv_tcp_t *client);

typedef struct {
  accepted_fn on_accept;
  ruv_tcp_t *last;
  int count;
  void *user;
} server_ctx;

static inline void accept_all_cb(ruv_tcp_t *server, int status) {
  server_ctx *ctx = (server_ctx *)ruv_handle_get_data(RUV_HANDLE(server));
  ruv_tcp_t *client;
  ASSERT_EQ(status, 0);
  ASSERT_NOT_NULL(ctx);
  client = make_tcp(ruv_handle_get_loop(RUV_HANDLE(server)), AF_UNSPEC);
  ASSERT_EQ(ruv_tcp_accept(server, client), 0);
  ctx->last = client;
  ctx->count++;
  if (ctx->on_accept) ctx->on_accept(server, client);
}

static inline ruv_tcp_t *serve(ruv_loop_t *loop, int family, server_ctx *ctx,
                               int *port) {
  ruv_tcp_t *server = listen_on(loop, family, accept_all_cb, port);
  ruv_handle_set_data(RUV_HANDLE(server), ctx);
  return server;
}

/* Connect a ruv client and a ruv server-side handle, both connected when this
 * returns.  *server_side is the accepted handle. */
typedef struct {
  int connected;
  int status;
} connect_flag;

static inline void connect_flag_cb(ruv_tcp_t *tcp, int status) {
  connect_flag *f = (connect_flag *)ruv_handle_get_data(RUV_HANDLE(tcp));
  f->connected = 1;
  f->status = status;
}

typedef struct {
  ruv_tcp_t *server;      /* listener */
  ruv_tcp_t *client;      /* connected client */
  ruv_tcp_t *peer;        /* accepted server side */
  server_ctx sctx;
  connect_flag cflag;
  int port;
} tcp_pair;

static inline void make_pair(ruv_loop_t *loop, int family, tcp_pair *p) {
  struct sockaddr_storage ss;
  memset(p, 0, sizeof *p);
  p->server = serve(loop, family, &p->sctx, &p->port);
  p->client = make_tcp(loop, AF_UNSPEC);
  ruv_handle_set_data(RUV_HANDLE(p->client), &p->cflag);
  ss = loopback(family, p->port);
  ASSERT_EQ(ruv_tcp_connect(p->client, (struct sockaddr *)&ss,
                            connect_flag_cb), 0);
  {
    uint64_t deadline = test_now_ms() + 20000;
    int i;
    for (i = 0; !(p->cflag.connected && p->sctx.count) &&
                test_now_ms() < deadline;
         i++) {
      ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
      if (i % 16 == 15) test_sleep_ms(1);
    }
  }
  ASSERT_EQ(p->cflag.connected, 1);
  ASSERT_EQ(p->cflag.status, 0);
  ASSERT_EQ(p->sctx.count, 1);
  p->peer = p->sctx.last;
  ASSERT_NOT_NULL(p->peer);
  ruv_handle_set_data(RUV_HANDLE(p->client), NULL);
}

#endif /* RUV_C_TEST_HELPERS_H */
