/* test_loop.c - the loop: run modes, stop, alive, ref, walk, close EBUSY,
 * backend fd/timeout, cached time, user data, loops in parallel threads. */
#include "helpers.h"

#include <pthread.h>

static int g_count;
static int g_conn;
static int g_close_count;

static void count_close_cb(ruv_handle_t *h) {
  (void)h;
  g_close_count++;
}

static void noop_connection_cb(ruv_tcp_t *server, int status) {
  (void)server;
  (void)status;
  g_conn++;
}

TEST_CASE(loop_new_close) {
  ruv_loop_t *loop = make_loop();
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_CASE(loop_data) {
  ruv_loop_t *loop = make_loop();
  int x = 42;
  ASSERT_NULL(ruv_loop_get_data(loop));
  ruv_loop_set_data(loop, &x);
  ASSERT_PTR_EQ(ruv_loop_get_data(loop), &x);
  ruv_loop_set_data(loop, NULL);
  ASSERT_NULL(ruv_loop_get_data(loop));
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_CASE(run_modes_on_empty_loop_return_at_once) {
  ruv_loop_t *loop = make_loop();
  uint64_t t0 = test_now_ms();
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 0);
  ASSERT_LT(test_now_ms() - t0, 1000);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_CASE(listener_keeps_loop_alive_unless_unref) {
  ruv_loop_t *loop = make_loop();
  int port;
  ruv_tcp_t *server = listen_on(loop, AF_INET, noop_connection_cb, &port);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(server)), 1);
  ASSERT_EQ(ruv_has_ref(RUV_HANDLE(server)), 1);
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  ruv_unref(RUV_HANDLE(server));
  ASSERT_EQ(ruv_has_ref(RUV_HANDLE(server)), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(server)), 1);
  /* an unreferenced listener does not keep DEFAULT running */
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ruv_unref(RUV_HANDLE(server)); /* idempotent */
  ASSERT_EQ(ruv_has_ref(RUV_HANDLE(server)), 0);
  ruv_ref(RUV_HANDLE(server));
  ASSERT_EQ(ruv_has_ref(RUV_HANDLE(server)), 1);
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  finish_loop(loop);
}

