/* test_options.c - socket options: nodelay, keepalive, buffer sizes (set then
 * read back, also through getsockopt on ruv_tcp_fileno), options set before the
 * socket exists, fileno/readable/writable through the life of a handle,
 * simultaneous accepts. */
#include "helpers.h"

TEST_CASE(nodelay_set_and_read_back) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  int fd;
  make_pair(loop, AF_INET, &p);
  fd = tcp_fd(p.client);
  ASSERT_EQ(ruv_tcp_nodelay(p.client, 1), 0);
  ASSERT_EQ(sockopt_int(fd, IPPROTO_TCP, TCP_NODELAY), 1);
  ASSERT_EQ(ruv_tcp_nodelay(p.client, 0), 0);
  ASSERT_EQ(sockopt_int(fd, IPPROTO_TCP, TCP_NODELAY), 0);
  ASSERT_EQ(ruv_tcp_nodelay(p.client, 5), 0); /* any non-zero enables */
  ASSERT_EQ(sockopt_int(fd, IPPROTO_TCP, TCP_NODELAY), 1);
  /* on an unconnected socket too */
  {
    ruv_tcp_t *t = make_tcp(loop, AF_INET6);
    ASSERT_EQ(ruv_tcp_nodelay(t, 1), 0);
    ASSERT_EQ(sockopt_int(tcp_fd(t), IPPROTO_TCP, TCP_NODELAY), 1);
  }
  finish_loop(loop);
}

TEST_CASE(keepalive_set_and_read_back) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  int fd;
  make_pair(loop, AF_INET6, &p);
  fd = tcp_fd(p.peer);
  ASSERT_EQ(sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
  ASSERT_EQ(ruv_tcp_keepalive(p.peer, 1, 60), 0);
  ASSERT_EQ(sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
  ASSERT_EQ(sockopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE), 60);
  ASSERT_EQ(ruv_tcp_keepalive(p.peer, 1, 7), 0);
  ASSERT_EQ(sockopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE), 7);
  ASSERT_EQ(ruv_tcp_keepalive(p.peer, 0, 0), 0);
  ASSERT_EQ(sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
  finish_loop(loop);
}

TEST_CASE(keepalive_enable_with_zero_delay_is_einval) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_INET);
  ruv_tcp_t *u = make_tcp(loop, AF_UNSPEC);
  ASSERT_EQ(ruv_tcp_keepalive(t, 1, 0), RUV_EINVAL);
  ASSERT_EQ(sockopt_int(tcp_fd(t), SOL_SOCKET, SO_KEEPALIVE), 0);
  ASSERT_EQ(ruv_tcp_keepalive(u, 1, 0), RUV_EINVAL); /* before a socket too */
  finish_loop(loop);
}

static void check_preset(ruv_tcp_t *t, int delay) {
  int fd = tcp_fd(t);
  ASSERT_EQ(sockopt_int(fd, IPPROTO_TCP, TCP_NODELAY), 1);
  ASSERT_EQ(sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
  ASSERT_EQ(sockopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE), delay);
}

TEST_CASE(options_before_socket_applied_on_bind) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_UNSPEC);
  struct sockaddr_storage ss = loopback(AF_INET6, 0);
  ASSERT_EQ(ruv_tcp_nodelay(t, 1), 0);
  ASSERT_EQ(ruv_tcp_keepalive(t, 1, 33), 0);
  ASSERT_EQ(ruv_tcp_bind(t, (struct sockaddr *)&ss, 0), 0);
  check_preset(t, 33);
  finish_loop(loop);
}

static int g_connected;
static void preset_connect_cb(ruv_tcp_t *t, int status) {
  ASSERT_EQ(status, 0);
  check_preset(t, 45);
  g_connected = 1;
}

TEST_CASE(options_before_socket_applied_on_connect) {
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  int port;
  ruv_tcp_t *t = make_tcp(loop, AF_UNSPEC);
  struct sockaddr_storage ss;
  memset(&sctx, 0, sizeof sctx);
  serve(loop, AF_INET, &sctx, &port);
  ss = loopback(AF_INET, port);
  ASSERT_EQ(ruv_tcp_nodelay(t, 1), 0);
  ASSERT_EQ(ruv_tcp_keepalive(t, 1, 45), 0);
  g_connected = 0;
  ASSERT_EQ(ruv_tcp_connect(t, (struct sockaddr *)&ss, preset_connect_cb), 0);
  check_preset(t, 45); /* already while connecting */
  run_until(loop, &g_connected);
  finish_loop(loop);
}

