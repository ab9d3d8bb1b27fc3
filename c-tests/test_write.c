/* test_write.c - writes: a lot of data byte-exact, FIFO order, write queue
 * with a peer that never reads, try_write, shutdown semantics, EPIPE. */
#include "helpers.h"

/* ---- a reader that checks the byte pattern and counts ------------------- */

typedef struct {
  uint64_t got;
  int eof;
  int reads;
  int close_on_eof;
} pattern_reader;

static void pattern_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  pattern_reader *r = (pattern_reader *)ruv_handle_get_data(RUV_HANDLE(tcp));
  size_t bad;
  ASSERT_NE(nread, 0);
  if (nread == RUV_EOF) {
    ASSERT_EQ(r->eof, 0);
    r->eof = 1;
    if (r->close_on_eof) ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), NULL), 0);
    return;
  }
  ASSERT_MSG(nread > 0, "read error %zd (%s)", nread,
             ruv_err_name((int)nread));
  ASSERT_EQ(r->eof, 0);
  bad = pattern_check(data, (size_t)nread, r->got);
  ASSERT_MSG(bad == (size_t)nread, "pattern mismatch at stream offset %llu",
             (unsigned long long)(r->got + bad));
  r->got += (uint64_t)nread;
  r->reads++;
}

/* ---- write a lot -------------------------------------------------------- */

typedef struct {
  int writes_done;
  int shutdown_done;
  size_t queue_at_shutdown;
  int nwrites;
} writer_state;

static void lot_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  writer_state *w = (writer_state *)ruv_handle_get_data(RUV_HANDLE(tcp));
  ASSERT_EQ(status, 0);
  ASSERT_EQ((intptr_t)arg, w->writes_done); /* FIFO */
  ASSERT_EQ(w->shutdown_done, 0);
  w->writes_done++;
}

static void lot_shutdown_cb(ruv_tcp_t *tcp, int status) {
  writer_state *w = (writer_state *)ruv_handle_get_data(RUV_HANDLE(tcp));
  ASSERT_EQ(status, 0);
  ASSERT_EQ(w->writes_done, w->nwrites); /* every write callback before */
  w->queue_at_shutdown = ruv_tcp_write_queue_size(tcp);
  w->shutdown_done = 1;
  ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), NULL), 0);
}

TEST_CASE(write_a_lot_byte_exact_then_shutdown) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  const size_t chunk = 1u << 20;
  const uint64_t total = (uint64_t)test_scaled(100, 8) << 20;
  char *buf = malloc(chunk);
  pattern_reader r;
  writer_state w;
  uint64_t off;
  int i = 0;
  ASSERT_NOT_NULL(buf);
  memset(&r, 0, sizeof r);
  memset(&w, 0, sizeof w);
  make_pair(loop, AF_INET, &p);
  ASSERT_EQ(ruv_close(RUV_HANDLE(p.server), NULL), 0);
  r.close_on_eof = 1;
  ruv_handle_set_data(RUV_HANDLE(p.peer), &r);
  ruv_handle_set_data(RUV_HANDLE(p.client), &w);
  ASSERT_EQ(ruv_tcp_start_read(p.peer, pattern_read_cb), 0);
  w.nwrites = (int)(total / chunk);
  for (off = 0; off < total; off += chunk, i++) {
    ruv_buf_t b;
    pattern_fill(buf, chunk, off); /* one buffer, reused for every write */
    b.base = buf;
    b.len = chunk;
    ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, lot_write_cb, (void *)(intptr_t)i),
              0);
  }
  ASSERT_GT(ruv_tcp_write_queue_size(p.client), 0);
  ASSERT_EQ(ruv_tcp_shutdown(p.client, lot_shutdown_cb), 0);
  memset(buf, 0, chunk);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(w.shutdown_done, 1);
  ASSERT_EQ(w.queue_at_shutdown, 0);
  ASSERT_EQ(w.writes_done, w.nwrites);
  ASSERT_EQ(r.eof, 1);
  ASSERT_EQ(r.got, total);
  ASSERT_EQ(ruv_loop_close(loop), 0);
  free(buf);
}

/* ---- write queue with a peer that never reads --------------------------- */

typedef struct {
  int idx[512];
  int status[512];
  int n;
  int closed_after;
} order_log;
static order_log g_log;

