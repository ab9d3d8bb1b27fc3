/* test_misuse_order.c - the misuse table of the README "Reliability" section:
 * calls out of order (accept before listen, listen on a connected handle,
 * connect twice, start_read twice, write before connect completes, shutdown
 * twice, ...), every exported function on a closing handle, on a handle whose
 * close callback already ran, with a pointer of the wrong kind and with NULL
 * pointers. Each asserts the exact code the contract gives (the misuse table of
 * the README's "Reliability" section lists every one). */
#include "rel.h"

static int g_calls;
static void any_close_cb(ruv_handle_t *h) { (void)h; g_calls++; }
static void any_connection_cb(ruv_tcp_t *t, int s) { (void)t; (void)s; }
static void any_connect_cb(ruv_tcp_t *t, int s) { (void)t; (void)s; g_calls++; }
static void any_shutdown_cb(ruv_tcp_t *t, int s) { (void)t; (void)s; g_calls++; }
static void any_write_cb(ruv_tcp_t *t, int s, void *a) { (void)t; (void)s; (void)a; g_calls++; }
static void any_read_cb(ruv_tcp_t *t, ssize_t n, const char *d) { (void)t; (void)n; (void)d; }
static void any_walk_cb(ruv_handle_t *h, void *a) { (void)h; (void)a; }

static int g_status[4], g_nstatus;
static void status_cb(ruv_tcp_t *t, int s) {
  (void)t;
  ASSERT_LT(g_nstatus, 4);
  g_status[g_nstatus++] = s;
}
static void status_write_cb(ruv_tcp_t *t, int s, void *a) {
  (void)a;
  status_cb(t, s);
}

static ruv_buf_t one_buf(void) {
  ruv_buf_t b;
  b.base = "x";
  b.len = 1;
  return b;
}

static void run_n(ruv_loop_t *loop, int n) {
  int i;
  for (i = 0; i < n; i++) ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
}

static void run_until_status(ruv_loop_t *loop, int n) {
  uint64_t deadline = test_now_ms() + 10000;
  while (g_nstatus < n) {
    ASSERT_LT(test_now_ms(), deadline);
    ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
  }
}

/* ---- out of order ----------------------------------------------------------- */

TEST_CASE(accept_before_listen) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *s = make_tcp(loop, AF_INET), *c = make_tcp(loop, AF_UNSPEC);
  ruv_tcp_t *u = make_tcp(loop, AF_UNSPEC);
  struct sockaddr_storage ss = loopback(AF_INET, 0);
  ASSERT_EQ(ruv_tcp_accept(u, c), RUV_EINVAL);  /* no socket, not listening */
  ASSERT_EQ(ruv_tcp_accept(s, c), RUV_EINVAL);  /* socket, not listening */
  ASSERT_EQ(ruv_tcp_bind(s, (struct sockaddr *)&ss, 0), 0);
  ASSERT_EQ(ruv_tcp_accept(s, c), RUV_EINVAL);  /* bound, not listening */
  ASSERT_EQ(ruv_tcp_listen(s, 0, any_connection_cb), 0);
  ASSERT_EQ(ruv_tcp_accept(s, c), RUV_EAGAIN);  /* listening, nothing pending */
  ASSERT_EQ(ruv_tcp_accept(s, s), RUV_EAGAIN);  /* into itself: nothing pending */
  finish_loop(loop);
}

static int g_pending;
static void pending_connection_cb(ruv_tcp_t *t, int s) {
  (void)t;
  ASSERT_EQ(s, 0);
  g_pending++;
}