TEST_CASE(inactive_handle_not_alive_closing_handle_alive) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *tcp = make_tcp(loop, AF_INET);
  g_close_count = 0;
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(tcp)), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), count_close_cb), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  ASSERT_EQ(g_close_count, 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_close_count, 1);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_CASE(loop_close_ebusy_while_handles_remain) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *a = make_tcp(loop, AF_INET);
  ruv_tcp_t *b = make_tcp(loop, AF_UNSPEC);
  ASSERT_EQ(ruv_loop_close(loop), RUV_EBUSY);
  ASSERT_EQ(ruv_close(RUV_HANDLE(a), NULL), 0);
  ASSERT_EQ(ruv_loop_close(loop), RUV_EBUSY); /* a is still closing */
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_loop_close(loop), RUV_EBUSY); /* b remains */
  ASSERT_EQ(ruv_close(RUV_HANDLE(b), NULL), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_CASE(stop_before_run_returns_at_once_and_is_consumed) {
  ruv_loop_t *loop = make_loop();
  int port;
  ruv_tcp_t *server = listen_on(loop, AF_INET, noop_connection_cb, &port);
  uint64_t t0;
  g_close_count = 0;
  ruv_stop(loop);
  t0 = test_now_ms();
  ASSERT_NE(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_LT(test_now_ms() - t0, 1000);
  /* the flag was consumed: this run must process the close and end */
  ASSERT_EQ(ruv_close(RUV_HANDLE(server), count_close_cb), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_close_count, 1);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

static void stop_connect_cb(ruv_tcp_t *tcp, int status) {
  ASSERT_EQ(status, 0);
  g_count++;
  ruv_stop(ruv_handle_get_loop(RUV_HANDLE(tcp)));
}

TEST_CASE(stop_inside_callback_ends_run) {
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  int port;
  ruv_tcp_t *client;
  struct sockaddr_storage ss;
  memset(&sctx, 0, sizeof sctx);
  serve(loop, AF_INET, &sctx, &port);
  client = make_tcp(loop, AF_INET);
  ss = loopback(AF_INET, port);
  g_count = 0;
  ASSERT_EQ(ruv_tcp_connect(client, (struct sockaddr *)&ss, stop_connect_cb),
            0);
  /* DEFAULT would run forever (active listener); stop ends it */
  ASSERT_NE(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_count, 1);
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  finish_loop(loop);
}

TEST_CASE(run_nowait_does_not_block) {
  ruv_loop_t *loop = make_loop();
  int port, i;
  uint64_t t0;
  listen_on(loop, AF_INET, noop_connection_cb, &port);
  t0 = test_now_ms();
  for (i = 0; i < 10; i++) ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_LT(test_now_ms() - t0, 1000);
  finish_loop(loop);
}

static void accept_one_cb(ruv_tcp_t *server, int status) {
  ruv_tcp_t *c = make_tcp(ruv_handle_get_loop(RUV_HANDLE(server)), AF_UNSPEC);
  ASSERT_EQ(status, 0);
  ASSERT_EQ(ruv_tcp_accept(server, c), 0);
  g_count++;
}

TEST_CASE(run_once_runs_callbacks_of_one_poll) {
  ruv_loop_t *loop = make_loop();
  int port, fd;
  g_count = 0;
  listen_on(loop, AF_INET, accept_one_cb, &port);
  fd = raw_connect(AF_INET, port); /* pending in the backlog now */
  ASSERT_EQ(ruv_run(loop, RUV_RUN_ONCE), 1);
  ASSERT_EQ(g_count, 1);
  close(fd);
  finish_loop(loop);
}

TEST_CASE(backend_fd_becomes_readable_on_event) {
  ruv_loop_t *loop = make_loop();
  int port, fd, bfd;
  struct pollfd pfd;
  g_count = 0;
  listen_on(loop, AF_INET, accept_one_cb, &port);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  bfd = ruv_backend_fd(loop);
  ASSERT_GE(bfd, 0);
  ASSERT(fd_is_open(bfd));
  pfd.fd = bfd;
  pfd.events = POLLIN;
  pfd.revents = 0;
  ASSERT_EQ(poll(&pfd, 1, 0), 0); /* idle */
  fd = raw_connect(AF_INET, port);
  ASSERT_EQ(poll(&pfd, 1, 5000), 1);
  ASSERT(pfd.revents & POLLIN);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(g_count, 1);
  close(fd);
  finish_loop(loop);
}

TEST_CASE(backend_timeout_values) {
  ruv_loop_t *loop = make_loop();
  int port;
  ruv_tcp_t *server;
  ASSERT_EQ(ruv_backend_timeout(loop), 0); /* not alive: do not block */
  server = listen_on(loop, AF_INET, noop_connection_cb, &port);
  ASSERT_EQ(ruv_backend_timeout(loop), -1); /* no timers: block forever */
  ASSERT_EQ(ruv_close(RUV_HANDLE(server), NULL), 0);
  ASSERT_EQ(ruv_backend_timeout(loop), 0); /* pending close */
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_backend_timeout(loop), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

/* ruv_now is the time cached at the start of the iteration: it stands still
 * while the caller sleeps outside the loop, and moves forward when ruv_run
 * iterates (an empty loop and a loop with an active handle) or when
 * ruv_update_time is called. Lower bounds are 25 ms for 30 ms sleeps; the only
 * upper bound is 10 s (noisy machines). */
static uint64_t sleep_then_check_cached(ruv_loop_t *loop) {
  uint64_t t = ruv_now(loop);
  test_sleep_ms(30);
  ASSERT_EQ(ruv_now(loop), t); /* cached: nothing refreshed it */
  return t;
}

/* a macro, so that a failure names the line of the step that did not advance */
#define ASSERT_ADVANCED(before, after)                                        \
  do {                                                                        \
    uint64_t before_ = (before), after_ = (after);                            \
    ASSERT_GE(after_, before_ + 25);                                          \
    ASSERT_LT(after_, before_ + 10000);                                       \
  } while (0)

TEST_CASE(now_is_cached_until_update_time) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *server;
  uint64_t t;
  int port;
  ruv_update_time(loop);
  t = sleep_then_check_cached(loop);
  ruv_update_time(loop);
  ASSERT_ADVANCED(t, ruv_now(loop));

  /* ruv_run refreshes the time: an empty loop (it returns at once) ... */
  t = sleep_then_check_cached(loop);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 0);
  ASSERT_ADVANCED(t, ruv_now(loop));
  t = sleep_then_check_cached(loop);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_ADVANCED(t, ruv_now(loop));

  /* ... and a loop that iterates (an active listener keeps it alive) */
  server = listen_on(loop, AF_INET, noop_connection_cb, &port);
  t = sleep_then_check_cached(loop);
  ASSERT_NE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
  ASSERT_ADVANCED(t, ruv_now(loop));
  t = sleep_then_check_cached(loop);
  ruv_update_time(loop);
  ASSERT_ADVANCED(t, ruv_now(loop));

  ASSERT_EQ(ruv_close(RUV_HANDLE(server), NULL), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

typedef struct {
  ruv_handle_t *seen[8];
  int n;
  void *arg;
} walk_rec;

static void walk_rec_cb(ruv_handle_t *h, void *arg) {
  walk_rec *w = (walk_rec *)arg;
  ASSERT_LT(w->n, 8);
  ASSERT_EQ(ruv_handle_get_type(h), RUV_TCP);
  w->seen[w->n++] = h;
}

static int walk_saw(const walk_rec *w, void *h) {
  int i;
  for (i = 0; i < w->n; i++)
    if ((void *)w->seen[i] == h) return 1;
  return 0;
}

TEST_CASE(walk_visits_every_handle) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *a = make_tcp(loop, AF_INET);
  ruv_tcp_t *b = make_tcp(loop, AF_INET6);
  ruv_tcp_t *c = make_tcp(loop, AF_UNSPEC);
  walk_rec w;
  memset(&w, 0, sizeof w);
  ruv_walk(loop, walk_rec_cb, &w);
  ASSERT_EQ(w.n, 3);
  ASSERT(walk_saw(&w, a) && walk_saw(&w, b) && walk_saw(&w, c));
  ASSERT_EQ(ruv_close(RUV_HANDLE(b), NULL), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  memset(&w, 0, sizeof w);
  ruv_walk(loop, walk_rec_cb, &w);
  ASSERT_EQ(w.n, 2);
  ASSERT(walk_saw(&w, a) && walk_saw(&w, c));
  finish_loop(loop);
  /* an empty loop walks nothing */
  loop = make_loop();
  memset(&w, 0, sizeof w);
  ruv_walk(loop, walk_rec_cb, &w);
  ASSERT_EQ(w.n, 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_CASE(handle_accessors) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *tcp = make_tcp(loop, AF_INET);
  int x;
  ASSERT_PTR_EQ(ruv_handle_get_loop(RUV_HANDLE(tcp)), loop);
  ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(tcp)), RUV_TCP);
  ASSERT_NULL(ruv_handle_get_data(RUV_HANDLE(tcp)));
  ruv_handle_set_data(RUV_HANDLE(tcp), &x);
  ASSERT_PTR_EQ(ruv_handle_get_data(RUV_HANDLE(tcp)), &x);
  ASSERT_EQ(ruv_is_closing(RUV_HANDLE(tcp)), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(tcp)), 0);
  ASSERT_EQ(ruv_has_ref(RUV_HANDLE(tcp)), 1);
  ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), NULL), 0);
  ASSERT_EQ(ruv_is_closing(RUV_HANDLE(tcp)), 1);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(tcp)), 0);
  ASSERT_PTR_EQ(ruv_handle_get_data(RUV_HANDLE(tcp)), &x);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

