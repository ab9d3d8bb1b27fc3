/* test_reentrancy.c - every kind of handle closed from inside every kind of
 * callback (DESIGN §3.5: "every callback may close any handle, including its
 * own, and may start new work"), and nested ruv_run / ruv_loop_close from
 * inside every kind of callback (RUV_EBUSY, DESIGN §3.8).
 *
 * The world of each case, on one loop:
 *   L  a listener                       P  the handle L accepted from K
 *   K  a connected client (of L)        C  a client still connecting (to a
 *   X  a client connecting to L when       raw listener whose accept queue is
 *      the "connect" callback is tested    full, so its SYN is dropped)
 *   Z  an idle handle, closed when the "close" callback is tested
 * A trigger callback (connection, connect, read data, read EOF, write,
 * shutdown, close) closes a target: L, C, K, P, the callback's own handle, or
 * every handle. Then the callback starts new work (a write on K or P when they
 * are open). Afterwards everything is closed and the loop must close; every
 * handle got exactly one close callback, after all its request callbacks; every
 * request got exactly one callback; no read callback came after ruv_close. */
#include "rel.h"

typedef enum {
  CB_CONNECTION,
  CB_CONNECT,
  CB_READ_DATA,
  CB_READ_EOF,
  CB_WRITE,
  CB_SHUTDOWN,
  CB_CLOSE,
  CB_KINDS
} cb_kind;

typedef enum { T_LISTENER, T_CONNECTING, T_CLIENT, T_PEER, T_SELF, T_ALL, T_NONE } target_kind;

typedef struct {
  int used;
  int connects, connect_cbs, connect_status;
  int writes, write_cbs;
  int shutdowns, shutdown_cbs;
  int close_cbs;
  int closed;            /* ruv_close returned 0 */
  int reads_after_close; /* must stay 0 */
} hrec;

static struct {
  ruv_loop_t *loop;
  ruv_tcp_t *L, *C, *K, *P, *X, *Z;
  hrec recs[32];
  int nrecs;
  int port, stuck_port, stuck_fd, fill[4], raw;
  cb_kind trigger;
  target_kind target;
  int armed, fired;
  int check_nested;
  int c_index; /* recs[] index of C */
  int nested_seen[CB_KINDS];
  ruv_loop_t *other_loop;
} W;

static hrec *new_rec(ruv_tcp_t *h) {
  hrec *r;
  ASSERT_LT(W.nrecs, 32);
  r = &W.recs[W.nrecs++];
  memset(r, 0, sizeof *r);
  r->used = 1;
  ruv_handle_set_data(RUV_HANDLE(h), r);
  return r;
}

static hrec *rec(ruv_tcp_t *h) {
  hrec *r = (hrec *)ruv_handle_get_data(RUV_HANDLE(h));
  ASSERT_MSG(r != NULL, "callback on a dead handle");
  ASSERT_EQ(r->close_cbs, 0);
  return r;
}

static void close_cb(ruv_handle_t *h);

static int do_close(ruv_tcp_t *h) {
  int closing = ruv_is_closing(RUV_HANDLE(h));
  int rc = ruv_close(RUV_HANDLE(h), close_cb);
  ASSERT_EQ(rc, closing ? RUV_EINVAL : 0);
  if (rc == 0) rec(h)->closed = 1;
  return rc;
}

static void walk_close_cb(ruv_handle_t *h, void *arg) {
  (void)arg;
  if (!ruv_is_closing(h)) ASSERT_EQ(do_close((ruv_tcp_t *)h), 0);
}

static void write_cb(ruv_tcp_t *tcp, int status, void *arg);

/* New work from inside a callback: a write on K and P if they are open. */
static void new_work(void) {
  ruv_tcp_t *hs[2];
  int i;
  hs[0] = W.K;
  hs[1] = W.P;
  for (i = 0; i < 2; i++) {
    ruv_buf_t b;
    int rc;
    if (hs[i] == NULL || ruv_is_closing(RUV_HANDLE(hs[i])) != 0) continue;
    b.base = "new";
    b.len = 3;
    rc = ruv_tcp_write(hs[i], &b, 1, write_cb, NULL);
    ASSERT_MSG(rc == 0 || rc == RUV_EPIPE, "write from a callback: %s", ruv_err_name(rc));
    if (rc == 0) rec(hs[i])->writes++;
  }
}

