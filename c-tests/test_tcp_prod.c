/* test_tcp_prod.c - TCP for production servers: ruv_tcp_close_reset,
 * ruv_tcp_keepalive_ex (read back with getsockopt) and the RUV_TCP_REUSEPORT
 * bind flag (two loops in two threads sharing one port). */
#include "helpers.h"

#include <pthread.h>

/* ---- close_reset ---------------------------------------------------------- */

static struct {
  ssize_t peer_read;      /* the last nread the peer's read callback got */
  int peer_reads_err;
  int close_cb;
  int writes_ok, writes_cancelled, writes_other;
  int writes_at_close_cb;
  int shutdown_cb;
} r;

static void peer_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  (void)data;
  if (nread > 0) return;
  r.peer_read = nread;
  r.peer_reads_err++;
  ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), NULL), 0);
}

static void reset_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  (void)tcp;
  (void)arg;
  ASSERT_EQ(r.close_cb, 0);
  if (status == 0) r.writes_ok++;
  else if (status == RUV_ECANCELED) r.writes_cancelled++;
  else r.writes_other++;
}

static void reset_close_cb(ruv_handle_t *h) {
  (void)h;
  r.close_cb++;
  r.writes_at_close_cb = r.writes_ok + r.writes_cancelled + r.writes_other;
}

static void reset_shutdown_cb(ruv_tcp_t *tcp, int status) {
  (void)tcp;
  (void)status;
  r.shutdown_cb = 1;
}

TEST_CASE(close_reset_peer_reads_econnreset) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  memset(&r, 0, sizeof r);
  make_pair(loop, AF_INET, &p);
  ASSERT_EQ(ruv_tcp_start_read(p.peer, peer_read_cb), 0);
  ASSERT_EQ(ruv_tcp_close_reset(p.client, reset_close_cb), 0);
  ASSERT_EQ(ruv_is_closing(RUV_HANDLE(p.client)), 1);
  ASSERT_EQ(r.close_cb, 0); /* from the loop, not from the call */
  ASSERT_EQ(ruv_tcp_close_reset(p.client, reset_close_cb), RUV_EINVAL); /* closing */
  run_until(loop, &r.peer_reads_err);
  ASSERT_MSG(r.peer_read == RUV_ECONNRESET, "peer read %s, not ECONNRESET",
             ruv_err_name((int)r.peer_read));
  run_until(loop, &r.close_cb);
  ASSERT_EQ(r.close_cb, 1);
  finish_loop(loop);
}

/* Queued writes are cancelled, the close callback comes last, a raw peer that
 * did not read sees ECONNRESET (not an end of stream). */
TEST_CASE(close_reset_cancels_queued_writes) {
  static char big[1 << 20];
  ruv_loop_t *loop = make_loop();
  server_ctx ctx;
  ruv_tcp_t *server, *conn;
  int port, fd, i, n;
  char buf[65536];
  ssize_t got;
  memset(&r, 0, sizeof r);
  memset(&ctx, 0, sizeof ctx);
  server = serve(loop, AF_INET, &ctx, &port);
  fd = raw_connect(AF_INET, port);
  run_until(loop, &ctx.count);
  conn = ctx.last;
  for (i = 0; i < 4; i++) {
    ruv_buf_t b = {big, sizeof big};
    ASSERT_EQ(ruv_tcp_write(conn, &b, 1, reset_write_cb, NULL), 0);
  }
  ASSERT_GT(ruv_tcp_write_queue_size(conn), 0);
  ASSERT_EQ(ruv_tcp_close_reset(conn, reset_close_cb), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(server), NULL), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(r.close_cb, 1);
  ASSERT_GT(r.writes_cancelled, 0);
  ASSERT_EQ(r.writes_other, 0);
  ASSERT_EQ(r.writes_at_close_cb, 4); /* every write callback before the close callback */
  for (n = 0; n < 1000; n++) {        /* whatever arrived, then the reset */
    got = recv(fd, buf, sizeof buf, 0);
    if (got <= 0) break;
  }
  ASSERT_EQ(got, -1);
  ASSERT_EQ(errno, ECONNRESET);
  close(fd);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_CASE(close_reset_after_shutdown_is_einval) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  memset(&r, 0, sizeof r);
  make_pair(loop, AF_INET, &p);
  ASSERT_EQ(ruv_tcp_shutdown(p.client, reset_shutdown_cb), 0);
  ASSERT_EQ(ruv_tcp_close_reset(p.client, reset_close_cb), RUV_EINVAL); /* requested */
  ASSERT_EQ(ruv_is_closing(RUV_HANDLE(p.client)), 0);
  run_until(loop, &r.shutdown_cb);
  ASSERT_EQ(ruv_tcp_close_reset(p.client, reset_close_cb), RUV_EINVAL); /* and done */
  ASSERT_EQ(ruv_is_closing(RUV_HANDLE(p.client)), 0);
  ASSERT_EQ(r.close_cb, 0);
  /* the other side, never shut down, may still reset */
  ASSERT_EQ(ruv_tcp_close_reset(p.peer, reset_close_cb), 0);
  run_until(loop, &r.close_cb);
  finish_loop(loop);
}

