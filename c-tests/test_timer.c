/* test_timer.c - timers (DESIGN §6.2): due order, start order for equal due
 * times, timeout 0, repeat, again, repeat getters, due_in, the active state
 * inside the callback, restart.  Loop interaction (phases, RUN_ONCE, backend
 * timeout, ref, huge timeouts, many timers) is in test_timer_loop.c; close,
 * reentrancy, walk and misuse in test_timer_misuse.c. */
#include "handles.h"

static int g_count;
static uint64_t g_base;          /* ruv_now() when the timers were started */
static uint64_t g_timeout['z' + 1]; /* timeout of the timer tagged c */

/* Traces its tag; checks it did not fire before ruv_now() + timeout. */
static void tag_cb(ruv_timer_t *t) {
  char c = get_tag(t);
  trace_add(c);
  ASSERT_GE(ruv_now(ruv_handle_get_loop(RUV_HANDLE(t))), g_base + g_timeout[(int)c]);
}

static ruv_timer_t *start_tagged(ruv_loop_t *loop, char c, uint64_t timeout) {
  ruv_timer_t *t = make_timer(loop);
  set_tag(t, c);
  g_timeout[(int)c] = timeout;
  ASSERT_EQ(ruv_timer_start(t, tag_cb, timeout, 0), 0);
  return t;
}

static void count_cb(ruv_timer_t *t) {
  (void)t;
  g_count++;
}

TEST_CASE(timer_fires_in_due_order) {
  ruv_loop_t *loop = make_loop();
  trace_reset();
  ruv_update_time(loop);
  g_base = ruv_now(loop);
  start_tagged(loop, 'a', 60);
  start_tagged(loop, 'b', 15);
  start_tagged(loop, 'c', 35);
  start_tagged(loop, 'd', 0);
  start_tagged(loop, 'e', 1);
  ASSERT_STR_EQ(trace_str(), ""); /* nothing fires inside ruv_timer_start */
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(trace_str(), "debca");
  finish_loop(loop);
}

TEST_CASE(timer_equal_due_times_fire_in_start_order) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *a, *b, *c;
  trace_reset();
  ruv_update_time(loop);
  g_base = ruv_now(loop);
  /* starting never changes ruv_now(): all five are due at the same time */
  start_tagged(loop, 'v', 10);
  start_tagged(loop, 'w', 10);
  start_tagged(loop, 'x', 10);
  start_tagged(loop, 'y', 10);
  start_tagged(loop, 'z', 10);
  ASSERT_EQ(ruv_now(loop), g_base);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(trace_str(), "vwxyz");
  /* timeout 0 too */
  trace_reset();
  ruv_update_time(loop);
  g_base = ruv_now(loop);
  start_tagged(loop, 'p', 0);
  start_tagged(loop, 'q', 0);
  start_tagged(loop, 'r', 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 0);
  ASSERT_STR_EQ(trace_str(), "pqr");
  /* a restart is a new start: it goes behind the others of the same due time */
  trace_reset();
  ruv_update_time(loop);
  g_base = ruv_now(loop);
  a = start_tagged(loop, 'a', 5);
  b = start_tagged(loop, 'b', 5);
  c = start_tagged(loop, 'c', 5);
  ASSERT_EQ(ruv_timer_start(a, tag_cb, 5, 0), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(trace_str(), "bca");
  (void)b;
  (void)c;
  finish_loop_all(loop);
}

TEST_CASE(timer_timeout_zero_fires_in_next_run_never_inside_start) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t = make_timer(loop);
  g_count = 0;
  ASSERT_EQ(ruv_timer_start(t, count_cb, 0, 0), 0);
  ASSERT_EQ(g_count, 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 1);
  ASSERT_EQ(ruv_timer_get_due_in(t), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 0); /* fired; nothing keeps it alive */
  ASSERT_EQ(g_count, 1);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 0);
  ASSERT_EQ(g_count, 1); /* repeat 0: one shot */
  finish_loop(loop);
}

static uint64_t g_prev_now;
static void repeat_cb(ruv_timer_t *t) {
  uint64_t now = ruv_now(ruv_handle_get_loop(RUV_HANDLE(t)));
  g_count++;
  /* re-armed at now + repeat before this callback runs */
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 1);
  ASSERT_EQ(ruv_timer_get_repeat(t), 7);
  ASSERT_EQ(ruv_timer_get_due_in(t), 7);
  if (g_count > 1) ASSERT_GE(now, g_prev_now + 7);
  g_prev_now = now;
  if (g_count == 5) {
    ASSERT_EQ(ruv_timer_stop(t), 0);
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0);
  }
}