TEST_CASE(accept_into_wrong_clients) {
  ruv_loop_t *loop = make_loop(), *loop2 = make_loop();
  int port, fd;
  ruv_tcp_t *s = listen_on(loop, AF_INET, pending_connection_cb, &port);
  ruv_tcp_t *has_sock = make_tcp(loop, AF_INET);
  ruv_tcp_t *other_loop = make_tcp(loop2, AF_UNSPEC);
  ruv_tcp_t *closing = make_tcp(loop, AF_UNSPEC), *ok;
  fd = raw_connect(AF_INET, port);
  run_until(loop, &g_pending);
  ASSERT_EQ(ruv_tcp_accept(s, has_sock), RUV_EBUSY);    /* DESIGN §3.4 */
  ASSERT_EQ(ruv_tcp_accept(s, s), RUV_EBUSY);           /* itself: has a socket */
  ASSERT_EQ(ruv_tcp_accept(s, other_loop), RUV_EINVAL); /* another loop */
  ASSERT_EQ(ruv_close(RUV_HANDLE(closing), NULL), 0);
  ASSERT_EQ(ruv_tcp_accept(s, closing), RUV_EINVAL);    /* closing client */
  ASSERT_EQ(ruv_tcp_accept(s, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_accept(NULL, has_sock), RUV_EINVAL);
  /* The connection stayed pending through all of that. */
  ok = make_tcp(loop, AF_UNSPEC);
  ASSERT_EQ(ruv_tcp_accept(s, ok), 0);
  ASSERT_EQ(ruv_tcp_accept(ok, has_sock), RUV_EINVAL); /* accepted handle is no listener */
  close(fd);
  finish_loop(loop);
  finish_loop(loop2);
}

TEST_CASE(listen_on_connected_connecting_and_twice) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  int sport, fill[4], sfd;
  ruv_tcp_t *c = make_tcp(loop, AF_UNSPEC);
  struct sockaddr_storage ss;
  make_pair(loop, AF_INET, &p);
  ASSERT_EQ(ruv_tcp_listen(p.client, 0, any_connection_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_listen(p.peer, 0, any_connection_cb), RUV_EINVAL);
  sfd = rel_stuck_listener(&sport, fill);
  ss = loopback(AF_INET, sport);
  ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss, any_connect_cb), 0);
  ASSERT_EQ(ruv_tcp_listen(c, 0, any_connection_cb), RUV_EINVAL); /* connecting */
  /* Listening twice is allowed (new backlog and callback), like listen(2). */
  ASSERT_EQ(ruv_tcp_listen(p.server, 5, any_connection_cb), 0);
  ASSERT_EQ(ruv_tcp_listen(p.server, 0, NULL), RUV_EINVAL);
  finish_loop(loop);
  close(sfd);
  close(fill[0]); close(fill[1]); close(fill[2]); close(fill[3]);
}

TEST_CASE(connect_twice_and_on_wrong_states) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  ruv_tcp_t *c = make_tcp(loop, AF_UNSPEC);
  struct sockaddr_storage ss;
  make_pair(loop, AF_INET, &p);
  ss = loopback(AF_INET, p.port);
  g_nstatus = 0;
  ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss, status_cb), 0);
  ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss, status_cb), RUV_EALREADY);
  run_until_status(loop, 1);
  ASSERT_EQ(g_status[0], 0);
  ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss, status_cb), RUV_EISCONN);
  ASSERT_EQ(ruv_tcp_connect(p.peer, (struct sockaddr *)&ss, status_cb), RUV_EISCONN);
  ASSERT_EQ(ruv_tcp_connect(p.server, (struct sockaddr *)&ss, status_cb), RUV_EINVAL);
  run_n(loop, 5);
  ASSERT_EQ(g_nstatus, 1); /* the refused calls never called back */
  finish_loop(loop);
}

TEST_CASE(connect_again_after_refused) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *c = make_tcp(loop, AF_UNSPEC);
  int port = free_port(AF_INET), lport;
  struct sockaddr_storage ss = loopback(AF_INET, port);
  server_ctx ctx;
  ruv_tcp_t *server;
  g_nstatus = 0;
  ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss, status_cb), 0);
  run_until_status(loop, 1);
  ASSERT_EQ(g_status[0], RUV_ECONNREFUSED);
  ASSERT_EQ(ruv_tcp_readable(c), 0);
  ASSERT_EQ(ruv_tcp_writable(c), 0);
  ASSERT_EQ(ruv_tcp_start_read(c, any_read_cb), RUV_ENOTCONN);
  /* After a failed connect the handle is idle again: a new connect is
   * accepted by the library and reports the kernel's verdict through the
   * callback (never a crash, never two callbacks). */
  memset(&ctx, 0, sizeof ctx);
  server = serve(loop, AF_INET, &ctx, &lport);
  ss = loopback(AF_INET, lport);
  {
    int rc = ruv_tcp_connect(c, (struct sockaddr *)&ss, status_cb);
    if (rc == 0) {
      run_until_status(loop, 2);
      ASSERT_MSG(g_status[1] == 0 || g_status[1] < 0, "status %d", g_status[1]);
    } else {
      ASSERT_LT(rc, 0);
    }
  }
  (void)server;
  finish_loop(loop);
}

