/* test_timer_misuse.c - timers (DESIGN §3.5, §3.10, §6.2): closing active
 * timers, callbacks that stop/restart/close their own and other timers, a
 * timer started from a timer callback waits for the next timer phase, type and
 * walk, and misuse: NULLs, the wrong kind of handle, calls on a closing timer. */
#include "handles.h"

static int g_count;

static void count_cb(ruv_timer_t *t) {
  (void)t;
  g_count++;
}

static void tag_cb(ruv_timer_t *t) { trace_add(get_tag(t)); }

static void close_trace_cb(ruv_handle_t *h) {
  ASSERT_EQ(ruv_is_closing(h), 1);
  trace_add('X');
}

static void noop_conn_cb(ruv_tcp_t *server, int status) {
  (void)server;
  (void)status;
}

static void noop_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  (void)tcp;
  (void)nread;
  (void)data;
}

static void noop_connect_cb(ruv_tcp_t *tcp, int status) {
  (void)tcp;
  (void)status;
}

static ruv_timer_t *tagged(ruv_loop_t *loop, char c) {
  ruv_timer_t *t = make_timer(loop);
  set_tag(t, c);
  return t;
}

/* ---- close ---------------------------------------------------------------- */

static void close_self_third_cb(ruv_timer_t *t) {
  trace_add('t');
  if (trace_()->n == 3) {
    ASSERT_EQ(ruv_close(RUV_HANDLE(t), close_trace_cb), 0);
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0);
    ASSERT_EQ(ruv_is_closing(RUV_HANDLE(t)), 1);
  }
}

static void close_self_oneshot_cb(ruv_timer_t *t) {
  trace_add('o');
  ASSERT_EQ(ruv_close(RUV_HANDLE(t), close_trace_cb), 0);
}

TEST_CASE(closing_an_active_timer_no_callback_after_close) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t = tagged(loop, 'a');
  int i;
  /* due, then closed before the loop ran: only the close callback */
  trace_reset();
  ASSERT_EQ(ruv_timer_start(t, tag_cb, 0, 1), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(t), close_trace_cb), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0);
  ASSERT_EQ(ruv_is_closing(RUV_HANDLE(t)), 1);
  ASSERT_EQ(ruv_loop_alive(loop), 1); /* a closing handle keeps it alive */
  ASSERT_STR_EQ(trace_str(), "");     /* close cb not from inside ruv_close */
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(trace_str(), "X");
  /* a repeating timer that closes itself on its third fire */
  trace_reset();
  t = make_timer(loop);
  ASSERT_EQ(ruv_timer_start(t, close_self_third_cb, 0, 1), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(trace_str(), "tttX");
  /* a one-shot that closes itself */
  trace_reset();
  t = make_timer(loop);
  ASSERT_EQ(ruv_timer_start(t, close_self_oneshot_cb, 5, 0), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(trace_str(), "oX");
  for (i = 0; i < 3; i++) ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 0);
  ASSERT_STR_EQ(trace_str(), "oX"); /* nothing after the close callback */
  ASSERT_EQ(walk_count(loop), 0);    /* freed after its close callback */
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

/* ---- callbacks that change other timers ----------------------------------- */

static ruv_timer_t *g_b, *g_c, *g_d;

static void meddle_cb(ruv_timer_t *t) {
  trace_add(get_tag(t));
  ASSERT_EQ(ruv_timer_stop(g_b), 0);               /* due now: must not run */
  ASSERT_EQ(ruv_timer_start(g_c, tag_cb, 0, 0), 0); /* restarted: a later phase */
  ASSERT_EQ(ruv_close(RUV_HANDLE(g_d), close_trace_cb), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(g_b)), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(g_c)), 1);
}

static void restart_self_cb(ruv_timer_t *t) {
  trace_add(get_tag(t));
  if (trace_()->n < 3) {
    /* a one-shot restarts itself as a repeating timer */
    ASSERT_EQ(ruv_timer_start(t, restart_self_cb, 1, 1), 0);
  } else {
    ASSERT_EQ(ruv_timer_stop(t), 0);
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0);
  }
}