static void pending_connect_cb(ruv_tcp_t *tcp, int status) {
  (void)tcp;
  ASSERT_EQ(status, 0);
  g_count++;
}

TEST_CASE(pending_connect_on_unrefd_handle_keeps_loop_alive) {
  ruv_loop_t *loop = make_loop();
  int port;
  ruv_tcp_t *server = listen_on(loop, AF_INET, noop_connection_cb, &port);
  ruv_tcp_t *client = make_tcp(loop, AF_INET);
  struct sockaddr_storage ss = loopback(AF_INET, port);
  g_count = 0;
  ruv_unref(RUV_HANDLE(server));
  ruv_unref(RUV_HANDLE(client));
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  ASSERT_EQ(ruv_tcp_connect(client, (struct sockaddr *)&ss,
                            pending_connect_cb), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(client)), 1);
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_count, 1);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(client)), 0); /* connected, not reading */
  finish_loop(loop);
}

static void count_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  (void)tcp;
  ASSERT_EQ(status, 0);
  ASSERT_PTR_EQ(arg, &g_count);
  g_count++;
}

TEST_CASE(pending_write_on_unrefd_handle_keeps_loop_alive) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  ruv_buf_t buf;
  make_pair(loop, AF_INET, &p);
  g_count = 0;
  ruv_unref(RUV_HANDLE(p.server));
  ruv_unref(RUV_HANDLE(p.client));
  ruv_unref(RUV_HANDLE(p.peer));
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  buf.base = "hello";
  buf.len = 5;
  ASSERT_EQ(ruv_tcp_write(p.client, &buf, 1, count_write_cb, &g_count), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_count, 1);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  finish_loop(loop);
}

