/* test_backpressure.c - write watermarks (ruv_tcp_set_watermarks, the drain
 * callback) and the write limit (ruv_tcp_set_write_limit, RUV_ENOBUFS), against
 * raw peers that read only when the test says so. */
#include "helpers.h"

#define LOW ((size_t)8192)
#define HIGH ((size_t)65536)
#define CHUNK 4096

/* ---- shared state of the callbacks -------------------------------------- */

static struct {
  ruv_tcp_t *conn;     /* the handle under test */
  int drains;          /* drain callbacks so far */
  int in_write;        /* set around every ruv_tcp_write of the test */
  size_t low;          /* the low watermark in force */
  size_t queue_at_drain;
  int closed;          /* ruv_close was called on conn */
  int close_cb;        /* its close callback ran */
  int writes_ok, writes_err, writes_cancelled, writes_issued;
  int first_err;
  int close_cb_saw_writes; /* write callbacks seen when the close callback ran */
} g;

static void reset_g(void) {
  memset(&g, 0, sizeof g);
  g.low = LOW;
}

static void on_drain(ruv_tcp_t *tcp) {
  ASSERT_PTR_EQ(tcp, g.conn);
  ASSERT_MSG(!g.in_write, "drain callback inside ruv_tcp_write");
  ASSERT_MSG(!g.closed, "drain callback after ruv_close");
  ASSERT_EQ(g.writes_err, 0);
  g.queue_at_drain = ruv_tcp_write_queue_size(tcp);
  ASSERT_LE(g.queue_at_drain, g.low);
  g.drains++;
}

static void count_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  (void)tcp;
  (void)arg;
  if (status == 0) {
    g.writes_ok++;
  } else if (status == RUV_ECANCELED) {
    g.writes_cancelled++;
  } else {
    if (g.writes_err++ == 0) g.first_err = status;
  }
}

static void on_conn_closed(ruv_handle_t *h) {
  ASSERT_PTR_EQ(h, RUV_HANDLE(g.conn));
  g.close_cb = 1;
  g.close_cb_saw_writes = g.writes_ok + g.writes_err + g.writes_cancelled;
}

static int write_chunk(ruv_tcp_t *tcp, const char *buf, size_t len) {
  ruv_buf_t b;
  int r;
  b.base = buf;
  b.len = len;
  g.in_write = 1;
  r = ruv_tcp_write(tcp, &b, 1, count_write_cb, NULL);
  g.in_write = 0;
  if (r == 0) g.writes_issued++;
  return r;
}

/* ---- a ruv connection to a raw peer that reads only when told ------------ */

typedef struct {
  ruv_loop_t *loop;
  ruv_tcp_t *server;
  ruv_tcp_t *conn; /* the accepted ruv handle */
  server_ctx sctx;
  int peer;        /* raw, non-blocking */
  int gone;        /* the peer was reset (and closed) */
  int eof;         /* the peer read an end of stream */
  uint64_t sent;   /* pattern offset of the next byte to write */
  uint64_t got;    /* bytes the peer read (pattern-checked) */
} bp_pair;