static void nested(cb_kind kind) {
  if (!W.check_nested) return;
  ASSERT_EQ(ruv_run(W.loop, RUV_RUN_DEFAULT), RUV_EBUSY);
  ASSERT_EQ(ruv_run(W.loop, RUV_RUN_ONCE), RUV_EBUSY);
  ASSERT_EQ(ruv_run(W.loop, RUV_RUN_NOWAIT), RUV_EBUSY);
  ASSERT_EQ(ruv_loop_close(W.loop), RUV_EBUSY);
  /* Another loop may run from here (it is not running). */
  ASSERT_EQ(ruv_run(W.other_loop, RUV_RUN_NOWAIT), 0);
  W.nested_seen[kind]++;
}

static void fire(cb_kind kind, ruv_tcp_t *self) {
  nested(kind);
  if (!W.armed || W.trigger != kind) return;
  W.armed = 0;
  W.fired = 1;
  switch (W.target) {
    case T_LISTENER: do_close(W.L); break;
    case T_CONNECTING: do_close(W.C); break;
    case T_CLIENT: do_close(W.K); break;
    case T_PEER: do_close(W.P); break;
    case T_SELF: do_close(self); break;
    case T_ALL: ruv_walk(W.loop, walk_close_cb, NULL); break;
    case T_NONE: break;
  }
  /* Closing twice from the same callback is an error, not a crash. */
  if (W.target != T_ALL && W.target != T_NONE) {
    ruv_tcp_t *t = W.target == T_SELF ? self
                   : W.target == T_LISTENER ? W.L
                   : W.target == T_CONNECTING ? W.C
                   : W.target == T_CLIENT ? W.K : W.P;
    ASSERT_EQ(ruv_close(RUV_HANDLE(t), close_cb), RUV_EINVAL);
    ASSERT_EQ(ruv_is_closing(RUV_HANDLE(t)), 1);
  }
  new_work();
}

/* ---- callbacks ------------------------------------------------------------ */

static void read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  hrec *r = rec(tcp);
  (void)data;
  ASSERT_NE(nread, 0);
  if (r->closed) r->reads_after_close++;
  if (tcp != W.K) return;
  fire(nread > 0 ? CB_READ_DATA : CB_READ_EOF, tcp);
}

static void connection_cb(ruv_tcp_t *server, int status) {
  hrec *r = rec(server);
  ruv_tcp_t *c;
  ASSERT_EQ(status, 0);
  ASSERT_EQ(r->closed, 0);
  c = make_tcp(W.loop, AF_UNSPEC);
  new_rec(c);
  ASSERT_EQ(ruv_tcp_accept(server, c), 0);
  ASSERT_EQ(ruv_tcp_start_read(c, read_cb), 0);
  if (W.P == NULL) W.P = c;
  fire(CB_CONNECTION, server);
}

static void connect_cb(ruv_tcp_t *tcp, int status) {
  hrec *r = rec(tcp);
  r->connect_cbs++;
  r->connect_status = status;
  ASSERT_LE(r->connect_cbs, r->connects);
  if (tcp == W.X) fire(CB_CONNECT, tcp);
}

static void write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  hrec *r = rec(tcp);
  (void)arg;
  r->write_cbs++;
  ASSERT_LE(r->write_cbs, r->writes);
  ASSERT_MSG(status == 0 || status == RUV_ECANCELED || status == RUV_EPIPE ||
                 status == RUV_ECONNRESET,
             "write status %s", ruv_err_name(status));
  if (tcp == W.K) fire(CB_WRITE, tcp);
}

static void shutdown_cb(ruv_tcp_t *tcp, int status) {
  hrec *r = rec(tcp);
  r->shutdown_cbs++;
  ASSERT_LE(r->shutdown_cbs, r->shutdowns);
  /* All writes issued before the shutdown have called back. */
  (void)status;
  if (tcp == W.K) fire(CB_SHUTDOWN, tcp);
}

static void close_cb(ruv_handle_t *h) {
  hrec *r = rec((ruv_tcp_t *)h);
  ASSERT_EQ(r->closed, 1);
  /* The close callback is the last one: every request already called back. */
  ASSERT_EQ(r->connect_cbs, r->connects);
  ASSERT_EQ(r->write_cbs, r->writes);
  ASSERT_EQ(r->shutdown_cbs, r->shutdowns);
  ASSERT_EQ(ruv_is_closing(h), 1);
  if ((ruv_tcp_t *)h == W.Z) fire(CB_CLOSE, (ruv_tcp_t *)h);
  if ((ruv_tcp_t *)h == W.L) W.L = NULL;
  if ((ruv_tcp_t *)h == W.C) W.C = NULL;
  if ((ruv_tcp_t *)h == W.K) W.K = NULL;
  if ((ruv_tcp_t *)h == W.P) W.P = NULL;
  if ((ruv_tcp_t *)h == W.X) W.X = NULL;
  if ((ruv_tcp_t *)h == W.Z) W.Z = NULL;
  r->close_cbs++;
}