TEST_CASE(start_read_twice_and_on_wrong_states) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  ruv_tcp_t *idle = make_tcp(loop, AF_UNSPEC), *idle4 = make_tcp(loop, AF_INET);
  make_pair(loop, AF_INET, &p);
  ASSERT_EQ(ruv_tcp_start_read(p.client, any_read_cb), 0);
  ASSERT_EQ(ruv_tcp_start_read(p.client, any_read_cb), RUV_EALREADY);
  ASSERT_EQ(ruv_tcp_stop_read(p.client), 0);
  ASSERT_EQ(ruv_tcp_stop_read(p.client), 0); /* idempotent */
  ASSERT_EQ(ruv_tcp_start_read(p.client, any_read_cb), 0);
  ASSERT_EQ(ruv_tcp_start_read(p.client, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_start_read(p.server, any_read_cb), RUV_ENOTCONN);
  ASSERT_EQ(ruv_tcp_start_read(idle, any_read_cb), RUV_ENOTCONN);
  ASSERT_EQ(ruv_tcp_start_read(idle4, any_read_cb), RUV_ENOTCONN);
  ASSERT_EQ(ruv_tcp_stop_read(idle), 0);
  ASSERT_EQ(ruv_tcp_stop_read(p.server), 0);
  finish_loop(loop);
}

TEST_CASE(start_read_while_connecting) {
  ruv_loop_t *loop = make_loop();
  int sport, fill[4], sfd = rel_stuck_listener(&sport, fill);
  ruv_tcp_t *c = make_tcp(loop, AF_UNSPEC);
  struct sockaddr_storage ss = loopback(AF_INET, sport);
  ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss, any_connect_cb), 0);
  ASSERT_EQ(ruv_tcp_start_read(c, any_read_cb), RUV_ENOTCONN);
  ASSERT_EQ(ruv_tcp_writable(c), 1);
  ASSERT_EQ(ruv_tcp_readable(c), 0);
  finish_loop(loop);
  close(sfd);
  close(fill[0]); close(fill[1]); close(fill[2]); close(fill[3]);
}

static long g_got;
static int g_eof;
static void check_read_cb(ruv_tcp_t *t, ssize_t n, const char *d) {
  (void)t;
  if (n > 0) {
    ASSERT_EQ(pattern_check(d, (size_t)n, (uint64_t)g_got), (size_t)n);
    g_got += n;
  } else {
    ASSERT_EQ(n, RUV_EOF);
    g_eof = 1;
  }
}

/* Writes and a shutdown issued before the connect completes are queued and
 * succeed once it does (DESIGN §3.2, §3.6); try_write says EAGAIN meanwhile. */
