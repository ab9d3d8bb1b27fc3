/* test_close.c - close: order of pending callbacks (ECANCELED), close callback
 * last, double close, operations on a closing handle, closing from inside
 * callbacks, close while connecting. */
#include "helpers.h"

/* ---- an event log: every callback appends (kind, index, status) ---------- */

typedef struct {
  char kind; /* 'C' connect, 'W' write, 'S' shutdown, 'X' close, 'R' read */
  int idx;
  long status;
} event;

static event g_ev[1024];
static int g_nev;

static void log_ev(char kind, int idx, long status) {
  ASSERT_LT(g_nev, 1024);
  g_ev[g_nev].kind = kind;
  g_ev[g_nev].idx = idx;
  g_ev[g_nev].status = status;
  g_nev++;
}

static void ev_connect_cb(ruv_tcp_t *tcp, int status) {
  (void)tcp;
  log_ev('C', 0, status);
}

static void ev_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  (void)tcp;
  log_ev('W', (int)(intptr_t)arg, status);
}

static void ev_shutdown_cb(ruv_tcp_t *tcp, int status) {
  (void)tcp;
  log_ev('S', 0, status);
}

static void ev_close_cb(ruv_handle_t *h) {
  /* the handle is still valid inside its close callback */
  ASSERT_EQ(ruv_is_closing(h), 1);
  log_ev('X', 0, 0);
}

static void no_accept_cb(ruv_tcp_t *server, int status) {
  (void)server;
  ASSERT_EQ(status, 0);
}

/* Run NOWAIT until n events were logged (bounded). */
static void run_until_events(ruv_loop_t *loop, int n) {
  uint64_t deadline = test_now_ms() + 20000;
  while (g_nev < n && test_now_ms() < deadline) {
    ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
    if (g_nev < n) test_sleep_ms(1);
  }
  ASSERT_EQ(g_nev, n);
}

static void assert_ev(int i, char kind, int idx, long status) {
  ASSERT_LT(i, g_nev);
  ASSERT_MSG(g_ev[i].kind == kind && g_ev[i].idx == idx &&
                 g_ev[i].status == status,
             "event %d: expected %c%d(%ld), got %c%d(%ld)", i, kind, idx,
             status, g_ev[i].kind, g_ev[i].idx, g_ev[i].status);
}

TEST_CASE(close_order_pending_connect_writes_shutdown) {
  ruv_loop_t *loop = make_loop();
  int port;
  ruv_tcp_t *client;
  struct sockaddr_storage ss;
  ruv_buf_t b;
  g_nev = 0;
  listen_on(loop, AF_INET, no_accept_cb, &port);
  client = make_tcp(loop, AF_INET);
  ss = loopback(AF_INET, port);
  ASSERT_EQ(ruv_tcp_connect(client, (struct sockaddr *)&ss, ev_connect_cb), 0);
  b.base = "first";
  b.len = 5;
  ASSERT_EQ(ruv_tcp_write(client, &b, 1, ev_write_cb, (void *)1), 0);
  b.base = "second";
  b.len = 6;
  ASSERT_EQ(ruv_tcp_write(client, &b, 1, ev_write_cb, (void *)2), 0);
  ASSERT_EQ(ruv_tcp_shutdown(client, ev_shutdown_cb), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(client), ev_close_cb), 0);
  ASSERT_EQ(g_nev, 0); /* nothing from inside the calls */
  run_until_events(loop, 5);
  assert_ev(0, 'C', 0, RUV_ECANCELED);
  assert_ev(1, 'W', 1, RUV_ECANCELED);
  assert_ev(2, 'W', 2, RUV_ECANCELED);
  assert_ev(3, 'S', 0, RUV_ECANCELED);
  assert_ev(4, 'X', 0, 0);
  finish_loop(loop);
  ASSERT_EQ(g_nev, 5); /* nothing after the close callback */
}