static void stop_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  (void)tcp;
  (void)nread;
  (void)data;
}

TEST_CASE(is_active_follows_listen_connect_read) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  make_pair(loop, AF_INET, &p);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p.server)), 1);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p.client)), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p.peer)), 0);
  ASSERT_EQ(ruv_tcp_start_read(p.peer, stop_read_cb), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p.peer)), 1);
  ASSERT_EQ(ruv_tcp_stop_read(p.peer), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p.peer)), 0);
  finish_loop(loop);
}


static size_t g_unread_got;
static void unread_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  (void)tcp;
  ASSERT_GT(nread, 0);
  ASSERT_EQ(pattern_check(data, (size_t)nread, g_unread_got), (size_t)nread);
  g_unread_got += (size_t)nread;
}

TEST_CASE(unread_data_neither_spins_nor_gets_lost) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  char buf[3000];
  ruv_buf_t b;
  struct pollfd pfd;
  int i;
  uint64_t deadline;
  make_pair(loop, AF_INET, &p);
  pattern_fill(buf, sizeof buf, 0);
  b.base = buf;
  b.len = sizeof buf;
  ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, NULL, NULL), 0);
  /* p.peer has data and is not reading: the loop goes idle */
  for (i = 0; i < 20; i++) {
    ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
    test_sleep_ms(1);
  }
  pfd.fd = ruv_backend_fd(loop);
  pfd.events = POLLIN;
  pfd.revents = 0;
  ASSERT_EQ(poll(&pfd, 1, 0), 0);
  ASSERT_EQ(ruv_backend_timeout(loop), -1);
  /* nothing was lost: start reading later and get every byte */
  g_unread_got = 0;
  ASSERT_EQ(ruv_tcp_start_read(p.peer, unread_read_cb), 0);
  deadline = test_now_ms() + 10000;
  while (g_unread_got < sizeof buf && test_now_ms() < deadline) {
    ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
    test_sleep_ms(1);
  }
  ASSERT_EQ(g_unread_got, sizeof buf);
  finish_loop(loop);
}

/* ---- loops in parallel threads ------------------------------------------ */

typedef struct {
  int rounds;
  int done;
  int got;
  int failed;
} thread_game;

static void th_echo_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  ruv_buf_t b;
  if (nread < 0) {
    ruv_close(RUV_HANDLE(tcp), NULL);
    return;
  }
  b.base = data;
  b.len = (size_t)nread;
  ASSERT_EQ(ruv_tcp_write(tcp, &b, 1, NULL, NULL), 0);
}