TEST_CASE(write_and_shutdown_before_connect_completes) {
  ruv_loop_t *loop = make_loop();
  server_ctx ctx;
  ruv_tcp_t *server, *c = make_tcp(loop, AF_UNSPEC);
  int port, i;
  static char buf[300000];
  ruv_buf_t b;
  struct sockaddr_storage ss;
  memset(&ctx, 0, sizeof ctx);
  server = serve(loop, AF_INET, &ctx, &port);
  ss = loopback(AF_INET, port);
  g_nstatus = 0;
  g_got = 0;
  g_eof = 0;
  b = one_buf();
  ASSERT_EQ(ruv_tcp_write(c, &b, 1, status_write_cb, NULL), RUV_EBADF); /* no socket yet */
  ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss, status_cb), 0);
  pattern_fill(buf, sizeof buf, 0);
  for (i = 0; i < 3; i++) {
    b.base = buf + i * 100000;
    b.len = 100000;
    ASSERT_EQ(ruv_tcp_write(c, &b, 1, status_write_cb, NULL), 0);
  }
  memset(buf, 0, sizeof buf); /* ruv copied it */
  ASSERT_EQ(ruv_tcp_write_queue_size(c), sizeof buf);
  ASSERT_EQ(ruv_tcp_try_write(c, &b, 1), RUV_EAGAIN);
  ASSERT_EQ(ruv_tcp_shutdown(c, any_shutdown_cb), 0);
  ASSERT_EQ(ruv_tcp_shutdown(c, any_shutdown_cb), RUV_ENOTCONN);
  ASSERT_EQ(ruv_tcp_write(c, &b, 1, NULL, NULL), RUV_EPIPE);
  ASSERT_EQ(g_nstatus, 0); /* nothing called back from inside the calls */
  run_until_status(loop, 4);
  for (i = 0; i < 4; i++) ASSERT_EQ(g_status[i], 0); /* connect, then 3 writes */
  run_until(loop, &ctx.count);
  ASSERT_EQ(ruv_tcp_start_read(ctx.last, check_read_cb), 0);
  run_until(loop, &g_eof);
  ASSERT_EQ(g_got, (long)sizeof buf);
  (void)server;
  finish_loop(loop);
}

TEST_CASE(shutdown_twice_and_on_wrong_states) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  ruv_tcp_t *idle = make_tcp(loop, AF_UNSPEC), *idle4 = make_tcp(loop, AF_INET);
  ruv_buf_t b = one_buf();
  make_pair(loop, AF_INET, &p);
  g_calls = 0;
  ASSERT_EQ(ruv_tcp_shutdown(p.client, any_shutdown_cb), 0);
  ASSERT_EQ(ruv_tcp_shutdown(p.client, any_shutdown_cb), RUV_ENOTCONN); /* §3.6 */
  ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, NULL, NULL), RUV_EPIPE);
  ASSERT_EQ(ruv_tcp_try_write(p.client, &b, 1), RUV_EPIPE);
  ASSERT_EQ(ruv_tcp_shutdown(p.server, NULL), RUV_ENOTCONN);
  ASSERT_EQ(ruv_tcp_shutdown(idle, NULL), RUV_ENOTCONN);
  ASSERT_EQ(ruv_tcp_shutdown(idle4, NULL), RUV_ENOTCONN);
  run_n(loop, 10);
  ASSERT_EQ(g_calls, 1);
  ASSERT_EQ(ruv_tcp_shutdown(p.client, any_shutdown_cb), RUV_ENOTCONN); /* after it ran */
  finish_loop(loop);
}