TEST_CASE(close_order_queued_writes_then_shutdown) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  enum { NW = 48, SZ = 256 * 1024 };
  char *big = malloc(SZ);
  ruv_buf_t b;
  int i, seen_cancel = 0;
  ASSERT_NOT_NULL(big);
  memset(big, 'q', SZ);
  g_nev = 0;
  make_pair(loop, AF_INET, &p); /* p.peer never reads */
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(p.client, 32768), 0);
  b.base = big;
  b.len = SZ;
  for (i = 0; i < NW; i++)
    ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, ev_write_cb, (void *)(intptr_t)i),
              0);
  ASSERT_GT(ruv_tcp_write_queue_size(p.client), 0);
  ASSERT_EQ(ruv_tcp_shutdown(p.client, ev_shutdown_cb), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(ruv_close(RUV_HANDLE(p.client), ev_close_cb), 0);
  run_until_events(loop, NW + 2);
  for (i = 0; i < NW; i++) {
    ASSERT_EQ(g_ev[i].kind, 'W');
    ASSERT_EQ(g_ev[i].idx, i);
    if (g_ev[i].status == RUV_ECANCELED) {
      seen_cancel = 1;
    } else {
      ASSERT_EQ(g_ev[i].status, 0);
      ASSERT_EQ(seen_cancel, 0); /* completed writes precede cancelled ones */
    }
  }
  ASSERT_EQ(g_ev[NW - 1].status, RUV_ECANCELED);
  assert_ev(NW, 'S', 0, RUV_ECANCELED);
  assert_ev(NW + 1, 'X', 0, 0);
  finish_loop(loop);
  free(big);
}

static ruv_handle_t *g_closed_ptr;
static int g_close_calls;
static void ptr_close_cb(ruv_handle_t *h) {
  g_closed_ptr = h;
  g_close_calls++;
  ASSERT_EQ(ruv_is_closing(h), 1);
  ASSERT_PTR_EQ(ruv_handle_get_data(h), &g_close_calls);
}