static void order_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  (void)tcp;
  ASSERT_EQ(g_log.closed_after, 0);
  ASSERT_LT(g_log.n, 512);
  g_log.idx[g_log.n] = (int)(intptr_t)arg;
  g_log.status[g_log.n] = status;
  g_log.n++;
}

static void order_close_cb(ruv_handle_t *h) {
  (void)h;
  g_log.closed_after = g_log.n;
}

TEST_CASE(write_queue_grows_then_close_cancels_in_order) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  enum { NW = 64, SZ = 128 * 1024 };
  char *buf = malloc(SZ);
  size_t q, prev = 0;
  int i, first_queued = -1, ncancel = 0;
  uint64_t deadline;
  ASSERT_NOT_NULL(buf);
  memset(buf, 'w', SZ);
  memset(&g_log, 0, sizeof g_log);
  make_pair(loop, AF_INET, &p); /* p.peer never reads */
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(p.client, 32768), 0);
  ASSERT_EQ(ruv_tcp_write_queue_size(p.client), 0);
  for (i = 0; i < NW; i++) {
    ruv_buf_t b;
    b.base = buf;
    b.len = SZ;
    ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, order_write_cb,
                            (void *)(intptr_t)i), 0);
    q = ruv_tcp_write_queue_size(p.client);
    ASSERT_GE(q, prev);
    if (prev > 0) ASSERT_EQ(q, prev + SZ); /* queued behind: copied whole */
    if (q > 0 && first_queued < 0) first_queued = i;
    prev = q;
  }
  ASSERT_GE(first_queued, 0);
  ASSERT_GT(prev, (size_t)SZ);
  /* let the loop flush what the kernel takes; the peer still reads nothing */
  for (i = 0; i < 20; i++) {
    ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
    test_sleep_ms(1);
  }
  ASSERT_GT(ruv_tcp_write_queue_size(p.client), 0);
  ASSERT_LE(ruv_tcp_write_queue_size(p.client), prev);
  ASSERT_EQ(ruv_close(RUV_HANDLE(p.client), order_close_cb), 0);
  deadline = test_now_ms() + 10000;
  while (g_log.n < NW && test_now_ms() < deadline)
    ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
  ASSERT_EQ(g_log.n, NW);
  ASSERT_EQ(g_log.closed_after, NW); /* close callback last */
  for (i = 0; i < NW; i++) {
    ASSERT_EQ(g_log.idx[i], i);
    if (g_log.status[i] == RUV_ECANCELED) {
      ncancel++;
    } else {
      ASSERT_EQ(g_log.status[i], 0);
      ASSERT_EQ(ncancel, 0);
    }
  }
  ASSERT_GT(ncancel, 0);
  finish_loop(loop);
  free(buf);
}

/* ---- try_write ---------------------------------------------------------- */

static int g_tw_write_done;
static void tw_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  (void)tcp;
  (void)arg;
  ASSERT_EQ(status, 0);
  g_tw_write_done = 1;
}

