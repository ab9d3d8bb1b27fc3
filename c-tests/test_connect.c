/* test_connect.c - connect, listen and accept: refused connections through the
 * callback, open(fd) of sockets made by the test, accept EAGAIN/EBUSY, delayed
 * accept, pausing accept, listen without bind, peers that reset. */
#include "helpers.h"

#include <sys/resource.h>

static int g_done;
static int g_status;
static int g_calls;

static void status_connect_cb(ruv_tcp_t *tcp, int status) {
  (void)tcp;
  g_done = 1;
  g_status = status;
  g_calls++;
}

static void refused(int family) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *c = make_tcp(loop, AF_UNSPEC);
  struct sockaddr_storage ss = loopback(family, free_port(family));
  g_done = 0;
  g_calls = 0;
  g_status = 0;
  ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss, status_connect_cb), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(c)), 1);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0); /* the connect ends the run */
  ASSERT_EQ(g_calls, 1);
  ASSERT_EQ(g_status, RUV_ECONNREFUSED);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(c)), 0);
  ASSERT_EQ(ruv_tcp_writable(c), 0);
  finish_loop(loop);
}

TEST_CASE(connection_refused_ipv4_via_callback) { refused(AF_INET); }
TEST_CASE(connection_refused_ipv6_via_callback) { refused(AF_INET6); }

TEST_CASE(connect_while_connecting_fails_without_callback) {
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  int port, r;
  ruv_tcp_t *c;
  struct sockaddr_storage ss;
  memset(&sctx, 0, sizeof sctx);
  serve(loop, AF_INET, &sctx, &port);
  c = make_tcp(loop, AF_INET);
  ss = loopback(AF_INET, port);
  g_calls = 0;
  g_done = 0;
  ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss, status_connect_cb), 0);
  r = ruv_tcp_connect(c, (struct sockaddr *)&ss, status_connect_cb);
  ASSERT_MSG(r == RUV_EALREADY || r == RUV_EISCONN || r == RUV_EINVAL,
             "second connect returned %d", r);
  run_until(loop, &g_done);
  ASSERT_EQ(g_status, 0);
  r = ruv_tcp_connect(c, (struct sockaddr *)&ss, status_connect_cb);
  ASSERT_MSG(r == RUV_EISCONN || r == RUV_EINVAL, "connect when connected: %d",
             r);
  finish_loop(loop);
  ASSERT_EQ(g_calls, 1);
}

/* ---- open(fd) ----------------------------------------------------------- */

static int g_peer_got;
static char g_peer_buf[32];
static void peer_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  (void)tcp;
  if (nread < 0) return;
  ASSERT_LE((size_t)g_peer_got + (size_t)nread, sizeof g_peer_buf);
  memcpy(g_peer_buf + g_peer_got, data, (size_t)nread);
  g_peer_got += (int)nread;
}

static int g_open_closed;
static void open_close_cb(ruv_handle_t *h) {
  (void)h;
  g_open_closed = 1;
}

TEST_CASE(open_connected_socket_made_by_test) {
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  int port, fd, fam = 0, got_fd = -1, i;
  ruv_tcp_t *t;
  ruv_buf_t b;
  struct sockaddr_storage peer;
  int plen = (int)sizeof peer;
  memset(&sctx, 0, sizeof sctx);
  serve(loop, AF_INET, &sctx, &port);
  fd = raw_connect(AF_INET, port);
  t = make_tcp(loop, AF_UNSPEC);
  ASSERT_EQ(ruv_tcp_open(t, fd), 0);
  ASSERT_EQ(ruv_tcp_fileno(t, &got_fd), 0);
  ASSERT_EQ(got_fd, fd);
  ASSERT_EQ(ruv_tcp_family(t, &fam), 0);
  ASSERT_EQ(fam, AF_INET);
  ASSERT_EQ(ruv_tcp_readable(t), 1);
  ASSERT_EQ(ruv_tcp_writable(t), 1);
  ASSERT_EQ(ruv_tcp_getpeername(t, (struct sockaddr *)&peer, &plen), 0);
  ASSERT_EQ(addr_port(&peer), port);
  /* the handle made the fd non-blocking and uses it */
  ASSERT(fcntl(fd, F_GETFL) & O_NONBLOCK);
  run_until(loop, &sctx.count);
  g_peer_got = 0;
  ASSERT_EQ(ruv_tcp_start_read(sctx.last, peer_read_cb), 0);
  b.base = "ping";
  b.len = 4;
  ASSERT_EQ(ruv_tcp_write(t, &b, 1, NULL, NULL), 0);
  for (i = 0; i < 2000 && g_peer_got < 4; i++) {
    ruv_run(loop, RUV_RUN_NOWAIT);
    test_sleep_ms(1);
  }
  ASSERT_EQ(g_peer_got, 4);
  ASSERT_EQ(memcmp(g_peer_buf, "ping", 4), 0);
  /* and the other direction, read through ruv */
  {
    int sfd = tcp_fd(sctx.last);
    ASSERT_EQ(send(sfd, "pong", 4, 0), 4);
  }
  g_peer_got = 0;
  ASSERT_EQ(ruv_tcp_start_read(t, peer_read_cb), 0);
  for (i = 0; i < 2000 && g_peer_got < 4; i++) {
    ruv_run(loop, RUV_RUN_NOWAIT);
    test_sleep_ms(1);
  }
  ASSERT_EQ(g_peer_got, 4);
  ASSERT_EQ(memcmp(g_peer_buf, "pong", 4), 0);
  /* closing the handle closes the fd */
  g_open_closed = 0;
  ASSERT_EQ(ruv_close(RUV_HANDLE(t), open_close_cb), 0);
  run_until(loop, &g_open_closed);
  ASSERT(!fd_is_open(fd));
  finish_loop(loop);
}