TEST_CASE(timer_repeat_fires_n_times_rearmed_before_callback) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t = make_timer(loop);
  g_count = 0;
  ASSERT_EQ(ruv_timer_start(t, repeat_cb, 1, 7), 0);
  ASSERT_EQ(ruv_timer_get_due_in(t), 1);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_count, 5);
  finish_loop(loop);
}

static void set_repeat_in_cb(ruv_timer_t *t) {
  g_count++;
  if (g_count == 1) {
    /* already re-armed with the old repeat; set_repeat does not re-arm */
    ASSERT_EQ(ruv_timer_get_due_in(t), 10);
    ASSERT_EQ(ruv_timer_set_repeat(t, 40), 0);
    ASSERT_EQ(ruv_timer_get_repeat(t), 40);
    ASSERT_EQ(ruv_timer_get_due_in(t), 10);
  } else {
    ASSERT_EQ(ruv_timer_get_due_in(t), 40); /* the new repeat is used now */
    ASSERT_EQ(ruv_timer_stop(t), 0);
  }
}

TEST_CASE(timer_set_get_repeat) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t = make_timer(loop);
  ASSERT_EQ(ruv_timer_get_repeat(t), 0);
  ASSERT_EQ(ruv_timer_set_repeat(t, 7), 0);
  ASSERT_EQ(ruv_timer_get_repeat(t), 7);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0); /* set_repeat does not start */
  ASSERT_EQ(ruv_timer_get_due_in(t), 0);
  ASSERT_EQ(ruv_timer_start(t, count_cb, 100, 3), 0);
  ASSERT_EQ(ruv_timer_get_repeat(t), 3); /* start sets it */
  ASSERT_EQ(ruv_timer_stop(t), 0);
  ASSERT_EQ(ruv_timer_get_repeat(t), 3); /* stop keeps it (again needs it) */
  ASSERT_EQ(ruv_timer_start(t, count_cb, 100, 0), 0);
  ASSERT_EQ(ruv_timer_get_repeat(t), 0);
  ASSERT_EQ(ruv_timer_set_repeat(t, UINT64_MAX), 0);
  ASSERT(ruv_timer_get_repeat(t) == UINT64_MAX);
  ASSERT_EQ(ruv_timer_get_due_in(t), 100); /* the running timeout is kept */
  ASSERT_EQ(ruv_timer_set_repeat(t, 0), 0);
  ASSERT_EQ(ruv_timer_get_repeat(t), 0);
  ASSERT_EQ(ruv_timer_stop(t), 0);
  /* a set_repeat from the callback takes effect at the following re-arm */
  g_count = 0;
  ASSERT_EQ(ruv_timer_start(t, set_repeat_in_cb, 0, 10), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_count, 2);
  finish_loop(loop);
}

static void again_cb(ruv_timer_t *t) {
  ASSERT_GE(ruv_now(ruv_handle_get_loop(RUV_HANDLE(t))), g_base + 30);
  if (++g_count == 2) ASSERT_EQ(ruv_timer_stop(t), 0);
}

TEST_CASE(timer_again) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t = make_timer(loop);
  g_count = 0;
  ASSERT_EQ(ruv_timer_again(t), RUV_EINVAL); /* never started */
  ASSERT_EQ(ruv_timer_set_repeat(t, 20), 0);
  ASSERT_EQ(ruv_timer_again(t), RUV_EINVAL); /* a repeat alone is no start */
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0);
  /* repeat 0: again only stops */
  ASSERT_EQ(ruv_timer_start(t, count_cb, 1000, 0), 0);
  ASSERT_EQ(ruv_timer_again(t), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0);
  ASSERT_EQ(ruv_timer_get_due_in(t), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_count, 0);
  ASSERT_EQ(ruv_timer_again(t), 0); /* stopped and repeat 0: still 0, stays stopped */
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0);
  /* repeat > 0: restarts with repeat as the timeout */
  ruv_update_time(loop);
  g_base = ruv_now(loop);
  ASSERT_EQ(ruv_timer_start(t, again_cb, 5000, 30), 0);
  ASSERT_EQ(ruv_timer_get_due_in(t), 5000);
  ASSERT_EQ(ruv_timer_again(t), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 1);
  ASSERT_EQ(ruv_timer_get_due_in(t), 30);
  ASSERT_EQ(ruv_timer_get_repeat(t), 30);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0); /* again_cb stops it on its 2nd fire */
  ASSERT_EQ(g_count, 2);
  /* on a stopped timer with repeat > 0, again starts it */
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0);
  ASSERT_EQ(ruv_timer_again(t), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 1);
  ASSERT_EQ(ruv_timer_get_due_in(t), 30);
  /* a one-shot that already fired counts as started */
  ASSERT_EQ(ruv_timer_start(t, count_cb, 0, 0), 0);
  g_count = 0;
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_count, 1);
  ASSERT_EQ(ruv_timer_again(t), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0);
  finish_loop(loop);
}