TEST_CASE(close_cb_once_with_same_pointer_and_data) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *tcp = make_tcp(loop, AF_INET);
  g_closed_ptr = NULL;
  g_close_calls = 0;
  ruv_handle_set_data(RUV_HANDLE(tcp), &g_close_calls);
  ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), ptr_close_cb), 0);
  ASSERT_EQ(g_close_calls, 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_close_calls, 1);
  ASSERT_PTR_EQ(g_closed_ptr, tcp);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_CASE(close_with_null_cb_frees_handle) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *a = make_tcp(loop, AF_INET);
  int port;
  ruv_tcp_t *b = listen_on(loop, AF_INET6, no_accept_cb, &port);
  ASSERT_EQ(ruv_close(RUV_HANDLE(a), NULL), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(b), NULL), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  {
    handle_list l;
    l.n = 0;
    ruv_walk(loop, collect_walk_cb, &l);
    ASSERT_EQ(l.n, 0);
  }
  /* the listening port was released: a fresh socket can bind it */
  {
    struct sockaddr_storage ss = loopback(AF_INET6, port);
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    int one = 1;
    ASSERT_GE(fd, 0);
    ASSERT_EQ(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), 0);
    ASSERT_EQ(bind(fd, (struct sockaddr *)&ss, family_len(AF_INET6)), 0);
    ASSERT_EQ(listen(fd, 1), 0);
    close(fd);
  }
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_CASE(double_close_is_einval_without_abort) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *tcp = make_tcp(loop, AF_INET);
  g_nev = 0;
  ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), ev_close_cb), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), ev_close_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_nev, 1);
  assert_ev(0, 'X', 0, 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

static void dummy_read_cb(ruv_tcp_t *t, ssize_t n, const char *d) {
  (void)t;
  (void)n;
  (void)d;
}

static void dummy_connection_cb(ruv_tcp_t *t, int s) {
  (void)t;
  (void)s;
}

static void dummy_connect_cb(ruv_tcp_t *t, int s) {
  (void)t;
  (void)s;
  ASSERT_MSG(0, "connect callback of a refused call ran");
}

TEST_CASE(every_operation_on_closing_handle_is_einval) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  ruv_tcp_t *other = make_tcp(loop, AF_UNSPEC);
  struct sockaddr_storage ss = loopback(AF_INET, 0);
  struct sockaddr_storage name;
  int namelen = (int)sizeof name, v = 7777, fd = 7777, fam = 7777;
  ruv_buf_t b;
  make_pair(loop, AF_INET, &p);
  g_nev = 0;
  b.base = "x";
  b.len = 1;
  ASSERT_EQ(ruv_close(RUV_HANDLE(p.client), NULL), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(p.server), NULL), 0);
  ASSERT_EQ(ruv_is_closing(RUV_HANDLE(p.client)), 1);
  ASSERT_EQ(ruv_tcp_bind(p.client, (struct sockaddr *)&ss, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_listen(p.client, 0, dummy_connection_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect(p.client, (struct sockaddr *)&ss,
                            dummy_connect_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_accept(p.server, other), RUV_EINVAL);
  {
    int sfd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(sfd, 0);
    ASSERT_EQ(ruv_tcp_open(p.client, sfd), RUV_EINVAL);
    ASSERT(fd_is_open(sfd)); /* a refused open does not take the fd */
    close(sfd);
  }
  ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, ev_write_cb, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_try_write(p.client, &b, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_shutdown(p.client, ev_shutdown_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_start_read(p.client, dummy_read_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_stop_read(p.client), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_nodelay(p.client, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_keepalive(p.client, 1, 10), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_simultaneous_accepts(p.server, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getsockname(p.client, (struct sockaddr *)&name, &namelen),
            RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getpeername(p.client, (struct sockaddr *)&name, &namelen),
            RUV_EINVAL);
  ASSERT_EQ(namelen, (int)sizeof name);
  ASSERT_EQ(ruv_tcp_get_send_buffer_size(p.client, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(p.client, 65536), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_get_receive_buffer_size(p.client, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_receive_buffer_size(p.client, 65536), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_family(p.client, &fam), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_fileno(p.client, &fd), RUV_EBADF);
  ASSERT_EQ(v, 7777);
  ASSERT_EQ(fd, 7777);
  ASSERT_EQ(fam, 7777);
  ASSERT_EQ(ruv_tcp_readable(p.client), 0);
  ASSERT_EQ(ruv_tcp_writable(p.client), 0);
  ASSERT_FALSE_OR(ruv_is_active(RUV_HANDLE(p.client)), 0);
  ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
  ASSERT_EQ(g_nev, 0); /* none of the refused calls ran a callback */
  finish_loop(loop);
}

TEST_CASE(close_while_connecting_cancels_connect) {
  ruv_loop_t *loop = make_loop();
  int port, fam;
  ruv_tcp_t *client;
  struct sockaddr_storage ss;
  g_nev = 0;
  listen_on(loop, AF_INET6, no_accept_cb, &port);
  client = make_tcp(loop, AF_UNSPEC);
  ss = loopback(AF_INET6, port);
  ASSERT_EQ(ruv_tcp_connect(client, (struct sockaddr *)&ss, ev_connect_cb), 0);
  ASSERT_EQ(ruv_tcp_family(client, &fam), 0);
  ASSERT_EQ(fam, AF_INET6);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(client)), 1);
  ASSERT_EQ(ruv_close(RUV_HANDLE(client), ev_close_cb), 0);
  ASSERT_EQ(g_nev, 0);
  finish_loop(loop);
  ASSERT_EQ(g_nev, 2);
  assert_ev(0, 'C', 0, RUV_ECANCELED);
  assert_ev(1, 'X', 0, 0);
}

/* ---- closing from inside callbacks -------------------------------------- */

static int g_reads;
static void close_self_read_cb(ruv_tcp_t *tcp, ssize_t nread,
                               const char *data) {
  (void)data;
  g_reads++;
  ASSERT_GT(nread, 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), ev_close_cb), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), ev_close_cb), RUV_EINVAL);
}

static void ignore_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  (void)tcp;
  (void)status;
  (void)arg;
}

TEST_CASE(close_self_in_read_cb_stops_reads) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  ruv_buf_t b;
  int i;
  make_pair(loop, AF_INET, &p);
  g_nev = 0;
  g_reads = 0;
  ASSERT_EQ(ruv_tcp_start_read(p.peer, close_self_read_cb), 0);
  b.base = "hello";
  b.len = 5;
  ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, ignore_write_cb, NULL), 0);
  for (i = 0; i < 50 && g_nev == 0; i++) {
    ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
    test_sleep_ms(2);
  }
  ASSERT_EQ(g_reads, 1);
  assert_ev(0, 'X', 0, 0);
  /* more data for the closed handle: nobody reads it */
  ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, ignore_write_cb, NULL), 0);
  for (i = 0; i < 20; i++) {
    ruv_run(loop, RUV_RUN_NOWAIT);
    test_sleep_ms(1);
  }
  ASSERT_EQ(g_reads, 1);
  ASSERT_EQ(g_nev, 1);
  finish_loop(loop);
}

static ruv_tcp_t *g_listener;
static void close_all_connect_cb(ruv_tcp_t *tcp, int status) {
  log_ev('C', 0, status);
  ASSERT_EQ(ruv_close(RUV_HANDLE(g_listener), ev_close_cb), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), ev_close_cb), 0);
  ASSERT_EQ(ruv_is_closing(RUV_HANDLE(tcp)), 1);
}