TEST_CASE(close_reset_misuse) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *nosock = make_tcp(loop, AF_UNSPEC);
  ruv_tcp_t *closing = make_tcp(loop, AF_INET);
  ruv_tcp_t *listener;
  ruv_timer_t *timer;
  server_ctx ctx;
  int port;
  memset(&r, 0, sizeof r);
  memset(&ctx, 0, sizeof ctx);
  ASSERT_EQ(ruv_timer_new(loop, &timer), 0);
  ASSERT_EQ(ruv_tcp_close_reset(NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_close_reset((ruv_tcp_t *)timer, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_is_closing(RUV_HANDLE(timer)), 0);
  ASSERT_EQ(ruv_tcp_close_reset(nosock, NULL), RUV_EBADF); /* nothing to reset */
  ASSERT_EQ(ruv_is_closing(RUV_HANDLE(nosock)), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(closing), NULL), 0);
  ASSERT_EQ(ruv_tcp_close_reset(closing, NULL), RUV_EINVAL);
  listener = serve(loop, AF_INET, &ctx, &port);
  ASSERT_EQ(ruv_tcp_close_reset(listener, reset_close_cb), 0); /* a listener may */
  run_until(loop, &r.close_cb);
  finish_loop(loop);
}

/* ---- keepalive_ex ---------------------------------------------------------- */

typedef struct {
  int on, idle, intvl, cnt;
} ka_opts;

static ka_opts ka_read(int fd) {
  ka_opts k;
  k.on = sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE);
  k.idle = sockopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE);
  k.intvl = sockopt_int(fd, IPPROTO_TCP, TCP_KEEPINTVL);
  k.cnt = sockopt_int(fd, IPPROTO_TCP, TCP_KEEPCNT);
  return k;
}

#define ASSERT_KA(fd, on_, idle_, intvl_, cnt_)                              \
  do {                                                                     \
    ka_opts k_ = ka_read(fd);                                              \
    ASSERT_EQ(k_.on, on_);                                                 \
    ASSERT_EQ(k_.idle, idle_);                                             \
    ASSERT_EQ(k_.intvl, intvl_);                                           \
    ASSERT_EQ(k_.cnt, cnt_);                                               \
  } while (0)