static void bp_open(bp_pair *p) {
  int port, small = 4096;
  struct sockaddr_storage ss;
  memset(p, 0, sizeof *p);
  p->loop = make_loop();
  p->server = serve(p->loop, AF_INET, &p->sctx, &port);
  p->peer = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(p->peer, 0);
  /* small kernel buffers on both sides: the ruv queue grows after a few KB */
  ASSERT_EQ(setsockopt(p->peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
  ss = loopback(AF_INET, port);
  ASSERT_EQ(connect(p->peer, (struct sockaddr *)&ss, family_len(AF_INET)), 0);
  run_until(p->loop, (volatile int *)&p->sctx.count);
  p->conn = p->sctx.last;
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(p->conn, 4096), 0);
  raw_set_nonblock(p->peer);
  g.conn = p->conn;
}

/* Write pattern chunks until the queue is above `above`. */
static void bp_fill(bp_pair *p, size_t above) {
  char buf[CHUNK];
  while (ruv_tcp_write_queue_size(p->conn) <= above) {
    pattern_fill(buf, sizeof buf, p->sent);
    ASSERT_EQ(write_chunk(p->conn, buf, sizeof buf), 0);
    p->sent += sizeof buf;
  }
}

/* The peer reads what is there (at most `max` bytes), checking the pattern. */
static void bp_peer_read(bp_pair *p, size_t max) {
  char buf[16384];
  if (p->gone || p->eof) return;
  while (max > 0) {
    size_t want = max < sizeof buf ? max : sizeof buf;
    ssize_t r = recv(p->peer, buf, want, 0);
    size_t bad;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (r == 0) {
      p->eof = 1;
      return;
    }
    ASSERT_MSG(r > 0, "peer recv: %zd (%s)", r, strerror(errno));
    bad = pattern_check(buf, (size_t)r, p->got);
    ASSERT_MSG(bad == (size_t)r, "pattern mismatch at stream offset %llu",
               (unsigned long long)(p->got + bad));
    p->got += (uint64_t)r;
    max -= (size_t)r;
  }
}

/* Run NOWAIT for `ms` milliseconds. */
static void run_for(ruv_loop_t *loop, long ms) {
  uint64_t end = test_now_ms() + (uint64_t)ms;
  while (test_now_ms() < end) {
    ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
    test_sleep_ms(1);
  }
}

/* The peer reads and the loop runs until `*flag` >= want (10 s at most). */
static void bp_read_until(bp_pair *p, volatile int *flag, int want) {
  uint64_t deadline = test_now_ms() + 10000;
  while (*flag < want && test_now_ms() < deadline) {
    bp_peer_read(p, (size_t)-1);
    ASSERT_GE(ruv_run(p->loop, RUV_RUN_NOWAIT), 0);
    test_sleep_ms(1);
  }
  ASSERT_MSG(*flag >= want, "condition never reached (%d of %d)", *flag, want);
}

/* The peer reads everything written so far. */
static void bp_read_all(bp_pair *p) {
  uint64_t deadline = test_now_ms() + 10000;
  while (p->got < p->sent && test_now_ms() < deadline) {
    bp_peer_read(p, (size_t)-1);
    ASSERT_GE(ruv_run(p->loop, RUV_RUN_NOWAIT), 0);
    if (p->got < p->sent) test_sleep_ms(1);
  }
  ASSERT_EQ(p->got, p->sent);
  ASSERT_EQ(ruv_tcp_write_queue_size(p->conn), 0);
}

/* The peer resets the connection (RST) and is gone. */
static void bp_peer_reset(bp_pair *p) {
  raw_reset(p->peer);
  p->gone = 1;
}

static void bp_close(bp_pair *p) {
  if (!p->gone) close(p->peer);
  finish_loop(p->loop);
}

/* ---- watermarks ----------------------------------------------------------- */

TEST_CASE(drain_once_per_congestion_from_the_loop) {
  bp_pair p;
  int round;
  reset_g();
  bp_open(&p);
  ASSERT_EQ(ruv_tcp_set_watermarks(p.conn, LOW, HIGH, on_drain), 0);
  for (round = 1; round <= 2; round++) {
    bp_fill(&p, HIGH); /* congested now */
    ASSERT_GT(ruv_tcp_write_queue_size(p.conn), HIGH);
    ASSERT_EQ(ruv_tcp_writable(p.conn), 1); /* the watermark only informs */
    ASSERT_EQ(g.drains, round - 1);
    run_for(p.loop, 50); /* the kernel may still take a little: top the queue up */
    bp_fill(&p, HIGH);
    run_for(p.loop, 200); /* the peer does not read: no drain */
    ASSERT_EQ(g.drains, round - 1);
    ASSERT_GT(ruv_tcp_write_queue_size(p.conn), LOW);
    bp_read_until(&p, &g.drains, round); /* the peer reads: one drain */
    ASSERT_LE(g.queue_at_drain, LOW);
    bp_read_all(&p);
    run_for(p.loop, 50);
    ASSERT_EQ(g.drains, round); /* exactly one per congestion */
  }
  ASSERT_EQ(g.writes_ok, g.writes_issued);
  bp_close(&p);
}

/* Above means strictly above; writes queued while connecting count. */
TEST_CASE(congestion_is_strictly_above_high_and_counts_connect_queue) {
  static char buf[HIGH + 1];
  int lfd, port, step;
  for (step = 0; step < 2; step++) {
    ruv_loop_t *loop = make_loop();
    ruv_tcp_t *t = make_tcp(loop, AF_UNSPEC); /* no socket yet: remembered */
    struct sockaddr_storage ss;
    size_t len = HIGH + (size_t)step;
    reset_g();
    g.conn = t;
    lfd = raw_listen(AF_INET, &port); /* never accepts: the kernel backlog does */
    ASSERT_EQ(ruv_tcp_set_watermarks(t, 0, HIGH, on_drain), 0);
    g.low = 0;
    ss = loopback(AF_INET, port);
    ASSERT_EQ(ruv_tcp_connect(t, (struct sockaddr *)&ss, connect_flag_cb), 0);
    {
      connect_flag f = {0, 0};
      ruv_handle_set_data(RUV_HANDLE(t), &f);
      pattern_fill(buf, len, 0);
      ASSERT_EQ(write_chunk(t, buf, len), 0); /* queued whole: connecting */
      ASSERT_EQ(ruv_tcp_write_queue_size(t), len);
      run_until(loop, &f.connected);
      ASSERT_EQ(f.status, 0);
      run_until(loop, &g.writes_ok);
      run_for(loop, 50);
      ruv_handle_set_data(RUV_HANDLE(t), NULL);
    }
    ASSERT_EQ(ruv_tcp_write_queue_size(t), 0);
    ASSERT_EQ(g.drains, step); /* HIGH bytes: not congested; HIGH + 1: one drain */
    close(lfd);
    finish_loop(loop);
  }
}

TEST_CASE(no_drain_after_close_while_congested) {
  bp_pair p;
  reset_g();
  bp_open(&p);
  ASSERT_EQ(ruv_tcp_set_watermarks(p.conn, LOW, HIGH, on_drain), 0);
  bp_fill(&p, HIGH);
  g.closed = 1;
  ASSERT_EQ(ruv_close(RUV_HANDLE(p.conn), on_conn_closed), 0);
  {
    uint64_t deadline = test_now_ms() + 5000;
    while (!g.close_cb && test_now_ms() < deadline) {
      bp_peer_read(&p, (size_t)-1);
      ASSERT_GE(ruv_run(p.loop, RUV_RUN_NOWAIT), 0);
    }
  }
  ASSERT_EQ(g.close_cb, 1);
  ASSERT_EQ(g.drains, 0);
  ASSERT_GT(g.writes_cancelled, 0);
  ASSERT_EQ(g.close_cb_saw_writes, g.writes_issued); /* close callback last */
  bp_close(&p);
}

/* A drain already queued (the flush ran in the I/O phase) is dropped when the
 * handle is closed before the loop delivers it: close it from a check callback,
 * which runs after the I/O phase of the same iteration. */
static void close_when_drained_check_cb(ruv_check_t *check) {
  if (g.closed || ruv_tcp_write_queue_size(g.conn) > g.low) return;
  g.closed = 1;
  ASSERT_EQ(ruv_close(RUV_HANDLE(g.conn), on_conn_closed), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(check), NULL), 0);
}

