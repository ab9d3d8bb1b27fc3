/* test_hooks.c - idle, prepare and check handles (DESIGN §6.1, §6.2): once
 * per iteration in start order, restart keeps the place, the phase order of one
 * iteration against timers, completions and I/O, handles started during their
 * phase, an active idle keeps the poll from blocking, callbacks that stop and
 * close handles.  Every rule runs on each of the three kinds (hooks.h).
 * Misuse is in test_hooks_misuse.c. */
#include "hooks.h"

static int g_count;

static void noop_conn_cb(ruv_tcp_t *server, int status) {
  (void)server;
  (void)status;
}

static void nowait_n(ruv_loop_t *loop, int n, int alive) {
  int i;
  for (i = 0; i < n; i++) ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), alive);
}

TEST_CASE(hooks_run_once_per_iteration_in_start_order) {
  int k;
  for (k = 0; k < HK_KINDS; k++) {
    ruv_loop_t *loop = make_loop();
    void *a, *b, *c;
    hook_kind_begin(k);
    a = start_hook(k, loop, 'a');
    b = start_hook(k, loop, 'b');
    c = start_hook(k, loop, 'c');
    ASSERT_STR_EQ(trace_str(), ""); /* nothing from inside start */
    ASSERT_EQ(ruv_loop_alive(loop), 1); /* active referenced handles */
    nowait_n(loop, 3, 1);
    ASSERT_STR_EQ(trace_str(), "abcabcabc");
    /* start on a started handle replaces the callback and keeps its place */
    trace_reset();
    ASSERT_EQ(hook_start(k, b, 2), 0);
    ASSERT_EQ(hook_start(k, a, 1), 0);
    nowait_n(loop, 2, 1);
    ASSERT_STR_EQ(trace_str(), "aBcaBc");
    /* stopped and started again: it goes to the end */
    trace_reset();
    ASSERT_EQ(hook_stop(k, a), 0);
    ASSERT_EQ(hook_start(k, a, 1), 0);
    nowait_n(loop, 1, 1);
    ASSERT_STR_EQ(trace_str(), "Bca");
    /* a stopped handle does not run; the others keep their order */
    trace_reset();
    ASSERT_EQ(hook_stop(k, c), 0);
    nowait_n(loop, 1, 1);
    ASSERT_STR_EQ(trace_str(), "Ba");
    trace_reset();
    ASSERT_EQ(hook_stop(k, a), 0);
    ASSERT_EQ(hook_stop(k, b), 0);
    nowait_n(loop, 2, 0); /* nothing active: not alive */
    ASSERT_STR_EQ(trace_str(), "");
    finish_loop(loop);
    hook_kind_end();
  }
}

TEST_CASE(hook_state_type_walk_ref_and_idempotent_stop) {
  int k;
  ASSERT_EQ(RUV_IDLE, 4);
  ASSERT_EQ(RUV_PREPARE, 5);
  ASSERT_EQ(RUV_CHECK, 6);
  for (k = 0; k < HK_KINDS; k++) {
    ruv_loop_t *loop = make_loop();
    void *h = make_hook(k, loop, 'h');
    int x;
    uint64_t t0;
    hook_kind_begin(k);
    ASSERT_EQ((int)ruv_handle_get_type(RUV_HANDLE(h)), hook_type(k));
    ASSERT_PTR_EQ(ruv_handle_get_loop(RUV_HANDLE(h)), loop);
    ruv_handle_set_data(RUV_HANDLE(h), &x);
    ASSERT_PTR_EQ(ruv_handle_get_data(RUV_HANDLE(h)), &x);
    set_tag(h, 'h');
    ASSERT_EQ(walk_count(loop), 1);
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(h)), 0);
    ASSERT_EQ(ruv_loop_alive(loop), 0);
    ASSERT_EQ(hook_stop(k, h), 0); /* never started: 0 */
    ASSERT_EQ(hook_start(k, h, 1), 0);
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(h)), 1);
    ASSERT_EQ(ruv_loop_alive(loop), 1);
    ruv_unref(RUV_HANDLE(h));
    ASSERT_EQ(ruv_loop_alive(loop), 0);
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(h)), 1);
    t0 = test_now_ms();
    ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0); /* unref'd: returns at once */
    ASSERT_LT(test_now_ms() - t0, 2000);
    ruv_ref(RUV_HANDLE(h));
    ASSERT_EQ(ruv_loop_alive(loop), 1);
    ASSERT_EQ(hook_stop(k, h), 0);
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(h)), 0);
    ASSERT_EQ(hook_stop(k, h), 0); /* stop on a stopped handle: 0 */
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(h)), 0);
    ASSERT_EQ(ruv_loop_alive(loop), 0);
    finish_loop(loop);
    hook_kind_end();
  }
}