/* Non-blocking drain of a raw socket, checking the pattern. */
static uint64_t raw_drain(int fd, uint64_t off) {
  char tmp[65536];
  for (;;) {
    ssize_t n = recv(fd, tmp, sizeof tmp, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return off;
    ASSERT_GT(n, 0);
    ASSERT_EQ(pattern_check(tmp, (size_t)n, off), (size_t)n);
    off += (uint64_t)n;
  }
}

TEST_CASE(try_write_partial_and_eagain_while_queued) {
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  int port, fd, r, spins;
  ruv_tcp_t *srv;
  const size_t big = 4u << 20;
  char *buf = malloc(big + (1u << 20));
  uint64_t sent = 0, recvd = 0, qlen = 256 * 1024, deadline;
  ruv_buf_t b;
  ASSERT_NOT_NULL(buf);
  memset(&sctx, 0, sizeof sctx);
  serve(loop, AF_INET, &sctx, &port);
  fd = raw_connect(AF_INET, port);
  run_until(loop, &sctx.count);
  srv = sctx.last;
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(srv, 65536), 0);
  pattern_fill(buf, big + (1u << 20), 0);
  /* the raw peer does not read: try_write writes part and never queues */
  b.base = buf;
  b.len = big;
  r = ruv_tcp_try_write(srv, &b, 1);
  ASSERT_GT(r, 0);
  ASSERT_LT(r, (long long)big);
  ASSERT_EQ(ruv_tcp_write_queue_size(srv), 0);
  sent = (uint64_t)r;
  for (spins = 0; spins < 1000; spins++) {
    b.base = buf + sent;
    b.len = big - sent;
    r = ruv_tcp_try_write(srv, &b, 1);
    if (r == RUV_EAGAIN) break;
    ASSERT_GT(r, 0);
    sent += (uint64_t)r;
  }
  ASSERT_EQ(r, RUV_EAGAIN); /* socket full */
  /* queue a write behind the full socket */
  g_tw_write_done = 0;
  b.base = buf + sent;
  b.len = (size_t)qlen;
  ASSERT_EQ(ruv_tcp_write(srv, &b, 1, tw_write_cb, NULL), 0);
  ASSERT_GT(ruv_tcp_write_queue_size(srv), 0);
  /* the peer makes room; the queue is still non-empty: EAGAIN regardless */
  recvd = raw_drain(fd, 0);
  ASSERT_GT(recvd, 0);
  test_sleep_ms(20);
  b.base = buf + sent + qlen;
  b.len = 16;
  ASSERT_EQ(ruv_tcp_try_write(srv, &b, 1), RUV_EAGAIN);
  /* the loop flushes the queue; the peer gets everything, in order */
  deadline = test_now_ms() + 20000;
  while ((!g_tw_write_done || recvd < sent + qlen) &&
         test_now_ms() < deadline) {
    ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
    recvd = raw_drain(fd, recvd);
    test_sleep_ms(1);
  }
  ASSERT_EQ(g_tw_write_done, 1);
  ASSERT_EQ(recvd, sent + qlen);
  ASSERT_EQ(ruv_tcp_write_queue_size(srv), 0);
  /* queue empty again: try_write writes at once */
  b.base = buf + sent + qlen;
  b.len = 16;
  ASSERT_EQ(ruv_tcp_try_write(srv, &b, 1), 16);
  {
    char tmp[16];
    raw_read_exact(fd, tmp, 16);
    ASSERT_EQ(pattern_check(tmp, 16, sent + qlen), 16);
  }
  close(fd);
  finish_loop(loop);
  free(buf);
}

static int g_tw_connected;
static void tw_connect_cb(ruv_tcp_t *tcp, int status) {
  (void)tcp;
  ASSERT_EQ(status, 0);
  g_tw_connected = 1;
}

TEST_CASE(try_write_eagain_while_connecting_then_writes) {
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  int port;
  ruv_tcp_t *c;
  struct sockaddr_storage ss;
  ruv_buf_t b[2];
  char got[7];
  pattern_reader pr;
  memset(&sctx, 0, sizeof sctx);
  memset(&pr, 0, sizeof pr);
  serve(loop, AF_INET, &sctx, &port);
  c = make_tcp(loop, AF_INET);
  ss = loopback(AF_INET, port);
  g_tw_connected = 0;
  ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss, tw_connect_cb), 0);
  b[0].base = "abc";
  b[0].len = 3;
  b[1].base = "defg";
  b[1].len = 4;
  ASSERT_EQ(ruv_tcp_try_write(c, b, 2), RUV_EAGAIN);
  run_until(loop, &g_tw_connected);
  run_until(loop, &sctx.count);
  ASSERT_EQ(ruv_tcp_try_write(c, b, 2), 7); /* vectored, whole */
  {
    int fd = tcp_fd(sctx.last);
    raw_read_exact(fd, got, 7);
    ASSERT_EQ(memcmp(got, "abcdefg", 7), 0);
  }
  finish_loop(loop);
}

/* ---- shutdown ----------------------------------------------------------- */

typedef struct {
  char data[64];
  size_t len;
  int eof;
  int eof_count;
} collect_reader;

static void collect_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  collect_reader *c = (collect_reader *)ruv_handle_get_data(RUV_HANDLE(tcp));
  ASSERT_NE(nread, 0);
  if (nread == RUV_EOF) {
    c->eof = 1;
    c->eof_count++;
    return;
  }
  ASSERT_MSG(nread > 0, "read error %zd", nread);
  ASSERT_EQ(c->eof, 0); /* nothing after EOF */
  ASSERT_LE(c->len + (size_t)nread, sizeof c->data);
  memcpy(c->data + c->len, data, (size_t)nread);
  c->len += (size_t)nread;
}