TEST_CASE(queued_drain_dropped_by_close) {
  bp_pair p;
  ruv_check_t *check;
  reset_g();
  bp_open(&p);
  ASSERT_EQ(ruv_tcp_set_watermarks(p.conn, LOW, HIGH, on_drain), 0);
  bp_fill(&p, HIGH);
  ASSERT_EQ(ruv_check_new(p.loop, &check), 0);
  ASSERT_EQ(ruv_check_start(check, close_when_drained_check_cb), 0);
  bp_read_until(&p, &g.close_cb, 1);
  run_for(p.loop, 50);
  ASSERT_EQ(g.closed, 1);
  ASSERT_EQ(g.drains, 0);
  bp_close(&p);
}

TEST_CASE(no_drain_after_write_error) {
  bp_pair p;
  reset_g();
  bp_open(&p);
  ASSERT_EQ(ruv_tcp_set_watermarks(p.conn, LOW, HIGH, on_drain), 0);
  bp_fill(&p, HIGH);
  bp_peer_reset(&p); /* RST: the queued writes fail */
  {
    uint64_t deadline = test_now_ms() + 5000;
    while (g.writes_err == 0 && test_now_ms() < deadline) {
      ASSERT_GE(ruv_run(p.loop, RUV_RUN_NOWAIT), 0);
      test_sleep_ms(1);
    }
  }
  ASSERT_GT(g.writes_err, 0);
  ASSERT_MSG(g.first_err == RUV_ECONNRESET || g.first_err == RUV_EPIPE, "write error %s",
             ruv_err_name(g.first_err));
  run_for(p.loop, 50);
  ASSERT_EQ(g.drains, 0);
  ASSERT_EQ(g.writes_ok + g.writes_err, g.writes_issued);
  bp_close(&p);
}