TEST_CASE(write_on_wrong_states) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  ruv_tcp_t *idle = make_tcp(loop, AF_UNSPEC), *idle4 = make_tcp(loop, AF_INET);
  ruv_buf_t b = one_buf(), bad;
  make_pair(loop, AF_INET, &p);
  ASSERT_EQ(ruv_tcp_write(idle, &b, 1, NULL, NULL), RUV_EBADF);  /* no socket (§3.2) */
  ASSERT_EQ(ruv_tcp_try_write(idle, &b, 1), RUV_EBADF);
  ASSERT_EQ(ruv_tcp_write(idle4, &b, 1, NULL, NULL), RUV_EPIPE); /* socket, not connected */
  ASSERT_EQ(ruv_tcp_try_write(idle4, &b, 1), RUV_EPIPE);
  ASSERT_EQ(ruv_tcp_write(p.server, &b, 1, NULL, NULL), RUV_EPIPE); /* listener (§3.2) */
  ASSERT_EQ(ruv_tcp_write(p.client, &b, 0, NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_write(p.client, NULL, 1, NULL, NULL), RUV_EINVAL);
  bad.base = NULL;
  bad.len = 5;
  ASSERT_EQ(ruv_tcp_write(p.client, &bad, 1, NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_try_write(p.client, &bad, 1), RUV_EINVAL);
  bad.len = 0; /* NULL base with len 0 is fine */
  ASSERT_EQ(ruv_tcp_write(p.client, &bad, 1, NULL, NULL), 0);
  finish_loop(loop);
}

TEST_CASE(bind_and_open_on_wrong_states) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  ruv_tcp_t *t = make_tcp(loop, AF_INET), *u = make_tcp(loop, AF_UNSPEC);
  struct sockaddr_storage ss = loopback(AF_INET, 0);
  int pipefd[2], udp;
  make_pair(loop, AF_INET, &p);
  ASSERT_EQ(ruv_tcp_bind(p.server, (struct sockaddr *)&ss, 0), RUV_EINVAL); /* listening */
  ASSERT_EQ(ruv_tcp_bind(p.client, (struct sockaddr *)&ss, 0), RUV_EINVAL); /* connected */
  ASSERT_EQ(ruv_tcp_bind(t, (struct sockaddr *)&ss, 0), 0);
  ASSERT_EQ(ruv_tcp_bind(t, (struct sockaddr *)&ss, 0), RUV_EINVAL);        /* bound twice */
  ASSERT_EQ(ruv_tcp_open(u, -1), RUV_EBADF);
  ASSERT_EQ(ruv_tcp_open(u, 999), RUV_EBADF);
  ASSERT_EQ(pipe(pipefd), 0);
  ASSERT_EQ(ruv_tcp_open(u, pipefd[0]), RUV_ENOTSOCK);
  udp = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_EQ(ruv_tcp_open(u, udp), RUV_EINVAL);
  ASSERT_EQ(fd_is_open(pipefd[0]), 1); /* the caller keeps fds on failure */
  ASSERT_EQ(fd_is_open(udp), 1);
  {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_EQ(ruv_tcp_open(t, s), RUV_EBUSY); /* handle has a socket */
    ASSERT_EQ(ruv_tcp_open(u, s), 0);
    ASSERT_EQ(ruv_tcp_open(u, s), RUV_EBUSY);
  }
  close(pipefd[0]);
  close(pipefd[1]);
  close(udp);
  finish_loop(loop);
}