TEST_CASE(open_listening_socket_made_by_test) {
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  int port, lfd, cfd, fam = 0;
  ruv_tcp_t *t;
  memset(&sctx, 0, sizeof sctx);
  lfd = raw_listen(AF_INET6, &port);
  t = make_tcp(loop, AF_UNSPEC);
  ASSERT_EQ(ruv_tcp_open(t, lfd), 0);
  ASSERT_EQ(ruv_tcp_family(t, &fam), 0);
  ASSERT_EQ(fam, AF_INET6);
  ASSERT_EQ(tcp_port(t), port);
  ruv_handle_set_data(RUV_HANDLE(t), &sctx);
  ASSERT_EQ(ruv_tcp_listen(t, 16, accept_all_cb), 0);
  cfd = raw_connect(AF_INET6, port);
  run_until(loop, &sctx.count);
  ASSERT_EQ(sctx.count, 1);
  close(cfd);
  finish_loop(loop);
}

TEST_CASE(open_on_handle_that_has_socket_fails) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_INET);
  int fd = socket(AF_INET, SOCK_STREAM, 0), r;
  ASSERT_GE(fd, 0);
  r = ruv_tcp_open(t, fd);
  ASSERT_MSG(r == RUV_EBUSY || r == RUV_EINVAL || r == RUV_EISCONN,
             "open on a handle with a socket: %d", r);
  ASSERT(fd_is_open(fd));
  close(fd);
  finish_loop(loop);
}

/* ---- accept ------------------------------------------------------------- */

static void no_accept_cb(ruv_tcp_t *server, int status) {
  (void)server;
  ASSERT_EQ(status, 0);
  g_calls++;
}

TEST_CASE(accept_with_nothing_pending_is_eagain) {
  ruv_loop_t *loop = make_loop();
  int port;
  ruv_tcp_t *server = listen_on(loop, AF_INET, no_accept_cb, &port);
  ruv_tcp_t *client = make_tcp(loop, AF_UNSPEC);
  int fam = 0;
  ASSERT_EQ(ruv_tcp_accept(server, client), RUV_EAGAIN);
  ASSERT_EQ(ruv_tcp_family(client, &fam), RUV_EBADF); /* untouched */
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(ruv_tcp_accept(server, client), RUV_EAGAIN);
  finish_loop(loop);
}

static ruv_tcp_t *g_busy;
static ruv_tcp_t *g_fresh;
static int g_busy_result;
static int g_fresh_result;
static void busy_accept_cb(ruv_tcp_t *server, int status) {
  ASSERT_EQ(status, 0);
  g_calls++;
  g_busy_result = ruv_tcp_accept(server, g_busy);
  g_fresh_result = ruv_tcp_accept(server, g_fresh);
}