static ruv_tcp_t *g_preset_client;
static int g_accepted;
static void preset_accept_cb(ruv_tcp_t *server, int status) {
  ASSERT_EQ(status, 0);
  ASSERT_EQ(ruv_tcp_accept(server, g_preset_client), 0);
  g_accepted = 1;
}

TEST_CASE(options_before_socket_applied_on_accept) {
  ruv_loop_t *loop = make_loop();
  int port, fd;
  listen_on(loop, AF_INET, preset_accept_cb, &port);
  g_preset_client = make_tcp(loop, AF_UNSPEC);
  ASSERT_EQ(ruv_tcp_nodelay(g_preset_client, 1), 0);
  ASSERT_EQ(ruv_tcp_keepalive(g_preset_client, 1, 45), 0);
  g_accepted = 0;
  fd = raw_connect(AF_INET, port);
  run_until(loop, &g_accepted);
  check_preset(g_preset_client, 45);
  close(fd);
  finish_loop(loop);
}

TEST_CASE(buffer_sizes_set_and_read_back) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  int v = 0, fd;
  make_pair(loop, AF_INET, &p);
  fd = tcp_fd(p.client);
  ASSERT_EQ(ruv_tcp_get_send_buffer_size(p.client, &v), 0);
  ASSERT_GT(v, 0);
  ASSERT_EQ(v, sockopt_int(fd, SOL_SOCKET, SO_SNDBUF));
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(p.client, 65536), 0);
  v = 0;
  ASSERT_EQ(ruv_tcp_get_send_buffer_size(p.client, &v), 0);
  ASSERT_GE(v, 65536); /* Linux doubles it */
  ASSERT_EQ(v, sockopt_int(fd, SOL_SOCKET, SO_SNDBUF));
  ASSERT_EQ(ruv_tcp_set_receive_buffer_size(p.client, 98304), 0);
  v = 0;
  ASSERT_EQ(ruv_tcp_get_receive_buffer_size(p.client, &v), 0);
  ASSERT_GE(v, 98304);
  ASSERT_EQ(v, sockopt_int(fd, SOL_SOCKET, SO_RCVBUF));
  v = 555;
  ASSERT_LT(ruv_tcp_set_send_buffer_size(p.client, -1), 0);
  ASSERT_LT(ruv_tcp_set_receive_buffer_size(p.client, -1), 0);
  finish_loop(loop);
}

TEST_CASE(buffer_sizes_without_socket_are_ebadf) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *u = make_tcp(loop, AF_UNSPEC);
  int v = 777;
  ASSERT_EQ(ruv_tcp_get_send_buffer_size(u, &v), RUV_EBADF);
  ASSERT_EQ(ruv_tcp_get_receive_buffer_size(u, &v), RUV_EBADF);
  ASSERT_EQ(v, 777);
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(u, 65536), RUV_EBADF);
  ASSERT_EQ(ruv_tcp_set_receive_buffer_size(u, 65536), RUV_EBADF);
  finish_loop(loop);
}

static void noop_conn_cb(ruv_tcp_t *s, int st) {
  (void)s;
  (void)st;
}

static int g_eof;
static void eof_read_cb(ruv_tcp_t *t, ssize_t n, const char *d) {
  (void)t;
  (void)d;
  if (n == RUV_EOF) g_eof = 1;
}

static int g_closed;
static void closed_cb(ruv_handle_t *h) {
  (void)h;
  g_closed = 1;
}