static int g_sd_calls;
static int g_sd_status;
static void sd_cb(ruv_tcp_t *tcp, int status) {
  (void)tcp;
  g_sd_calls++;
  g_sd_status = status;
}

TEST_CASE(shutdown_then_eof_at_peer_and_half_close) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  collect_reader at_peer, at_client;
  ruv_buf_t b;
  int i;
  memset(&at_peer, 0, sizeof at_peer);
  memset(&at_client, 0, sizeof at_client);
  make_pair(loop, AF_INET6, &p);
  ruv_handle_set_data(RUV_HANDLE(p.peer), &at_peer);
  ruv_handle_set_data(RUV_HANDLE(p.client), &at_client);
  ASSERT_EQ(ruv_tcp_start_read(p.peer, collect_read_cb), 0);
  ASSERT_EQ(ruv_tcp_start_read(p.client, collect_read_cb), 0);
  b.base = "hello";
  b.len = 5;
  ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, NULL, NULL), 0);
  g_sd_calls = 0;
  ASSERT_EQ(ruv_tcp_shutdown(p.client, sd_cb), 0);
  ASSERT_EQ(ruv_tcp_writable(p.client), 0);
  ASSERT_EQ(ruv_tcp_readable(p.client), 1);
  run_until(loop, &at_peer.eof);
  ASSERT_EQ(g_sd_calls, 1);
  ASSERT_EQ(g_sd_status, 0);
  ASSERT_EQ(at_peer.len, 5);
  ASSERT_EQ(memcmp(at_peer.data, "hello", 5), 0);
  /* half-close: the other direction still works */
  b.base = "bye";
  b.len = 3;
  ASSERT_EQ(ruv_tcp_write(p.peer, &b, 1, NULL, NULL), 0);
  ASSERT_EQ(ruv_tcp_shutdown(p.peer, NULL), 0);
  run_until(loop, &at_client.eof);
  ASSERT_EQ(at_client.len, 3);
  ASSERT_EQ(memcmp(at_client.data, "bye", 3), 0);
  for (i = 0; i < 10; i++) ruv_run(loop, RUV_RUN_NOWAIT);
  ASSERT_EQ(at_peer.eof_count, 1); /* EOF delivered once */
  ASSERT_EQ(at_client.eof_count, 1);
  finish_loop(loop);
}

TEST_CASE(shutdown_twice_is_enotconn) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  make_pair(loop, AF_INET, &p);
  g_sd_calls = 0;
  ASSERT_EQ(ruv_tcp_shutdown(p.client, sd_cb), 0);
  ASSERT_EQ(ruv_tcp_shutdown(p.client, sd_cb), RUV_ENOTCONN);
  finish_loop(loop);
  ASSERT_EQ(g_sd_calls, 1);
  /* after the first shutdown completed, too */
  loop = make_loop();
  make_pair(loop, AF_INET, &p);
  g_sd_calls = 0;
  ASSERT_EQ(ruv_tcp_shutdown(p.client, sd_cb), 0);
  run_until(loop, &g_sd_calls);
  ASSERT_EQ(g_sd_status, 0);
  ASSERT_EQ(ruv_tcp_shutdown(p.client, sd_cb), RUV_ENOTCONN);
  finish_loop(loop);
  ASSERT_EQ(g_sd_calls, 1);
}

static void count_arg_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  (void)tcp;
  (void)status;
  (*(int *)arg)++;
}

TEST_CASE(write_after_shutdown_is_epipe) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  ruv_buf_t b;
  int wrote_cb = 0;
  make_pair(loop, AF_INET, &p);
  b.base = "x";
  b.len = 1;
  ASSERT_EQ(ruv_tcp_writable(p.client), 1);
  ASSERT_EQ(ruv_tcp_shutdown(p.client, NULL), 0);
  ASSERT_EQ(ruv_tcp_writable(p.client), 0);
  ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, count_arg_write_cb, &wrote_cb),
            RUV_EPIPE);
  ASSERT_LT(ruv_tcp_try_write(p.client, &b, 1), 0);
  finish_loop(loop);
  ASSERT_EQ(wrote_cb, 0);
}