TEST_CASE(keepalive_ex_sets_all_three) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_INET);
  ruv_tcp_t *t6 = make_tcp(loop, AF_INET6);
  int fd = tcp_fd(t);
  ASSERT_EQ(sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
  ASSERT_EQ(ruv_tcp_keepalive_ex(t, 1, 30, 7, 4), 0);
  ASSERT_KA(fd, 1, 30, 7, 4);
  ASSERT_EQ(ruv_tcp_keepalive_ex(t, 1, 32767, 32767, 127), 0); /* the maxima */
  ASSERT_KA(fd, 1, 32767, 32767, 127);
  ASSERT_EQ(ruv_tcp_keepalive_ex(t, 0, 0, 0, 0), 0); /* off: the rest ignored */
  ASSERT_EQ(sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
  ASSERT_EQ(ruv_tcp_keepalive_ex(t6, 1, 1, 1, 1), 0);
  ASSERT_KA(tcp_fd(t6), 1, 1, 1, 1);
  finish_loop(loop);
}

TEST_CASE(keepalive_ex_bad_values_change_nothing) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_INET);
  int fd = tcp_fd(t);
  ASSERT_EQ(ruv_tcp_keepalive_ex(t, 1, 60, 10, 3), 0);
  ASSERT_EQ(ruv_tcp_keepalive_ex(t, 1, 0, 5, 5), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_keepalive_ex(t, 1, 5, 0, 5), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_keepalive_ex(t, 1, 5, 5, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_keepalive_ex(t, 1, 40000, 5, 5), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_keepalive_ex(t, 1, 5, 40000, 5), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_keepalive_ex(t, 1, 5, 5, 128), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_keepalive_ex(t, 1, 5, 5, 0xffffffffu), RUV_EINVAL);
  ASSERT_KA(fd, 1, 60, 10, 3);
  /* failing while off leaves it off */
  ASSERT_EQ(ruv_tcp_keepalive_ex(t, 0, 0, 0, 0), 0);
  ASSERT_EQ(ruv_tcp_keepalive_ex(t, 1, 5, 5, 0), RUV_EINVAL);
  ASSERT_EQ(sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
  finish_loop(loop);
}

static void accept_into_keepalive(ruv_tcp_t *server, int status) {
  server_ctx *ctx = (server_ctx *)ruv_handle_get_data(RUV_HANDLE(server));
  ruv_tcp_t *client = make_tcp(ruv_handle_get_loop(RUV_HANDLE(server)), AF_UNSPEC);
  ASSERT_EQ(status, 0);
  ASSERT_EQ(ruv_tcp_keepalive_ex(client, 1, 21, 3, 6), 0); /* before accept */
  ASSERT_EQ(ruv_tcp_accept(server, client), 0);
  ctx->last = client;
  ctx->count++;
}

TEST_CASE(keepalive_ex_remembered_until_the_socket_exists) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *b = make_tcp(loop, AF_UNSPEC), *c = make_tcp(loop, AF_UNSPEC);
  ruv_tcp_t *server;
  struct sockaddr_storage ss = loopback(AF_INET, 0);
  server_ctx ctx;
  connect_flag f = {0, 0};
  int port, fam;
  /* bind makes the socket */
  ASSERT_EQ(ruv_tcp_keepalive_ex(b, 1, 45, 6, 5), 0);
  ASSERT_EQ(ruv_tcp_keepalive_ex(b, 1, 0, 1, 1), RUV_EINVAL); /* changes nothing */
  ASSERT_EQ(ruv_tcp_family(b, &fam), RUV_EBADF);
  ASSERT_EQ(ruv_tcp_bind(b, (struct sockaddr *)&ss, 0), 0);
  ASSERT_KA(tcp_fd(b), 1, 45, 6, 5);
  /* accept and connect too */
  memset(&ctx, 0, sizeof ctx);
  server = listen_on(loop, AF_INET, accept_into_keepalive, &port);
  ruv_handle_set_data(RUV_HANDLE(server), &ctx);
  ASSERT_EQ(ruv_tcp_keepalive_ex(c, 1, 33, 2, 9), 0);
  ss = loopback(AF_INET, port);
  ruv_handle_set_data(RUV_HANDLE(c), &f);
  ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss, connect_flag_cb), 0);
  ASSERT_KA(tcp_fd(c), 1, 33, 2, 9);
  run_until(loop, &f.connected);
  run_until(loop, &ctx.count);
  ASSERT_KA(tcp_fd(ctx.last), 1, 21, 3, 6);
  finish_loop(loop);
}