TEST_CASE(queries_without_socket_or_peer) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *u = make_tcp(loop, AF_UNSPEC), *t = make_tcp(loop, AF_INET);
  struct sockaddr_storage ss;
  int len = (int)sizeof ss, v = -7;
  ASSERT_EQ(ruv_tcp_getsockname(u, (struct sockaddr *)&ss, &len), RUV_EBADF);
  ASSERT_EQ(ruv_tcp_getpeername(u, (struct sockaddr *)&ss, &len), RUV_EBADF);
  ASSERT_EQ(ruv_tcp_getpeername(t, (struct sockaddr *)&ss, &len), RUV_ENOTCONN);
  ASSERT_EQ(len, (int)sizeof ss); /* untouched on failure */
  ASSERT_EQ(ruv_tcp_fileno(u, &v), RUV_EBADF);
  ASSERT_EQ(ruv_tcp_family(u, &v), RUV_EBADF);
  ASSERT_EQ(ruv_tcp_get_send_buffer_size(u, &v), RUV_EBADF);
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(u, 4096), RUV_EBADF);
  ASSERT_EQ(ruv_tcp_get_receive_buffer_size(u, &v), RUV_EBADF);
  ASSERT_EQ(ruv_tcp_set_receive_buffer_size(u, 4096), RUV_EBADF);
  ASSERT_EQ(v, -7);
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(t, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_receive_buffer_size(t, -1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_nodelay(u, 1), 0);        /* remembered for later */
  ASSERT_EQ(ruv_tcp_keepalive(u, 1, 30), 0);
  ASSERT_EQ(ruv_tcp_keepalive(u, 1, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_simultaneous_accepts(u, 0), 0);
  ASSERT_EQ(ruv_tcp_readable(u), 0);
  ASSERT_EQ(ruv_tcp_writable(u), 0);
  ASSERT_EQ(ruv_tcp_write_queue_size(u), 0);
  finish_loop(loop);
}

/* ---- every call on a closing handle, and on a handle already closed ------ */

/* Calls every function that takes a TCP/handle pointer on `h` and checks the
 * code: `code` for the int-returning ones, `fileno_code` for ruv_tcp_fileno.
 * Out-params must stay untouched. */
static void every_call(ruv_loop_t *loop, ruv_tcp_t *h, int code, int fileno_code,
                       int dead) {
  struct sockaddr_storage ss = loopback(AF_INET, 0);
  int len = (int)sizeof ss, v = -7;
  ruv_tcp_t *other = make_tcp(loop, AF_UNSPEC);
  ruv_buf_t b = one_buf();
  ASSERT_EQ(ruv_close(RUV_HANDLE(h), any_close_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_close(RUV_HANDLE(h), NULL), RUV_EINVAL);
  if (dead) {
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(h)), RUV_EINVAL);
    ASSERT_EQ(ruv_is_closing(RUV_HANDLE(h)), RUV_EINVAL);
    ASSERT_EQ(ruv_has_ref(RUV_HANDLE(h)), RUV_EINVAL);
    ASSERT_NULL(ruv_handle_get_data(RUV_HANDLE(h)));
    ASSERT_NULL(ruv_handle_get_loop(RUV_HANDLE(h)));
    ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(h)), RUV_UNKNOWN_HANDLE);
  } else {
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(h)), 0);
    ASSERT_EQ(ruv_is_closing(RUV_HANDLE(h)), 1);
    ASSERT_GE(ruv_has_ref(RUV_HANDLE(h)), 0);
    ASSERT_PTR_EQ(ruv_handle_get_loop(RUV_HANDLE(h)), loop);
    ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(h)), RUV_TCP);
  }
  ruv_ref(RUV_HANDLE(h));
  ruv_unref(RUV_HANDLE(h));
  ruv_handle_set_data(RUV_HANDLE(h), ruv_handle_get_data(RUV_HANDLE(h)));
  ASSERT_EQ(ruv_tcp_bind(h, (struct sockaddr *)&ss, 0), code);
  ASSERT_EQ(ruv_tcp_listen(h, 0, any_connection_cb), code);
  ASSERT_EQ(ruv_tcp_accept(h, other), code);
  ASSERT_EQ(ruv_tcp_accept(other, h), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect(h, (struct sockaddr *)&ss, any_connect_cb), code);
  {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_EQ(ruv_tcp_open(h, s), code);
    ASSERT_EQ(fd_is_open(s), 1); /* the caller keeps it */
    close(s);
  }
  ASSERT_EQ(ruv_tcp_getsockname(h, (struct sockaddr *)&ss, &len), code);
  ASSERT_EQ(ruv_tcp_getpeername(h, (struct sockaddr *)&ss, &len), code);
  ASSERT_EQ(len, (int)sizeof ss);
  ASSERT_EQ(ruv_tcp_shutdown(h, any_shutdown_cb), code);
  ASSERT_EQ(ruv_tcp_write(h, &b, 1, any_write_cb, NULL), code);
  ASSERT_EQ(ruv_tcp_try_write(h, &b, 1), code);
  ASSERT_EQ(ruv_tcp_start_read(h, any_read_cb), code);
  ASSERT_EQ(ruv_tcp_stop_read(h), code);
  ASSERT_EQ(ruv_tcp_nodelay(h, 1), code);
  ASSERT_EQ(ruv_tcp_keepalive(h, 1, 10), code);
  ASSERT_EQ(ruv_tcp_simultaneous_accepts(h, 1), code);
  ASSERT_EQ(ruv_tcp_fileno(h, &v), fileno_code);
  ASSERT_EQ(ruv_tcp_get_send_buffer_size(h, &v), code);
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(h, 4096), code);
  ASSERT_EQ(ruv_tcp_get_receive_buffer_size(h, &v), code);
  ASSERT_EQ(ruv_tcp_set_receive_buffer_size(h, 4096), code);
  ASSERT_EQ(ruv_tcp_family(h, &v), code);
  ASSERT_EQ(v, -7);
  ASSERT_EQ(ruv_tcp_write_queue_size(h), 0);
  /* The boolean queries answer "no" (0) for a closing handle, RUV_EINVAL for
   * a dead one. */
  ASSERT_EQ(ruv_tcp_readable(h), dead ? RUV_EINVAL : 0);
  ASSERT_EQ(ruv_tcp_writable(h), dead ? RUV_EINVAL : 0);
}