static void noop_conn_cb(ruv_tcp_t *s, int st) {
  (void)s;
  (void)st;
}

TEST_CASE(write_on_listener_is_epipe_and_no_socket_is_ebadf) {
  ruv_loop_t *loop = make_loop();
  int port;
  ruv_tcp_t *server = listen_on(loop, AF_INET, noop_conn_cb, &port);
  ruv_tcp_t *nosock = make_tcp(loop, AF_UNSPEC);
  ruv_buf_t b;
  b.base = "x";
  b.len = 1;
  ASSERT_EQ(ruv_tcp_writable(server), 0);
  ASSERT_EQ(ruv_tcp_write(server, &b, 1, NULL, NULL), RUV_EPIPE);
  ASSERT_EQ(ruv_tcp_write(nosock, &b, 1, NULL, NULL), RUV_EBADF);
  ASSERT_EQ(ruv_tcp_write_queue_size(server), 0);
  finish_loop(loop);
}

/* ---- writes issued before the connect completes ------------------------- */

static char g_order[16];
static int g_norder;
static void ord_connect_cb(ruv_tcp_t *t, int status) {
  (void)t;
  ASSERT_EQ(status, 0);
  g_order[g_norder++] = 'C';
}
static void ord_write_cb(ruv_tcp_t *t, int status, void *arg) {
  (void)t;
  ASSERT_EQ(status, 0);
  g_order[g_norder++] = (char)(intptr_t)arg;
}
static void ord_shutdown_cb(ruv_tcp_t *t, int status) {
  (void)t;
  ASSERT_EQ(status, 0);
  g_order[g_norder++] = 'S';
}

static void writes_while_connecting(int do_shutdown) {
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  collect_reader cr;
  int port;
  ruv_tcp_t *c;
  struct sockaddr_storage ss;
  ruv_buf_t b;
  memset(&sctx, 0, sizeof sctx);
  memset(&cr, 0, sizeof cr);
  memset(g_order, 0, sizeof g_order);
  g_norder = 0;
  serve(loop, AF_INET, &sctx, &port);
  c = make_tcp(loop, AF_UNSPEC);
  ss = loopback(AF_INET, port);
  ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss, ord_connect_cb), 0);
  b.base = "abc";
  b.len = 3;
  ASSERT_EQ(ruv_tcp_write(c, &b, 1, ord_write_cb, (void *)(intptr_t)'1'), 0);
  b.base = "def";
  ASSERT_EQ(ruv_tcp_write(c, &b, 1, ord_write_cb, (void *)(intptr_t)'2'), 0);
  ASSERT_EQ(ruv_tcp_write_queue_size(c), 6);
  if (do_shutdown) ASSERT_EQ(ruv_tcp_shutdown(c, ord_shutdown_cb), 0);
  run_until(loop, &sctx.count);
  ruv_handle_set_data(RUV_HANDLE(sctx.last), &cr);
  ASSERT_EQ(ruv_tcp_start_read(sctx.last, collect_read_cb), 0);
  if (do_shutdown) {
    run_until(loop, &cr.eof);
  } else {
    uint64_t deadline = test_now_ms() + 10000;
    while (cr.len < 6 && test_now_ms() < deadline) {
      ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
      test_sleep_ms(1);
    }
  }
  ASSERT_EQ(cr.len, 6);
  ASSERT_EQ(memcmp(cr.data, "abcdef", 6), 0);
  finish_loop(loop);
  ASSERT_STR_EQ(g_order, do_shutdown ? "C12S" : "C12");
}

TEST_CASE(writes_before_connect_completes_are_flushed) {
  writes_while_connecting(0);
}

TEST_CASE(shutdown_while_connecting_waits_for_writes) {
  writes_while_connecting(1);
}

/* ---- many small writes, FIFO -------------------------------------------- */

typedef struct {
  uint32_t next;
  unsigned char part[4];
  size_t plen;
  int eof;
} seq_reader;

static void seq_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  seq_reader *s = (seq_reader *)ruv_handle_get_data(RUV_HANDLE(tcp));
  ssize_t i;
  if (nread == RUV_EOF) {
    s->eof = 1;
    ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), NULL), 0);
    return;
  }
  ASSERT_GT(nread, 0);
  for (i = 0; i < nread; i++) {
    s->part[s->plen++] = (unsigned char)data[i];
    if (s->plen == 4) {
      uint32_t v = (uint32_t)s->part[0] | (uint32_t)s->part[1] << 8 |
                   (uint32_t)s->part[2] << 16 | (uint32_t)s->part[3] << 24;
      ASSERT_EQ(v, s->next);
      s->next++;
      s->plen = 0;
    }
  }
}