/* ---- the world -------------------------------------------------------------- */

static void world_setup(void) {
  struct sockaddr_storage ss;
  int i;
  memset(&W, 0, sizeof W);
  W.loop = make_loop();
  W.other_loop = make_loop();
  W.L = listen_on(W.loop, AF_INET, connection_cb, &W.port);
  new_rec(W.L);
  W.K = make_tcp(W.loop, AF_UNSPEC);
  new_rec(W.K);
  ss = loopback(AF_INET, W.port);
  ASSERT_EQ(ruv_tcp_connect(W.K, (struct sockaddr *)&ss, connect_cb), 0);
  rec(W.K)->connects++;
  {
    uint64_t deadline = test_now_ms() + 10000;
    while (!(rec(W.K)->connect_cbs == 1 && W.P != NULL)) {
      ASSERT_LT(test_now_ms(), deadline);
      ASSERT_GE(ruv_run(W.loop, RUV_RUN_NOWAIT), 0);
    }
  }
  ASSERT_EQ(rec(W.K)->connect_status, 0);
  W.stuck_fd = rel_stuck_listener(&W.stuck_port, W.fill);
  W.C = make_tcp(W.loop, AF_UNSPEC);
  W.c_index = W.nrecs;
  new_rec(W.C);
  ss = loopback(AF_INET, W.stuck_port);
  ASSERT_EQ(ruv_tcp_connect(W.C, (struct sockaddr *)&ss, connect_cb), 0);
  rec(W.C)->connects++;
  W.Z = make_tcp(W.loop, AF_INET);
  new_rec(W.Z);
  W.X = make_tcp(W.loop, AF_UNSPEC);
  new_rec(W.X);
  W.raw = -1;
  for (i = 0; i < 20; i++) ASSERT_GE(ruv_run(W.loop, RUV_RUN_NOWAIT), 0);
  ASSERT_EQ(rec(W.C)->connect_cbs, 0); /* still connecting */
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(W.C)), 1);
}

static void world_cause(cb_kind kind) {
  struct sockaddr_storage ss;
  ruv_buf_t b;
  switch (kind) {
    case CB_CONNECTION:
      W.raw = rel_raw_connect_nb(AF_INET, W.port);
      break;
    case CB_CONNECT:
      ss = loopback(AF_INET, W.port);
      ASSERT_EQ(ruv_tcp_connect(W.X, (struct sockaddr *)&ss, connect_cb), 0);
      rec(W.X)->connects++;
      break;
    case CB_READ_DATA:
      ASSERT_EQ(ruv_tcp_start_read(W.K, read_cb), 0);
      b.base = "hello";
      b.len = 5;
      ASSERT_EQ(ruv_tcp_write(W.P, &b, 1, write_cb, NULL), 0);
      rec(W.P)->writes++;
      break;
    case CB_READ_EOF:
      ASSERT_EQ(ruv_tcp_start_read(W.K, read_cb), 0);
      ASSERT_EQ(ruv_tcp_shutdown(W.P, shutdown_cb), 0);
      rec(W.P)->shutdowns++;
      break;
    case CB_WRITE:
      b.base = "abc";
      b.len = 3;
      ASSERT_EQ(ruv_tcp_write(W.K, &b, 1, write_cb, NULL), 0);
      rec(W.K)->writes++;
      break;
    case CB_SHUTDOWN:
      ASSERT_EQ(ruv_tcp_shutdown(W.K, shutdown_cb), 0);
      rec(W.K)->shutdowns++;
      break;
    case CB_CLOSE:
      ASSERT_EQ(do_close(W.Z), 0);
      break;
    case CB_KINDS:
      break;
  }
}

static void world_run_until_fired(void) {
  uint64_t deadline = test_now_ms() + 10000;
  int i;
  while (!W.fired) {
    ASSERT_LT(test_now_ms(), deadline);
    ASSERT_GE(ruv_run(W.loop, RUV_RUN_NOWAIT), 0);
  }
  for (i = 0; i < 20; i++) ASSERT_GE(ruv_run(W.loop, RUV_RUN_NOWAIT), 0);
}