TEST_CASE(accept_into_busy_client_is_ebusy_and_keeps_connection) {
  ruv_loop_t *loop = make_loop();
  int port, cfd, fam = 0;
  struct sockaddr_storage a, b;
  int alen = (int)sizeof a;
  socklen_t blen = sizeof b;
  ruv_tcp_t *server = listen_on(loop, AF_INET, busy_accept_cb, &port);
  (void)server;
  g_calls = 0;
  g_busy = make_tcp(loop, AF_INET); /* has a socket already */
  g_fresh = make_tcp(loop, AF_UNSPEC);
  g_busy_result = g_fresh_result = 12345;
  cfd = raw_connect(AF_INET, port);
  run_until(loop, &g_calls);
  ASSERT_EQ(g_busy_result, RUV_EBUSY);
  ASSERT_EQ(g_fresh_result, 0); /* the same connection, still pending */
  ASSERT_EQ(ruv_tcp_family(g_fresh, &fam), 0);
  ASSERT_EQ(fam, AF_INET);
  /* it is the raw client's connection */
  ASSERT_EQ(ruv_tcp_getpeername(g_fresh, (struct sockaddr *)&a, &alen), 0);
  ASSERT_EQ(getsockname(cfd, (struct sockaddr *)&b, &blen), 0);
  ASSERT_EQ(addr_port(&a), addr_port(&b));
  close(cfd);
  finish_loop(loop);
}

static int g_conn_cbs;
static void count_only_cb(ruv_tcp_t *server, int status) {
  (void)server;
  ASSERT_EQ(status, 0);
  g_conn_cbs++;
}

TEST_CASE(delayed_accept_pauses_until_user_accepts) {
  ruv_loop_t *loop = make_loop();
  int port, fd1, fd2, i;
  ruv_tcp_t *server = listen_on(loop, AF_INET, count_only_cb, &port);
  ruv_tcp_t *c1 = make_tcp(loop, AF_UNSPEC);
  ruv_tcp_t *c2 = make_tcp(loop, AF_UNSPEC);
  g_conn_cbs = 0;
  fd1 = raw_connect(AF_INET, port);
  fd2 = raw_connect(AF_INET, port);
  run_until(loop, &g_conn_cbs);
  /* not accepted: no further connection callbacks, no spinning */
  for (i = 0; i < 50; i++) {
    ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
    test_sleep_ms(1);
  }
  ASSERT_EQ(g_conn_cbs, 1);
  /* accept later, outside the callback */
  ASSERT_EQ(ruv_tcp_accept(server, c1), 0);
  {
    volatile int *p = &g_conn_cbs;
    uint64_t deadline = test_now_ms() + 10000;
    while (*p < 2 && test_now_ms() < deadline) {
      ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
      test_sleep_ms(1);
    }
  }
  ASSERT_EQ(g_conn_cbs, 2);
  ASSERT_EQ(ruv_tcp_accept(server, c2), 0);
  ASSERT_EQ(ruv_tcp_accept(server, make_tcp(loop, AF_UNSPEC)), RUV_EAGAIN);
  /* both accepted handles carry data */
  ASSERT_EQ(send(fd1, "1", 1, 0), 1);
  ASSERT_EQ(send(fd2, "2", 1, 0), 1);
  {
    char x = 0;
    ASSERT_EQ(ruv_tcp_try_write(c1, (ruv_buf_t[]){{"a", 1}}, 1), 1);
    ASSERT_EQ(recv(fd1, &x, 1, 0), 1);
    ASSERT_EQ(x, 'a');
    ASSERT_EQ(ruv_tcp_try_write(c2, (ruv_buf_t[]){{"b", 1}}, 1), 1);
    ASSERT_EQ(recv(fd2, &x, 1, 0), 1);
    ASSERT_EQ(x, 'b');
  }
  close(fd1);
  close(fd2);
  finish_loop(loop);
}

static ruv_tcp_t *g_later_server;
static int g_later_accept;
static void later_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  ruv_tcp_t *c = make_tcp(ruv_handle_get_loop(RUV_HANDLE(tcp)), AF_UNSPEC);
  (void)arg;
  ASSERT_EQ(status, 0);
  /* accept from another handle's callback, long after connection_cb */
  g_later_accept = ruv_tcp_accept(g_later_server, c) == 0 ? 1 : -1;
}

TEST_CASE(delayed_accept_from_another_callback) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  int port, fd;
  ruv_buf_t b;
  g_conn_cbs = 0;
  g_later_accept = 0;
  g_later_server = listen_on(loop, AF_INET, count_only_cb, &port);
  fd = raw_connect(AF_INET, port);
  run_until(loop, &g_conn_cbs);
  make_pair(loop, AF_INET, &p);
  b.base = "x";
  b.len = 1;
  ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, later_write_cb, NULL), 0);
  run_until(loop, &g_later_accept);
  ASSERT_EQ(g_later_accept, 1);
  ASSERT_EQ(g_conn_cbs, 1);
  close(fd);
  finish_loop(loop);
}