/* A drain already queued is dropped when a write fails before the loop
 * delivers it (low = 0: the drain is queued when the queue empties). */
static bp_pair *g_pair;
static void fail_write_when_drained_check_cb(ruv_check_t *check) {
  char byte = 'x';
  if (ruv_tcp_write_queue_size(g.conn) != 0) return; /* the flush just queued the drain */
  bp_peer_reset(g_pair);
  test_sleep_ms(20); /* the reset has arrived */
  ASSERT_EQ(write_chunk(g.conn, &byte, 1), 0); /* sent at once: fails */
  ASSERT_EQ(ruv_tcp_writable(g.conn), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(check), NULL), 0);
}

TEST_CASE(queued_drain_dropped_by_write_error) {
  bp_pair p;
  ruv_check_t *check;
  reset_g();
  g.low = 0;
  bp_open(&p);
  g_pair = &p;
  ASSERT_EQ(ruv_tcp_set_watermarks(p.conn, 0, HIGH, on_drain), 0);
  bp_fill(&p, HIGH);
  ASSERT_EQ(ruv_check_new(p.loop, &check), 0);
  ASSERT_EQ(ruv_check_start(check, fail_write_when_drained_check_cb), 0);
  bp_read_until(&p, &g.writes_err, 1);
  run_for(p.loop, 50);
  ASSERT_EQ(g.drains, 0);
  bp_close(&p);
}

TEST_CASE(high_zero_turns_watermarks_off) {
  bp_pair p;
  reset_g();
  bp_open(&p);
  /* off before a congestion */
  ASSERT_EQ(ruv_tcp_set_watermarks(p.conn, LOW, HIGH, on_drain), 0);
  ASSERT_EQ(ruv_tcp_set_watermarks(p.conn, 0, 0, NULL), 0);
  bp_fill(&p, HIGH);
  bp_read_all(&p);
  run_for(p.loop, 50);
  ASSERT_EQ(g.drains, 0);
  /* off during a congestion */
  ASSERT_EQ(ruv_tcp_set_watermarks(p.conn, LOW, HIGH, on_drain), 0);
  bp_fill(&p, HIGH);
  ASSERT_EQ(ruv_tcp_set_watermarks(p.conn, 0, 0, on_drain), 0); /* cb ignored with high 0 */
  bp_read_all(&p);
  run_for(p.loop, 50);
  ASSERT_EQ(g.drains, 0);
  /* on again: works */
  ASSERT_EQ(ruv_tcp_set_watermarks(p.conn, LOW, HIGH, on_drain), 0);
  bp_fill(&p, HIGH);
  bp_read_all(&p);
  run_for(p.loop, 50);
  ASSERT_EQ(g.drains, 1);
  bp_close(&p);
}

/* Raising `low` above the queue of a congested handle drains it, from the loop. */
TEST_CASE(raising_low_while_congested_drains_from_the_loop) {
  bp_pair p;
  reset_g();
  bp_open(&p);
  ASSERT_EQ(ruv_tcp_set_watermarks(p.conn, LOW, HIGH, on_drain), 0);
  bp_fill(&p, HIGH);
  g.low = 4 * HIGH;
  ASSERT_EQ(ruv_tcp_set_watermarks(p.conn, 4 * HIGH, 4 * HIGH, on_drain), 0);
  ASSERT_EQ(g.drains, 0); /* not inside the call */
  ASSERT_GE(ruv_run(p.loop, RUV_RUN_NOWAIT), 0);
  ASSERT_EQ(g.drains, 1);
  bp_read_all(&p);
  run_for(p.loop, 50);
  ASSERT_EQ(g.drains, 1);
  bp_close(&p);
}