TEST_CASE(close_other_handles_inside_callback) {
  ruv_loop_t *loop = make_loop();
  int port;
  ruv_tcp_t *client;
  struct sockaddr_storage ss;
  g_nev = 0;
  g_listener = listen_on(loop, AF_INET, no_accept_cb, &port);
  client = make_tcp(loop, AF_INET);
  ss = loopback(AF_INET, port);
  ASSERT_EQ(ruv_tcp_connect(client, (struct sockaddr *)&ss,
                            close_all_connect_cb), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0); /* ends: everything closed */
  ASSERT_EQ(g_nev, 3);
  assert_ev(0, 'C', 0, 0);
  assert_ev(1, 'X', 0, 0);
  assert_ev(2, 'X', 0, 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

static void close_in_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  log_ev('W', (int)(intptr_t)arg, status);
  if ((intptr_t)arg == 0) {
    ASSERT_EQ(status, 0);
    ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), ev_close_cb), 0);
  }
}

TEST_CASE(close_from_write_cb_cancels_later_writes) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  size_t big_len = 8u << 20;
  char *big = calloc(1, big_len);
  ruv_buf_t b;
  ASSERT_NOT_NULL(big);
  g_nev = 0;
  make_pair(loop, AF_INET, &p); /* the peer never reads */
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(p.client, 32768), 0);
  b.base = "small";
  b.len = 5;
  ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, close_in_write_cb, (void *)0), 0);
  b.base = big;
  b.len = big_len;
  ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, close_in_write_cb, (void *)1), 0);
  b.base = "tail";
  b.len = 4;
  ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, close_in_write_cb, (void *)2), 0);
  free(big); /* the library copied what it did not write */
  run_until_events(loop, 4); /* w0's callback closes the handle */
  finish_loop(loop);
  ASSERT_EQ(g_nev, 4);
  assert_ev(0, 'W', 0, 0);
  assert_ev(1, 'W', 1, RUV_ECANCELED);
  assert_ev(2, 'W', 2, RUV_ECANCELED);
  assert_ev(3, 'X', 0, 0);
}

static int g_nested;
static void nested_close_cb(ruv_handle_t *h) {
  ruv_loop_t *loop = ruv_handle_get_loop(h);
  log_ev('X', g_nested, 0);
  if (g_nested++ < 3) {
    /* a close callback may start new work: a new handle, closed again */
    ruv_tcp_t *t = make_tcp(loop, AF_INET);
    ASSERT_EQ(ruv_close(RUV_HANDLE(t), nested_close_cb), 0);
  }
}

TEST_CASE(new_handle_created_in_close_cb) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_INET);
  g_nev = 0;
  g_nested = 0;
  ASSERT_EQ(ruv_close(RUV_HANDLE(t), nested_close_cb), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_nev, 4);
  assert_ev(3, 'X', 3, 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_CASE(close_listener_with_unaccepted_connection) {
  ruv_loop_t *loop = make_loop();
  int port, fd;
  char c;
  ssize_t r;
  struct timeval tv;
  ruv_tcp_t *server = listen_on(loop, AF_INET, no_accept_cb, &port);
  g_nev = 0;
  fd = raw_connect(AF_INET, port);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(ruv_close(RUV_HANDLE(server), ev_close_cb), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_nev, 1);
  tv.tv_sec = 5;
  tv.tv_usec = 0;
  ASSERT_EQ(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  r = recv(fd, &c, 1, 0);
  ASSERT_MSG(r == 0 || (r < 0 && errno == ECONNRESET),
             "pending connection not torn down: recv=%zd errno=%d", r, errno);
  close(fd);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

static ssize_t g_peer_nread;
static void record_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  (void)data;
  g_peer_nread = nread;
  ASSERT_NE(nread, 0);
  if (nread < 0) ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), NULL), 0);
}

TEST_CASE(close_sends_eof_to_peer) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  make_pair(loop, AF_INET, &p);
  g_peer_nread = 1;
  ASSERT_EQ(ruv_tcp_start_read(p.peer, record_read_cb), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(p.client), NULL), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(p.server), NULL), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_peer_nread, RUV_EOF);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_MAIN(TEST_ENTRY(close_order_pending_connect_writes_shutdown),
          TEST_ENTRY(close_order_queued_writes_then_shutdown),
          TEST_ENTRY(close_cb_once_with_same_pointer_and_data),
          TEST_ENTRY(close_with_null_cb_frees_handle),
          TEST_ENTRY(double_close_is_einval_without_abort),
          TEST_ENTRY(every_operation_on_closing_handle_is_einval),
          TEST_ENTRY(close_while_connecting_cancels_connect),
          TEST_ENTRY(close_self_in_read_cb_stops_reads),
          TEST_ENTRY(close_other_handles_inside_callback),
          TEST_ENTRY(close_from_write_cb_cancels_later_writes),
          TEST_ENTRY(new_handle_created_in_close_cb),
          TEST_ENTRY(close_listener_with_unaccepted_connection),
          TEST_ENTRY(close_sends_eof_to_peer))