TEST_CASE(keepalive_unchanged_and_misuse) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_INET);
  ruv_tcp_t *closing = make_tcp(loop, AF_INET);
  ruv_timer_t *timer;
  int fd = tcp_fd(t);
  ASSERT_EQ(ruv_tcp_keepalive(t, 1, 25), 0);
  ASSERT_KA(fd, 1, 25, 1, 10); /* the interval and count it always used */
  ASSERT_EQ(ruv_tcp_keepalive(t, 1, 0), RUV_EINVAL);
  ASSERT_KA(fd, 1, 25, 1, 10);
  ASSERT_EQ(ruv_tcp_keepalive(t, 0, 0), 0);
  ASSERT_EQ(sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
  ASSERT_EQ(ruv_timer_new(loop, &timer), 0);
  ASSERT_EQ(ruv_tcp_keepalive_ex(NULL, 1, 1, 1, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_keepalive_ex((ruv_tcp_t *)timer, 1, 1, 1, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_close(RUV_HANDLE(closing), NULL), 0);
  ASSERT_EQ(ruv_tcp_keepalive_ex(closing, 1, 1, 1, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_keepalive_ex(closing, 1, 0, 0, 0), RUV_EINVAL);
  finish_loop(loop);
}

/* ---- REUSEPORT: one port, two loops, two threads --------------------------- */

#define RP_CLIENTS 64

typedef struct worker {
  ruv_loop_t *loop;
  ruv_tcp_t *listener;
  ruv_async_t *stop;
  int family;
  int port;       /* in: the port to bind (0: any); out: the bound port */
  int accepted;   /* connections this loop accepted */
  int answered;
  int rc;         /* ruv_run's result */
  int loop_close; /* ruv_loop_close's result */
  pthread_t thread;
} worker;

static void rp_conn_closed(ruv_handle_t *h) { (void)h; }

static void rp_read(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  worker *w = (worker *)ruv_loop_get_data(ruv_handle_get_loop(RUV_HANDLE(tcp)));
  if (nread > 0) {
    ruv_buf_t b = {data, (size_t)nread}; /* echo it; the client then closes */
    ASSERT_EQ(ruv_tcp_write(tcp, &b, 1, NULL, NULL), 0);
    w->answered++;
    return;
  }
  ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), rp_conn_closed), 0);
}

static void rp_connection(ruv_tcp_t *server, int status) {
  ruv_loop_t *loop = ruv_handle_get_loop(RUV_HANDLE(server));
  worker *w = (worker *)ruv_loop_get_data(loop);
  ruv_tcp_t *c = make_tcp(loop, AF_UNSPEC);
  ASSERT_EQ(status, 0);
  ASSERT_EQ(ruv_tcp_accept(server, c), 0);
  ASSERT_EQ(ruv_tcp_start_read(c, rp_read), 0);
  w->accepted++;
}

static void rp_close_walk(ruv_handle_t *h, void *arg) {
  (void)arg;
  if (!ruv_is_closing(h)) ASSERT_EQ(ruv_close(h, NULL), 0);
}

static void rp_stop(ruv_async_t *a) {
  ruv_walk(ruv_handle_get_loop(RUV_HANDLE(a)), rp_close_walk, NULL);
}

static void rp_listen(worker *w, unsigned flags) {
  struct sockaddr_storage ss = loopback(w->family, w->port);
  ASSERT_EQ(ruv_loop_new(&w->loop), 0);
  ruv_loop_set_data(w->loop, w);
  ASSERT_EQ(ruv_async_new(w->loop, rp_stop, &w->stop), 0);
  w->listener = make_tcp(w->loop, w->family);
  ASSERT_EQ(ruv_tcp_bind(w->listener, (struct sockaddr *)&ss, flags), 0);
  ASSERT_EQ(ruv_tcp_listen(w->listener, 128, rp_connection), 0);
  ASSERT_EQ(sockopt_int(tcp_fd(w->listener), SOL_SOCKET, SO_REUSEPORT), 1);
  w->port = tcp_port(w->listener);
}

static void *rp_thread(void *arg) {
  worker *w = (worker *)arg;
  w->rc = ruv_run(w->loop, RUV_RUN_DEFAULT);
  w->loop_close = ruv_loop_close(w->loop);
  return NULL;
}

/* `n` clients connect, send a byte, read it back, close. */
static void rp_clients(int family, int port, int n) {
  int i, fds[RP_CLIENTS];
  ASSERT_LE(n, RP_CLIENTS);
  for (i = 0; i < n; i++) { /* all open at once: the kernel spreads them */
    fds[i] = raw_connect(family, port);
    ASSERT_EQ(send(fds[i], "r", 1, 0), 1);
  }
  for (i = 0; i < n; i++) {
    char c = 0;
    raw_read_exact(fds[i], &c, 1);
    ASSERT_EQ(c, 'r');
    close(fds[i]);
  }
}