TEST_CASE(timer_due_in) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t = make_timer(loop);
  uint64_t now;
  g_count = 0;
  ASSERT_EQ(ruv_timer_get_due_in(t), 0); /* never started */
  ruv_update_time(loop);
  test_sleep_ms(20); /* a start that read the clock would now move ruv_now() */
  now = ruv_now(loop);
  ASSERT_EQ(ruv_timer_start(t, count_cb, 123, 0), 0);
  ASSERT_EQ(ruv_now(loop), now);
  ASSERT_EQ(ruv_timer_get_due_in(t), 123);
  ASSERT_EQ(ruv_timer_stop(t), 0);
  ASSERT_EQ(ruv_now(loop), now);
  ASSERT_EQ(ruv_timer_get_due_in(t), 0); /* stopped */
  ASSERT_EQ(ruv_timer_stop(t), 0);       /* stop on a stopped timer is 0 */
  ASSERT_EQ(ruv_timer_start(t, count_cb, 1, 0), 0);
  ASSERT_EQ(ruv_timer_get_due_in(t), 1);
  test_sleep_ms(30);
  ruv_update_time(loop);
  ASSERT_EQ(ruv_timer_get_due_in(t), 0); /* overdue */
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 1);
  ASSERT_EQ(g_count, 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 0);
  ASSERT_EQ(g_count, 1);
  ASSERT_EQ(ruv_timer_get_due_in(t), 0); /* fired one-shot */
  finish_loop(loop);
}

static void oneshot_state_cb(ruv_timer_t *t) {
  g_count++;
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0);
  ASSERT_EQ(ruv_timer_get_due_in(t), 0);
  if (g_count == 1) { /* may start itself again from its own callback */
    ASSERT_EQ(ruv_timer_start(t, oneshot_state_cb, 1, 0), 0);
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 1);
  }
}

static void repeating_state_cb(ruv_timer_t *t) {
  g_count++;
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 1);
  if (g_count == 3) ASSERT_EQ(ruv_timer_stop(t), 0);
}

TEST_CASE(timer_active_state_inside_its_callback) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t = make_timer(loop);
  g_count = 0;
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0);
  ASSERT_EQ(ruv_timer_start(t, oneshot_state_cb, 0, 0), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 1);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_count, 2);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0);
  g_count = 0;
  ASSERT_EQ(ruv_timer_start(t, repeating_state_cb, 0, 1), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_count, 3);
  finish_loop(loop);
}

static int g_count2;
static void count2_cb(ruv_timer_t *t) {
  (void)t;
  g_count2++;
}

TEST_CASE(starting_a_started_timer_restarts_it) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t = make_timer(loop);
  uint64_t t0;
  g_count = g_count2 = 0;
  ASSERT_EQ(ruv_timer_start(t, count_cb, 10000, 0), 0);
  ASSERT_EQ(ruv_timer_start(t, count2_cb, 20, 0), 0); /* new timeout, new cb */
  ASSERT_EQ(ruv_timer_get_due_in(t), 20);
  ASSERT_EQ(ruv_timer_get_repeat(t), 0);
  t0 = test_now_ms();
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_LT(test_now_ms() - t0, 5000); /* the 10 s deadline was replaced */
  ASSERT_EQ(g_count, 0);
  ASSERT_EQ(g_count2, 1);
  /* a repeating timer restarted as a one-shot stops repeating */
  ASSERT_EQ(ruv_timer_start(t, count_cb, 0, 5), 0);
  ASSERT_EQ(ruv_timer_start(t, count_cb, 0, 0), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_count, 1);
  finish_loop(loop);
}

TEST_MAIN(TEST_ENTRY(timer_fires_in_due_order),
          TEST_ENTRY(timer_equal_due_times_fire_in_start_order),
          TEST_ENTRY(timer_timeout_zero_fires_in_next_run_never_inside_start),
          TEST_ENTRY(timer_repeat_fires_n_times_rearmed_before_callback),
          TEST_ENTRY(timer_set_get_repeat), TEST_ENTRY(timer_again),
          TEST_ENTRY(timer_due_in),
          TEST_ENTRY(timer_active_state_inside_its_callback),
          TEST_ENTRY(starting_a_started_timer_restarts_it))