TEST_CASE(one_connection_cb_per_pending_connection) {
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  int port, fds[5], i;
  memset(&sctx, 0, sizeof sctx);
  serve(loop, AF_INET, &sctx, &port);
  for (i = 0; i < 5; i++) fds[i] = raw_connect(AF_INET, port);
  {
    uint64_t deadline = test_now_ms() + 10000;
    while (sctx.count < 5 && test_now_ms() < deadline) {
      ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
      test_sleep_ms(1);
    }
  }
  for (i = 0; i < 20; i++) ruv_run(loop, RUV_RUN_NOWAIT);
  ASSERT_EQ(sctx.count, 5);
  for (i = 0; i < 5; i++) close(fds[i]);
  finish_loop(loop);
}

TEST_CASE(listen_without_bind_binds_any_port) {
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  ruv_tcp_t *server = make_tcp(loop, AF_INET);
  struct sockaddr_storage ss;
  int len = (int)sizeof ss, fd;
  memset(&sctx, 0, sizeof sctx);
  ruv_handle_set_data(RUV_HANDLE(server), &sctx);
  ASSERT_EQ(ruv_tcp_listen(server, 0, accept_all_cb), 0);
  ASSERT_EQ(ruv_tcp_getsockname(server, (struct sockaddr *)&ss, &len), 0);
  ASSERT_EQ(ss.ss_family, AF_INET);
  ASSERT_EQ(((struct sockaddr_in *)&ss)->sin_addr.s_addr, htonl(INADDR_ANY));
  ASSERT_GT(addr_port(&ss), 0);
  fd = raw_connect(AF_INET, addr_port(&ss)); /* loopback only */
  run_until(loop, &sctx.count);
  close(fd);
  finish_loop(loop);
}

/* ---- peers that reset --------------------------------------------------- */

static ssize_t g_read_err;
static void err_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  (void)data;
  ASSERT_NE(nread, 0);
  if (nread < 0) {
    g_read_err = nread;
    ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), NULL), 0);
  }
}

TEST_CASE(peer_reset_gives_econnreset_in_read_cb) {
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  int port, fd;
  signal(SIGPIPE, SIG_DFL); /* no handler: the library must not raise it */
  memset(&sctx, 0, sizeof sctx);
  serve(loop, AF_INET, &sctx, &port);
  fd = raw_connect(AF_INET, port);
  run_until(loop, &sctx.count);
  g_read_err = 0;
  ASSERT_EQ(ruv_tcp_start_read(sctx.last, err_read_cb), 0);
  raw_reset(fd);
  {
    uint64_t deadline = test_now_ms() + 10000;
    while (g_read_err == 0 && test_now_ms() < deadline) {
      ruv_run(loop, RUV_RUN_NOWAIT);
      test_sleep_ms(1);
    }
  }
  ASSERT_EQ(g_read_err, RUV_ECONNRESET);
  finish_loop(loop);
}

static int g_wstatus[64];
static int g_nw;
static void rec_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  (void)tcp;
  (void)arg;
  g_wstatus[g_nw++] = status;
}

TEST_CASE(peer_reset_fails_writes_without_sigpipe) {
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  int port, fd, i, r, queued = 0;
  ruv_tcp_t *srv;
  char *chunk = calloc(1, 1 << 16);
  ruv_buf_t b;
  signal(SIGPIPE, SIG_DFL); /* the default action would kill the process */
  ASSERT_NOT_NULL(chunk);
  memset(&sctx, 0, sizeof sctx);
  serve(loop, AF_INET, &sctx, &port);
  fd = raw_connect(AF_INET, port);
  run_until(loop, &sctx.count);
  srv = sctx.last;
  raw_reset(fd);
  test_sleep_ms(50); /* let the RST arrive */
  g_nw = 0;
  b.base = chunk;
  b.len = 1 << 16;
  /* write until the failure shows: via the callback or as a return value */
  for (i = 0; i < 16; i++) {
    r = ruv_tcp_write(srv, &b, 1, rec_write_cb, NULL);
    if (r < 0) break;
    queued++;
    ruv_run(loop, RUV_RUN_NOWAIT);
    if (g_nw > 0 && g_wstatus[g_nw - 1] < 0) break;
  }
  {
    uint64_t deadline = test_now_ms() + 10000;
    while (g_nw < queued && test_now_ms() < deadline) {
      ruv_run(loop, RUV_RUN_NOWAIT);
      test_sleep_ms(1);
    }
  }
  ASSERT_EQ(g_nw, queued);
  if (queued > 0 && g_wstatus[g_nw - 1] < 0) {
    int first_err = -1;
    for (i = 0; i < g_nw; i++)
      if (g_wstatus[i] < 0 && first_err < 0) first_err = i;
    ASSERT_MSG(g_wstatus[first_err] == RUV_ECONNRESET ||
                   g_wstatus[first_err] == RUV_EPIPE,
               "write cb status %d", g_wstatus[first_err]);
    /* the writes behind the failed one get the same error */
    for (i = first_err; i < g_nw; i++)
      ASSERT_EQ(g_wstatus[i], g_wstatus[first_err]);
    ASSERT_EQ(ruv_tcp_writable(srv), 0);
    ASSERT_EQ(ruv_tcp_write(srv, &b, 1, rec_write_cb, NULL), RUV_EPIPE);
  } else {
    ASSERT_MSG(r == RUV_ECONNRESET || r == RUV_EPIPE, "write returned %d", r);
  }
  finish_loop(loop);
  free(chunk);
}


