/* test_timer_loop.c - timers and the loop (DESIGN §6.1, §6.2): at most one
 * fire per timer phase and the two timer phases of an iteration, RUN_ONCE that
 * sleeps for a timer, ruv_backend_timeout, ref/unref, huge timeouts that
 * saturate, thousands of timers in due order. */
#include "handles.h"

#include <limits.h>

static int g_count;
static uint64_t g_base;          /* ruv_now() when the timers were started */
static uint64_t g_timeout['z' + 1]; /* timeout of the timer tagged c */

/* Traces its tag; checks it did not fire before ruv_now() + timeout. */
static void tag_cb(ruv_timer_t *t) {
  char c = get_tag(t);
  trace_add(c);
  ASSERT_GE(ruv_now(ruv_handle_get_loop(RUV_HANDLE(t))), g_base + g_timeout[(int)c]);
}

static void noop_conn_cb(ruv_tcp_t *server, int status) {
  (void)server;
  (void)status;
}

static void count_cb(ruv_timer_t *t) {
  (void)t;
  g_count++;
}

static int g_count2;
static void count2_cb(ruv_timer_t *t) {
  (void)t;
  g_count2++;
}

/* ---- at most one fire per timer phase (§6.2); two timer phases (§6.1) ---- */

static void restart_zero_cb(ruv_timer_t *t) {
  g_count++;
  ASSERT_LT(g_count, 1000); /* a spinning phase would blow through this */
  ASSERT_EQ(ruv_timer_start(t, restart_zero_cb, 0, 0), 0);
}

static void repeat_update_cb(ruv_timer_t *t) {
  g_count++;
  ASSERT_LT(g_count, 1000);
  /* the timer is re-armed at now + 1; make it overdue within this phase */
  test_sleep_ms(3);
  ruv_update_time(ruv_handle_get_loop(RUV_HANDLE(t)));
  ASSERT_EQ(ruv_timer_get_due_in(t), 0);
}

TEST_CASE(timer_fires_at_most_once_per_timer_phase) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t = make_timer(loop);
  int i, runs = 5;
  /* a timer that restarts itself with timeout 0 ("0-ms repeat") */
  g_count = 0;
  ASSERT_EQ(ruv_timer_start(t, restart_zero_cb, 0, 0), 0);
  for (i = 1; i <= runs; i++) {
    ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
    ASSERT_GE(g_count, i);     /* it does fire every iteration */
    ASSERT_LE(g_count, 2 * i); /* at most once per timer phase, two per iteration */
  }
  ASSERT_EQ(ruv_timer_stop(t), 0);
  /* a 1-ms repeat made overdue inside its own callback */
  g_count = 0;
  ASSERT_EQ(ruv_timer_start(t, repeat_update_cb, 0, 1), 0);
  for (i = 1; i <= runs; i++) {
    ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
    ASSERT_GE(g_count, i);
    ASSERT_LE(g_count, 2 * i);
  }
  finish_loop(loop);
}

/* §6.1 runs due timers in step 2 and again in step 9 (after a time update), and
 * a timer started in step 2 is a different phase from step 9: a timer that
 * restarts itself with timeout 0 fires exactly twice per NOWAIT iteration. */
TEST_CASE(timer_runs_in_both_timer_phases_of_an_iteration) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t = make_timer(loop);
  int i;
  g_count = 0;
  ASSERT_EQ(ruv_timer_start(t, restart_zero_cb, 0, 0), 0);
  for (i = 1; i <= 3; i++) {
    ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
    ASSERT_EQ(g_count, 2 * i);
  }
  finish_loop(loop);
}

TEST_CASE(run_once_that_blocks_for_a_timer_runs_it_before_returning) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t = make_timer(loop);
  int port;
  uint64_t t0;
  /* only the timer: ONCE sleeps ~100 ms, runs it, returns 0 (no longer alive) */
  g_count = 0;
  ruv_update_time(loop);
  t0 = test_now_ms();
  ASSERT_EQ(ruv_timer_start(t, count_cb, 100, 0), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(g_count, 1);
  ASSERT_GE(test_now_ms() - t0, 90);
  /* with a listener keeping the loop alive: ONCE returns 1, timer has run */
  listen_on(loop, AF_INET, noop_conn_cb, &port);
  ruv_update_time(loop);
  t0 = test_now_ms();
  ASSERT_EQ(ruv_timer_start(t, count_cb, 100, 0), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_ONCE), 1);
  ASSERT_EQ(g_count, 2);
  ASSERT_GE(test_now_ms() - t0, 90);
  finish_loop(loop);
}