TEST_CASE(every_call_on_closing_handles) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  ruv_tcp_t *u = make_tcp(loop, AF_UNSPEC);
  make_pair(loop, AF_INET, &p);
  ASSERT_EQ(ruv_tcp_start_read(p.peer, any_read_cb), 0);
  g_calls = 0;
  ASSERT_EQ(ruv_close(RUV_HANDLE(p.server), any_close_cb), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(p.client), any_close_cb), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(p.peer), any_close_cb), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(u), any_close_cb), 0);
  every_call(loop, p.server, RUV_EINVAL, RUV_EBADF, 0);  /* §3.5 */
  every_call(loop, p.client, RUV_EINVAL, RUV_EBADF, 0);
  every_call(loop, p.peer, RUV_EINVAL, RUV_EBADF, 0);
  every_call(loop, u, RUV_EINVAL, RUV_EBADF, 0);
  ASSERT_EQ(g_calls, 0); /* nothing from inside the calls */
  finish_loop(loop);
  ASSERT_EQ(g_calls, 4);
}

/* A handle whose close callback already ran: the pointer is dead; the
 * library catches calls on it (a magic number checked on every call; the
 * object is kept, marked dead, in a per-loop quarantine of 1024 handles) and
 * returns RUV_EINVAL, printing "used after its close callback ran" to stderr
 * in debug builds. The pointer must be used before its loop is closed. */
TEST_CASE(every_call_on_a_handle_after_its_close_callback) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_INET);
  g_calls = 0;
  ASSERT_EQ(ruv_close(RUV_HANDLE(t), any_close_cb), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_calls, 1);
  every_call(loop, t, RUV_EINVAL, RUV_EINVAL, 1);
  finish_loop(loop);
}

/* ---- NULL pointers: every exported function ------------------------------ */