/* ---- EMFILE: shed pending connections, do not spin, keep serving -------- */


static int g_emfile_conns;
static void emfile_accept_cb(ruv_tcp_t *server, int status) {
  ruv_tcp_t *c = make_tcp(ruv_handle_get_loop(RUV_HANDLE(server)), AF_UNSPEC);
  ASSERT_EQ(status, 0);
  ASSERT_EQ(ruv_tcp_accept(server, c), 0);
  g_emfile_conns++;
}

TEST_CASE(emfile_sheds_connections_without_spinning) {
  ruv_loop_t *loop = make_loop();
  int port, clients[3], fillers[4096], nfill = 0, i, bfd;
  struct rlimit rl;
  struct pollfd pfd;
  listen_on(loop, AF_INET, emfile_accept_cb, &port);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  g_emfile_conns = 0;
  /* a low descriptor limit, then use up every descriptor */
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  {
    int probe = dup(0);
    ASSERT_GE(probe, 0);
    close(probe);
    rl.rlim_cur = (rlim_t)probe + 64;
  }
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
  for (i = 0; i < 3; i++) clients[i] = raw_connect(AF_INET, port);
  for (;;) {
    int fd = dup(0);
    if (fd < 0) {
      ASSERT_EQ(errno, EMFILE);
      break;
    }
    ASSERT_LT(nfill, 4096);
    fillers[nfill++] = fd;
  }
  /* the loop sheds the 3 pending connections and goes idle */
  for (i = 0; i < 20; i++) ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(g_emfile_conns, 0); /* no connection_cb for shed connections */
  bfd = ruv_backend_fd(loop);
  pfd.fd = bfd;
  pfd.events = POLLIN;
  pfd.revents = 0;
  ASSERT_EQ(poll(&pfd, 1, 0), 0);           /* no readiness left: no spin */
  ASSERT_EQ(ruv_backend_timeout(loop), -1); /* nothing pending */
  for (i = 0; i < 3; i++) {
    char c;
    struct timeval tv;
    ssize_t r;
    tv.tv_sec = 5;
    tv.tv_usec = 0;
    ASSERT_EQ(setsockopt(clients[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    r = recv(clients[i], &c, 1, 0);
    ASSERT_MSG(r == 0 || (r < 0 && errno == ECONNRESET),
               "shed connection %d not closed: recv=%zd errno=%d", i, r, errno);
    close(clients[i]);
  }
  /* descriptors back: the listener keeps serving */
  for (i = 0; i < nfill; i++) close(fillers[i]);
  clients[0] = raw_connect(AF_INET, port);
  run_until(loop, &g_emfile_conns);
  ASSERT_EQ(g_emfile_conns, 1);
  close(clients[0]);
  finish_loop(loop);
}

TEST_MAIN(TEST_ENTRY(connection_refused_ipv4_via_callback),
          TEST_ENTRY(connection_refused_ipv6_via_callback),
          TEST_ENTRY(connect_while_connecting_fails_without_callback),
          TEST_ENTRY(open_connected_socket_made_by_test),
          TEST_ENTRY(open_listening_socket_made_by_test),
          TEST_ENTRY(open_on_handle_that_has_socket_fails),
          TEST_ENTRY(accept_with_nothing_pending_is_eagain),
          TEST_ENTRY(accept_into_busy_client_is_ebusy_and_keeps_connection),
          TEST_ENTRY(delayed_accept_pauses_until_user_accepts),
          TEST_ENTRY(delayed_accept_from_another_callback),
          TEST_ENTRY(one_connection_cb_per_pending_connection),
          TEST_ENTRY(listen_without_bind_binds_any_port),
          TEST_ENTRY(peer_reset_gives_econnreset_in_read_cb),
          TEST_ENTRY(peer_reset_fails_writes_without_sigpipe),
          TEST_ENTRY(emfile_sheds_connections_without_spinning))