/* ---- the phases of one iteration ------------------------------------------ */

static void trace_timer_cb(ruv_timer_t *t) { trace_add(get_tag(t)); }

static void trace_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  (void)tcp;
  (void)arg;
  ASSERT_EQ(status, 0);
  trace_add('W');
}

static void trace_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  (void)tcp;
  (void)data;
  ASSERT_GT(nread, 0);
  trace_add('R');
}

/* §6.1: 2 timers, 3 completions, 4 idle, 5 prepare, 6 poll, 7 I/O, 8 check. */
TEST_CASE(phase_order_in_one_iteration) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t = make_timer(loop);
  tcp_pair p;
  ruv_buf_t b;
  struct pollfd pfd;
  make_pair(loop, AF_INET, &p);
  ASSERT_EQ(ruv_tcp_start_read(p.peer, trace_read_cb), 0);
  start_hook(HK_CHECK, loop, 'C');
  start_hook(HK_PREPARE, loop, 'P');
  start_hook(HK_IDLE, loop, 'I');
  nowait_n(loop, 3, 1);
  trace_reset();
  /* a write done at once (its callback is a completion), data for the reader
   * (arrives during the poll), a due timer */
  b.base = "x";
  b.len = 1;
  ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, trace_write_cb, NULL), 0);
  pfd.fd = tcp_fd(p.peer);
  pfd.events = POLLIN;
  pfd.revents = 0;
  ASSERT_EQ(poll(&pfd, 1, 5000), 1);
  set_tag(t, 'T');
  ASSERT_EQ(ruv_timer_start(t, trace_timer_cb, 0, 0), 0);
  ASSERT_STR_EQ(trace_str(), "");
  nowait_n(loop, 1, 1);
  ASSERT_STR_EQ(trace_str(), "TWIPRC");
  trace_reset();
  nowait_n(loop, 1, 1);
  ASSERT_STR_EQ(trace_str(), "IPC");
  finish_loop(loop);
}

static void *g_later; /* started by the first hook's callback */
static void *g_restarted;

static void start_later_action(int k, void *h) {
  (void)h;
  if (g_count++ > 0) return;
  ASSERT_EQ(hook_start(k, g_later, 1), 0);
  ASSERT_EQ(hook_stop(k, g_restarted), 0);
  ASSERT_EQ(hook_start(k, g_restarted, 1), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(g_later)), 1);
}

TEST_CASE(hook_started_during_its_phase_waits_for_next_iteration) {
  int k;
  for (k = 0; k < HK_KINDS; k++) {
    ruv_loop_t *loop = make_loop();
    hook_kind_begin(k);
    g_count = 0;
    start_hook(k, loop, 'a');
    g_later = make_hook(k, loop, 'b');
    g_restarted = start_hook(k, loop, 'c'); /* due after a in this phase */
    g_hook_action = start_later_action;
    nowait_n(loop, 1, 1);
    /* b was started and c stopped and started again during the phase */
    ASSERT_STR_EQ(trace_str(), "a");
    trace_reset();
    nowait_n(loop, 1, 1);
    ASSERT_STR_EQ(trace_str(), "abc"); /* b's start came before c's restart */
    finish_loop(loop);
    hook_kind_end();
  }
}