static void rp_two_loops(int family, unsigned flags) {
  worker w[2];
  ruv_tcp_t *plain;
  ruv_loop_t *other = make_loop();
  struct sockaddr_storage ss;
  int i;
  memset(w, 0, sizeof w);
  w[0].family = w[1].family = family;
  rp_listen(&w[0], flags);
  w[1].port = w[0].port;
  rp_listen(&w[1], flags); /* the same port */
  ASSERT_EQ(w[1].port, w[0].port);
  /* without the flag the port is taken */
  plain = make_tcp(other, family);
  ss = loopback(family, w[0].port);
  ASSERT_EQ(ruv_tcp_bind(plain, (struct sockaddr *)&ss, flags & ~(unsigned)RUV_TCP_REUSEPORT),
            RUV_EADDRINUSE);
  finish_loop(other);
  for (i = 0; i < 2; i++)
    ASSERT_EQ(pthread_create(&w[i].thread, NULL, rp_thread, &w[i]), 0);
  rp_clients(family, w[0].port, RP_CLIENTS);
  for (i = 0; i < 2; i++) ASSERT_EQ(ruv_async_send(w[i].stop), 0);
  for (i = 0; i < 2; i++) {
    ASSERT_EQ(pthread_join(w[i].thread, NULL), 0);
    ASSERT_EQ(w[i].rc, 0);
    ASSERT_EQ(w[i].loop_close, 0);
  }
  /* none lost, and both loops accepted (all 64 on one side: p = 2^-63) */
  ASSERT_EQ(w[0].accepted + w[1].accepted, RP_CLIENTS);
  ASSERT_EQ(w[0].answered + w[1].answered, RP_CLIENTS);
  ASSERT_GT(w[0].accepted, 0);
  ASSERT_GT(w[1].accepted, 0);
}

TEST_CASE(reuseport_two_loops_in_two_threads) {
  rp_two_loops(AF_INET, RUV_TCP_REUSEPORT);
}

TEST_CASE(reuseport_with_ipv6only) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t6 = make_tcp(loop, AF_INET6), *t4 = make_tcp(loop, AF_INET);
  struct sockaddr_storage s6 = loopback(AF_INET6, 0), s4 = loopback(AF_INET, 0);
  ASSERT_EQ(ruv_tcp_bind(t4, (struct sockaddr *)&s4, RUV_TCP_REUSEPORT | RUV_TCP_IPV6ONLY),
            RUV_EINVAL); /* IPV6ONLY on IPv4 */
  ASSERT_EQ(sockopt_int(tcp_fd(t4), SOL_SOCKET, SO_REUSEPORT), 0); /* nothing set */
  ASSERT_EQ(ruv_tcp_bind(t6, (struct sockaddr *)&s6, RUV_TCP_REUSEPORT | RUV_TCP_IPV6ONLY), 0);
  ASSERT_EQ(sockopt_int(tcp_fd(t6), SOL_SOCKET, SO_REUSEPORT), 1);
  ASSERT_EQ(sockopt_int(tcp_fd(t6), IPPROTO_IPV6, IPV6_V6ONLY), 1);
  finish_loop(loop);
  rp_two_loops(AF_INET6, RUV_TCP_REUSEPORT | RUV_TCP_IPV6ONLY);
}

TEST_MAIN(TEST_ENTRY(close_reset_peer_reads_econnreset),
          TEST_ENTRY(close_reset_cancels_queued_writes),
          TEST_ENTRY(close_reset_after_shutdown_is_einval),
          TEST_ENTRY(close_reset_misuse),
          TEST_ENTRY(keepalive_ex_sets_all_three),
          TEST_ENTRY(keepalive_ex_bad_values_change_nothing),
          TEST_ENTRY(keepalive_ex_remembered_until_the_socket_exists),
          TEST_ENTRY(keepalive_unchanged_and_misuse),
          TEST_ENTRY(reuseport_two_loops_in_two_threads),
          TEST_ENTRY(reuseport_with_ipv6only))