TEST_CASE(fileno_readable_writable_through_lifetime) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_UNSPEC);
  struct sockaddr_storage ss = loopback(AF_INET, 0);
  tcp_pair p;
  int fd = 777, port, cfd;
  ruv_tcp_t *server;
  /* no socket yet */
  ASSERT_EQ(ruv_tcp_fileno(t, &fd), RUV_EBADF);
  ASSERT_EQ(fd, 777);
  ASSERT_EQ(ruv_tcp_readable(t), 0);
  ASSERT_EQ(ruv_tcp_writable(t), 0);
  /* bound */
  ASSERT_EQ(ruv_tcp_bind(t, (struct sockaddr *)&ss, 0), 0);
  ASSERT_EQ(ruv_tcp_fileno(t, &fd), 0);
  ASSERT_EQ(sockopt_int(fd, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
  ASSERT_EQ(ruv_tcp_readable(t), 0);
  ASSERT_EQ(ruv_tcp_writable(t), 0);
  /* listening */
  server = listen_on(loop, AF_INET, noop_conn_cb, &port);
  ASSERT_EQ(sockopt_int(tcp_fd(server), SOL_SOCKET, SO_ACCEPTCONN), 1);
  ASSERT_EQ(ruv_tcp_writable(server), 0);
  /* connected */
  make_pair(loop, AF_INET, &p);
  cfd = tcp_fd(p.client);
  ASSERT_EQ(ruv_tcp_readable(p.client), 1);
  ASSERT_EQ(ruv_tcp_writable(p.client), 1);
  ASSERT_EQ(ruv_tcp_readable(p.peer), 1);
  ASSERT_EQ(ruv_tcp_writable(p.peer), 1);
  /* shut down: still readable, no longer writable */
  ASSERT_EQ(ruv_tcp_shutdown(p.client, NULL), 0);
  ASSERT_EQ(ruv_tcp_readable(p.client), 1);
  ASSERT_EQ(ruv_tcp_writable(p.client), 0);
  g_eof = 0;
  ASSERT_EQ(ruv_tcp_start_read(p.peer, eof_read_cb), 0);
  run_until(loop, &g_eof);
  ASSERT_EQ(ruv_tcp_writable(p.peer), 1); /* half-closed the other way only */
  /* closing: no fd, neither readable nor writable; the fd is closed after */
  g_closed = 0;
  ASSERT_EQ(ruv_close(RUV_HANDLE(p.client), closed_cb), 0);
  fd = 777;
  ASSERT_EQ(ruv_tcp_fileno(p.client, &fd), RUV_EBADF);
  ASSERT_EQ(fd, 777);
  ASSERT_EQ(ruv_tcp_readable(p.client), 0);
  ASSERT_EQ(ruv_tcp_writable(p.client), 0);
  run_until(loop, &g_closed);
  ASSERT(!fd_is_open(cfd));
  finish_loop(loop);
}

static int g_sa_count;
static void sa_accept_cb(ruv_tcp_t *server, int status) {
  ruv_tcp_t *c = make_tcp(ruv_handle_get_loop(RUV_HANDLE(server)), AF_UNSPEC);
  ASSERT_EQ(status, 0);
  ASSERT_EQ(ruv_tcp_accept(server, c), 0);
  g_sa_count++;
}

static void simultaneous(int enable) {
  ruv_loop_t *loop = make_loop();
  int port, fds[4], i;
  ruv_tcp_t *server = listen_on(loop, AF_INET, sa_accept_cb, &port);
  uint64_t deadline;
  ASSERT_EQ(ruv_tcp_simultaneous_accepts(server, enable), 0);
  g_sa_count = 0;
  for (i = 0; i < 4; i++) fds[i] = raw_connect(AF_INET, port);
  test_sleep_ms(20);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  if (enable) {
    ASSERT_EQ(g_sa_count, 4); /* drained in one wakeup */
  } else {
    ASSERT_EQ(g_sa_count, 1); /* one per loop iteration */
  }
  deadline = test_now_ms() + 10000;
  while (g_sa_count < 4 && test_now_ms() < deadline) {
    ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  }
  ASSERT_EQ(g_sa_count, 4);
  for (i = 0; i < 4; i++) close(fds[i]);
  finish_loop(loop);
}

TEST_CASE(simultaneous_accepts_on_drains_backlog) { simultaneous(1); }
TEST_CASE(simultaneous_accepts_off_accepts_one_per_iteration) {
  simultaneous(0);
}

TEST_MAIN(TEST_ENTRY(nodelay_set_and_read_back),
          TEST_ENTRY(keepalive_set_and_read_back),
          TEST_ENTRY(keepalive_enable_with_zero_delay_is_einval),
          TEST_ENTRY(options_before_socket_applied_on_bind),
          TEST_ENTRY(options_before_socket_applied_on_connect),
          TEST_ENTRY(options_before_socket_applied_on_accept),
          TEST_ENTRY(buffer_sizes_set_and_read_back),
          TEST_ENTRY(buffer_sizes_without_socket_are_ebadf),
          TEST_ENTRY(fileno_readable_writable_through_lifetime),
          TEST_ENTRY(simultaneous_accepts_on_drains_backlog),
          TEST_ENTRY(simultaneous_accepts_off_accepts_one_per_iteration))