static ruv_timer_t *g_t2;

static void idle_starts_timer_action(int k, void *h) {
  (void)k;
  (void)h;
  if (g_count++ == 0) ASSERT_EQ(ruv_timer_start(g_t2, trace_timer_cb, 0, 0), 0);
}

static void timer_starts_timer_cb(ruv_timer_t *t) {
  trace_add(get_tag(t));
  ASSERT_EQ(ruv_timer_start(g_t2, trace_timer_cb, 0, 0), 0);
}

/* A timer started with timeout 0 in step 2 (from a timer) or 4 (from an idle
 * callback) is due by step 9 of the same iteration and runs there, after the
 * check callbacks; it never runs in the phase it was started in. */
TEST_CASE(timers_started_in_a_phase_run_in_the_second_timer_phase) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t1 = make_timer(loop);
  g_t2 = make_timer(loop);
  set_tag(t1, '1');
  set_tag(g_t2, '2');
  start_hook(HK_IDLE, loop, 'I');
  start_hook(HK_PREPARE, loop, 'P');
  start_hook(HK_CHECK, loop, 'C');
  trace_reset();
  ASSERT_EQ(ruv_timer_start(t1, timer_starts_timer_cb, 0, 0), 0);
  nowait_n(loop, 1, 1);
  ASSERT_STR_EQ(trace_str(), "1IPC2");
  trace_reset();
  g_count = 0;
  g_hook_action = idle_starts_timer_action; /* every hook calls it; the first acts */
  nowait_n(loop, 1, 1);
  ASSERT_STR_EQ(trace_str(), "IPC2");
  trace_reset();
  nowait_n(loop, 1, 1);
  ASSERT_STR_EQ(trace_str(), "IPC");
  g_hook_action = NULL;
  finish_loop(loop);
}

/* ---- an active idle keeps the poll from blocking -------------------------- */

TEST_CASE(active_idle_keeps_poll_from_blocking) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t = make_timer(loop);
  void *idle, *prep, *chk;
  ruv_tcp_t *server;
  int port, bt;
  uint64_t t0;
  trace_reset();
  ASSERT_EQ(ruv_timer_start(t, trace_timer_cb, 10000, 0), 0);
  set_tag(t, 'T');
  idle = start_hook(HK_IDLE, loop, 'i');
  ASSERT_EQ(ruv_backend_timeout(loop), 0);
  t0 = test_now_ms();
  ASSERT_EQ(ruv_run(loop, RUV_RUN_ONCE), 1); /* returns promptly */
  ASSERT_LT(test_now_ms() - t0, 2000);
  ASSERT_STR_EQ(trace_str(), "i");
  ASSERT_EQ(hook_stop(HK_IDLE, idle), 0);
  bt = ruv_backend_timeout(loop); /* now the timer decides */
  ASSERT_GE(bt, 8000);
  ASSERT_LE(bt, 10000);
  ASSERT_EQ(ruv_timer_stop(t), 0);
  /* prepare and check do not keep the poll from blocking */
  server = listen_on(loop, AF_INET, noop_conn_cb, &port);
  (void)server;
  prep = start_hook(HK_PREPARE, loop, 'p');
  chk = start_hook(HK_CHECK, loop, 'c');
  ASSERT_EQ(ruv_backend_timeout(loop), -1);
  ASSERT_EQ(hook_start(HK_IDLE, idle, 1), 0);
  ASSERT_EQ(ruv_backend_timeout(loop), 0);
  /* "an idle handle is active": an unreferenced one counts too */
  ruv_unref(RUV_HANDLE(idle));
  ASSERT_EQ(ruv_backend_timeout(loop), 0);
  ASSERT_EQ(hook_stop(HK_IDLE, idle), 0);
  ASSERT_EQ(ruv_backend_timeout(loop), -1);
  (void)prep;
  (void)chk;
  finish_loop(loop);
}