TEST_CASE(watermark_arguments_and_misuse) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_INET);
  ruv_tcp_t *closing = make_tcp(loop, AF_INET);
  ruv_timer_t *timer;
  ASSERT_EQ(ruv_timer_new(loop, &timer), 0);
  ASSERT_EQ(ruv_tcp_set_watermarks(NULL, 1, 2, on_drain), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_watermarks(t, 3, 2, on_drain), RUV_EINVAL);   /* low > high */
  ASSERT_EQ(ruv_tcp_set_watermarks(t, 0, 2, NULL), RUV_EINVAL);       /* no callback */
  ASSERT_EQ(ruv_tcp_set_watermarks(t, 1, 0, NULL), RUV_EINVAL);       /* low > high 0 */
  ASSERT_EQ(ruv_tcp_set_watermarks(t, 0, 0, NULL), 0);                /* off */
  ASSERT_EQ(ruv_tcp_set_watermarks(t, 2, 2, on_drain), 0);            /* low == high */
  ASSERT_EQ(ruv_tcp_set_watermarks((ruv_tcp_t *)timer, 1, 2, on_drain), RUV_EINVAL);
  ASSERT_EQ(ruv_close(RUV_HANDLE(closing), NULL), 0);
  ASSERT_EQ(ruv_tcp_set_watermarks(closing, 1, 2, on_drain), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_watermarks(closing, 3, 2, NULL), RUV_EINVAL);
  finish_loop(loop);
}

/* ---- the write limit ------------------------------------------------------ */

TEST_CASE(write_limit_boundaries_and_connect_queue) {
  static char buf[8000];
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_INET);
  int lfd, port, fd;
  uint64_t off = 0;
  struct sockaddr_storage ss;
  connect_flag f = {0, 0};
  char got[16000];
  reset_g();
  g.conn = t;
  lfd = raw_listen(AF_INET, &port);
  ASSERT_EQ(ruv_tcp_set_write_limit(t, 1000), 0);
  ss = loopback(AF_INET, port);
  ruv_handle_set_data(RUV_HANDLE(t), &f);
  ASSERT_EQ(ruv_tcp_connect(t, (struct sockaddr *)&ss, connect_flag_cb), 0);
  /* while connecting, every write is queued, and counts */
  pattern_fill(buf, 600, off);
  ASSERT_EQ(write_chunk(t, buf, 600), 0); /* empty queue: accepted */
  off += 600;
  pattern_fill(buf, 400, off);
  ASSERT_EQ(write_chunk(t, buf, 400), 0); /* 600 + 400 = the limit: accepted */
  off += 400;
  ASSERT_EQ(ruv_tcp_write_queue_size(t), 1000);
  pattern_fill(buf, 1, off);
  ASSERT_EQ(write_chunk(t, buf, 1), RUV_ENOBUFS); /* one byte past it */
  ASSERT_EQ(ruv_tcp_write_queue_size(t), 1000);  /* nothing queued */
  ASSERT_EQ(ruv_tcp_set_write_limit(t, 0), 0);   /* no limit */
  pattern_fill(buf, 5000, off);
  ASSERT_EQ(write_chunk(t, buf, 5000), 0);
  off += 5000;
  ASSERT_EQ(ruv_tcp_set_write_limit(t, 100), 0); /* below the queue already */
  ASSERT_EQ(write_chunk(t, buf, 1), RUV_ENOBUFS);
  ASSERT_EQ(ruv_tcp_write_queue_size(t), 6000);
  run_until(loop, &f.connected);
  ASSERT_EQ(f.status, 0);
  {
    uint64_t deadline = test_now_ms() + 5000;
    while (ruv_tcp_write_queue_size(t) > 0 && test_now_ms() < deadline)
      ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
  }
  ASSERT_EQ(ruv_tcp_write_queue_size(t), 0);
  /* an empty queue takes a write of any size */
  pattern_fill(buf, sizeof buf, off);
  ASSERT_EQ(write_chunk(t, buf, sizeof buf), 0);
  off += sizeof buf;
  run_until(loop, &g.writes_ok);
  while (g.writes_ok < g.writes_issued) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(g.writes_ok, 4);
  /* the peer got exactly the accepted writes, in order */
  fd = accept(lfd, NULL, NULL);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(off, 14000);
  raw_read_exact(fd, got, (size_t)off);
  ASSERT_EQ(pattern_check(got, (size_t)off, 0), (size_t)off);
  ASSERT_EQ(ruv_close(RUV_HANDLE(t), NULL), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(recv(fd, got, 1, 0), 0); /* and nothing more */
  close(fd);
  close(lfd);
  finish_loop(loop);
}