static void th_accepted(ruv_tcp_t *server, ruv_tcp_t *client) {
  ASSERT_EQ(ruv_tcp_start_read(client, th_echo_read_cb), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(server), NULL), 0);
}

static void th_client_read_cb(ruv_tcp_t *tcp, ssize_t nread,
                              const char *data) {
  thread_game *g = (thread_game *)ruv_handle_get_data(RUV_HANDLE(tcp));
  ssize_t i;
  ruv_buf_t b;
  ASSERT_GT(nread, 0);
  for (i = 0; i < nread; i++) ASSERT_EQ(data[i], 'x');
  g->got += (int)nread;
  if (g->got < g->rounds) {
    b.base = "x";
    b.len = 1;
    ASSERT_EQ(ruv_tcp_write(tcp, &b, 1, NULL, NULL), 0);
  } else {
    g->done = 1;
    ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), NULL), 0);
  }
}

static void th_connect_cb(ruv_tcp_t *tcp, int status) {
  ruv_buf_t b;
  ASSERT_EQ(status, 0);
  ASSERT_EQ(ruv_tcp_start_read(tcp, th_client_read_cb), 0);
  b.base = "x";
  b.len = 1;
  ASSERT_EQ(ruv_tcp_write(tcp, &b, 1, NULL, NULL), 0);
}

static void *thread_main(void *arg) {
  thread_game *g = (thread_game *)arg;
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  int port;
  ruv_tcp_t *client;
  struct sockaddr_storage ss;
  memset(&sctx, 0, sizeof sctx);
  sctx.on_accept = th_accepted;
  serve(loop, AF_INET, &sctx, &port);
  client = make_tcp(loop, AF_INET);
  ruv_handle_set_data(RUV_HANDLE(client), g);
  ss = loopback(AF_INET, port);
  ASSERT_EQ(ruv_tcp_connect(client, (struct sockaddr *)&ss, th_connect_cb), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
  return NULL;
}

TEST_CASE(parallel_loops_in_threads) {
  enum { N = 4 };
  pthread_t th[N];
  thread_game games[N];
  int i;
  for (i = 0; i < N; i++) {
    memset(&games[i], 0, sizeof games[i]);
    games[i].rounds = (int)test_scaled(500, 50);
    ASSERT_EQ(pthread_create(&th[i], NULL, thread_main, &games[i]), 0);
  }
  for (i = 0; i < N; i++) ASSERT_EQ(pthread_join(th[i], NULL), 0);
  for (i = 0; i < N; i++) {
    ASSERT_EQ(games[i].done, 1);
    ASSERT_EQ(games[i].got, games[i].rounds);
  }
}

TEST_MAIN(TEST_ENTRY(loop_new_close), TEST_ENTRY(loop_data),
          TEST_ENTRY(run_modes_on_empty_loop_return_at_once),
          TEST_ENTRY(listener_keeps_loop_alive_unless_unref),
          TEST_ENTRY(inactive_handle_not_alive_closing_handle_alive),
          TEST_ENTRY(loop_close_ebusy_while_handles_remain),
          TEST_ENTRY(stop_before_run_returns_at_once_and_is_consumed),
          TEST_ENTRY(stop_inside_callback_ends_run),
          TEST_ENTRY(run_nowait_does_not_block),
          TEST_ENTRY(run_once_runs_callbacks_of_one_poll),
          TEST_ENTRY(backend_fd_becomes_readable_on_event),
          TEST_ENTRY(backend_timeout_values),
          TEST_ENTRY(now_is_cached_until_update_time),
          TEST_ENTRY(walk_visits_every_handle), TEST_ENTRY(handle_accessors),
          TEST_ENTRY(pending_connect_on_unrefd_handle_keeps_loop_alive),
          TEST_ENTRY(pending_write_on_unrefd_handle_keeps_loop_alive),
          TEST_ENTRY(is_active_follows_listen_connect_read),
          TEST_ENTRY(unread_data_neither_spins_nor_gets_lost),
          TEST_ENTRY(parallel_loops_in_threads))