static void world_finish(void) {
  int i;
  W.check_nested = 0;
  ruv_walk(W.loop, walk_close_cb, NULL);
  ASSERT_EQ(ruv_run(W.loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_loop_alive(W.loop), 0);
  ASSERT_EQ(ruv_loop_close(W.loop), 0);
  ASSERT_EQ(ruv_loop_close(W.other_loop), 0);
  for (i = 0; i < W.nrecs; i++) {
    hrec *r = &W.recs[i];
    ASSERT_EQ(r->close_cbs, 1);
    ASSERT_EQ(r->connect_cbs, r->connects);
    ASSERT_EQ(r->write_cbs, r->writes);
    ASSERT_EQ(r->shutdown_cbs, r->shutdowns);
    ASSERT_EQ(r->reads_after_close, 0);
  }
  /* C never connected: its connect callback said ECANCELED. */
  ASSERT_EQ(W.recs[W.c_index].connect_cbs, 1);
  ASSERT_EQ(W.recs[W.c_index].connect_status, RUV_ECANCELED);
  if (W.raw >= 0) close(W.raw);
  for (i = 0; i < 4; i++) close(W.fill[i]);
  close(W.stuck_fd);
}

static void close_from(cb_kind kind, target_kind target) {
  world_setup();
  W.trigger = kind;
  W.target = target;
  W.armed = 1;
  world_cause(kind);
  world_run_until_fired();
  world_finish();
}

#define CASE(cb, t, CB, T) \
  TEST_CASE(close_##t##_from_##cb) { close_from(CB, T); }
#define CASES(cb, CB)                       \
  CASE(cb, listener, CB, T_LISTENER)        \
  CASE(cb, connecting, CB, T_CONNECTING)    \
  CASE(cb, client, CB, T_CLIENT)            \
  CASE(cb, peer, CB, T_PEER)                \
  CASE(cb, self, CB, T_SELF)                \
  CASE(cb, all, CB, T_ALL)

CASES(connection_cb, CB_CONNECTION)
CASES(connect_cb, CB_CONNECT)
CASES(read_data_cb, CB_READ_DATA)
CASES(read_eof_cb, CB_READ_EOF)
CASES(write_cb, CB_WRITE)
CASES(shutdown_cb, CB_SHUTDOWN)
CASES(close_cb, CB_CLOSE)

/* Nested ruv_run (all modes) and ruv_loop_close from inside every kind of
 * callback return RUV_EBUSY; running another loop from there works. */
TEST_CASE(nested_run_and_loop_close_from_every_callback) {
  cb_kind k;
  world_setup();
  W.check_nested = 1;
  W.target = T_NONE;
  for (k = CB_CONNECTION; k < CB_KINDS; k++) {
    /* READ_EOF needs K reading already from READ_DATA: keep it reading. */
    if (k == CB_READ_EOF) {
      ASSERT_EQ(ruv_tcp_shutdown(W.P, shutdown_cb), 0);
      rec(W.P)->shutdowns++;
    } else {
      world_cause(k);
    }
    W.trigger = k;
    W.armed = 1;
    W.fired = 0;
    world_run_until_fired();
  }
  for (k = CB_CONNECTION; k < CB_KINDS; k++)
    ASSERT_MSG(W.nested_seen[k] > 0, "callback kind %d not seen", (int)k);
  world_finish();
}

/* ruv_loop_close from outside a callback while handles remain: EBUSY, and the
 * loop still works afterwards. */
TEST_CASE(loop_close_busy_then_fine) {
  world_setup();
  ASSERT_EQ(ruv_loop_close(W.loop), RUV_EBUSY);
  W.trigger = CB_WRITE;
  W.target = T_NONE;
  W.armed = 1;
  world_cause(CB_WRITE);
  world_run_until_fired();
  world_finish();
}

#define ENTRY(cb, t) TEST_ENTRY(close_##t##_from_##cb)
#define ENTRIES(cb)                                                          \
  ENTRY(cb, listener), ENTRY(cb, connecting), ENTRY(cb, client),             \
      ENTRY(cb, peer), ENTRY(cb, self), ENTRY(cb, all)

TEST_MAIN(ENTRIES(connection_cb), ENTRIES(connect_cb), ENTRIES(read_data_cb),
          ENTRIES(read_eof_cb), ENTRIES(write_cb), ENTRIES(shutdown_cb),
          ENTRIES(close_cb),
          TEST_ENTRY(nested_run_and_loop_close_from_every_callback),
          TEST_ENTRY(loop_close_busy_then_fine))