TEST_CASE(write_limit_loses_nothing_under_pressure) {
  static char buf[10000];
  const size_t limit = 32768;
  bp_pair p;
  long i, refused = 0;
  long rounds = test_scaled(4000, 800);
  reset_g();
  bp_open(&p);
  ASSERT_EQ(ruv_tcp_set_write_limit(p.conn, limit), 0);
  for (i = 0; i < rounds || refused < 20; i++) {
    size_t len = 1 + (size_t)((i * 7919) % 9000);
    size_t before = ruv_tcp_write_queue_size(p.conn);
    int r;
    ASSERT_LT(i, 100000);
    pattern_fill(buf, len, p.sent);
    r = write_chunk(p.conn, buf, len);
    if (r == RUV_ENOBUFS) {
      refused++;
      ASSERT_GT(before, 0);
      ASSERT_GT(before + len, limit);
      ASSERT_EQ(ruv_tcp_write_queue_size(p.conn), before);
    } else {
      ASSERT_EQ(r, 0);
      p.sent += len;
    }
    ASSERT_LE(ruv_tcp_write_queue_size(p.conn), limit + sizeof buf);
    if (i % 7 == 0) ASSERT_GE(ruv_run(p.loop, RUV_RUN_NOWAIT), 0);
    if (i % 13 == 0) bp_peer_read(&p, 3000);
  }
  ASSERT_GE(refused, 20);
  bp_read_all(&p); /* every accepted byte, in order, nothing else */
  run_for(p.loop, 20);
  ASSERT_EQ(g.writes_ok, g.writes_issued); /* no callback for a refused write */
  {
    char extra;
    ASSERT_EQ(recv(p.peer, &extra, 1, 0), -1);
    ASSERT(errno == EAGAIN || errno == EWOULDBLOCK);
  }
  bp_close(&p);
}

TEST_CASE(write_limit_misuse) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_UNSPEC);
  ruv_tcp_t *closing = make_tcp(loop, AF_INET);
  ruv_timer_t *timer;
  ASSERT_EQ(ruv_timer_new(loop, &timer), 0);
  ASSERT_EQ(ruv_tcp_set_write_limit(NULL, 10), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_write_limit((ruv_tcp_t *)timer, 10), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_write_limit(t, 10), 0); /* no socket yet: remembered */
  ASSERT_EQ(ruv_tcp_set_write_limit(t, 0), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(closing), NULL), 0);
  ASSERT_EQ(ruv_tcp_set_write_limit(closing, 10), RUV_EINVAL);
  finish_loop(loop);
}

TEST_MAIN(TEST_ENTRY(drain_once_per_congestion_from_the_loop),
          TEST_ENTRY(congestion_is_strictly_above_high_and_counts_connect_queue),
          TEST_ENTRY(no_drain_after_close_while_congested),
          TEST_ENTRY(queued_drain_dropped_by_close),
          TEST_ENTRY(no_drain_after_write_error),
          TEST_ENTRY(queued_drain_dropped_by_write_error),
          TEST_ENTRY(high_zero_turns_watermarks_off),
          TEST_ENTRY(raising_low_while_congested_drains_from_the_loop),
          TEST_ENTRY(watermark_arguments_and_misuse),
          TEST_ENTRY(write_limit_boundaries_and_connect_queue),
          TEST_ENTRY(write_limit_loses_nothing_under_pressure),
          TEST_ENTRY(write_limit_misuse))