/* ---- callbacks that stop and close ---------------------------------------- */

static void *g_h[4];

static void meddle_action(int k, void *h) {
  if (h == g_h[0] && g_count++ == 0) {
    ASSERT_EQ(hook_stop(k, g_h[1]), 0); /* later in this phase: must not run */
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(g_h[1])), 0);
    ASSERT_EQ(ruv_close(RUV_HANDLE(g_h[2]), hook_close_trace_cb), 0);
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(g_h[2])), 0);
  } else if (h == g_h[3]) {
    ASSERT_EQ(ruv_close(RUV_HANDLE(h), hook_close_trace_cb), 0); /* itself */
    ASSERT_EQ(ruv_is_closing(RUV_HANDLE(h)), 1);
  }
}

TEST_CASE(hook_callbacks_stop_and_close_themselves_and_others) {
  int k;
  for (k = 0; k < HK_KINDS; k++) {
    ruv_loop_t *loop = make_loop();
    hook_kind_begin(k);
    g_count = 0;
    g_h[0] = start_hook(k, loop, 'a');
    g_h[1] = start_hook(k, loop, 'b');
    g_h[2] = start_hook(k, loop, 'c');
    g_h[3] = start_hook(k, loop, 'd');
    g_hook_action = meddle_action;
    nowait_n(loop, 1, 1);
    ASSERT_STR_EQ(trace_str(), "ad");
    /* both close callbacks, then only a (b stopped, c and d gone) */
    nowait_n(loop, 2, 1);
    ASSERT_STR_EQ(trace_str(), "adXXaa");
    ASSERT_EQ(walk_count(loop), 2);
    /* b was only stopped */
    ASSERT_EQ(hook_start(k, g_h[1], 1), 0);
    trace_reset();
    nowait_n(loop, 1, 1);
    ASSERT_STR_EQ(trace_str(), "ab");
    finish_loop(loop);
    hook_kind_end();
  }
}

TEST_CASE(closing_an_active_hook_no_callback_after_close) {
  int k;
  for (k = 0; k < HK_KINDS; k++) {
    ruv_loop_t *loop = make_loop();
    void *h;
    hook_kind_begin(k);
    h = start_hook(k, loop, 'h');
    nowait_n(loop, 1, 1);
    ASSERT_STR_EQ(trace_str(), "h");
    ASSERT_EQ(ruv_close(RUV_HANDLE(h), hook_close_trace_cb), 0);
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(h)), 0);
    ASSERT_EQ(ruv_is_closing(RUV_HANDLE(h)), 1);
    ASSERT_STR_EQ(trace_str(), "h"); /* close cb not from inside ruv_close */
    ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(trace_str(), "hX");
    nowait_n(loop, 2, 0);
    ASSERT_STR_EQ(trace_str(), "hX");
    ASSERT_EQ(walk_count(loop), 0);
    ASSERT_EQ(ruv_loop_close(loop), 0);
    hook_kind_end();
  }
}

TEST_MAIN(TEST_ENTRY(hooks_run_once_per_iteration_in_start_order),
          TEST_ENTRY(hook_state_type_walk_ref_and_idempotent_stop),
          TEST_ENTRY(phase_order_in_one_iteration),
          TEST_ENTRY(hook_started_during_its_phase_waits_for_next_iteration),
          TEST_ENTRY(timers_started_in_a_phase_run_in_the_second_timer_phase),
          TEST_ENTRY(active_idle_keeps_poll_from_blocking),
          TEST_ENTRY(hook_callbacks_stop_and_close_themselves_and_others),
          TEST_ENTRY(closing_an_active_hook_no_callback_after_close))