TEST_CASE(callbacks_stop_restart_and_close_other_timers) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *a = tagged(loop, 'A');
  g_b = tagged(loop, 'B');
  g_c = tagged(loop, 'C');
  g_d = tagged(loop, 'D');
  trace_reset();
  /* all due in the same phase, A first */
  ASSERT_EQ(ruv_timer_start(a, meddle_cb, 0, 0), 0);
  ASSERT_EQ(ruv_timer_start(g_b, tag_cb, 0, 0), 0);
  ASSERT_EQ(ruv_timer_start(g_c, tag_cb, 0, 0), 0);
  ASSERT_EQ(ruv_timer_start(g_d, tag_cb, 0, 0), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  /* D's close callback runs in step 3, before any later timer phase */
  ASSERT_STR_EQ(trace_str(), "AXC");
  /* B was only stopped: it can run again */
  ASSERT_EQ(ruv_timer_start(g_b, tag_cb, 0, 0), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(trace_str(), "AXCB");
  /* restart of its own timer from the callback, then stop from the callback */
  trace_reset();
  ASSERT_EQ(ruv_timer_start(a, restart_self_cb, 0, 0), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(trace_str(), "AAA");
  finish_loop(loop);
}

/* ---- a timer started from a timer callback waits for the next phase ------- */

enum { CHAIN = 10 };
static ruv_timer_t *g_chain[CHAIN];

static void chain_cb(ruv_timer_t *t) {
  int i = (int)(intptr_t)ruv_handle_get_data(RUV_HANDLE(t));
  ASSERT_EQ(i, g_count); /* in chain order */
  g_count++;
  if (i + 1 < CHAIN) ASSERT_EQ(ruv_timer_start(g_chain[i + 1], chain_cb, 0, 0), 0);
}

TEST_CASE(timer_started_from_timer_callback_waits_for_next_phase) {
  ruv_loop_t *loop = make_loop();
  int i;
  g_count = 0;
  for (i = 0; i < CHAIN; i++) {
    g_chain[i] = make_timer(loop);
    ruv_handle_set_data(RUV_HANDLE(g_chain[i]), (void *)(intptr_t)i);
  }
  ASSERT_EQ(ruv_timer_start(g_chain[0], chain_cb, 0, 0), 0);
  /* each NOWAIT has two timer phases; each link must wait for the next one,
   * so a run advances the chain by at least one and at most two links */
  for (i = 1; g_count < CHAIN; i++) {
    ASSERT_LE(i, CHAIN);
    ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
    ASSERT_GE(g_count, i < CHAIN ? i : CHAIN);
    ASSERT_LE(g_count, 2 * i);
  }
  ASSERT_EQ(g_count, CHAIN);
  finish_loop(loop);
}

/* ---- type, walk, accessors ------------------------------------------------ */

typedef struct {
  int timers, tcps, other;
} kinds;

static void kinds_walk_cb(ruv_handle_t *h, void *arg) {
  kinds *k = (kinds *)arg;
  switch ((int)ruv_handle_get_type(h)) {
    case RUV_TIMER: k->timers++; break;
    case RUV_TCP: k->tcps++; break;
    default: k->other++; break;
  }
}

TEST_CASE(timer_type_walk_and_accessors) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *a = make_timer(loop), *b = make_timer(loop), *c = make_timer(loop);
  kinds k;
  int x;
  /* the enum values are fixed by the contract */
  ASSERT_EQ(RUV_UNKNOWN_HANDLE, 0);
  ASSERT_EQ(RUV_TCP, 1);
  ASSERT_EQ(RUV_TIMER, 2);
  ASSERT_EQ(RUV_ASYNC, 3);
  ASSERT_EQ(RUV_IDLE, 4);
  ASSERT_EQ(RUV_PREPARE, 5);
  ASSERT_EQ(RUV_CHECK, 6);
  make_tcp(loop, AF_INET);
  ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(a)), RUV_TIMER);
  ASSERT_PTR_EQ(ruv_handle_get_loop(RUV_HANDLE(a)), loop);
  ASSERT_NULL(ruv_handle_get_data(RUV_HANDLE(a)));
  ruv_handle_set_data(RUV_HANDLE(a), &x);
  ASSERT_PTR_EQ(ruv_handle_get_data(RUV_HANDLE(a)), &x);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(a)), 0);
  ASSERT_EQ(ruv_is_closing(RUV_HANDLE(a)), 0);
  ASSERT_EQ(ruv_has_ref(RUV_HANDLE(a)), 1);
  ASSERT_EQ(ruv_timer_start(b, count_cb, 1000, 0), 0); /* active or not, walked */
  memset(&k, 0, sizeof k);
  ruv_walk(loop, kinds_walk_cb, &k);
  ASSERT_EQ(k.timers, 3);
  ASSERT_EQ(k.tcps, 1);
  ASSERT_EQ(k.other, 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(c), NULL), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1); /* c's close runs; b keeps it alive */
  memset(&k, 0, sizeof k);
  ruv_walk(loop, kinds_walk_cb, &k);
  ASSERT_EQ(k.timers, 2);
  ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(b)), RUV_TIMER);
  finish_loop(loop);
}

/* ---- misuse ----------------------------------------------------------------- */