TEST_CASE(backend_timeout_follows_nearest_timer) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *a = make_timer(loop), *b = make_timer(loop), *c = make_timer(loop);
  ruv_tcp_t *server;
  int port, bt;
  ASSERT_EQ(ruv_timer_start(a, count_cb, 5000, 0), 0);
  bt = ruv_backend_timeout(loop); /* only a referenced timer: alive, wait for it */
  ASSERT_GE(bt, 3000);
  ASSERT_LE(bt, 5000);
  ruv_unref(RUV_HANDLE(a));
  ASSERT_EQ(ruv_backend_timeout(loop), 0); /* not alive */
  ruv_ref(RUV_HANDLE(a));
  ASSERT_EQ(ruv_timer_stop(a), 0);
  ASSERT_EQ(ruv_backend_timeout(loop), 0); /* not alive */
  server = listen_on(loop, AF_INET, noop_conn_cb, &port);
  (void)server;
  ASSERT_EQ(ruv_backend_timeout(loop), -1); /* alive, no timer */
  ASSERT_EQ(ruv_timer_start(a, count_cb, 5000, 0), 0);
  bt = ruv_backend_timeout(loop);
  ASSERT_GE(bt, 3000);
  ASSERT_LE(bt, 5000);
  ASSERT_EQ(ruv_timer_start(b, count_cb, 300, 0), 0);
  bt = ruv_backend_timeout(loop);
  ASSERT_GE(bt, 1);
  ASSERT_LE(bt, 300);
  ASSERT_EQ(ruv_timer_stop(b), 0);
  bt = ruv_backend_timeout(loop);
  ASSERT_GE(bt, 3000);
  ASSERT_LE(bt, 5000);
  /* an unreferenced timer still bounds the poll while the loop is alive */
  ruv_unref(RUV_HANDLE(b));
  ASSERT_EQ(ruv_timer_start(b, count_cb, 300, 0), 0);
  bt = ruv_backend_timeout(loop);
  ASSERT_GE(bt, 1);
  ASSERT_LE(bt, 300);
  ASSERT_EQ(ruv_timer_stop(b), 0);
  ASSERT_EQ(ruv_timer_start(c, count_cb, 0, 0), 0);
  ASSERT_EQ(ruv_backend_timeout(loop), 0); /* due now */
  ASSERT_EQ(ruv_timer_start(c, count_cb, 1, 0), 0);
  test_sleep_ms(20);
  ruv_update_time(loop);
  ASSERT_EQ(ruv_backend_timeout(loop), 0); /* overdue */
  ASSERT_EQ(ruv_timer_stop(c), 0);
  ruv_stop(loop);
  ASSERT_EQ(ruv_backend_timeout(loop), 0); /* stopped */
  ASSERT_NE(ruv_run(loop, RUV_RUN_DEFAULT), 0); /* consumes the stop flag */
  bt = ruv_backend_timeout(loop);
  ASSERT_GE(bt, 1);
  ASSERT_LE(bt, 5000);
  ASSERT_EQ(ruv_timer_stop(a), 0);
  ASSERT_EQ(ruv_backend_timeout(loop), -1);
  /* a huge timer neither wraps to a short wait nor makes the poll spin */
  ASSERT_EQ(ruv_timer_start(a, count_cb, UINT64_MAX, 0), 0);
  bt = ruv_backend_timeout(loop);
  ASSERT_MSG(bt == -1 || bt >= INT_MAX / 2, "backend timeout %d for a huge timer", bt);
  finish_loop(loop);
}

TEST_CASE(unrefd_timer_does_not_keep_loop_alive) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t = make_timer(loop), *u = make_timer(loop);
  uint64_t t0;
  g_count = 0;
  ASSERT_EQ(ruv_loop_alive(loop), 0); /* an inactive timer does not count */
  ASSERT_EQ(ruv_timer_start(t, count_cb, 10000, 0), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  ruv_unref(RUV_HANDLE(t));
  ASSERT_EQ(ruv_has_ref(RUV_HANDLE(t)), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 1);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  t0 = test_now_ms();
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_LT(test_now_ms() - t0, 2000);
  ASSERT_EQ(g_count, 0);
  ruv_ref(RUV_HANDLE(t));
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  ASSERT_EQ(ruv_timer_stop(t), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  /* an unreferenced timer still fires while something else keeps the loop up */
  trace_reset();
  ruv_update_time(loop);
  g_base = ruv_now(loop);
  set_tag(t, 'u');
  g_timeout['u'] = 10;
  ASSERT_EQ(ruv_timer_start(t, tag_cb, 10, 0), 0);
  ruv_unref(RUV_HANDLE(t));
  set_tag(u, 'r');
  g_timeout['r'] = 60;
  ASSERT_EQ(ruv_timer_start(u, tag_cb, 60, 0), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(trace_str(), "ur");
  finish_loop(loop);
}

TEST_CASE(huge_timeouts_saturate) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *a = make_timer(loop), *b = make_timer(loop), *c = make_timer(loop);
  int i;
  g_count = g_count2 = 0;
  ruv_update_time(loop);
  ASSERT_EQ(ruv_timer_start(a, count_cb, UINT64_MAX, 0), 0);
  ASSERT_EQ(ruv_timer_start(b, count_cb, UINT64_MAX - 1, UINT64_MAX), 0);
  ASSERT(ruv_timer_get_due_in(a) > UINT64_MAX / 2);
  ASSERT(ruv_timer_get_due_in(b) > UINT64_MAX / 2);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(a)), 1);
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  /* a short timer still fires first, the huge ones never */
  ASSERT_EQ(ruv_timer_start(c, count2_cb, 5, 0), 0);
  /* NOWAIT, not ONCE: if the 5 ms timer fires in step 2 (a slow run, valgrind), an ONCE
   * would then rightly block until the huge timers. */
  for (i = 0; i < 100 && g_count2 == 0; i++) {
    test_sleep_ms(2);
    ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  }
  ASSERT_EQ(g_count2, 1);
  for (i = 0; i < 5; i++) ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(g_count, 0);
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  /* a huge repeat: fires once, re-armed far away, still active */
  ASSERT_EQ(ruv_timer_start(c, count2_cb, 0, UINT64_MAX), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(g_count2, 2);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(c)), 1);
  ASSERT(ruv_timer_get_due_in(c) > UINT64_MAX / 2);
  /* again with a huge repeat */
  ASSERT_EQ(ruv_timer_again(c), 0);
  ASSERT(ruv_timer_get_due_in(c) > UINT64_MAX / 2);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(g_count2, 2);
  ASSERT_EQ(g_count, 0);
  finish_loop(loop);
}