TEST_CASE(null_pointers_everywhere) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_INET), *out = (ruv_tcp_t *)&g_calls;
  struct sockaddr_storage ss = loopback(AF_INET, 0);
  struct sockaddr_in sin;
  char name[64];
  int len = (int)sizeof ss, v = -7;
  ruv_buf_t b = one_buf();
  ASSERT_EQ(ruv_loop_new(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_loop_close(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_run(NULL, RUV_RUN_NOWAIT), RUV_EINVAL);
  ASSERT_EQ(ruv_run(loop, (ruv_run_mode)7), RUV_EINVAL);
  ruv_stop(NULL);
  ASSERT_EQ(ruv_loop_alive(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_now(NULL), 0);
  ruv_update_time(NULL);
  ASSERT_EQ(ruv_backend_fd(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_backend_timeout(NULL), RUV_EINVAL);
  ASSERT_NULL(ruv_loop_get_data(NULL));
  ruv_loop_set_data(NULL, &v);
  ruv_walk(NULL, any_walk_cb, NULL);
  ruv_walk(loop, NULL, NULL);
  ASSERT_EQ(ruv_close(NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_is_active(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_is_closing(NULL), RUV_EINVAL);
  ruv_ref(NULL);
  ruv_unref(NULL);
  ASSERT_EQ(ruv_has_ref(NULL), RUV_EINVAL);
  ASSERT_NULL(ruv_handle_get_data(NULL));
  ruv_handle_set_data(NULL, &v);
  ASSERT_NULL(ruv_handle_get_loop(NULL));
  ASSERT_EQ(ruv_handle_get_type(NULL), RUV_UNKNOWN_HANDLE);
  ASSERT_EQ(ruv_tcp_new(NULL, AF_INET, &out), RUV_EINVAL);
  ASSERT_PTR_EQ(out, &g_calls); /* untouched */
  ASSERT_EQ(ruv_tcp_new(loop, AF_INET, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_new(loop, AF_UNIX, &out), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_bind(NULL, (struct sockaddr *)&ss, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_bind(t, NULL, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_listen(NULL, 0, any_connection_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_listen(t, 0, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_accept(NULL, t), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_accept(t, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect(NULL, (struct sockaddr *)&ss, any_connect_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect(t, NULL, any_connect_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect(t, (struct sockaddr *)&ss, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_open(NULL, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getsockname(NULL, (struct sockaddr *)&ss, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getsockname(t, NULL, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getsockname(t, (struct sockaddr *)&ss, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getpeername(NULL, (struct sockaddr *)&ss, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_shutdown(NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_write(NULL, &b, 1, NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_try_write(NULL, &b, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_try_write(t, NULL, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_start_read(NULL, any_read_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_stop_read(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_nodelay(NULL, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_keepalive(NULL, 1, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_simultaneous_accepts(NULL, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_fileno(NULL, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_fileno(t, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_get_send_buffer_size(NULL, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_get_send_buffer_size(t, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(NULL, 4096), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_get_receive_buffer_size(NULL, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_get_receive_buffer_size(t, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_receive_buffer_size(NULL, 4096), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_family(NULL, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_family(t, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_write_queue_size(NULL), 0);
  ASSERT_EQ(ruv_tcp_readable(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_writable(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_ip4_addr(NULL, 80, &sin), RUV_EINVAL);
  ASSERT_EQ(ruv_ip4_addr("127.0.0.1", 80, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_ip4_addr("127.0.0.1", 70000, &sin), RUV_EINVAL);
  ASSERT_EQ(ruv_ip4_addr("1.2.3", 80, &sin), RUV_EINVAL);
  ASSERT_EQ(ruv_ip6_addr(NULL, 80, (struct sockaddr_in6 *)&ss), RUV_EINVAL);
  ASSERT_EQ(ruv_ip6_addr("::1", 80, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_ip_name(NULL, name, sizeof name), RUV_EINVAL);
  ASSERT_EQ(ruv_ip_name((struct sockaddr *)&ss, NULL, 64), RUV_EINVAL);
  ASSERT_EQ(ruv_ip_name((struct sockaddr *)&ss, name, 3), RUV_ENOSPC);
  ASSERT_NOT_NULL(ruv_strerror(12345));
  ASSERT_NOT_NULL(ruv_err_name(12345));
  ASSERT_EQ(v, -7);
  finish_loop(loop);
}

/* A pointer of the wrong kind (a loop where a handle is expected and the
 * reverse) is RUV_EINVAL, and under valgrind/ASan no out-of-bounds read
 * (the magic check must only read the first field of the object). */
TEST_CASE(wrong_pointer_kind) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_INET);
  int v = -7;
  ASSERT_EQ(ruv_close((ruv_handle_t *)loop, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_is_active((ruv_handle_t *)loop), RUV_EINVAL);
  ASSERT_EQ(ruv_handle_get_type((ruv_handle_t *)loop), RUV_UNKNOWN_HANDLE);
  ASSERT_EQ(ruv_tcp_fileno((ruv_tcp_t *)loop, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_run((ruv_loop_t *)t, RUV_RUN_NOWAIT), RUV_EINVAL);
  ASSERT_EQ(ruv_loop_close((ruv_loop_t *)t), RUV_EINVAL);
  ASSERT_EQ(ruv_loop_alive((ruv_loop_t *)t), RUV_EINVAL);
  ASSERT_EQ(v, -7);
  finish_loop(loop);
}

TEST_MAIN(TEST_ENTRY(accept_before_listen), TEST_ENTRY(accept_into_wrong_clients),
          TEST_ENTRY(listen_on_connected_connecting_and_twice),
          TEST_ENTRY(connect_twice_and_on_wrong_states),
          TEST_ENTRY(connect_again_after_refused),
          TEST_ENTRY(start_read_twice_and_on_wrong_states),
          TEST_ENTRY(start_read_while_connecting),
          TEST_ENTRY(write_and_shutdown_before_connect_completes),
          TEST_ENTRY(shutdown_twice_and_on_wrong_states),
          TEST_ENTRY(write_on_wrong_states),
          TEST_ENTRY(bind_and_open_on_wrong_states),
          TEST_ENTRY(queries_without_socket_or_peer),
          TEST_ENTRY(every_call_on_closing_handles),
          TEST_ENTRY(every_call_on_a_handle_after_its_close_callback),
          TEST_ENTRY(null_pointers_everywhere), TEST_ENTRY(wrong_pointer_kind))