TEST_CASE(timer_misuse_null_arguments) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t = make_timer(loop), *out = (ruv_timer_t *)&g_count;
  g_count = 0;
  ASSERT_EQ(ruv_timer_new(NULL, &out), RUV_EINVAL);
  ASSERT_PTR_EQ(out, &g_count); /* untouched */
  ASSERT_EQ(ruv_timer_new(loop, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_start(NULL, count_cb, 0, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_start(t, NULL, 0, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0);
  ASSERT_EQ(ruv_timer_stop(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_again(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_set_repeat(NULL, 5), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_get_repeat(NULL), 0);
  ASSERT_EQ(ruv_timer_get_due_in(NULL), 0);
  /* a failed start changes nothing: the running timer keeps its deadline */
  ASSERT_EQ(ruv_timer_start(t, count_cb, 500, 9), 0);
  ASSERT_EQ(ruv_timer_start(t, NULL, 0, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 1);
  ASSERT_EQ(ruv_timer_get_due_in(t), 500);
  ASSERT_EQ(ruv_timer_get_repeat(t), 9);
  ASSERT_EQ(g_count, 0);
  ASSERT_EQ(walk_count(loop), 1); /* the failed ruv_timer_new made nothing */
  finish_loop(loop);
}

TEST_CASE(timer_wrong_handle_kind) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t = make_timer(loop);
  ruv_tcp_t *tcp = make_tcp(loop, AF_INET), *server;
  ruv_tcp_t *tt = (ruv_tcp_t *)t; /* a timer where a TCP handle is expected */
  ruv_timer_t *bad = (ruv_timer_t *)tcp;
  struct sockaddr_storage ss = loopback(AF_INET, 0);
  int len = (int)sizeof ss, v = -7, port, fd;
  ruv_buf_t b;
  server = listen_on(loop, AF_INET, noop_conn_cb, &port);
  fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  b.base = "x";
  b.len = 1;
  g_count = 0;
  /* a TCP handle (and a loop) passed as a timer */
  ASSERT_EQ(ruv_timer_start(bad, count_cb, 0, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_stop(bad), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_again(bad), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_set_repeat(bad, 3), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_get_repeat(bad), 0);
  ASSERT_EQ(ruv_timer_get_due_in(bad), 0);
  ASSERT_EQ(ruv_timer_start((ruv_timer_t *)loop, count_cb, 0, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_stop((ruv_timer_t *)loop), RUV_EINVAL);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(tcp)), 0);
  ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(tcp)), RUV_TCP);
  /* a timer passed to ruv_tcp_* */
  ASSERT_EQ(ruv_tcp_bind(tt, (struct sockaddr *)&ss, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_listen(tt, 0, noop_conn_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_accept(tt, tcp), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_accept(server, tt), RUV_EINVAL); /* not EAGAIN */
  ASSERT_EQ(ruv_tcp_connect(tt, (struct sockaddr *)&ss, noop_connect_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_open(tt, fd), RUV_EINVAL);
  ASSERT(fd_is_open(fd)); /* not taken */
  close(fd);
  ASSERT_EQ(ruv_tcp_getsockname(tt, (struct sockaddr *)&ss, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getpeername(tt, (struct sockaddr *)&ss, &len), RUV_EINVAL);
  ASSERT_EQ(len, (int)sizeof ss);
  ASSERT_EQ(ruv_tcp_shutdown(tt, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_write(tt, &b, 1, NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_try_write(tt, &b, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_start_read(tt, noop_read_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_stop_read(tt), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_nodelay(tt, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_keepalive(tt, 1, 10), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_simultaneous_accepts(tt, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_fileno(tt, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_family(tt, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_get_send_buffer_size(tt, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(tt, 65536), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_get_receive_buffer_size(tt, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_receive_buffer_size(tt, 65536), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_write_queue_size(tt), 0);
  ASSERT_EQ(v, -7);
  /* the timer is unharmed */
  ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(t)), RUV_TIMER);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0);
  ASSERT_EQ(ruv_timer_start(t, count_cb, 0, 0), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1); /* the listener keeps the loop alive */
  ASSERT_EQ(g_count, 1);
  finish_loop(loop);
}

TEST_CASE(every_timer_call_on_a_closing_timer_is_einval) {
  ruv_loop_t *loop = make_loop();
  ruv_timer_t *t = make_timer(loop), *s = make_timer(loop);
  g_count = 0;
  trace_reset();
  ASSERT_EQ(ruv_timer_start(t, count_cb, 0, 40), 0); /* active, due, repeating */
  ASSERT_EQ(ruv_close(RUV_HANDLE(t), close_trace_cb), 0);
  ASSERT_EQ(ruv_timer_start(t, count_cb, 0, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_stop(t), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_again(t), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_set_repeat(t, 5), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_get_repeat(t), 0);
  ASSERT_EQ(ruv_timer_get_due_in(t), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(t), close_trace_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_close(RUV_HANDLE(t), NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0);
  ASSERT_EQ(ruv_is_closing(RUV_HANDLE(t)), 1);
  ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(t)), RUV_TIMER);
  /* the same on a stopped, never started timer */
  ASSERT_EQ(ruv_close(RUV_HANDLE(s), close_trace_cb), 0);
  ASSERT_EQ(ruv_timer_start(s, count_cb, 0, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_stop(s), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_again(s), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_set_repeat(s, 5), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_get_repeat(s), 0);
  ASSERT_EQ(ruv_timer_get_due_in(s), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_count, 0); /* the due timer never fired after ruv_close */
  ASSERT_STR_EQ(trace_str(), "XX");
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_MAIN(TEST_ENTRY(closing_an_active_timer_no_callback_after_close),
          TEST_ENTRY(callbacks_stop_restart_and_close_other_timers),
          TEST_ENTRY(timer_started_from_timer_callback_waits_for_next_phase),
          TEST_ENTRY(timer_type_walk_and_accessors),
          TEST_ENTRY(timer_misuse_null_arguments),
          TEST_ENTRY(timer_wrong_handle_kind),
          TEST_ENTRY(every_timer_call_on_a_closing_timer_is_einval))