static uint32_t g_seq_cb_next;
static void seq_write_cb(ruv_tcp_t *t, int status, void *arg) {
  (void)t;
  ASSERT_EQ(status, 0);
  ASSERT_EQ((uint32_t)(uintptr_t)arg, g_seq_cb_next);
  g_seq_cb_next++;
}

TEST_CASE(many_small_writes_keep_fifo_order) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  seq_reader sr;
  uint32_t i, n = (uint32_t)test_scaled(20000, 2000);
  memset(&sr, 0, sizeof sr);
  make_pair(loop, AF_INET, &p);
  ruv_handle_set_data(RUV_HANDLE(p.peer), &sr);
  ASSERT_EQ(ruv_tcp_start_read(p.peer, seq_read_cb), 0);
  g_seq_cb_next = 0;
  for (i = 0; i < n; i++) {
    unsigned char v[4];
    ruv_buf_t b;
    v[0] = (unsigned char)(i & 0xff);
    v[1] = (unsigned char)(i >> 8 & 0xff);
    v[2] = (unsigned char)(i >> 16 & 0xff);
    v[3] = (unsigned char)(i >> 24 & 0xff);
    b.base = (const char *)v;
    b.len = 4;
    ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, seq_write_cb,
                            (void *)(uintptr_t)i), 0);
    if (i % 1000 == 999) ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
  }
  ASSERT_EQ(ruv_tcp_shutdown(p.client, NULL), 0);
  run_until(loop, &sr.eof);
  ASSERT_EQ(sr.next, n);
  ASSERT_EQ(sr.plen, 0);
  finish_loop(loop);
  ASSERT_EQ(g_seq_cb_next, n);
}

TEST_CASE(vectored_write_with_more_buffers_than_iov_max) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  enum { NB = 3000, BL = 97 };
  ruv_buf_t *bufs = calloc(NB, sizeof *bufs);
  char *data = malloc((size_t)NB * BL);
  pattern_reader r;
  int i;
  ASSERT_NOT_NULL(bufs);
  ASSERT_NOT_NULL(data);
  memset(&r, 0, sizeof r);
  pattern_fill(data, (size_t)NB * BL, 0);
  make_pair(loop, AF_INET, &p);
  r.close_on_eof = 1;
  ruv_handle_set_data(RUV_HANDLE(p.peer), &r);
  ASSERT_EQ(ruv_tcp_start_read(p.peer, pattern_read_cb), 0);
  for (i = 0; i < NB; i++) {
    bufs[i].base = data + (size_t)i * BL;
    bufs[i].len = BL;
  }
  ASSERT_EQ(ruv_tcp_write(p.client, bufs, NB, NULL, NULL), 0);
  memset(data, 0, (size_t)NB * BL);
  ASSERT_EQ(ruv_tcp_shutdown(p.client, NULL), 0);
  run_until(loop, &r.eof);
  ASSERT_EQ(r.got, (uint64_t)NB * BL);
  finish_loop(loop);
  free(bufs);
  free(data);
}

TEST_MAIN(TEST_ENTRY(write_a_lot_byte_exact_then_shutdown),
          TEST_ENTRY(write_queue_grows_then_close_cancels_in_order),
          TEST_ENTRY(try_write_partial_and_eagain_while_queued),
          TEST_ENTRY(try_write_eagain_while_connecting_then_writes),
          TEST_ENTRY(shutdown_then_eof_at_peer_and_half_close),
          TEST_ENTRY(shutdown_twice_is_enotconn),
          TEST_ENTRY(write_after_shutdown_is_epipe),
          TEST_ENTRY(write_on_listener_is_epipe_and_no_socket_is_ebadf),
          TEST_ENTRY(writes_before_connect_completes_are_flushed),
          TEST_ENTRY(shutdown_while_connecting_waits_for_writes),
          TEST_ENTRY(many_small_writes_keep_fifo_order),
          TEST_ENTRY(vectored_write_with_more_buffers_than_iov_max))