/* ---- thousands of timers with random timeouts ---------------------------- */

typedef struct {
  uint64_t timeout;
  int idx;
} many_rec;

static many_rec *g_many;
static int g_nmany;
static uint64_t g_many_base;
static uint64_t g_many_timeout[5000];

static void many_cb(ruv_timer_t *t) {
  int idx = (int)(intptr_t)ruv_handle_get_data(RUV_HANDLE(t));
  ASSERT_GE(ruv_now(ruv_handle_get_loop(RUV_HANDLE(t))), g_many_base + g_many_timeout[idx]);
  g_many[g_nmany].timeout = g_many_timeout[idx];
  g_many[g_nmany].idx = idx;
  g_nmany++;
}

TEST_CASE(thousands_of_random_timers_fire_in_due_order) {
  ruv_loop_t *loop = make_loop();
  int n = (int)test_scaled(5000, 300), i;
  uint32_t seed = 12345u;
  ruv_timer_t **ts = (ruv_timer_t **)calloc((size_t)n, sizeof *ts);
  char *seen = (char *)calloc((size_t)n, 1);
  ASSERT_NOT_NULL(ts);
  ASSERT_NOT_NULL(seen);
  g_many = (many_rec *)calloc((size_t)n, sizeof *g_many);
  ASSERT_NOT_NULL(g_many);
  g_nmany = 0;
  ruv_update_time(loop);
  g_many_base = ruv_now(loop);
  for (i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    g_many_timeout[i] = (seed >> 16) % 51u; /* 0..50 ms */
    ts[i] = make_timer(loop);
    ruv_handle_set_data(RUV_HANDLE(ts[i]), (void *)(intptr_t)i);
    ASSERT_EQ(ruv_timer_start(ts[i], many_cb, g_many_timeout[i], 0), 0);
  }
  ASSERT_EQ(ruv_now(loop), g_many_base);
  /* restart every 7th timer: it moves behind the others of its due time */
  for (i = 0; i < n; i += 7)
    ASSERT_EQ(ruv_timer_start(ts[i], many_cb, g_many_timeout[i], 0), 0);
  ASSERT_EQ(walk_count(loop), n);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_nmany, n);
  for (i = 0; i < n; i++) {
    ASSERT_EQ(seen[g_many[i].idx], 0);
    seen[g_many[i].idx] = 1;
  }
  for (i = 1; i < n; i++) {
    const many_rec *p = &g_many[i - 1], *q = &g_many[i];
    ASSERT_MSG(p->timeout <= q->timeout, "fire %d: timeout %llu after %llu", i,
               (unsigned long long)q->timeout, (unsigned long long)p->timeout);
    if (p->timeout == q->timeout) {
      /* start order: the restarted ones (idx % 7 == 0) come last, by index */
      int pr = p->idx % 7 == 0, qr = q->idx % 7 == 0;
      ASSERT_MSG(pr < qr || (pr == qr && p->idx < q->idx),
                 "fire %d: timer %d after %d with equal due time", i, q->idx, p->idx);
    }
  }
  finish_loop_all(loop);
  free(ts);
  free(seen);
  free(g_many);
}

TEST_MAIN(TEST_ENTRY(timer_fires_at_most_once_per_timer_phase),
          TEST_ENTRY(timer_runs_in_both_timer_phases_of_an_iteration),
          TEST_ENTRY(run_once_that_blocks_for_a_timer_runs_it_before_returning),
          TEST_ENTRY(backend_timeout_follows_nearest_timer),
          TEST_ENTRY(unrefd_timer_does_not_keep_loop_alive),
          TEST_ENTRY(huge_timeouts_saturate),
          TEST_ENTRY(thousands_of_random_timers_fire_in_due_order))
