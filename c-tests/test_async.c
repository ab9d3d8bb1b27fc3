/* test_async.c - the async handle (DESIGN §6.2, §3.11): callbacks from ruv_run
 * only, coalescing, no lost wakeup with many threads, keeping the loop alive,
 * NULL callback, sends from a signal handler, close (also racing with sends
 * from another thread), type and misuse. */
#include "handles.h"

#include <pthread.h>
#include <sched.h>

#define LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define ADD(p, v) __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)

static int g_count;
static int g_in_send;
static int g_depth;

static void count_cb(ruv_async_t *a) {
  (void)a;
  ASSERT_EQ(g_in_send, 0); /* never from inside ruv_async_send */
  ASSERT_EQ(g_depth, 0);   /* never nested */
  g_count++;
}

static void close_trace_cb(ruv_handle_t *h) {
  ASSERT_EQ(ruv_is_closing(h), 1);
  trace_add('X');
}

static int send_here(ruv_async_t *a) {
  int rc;
  g_in_send = 1;
  rc = ruv_async_send(a);
  g_in_send = 0;
  return rc;
}

/* Run ONCE until `*flag` reaches `n` or the watchdog fires. */
static void run_once_until(ruv_loop_t *loop, int *flag, int n) {
  while (LOAD(flag) < n && !watchdog_fired()) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_MSG(!watchdog_fired(), "watchdog: waited 20 s for %d callbacks, got %d", n,
             LOAD(flag));
}

TEST_CASE(send_from_loop_thread_runs_callback_from_run) {
  ruv_loop_t *loop = make_loop();
  ruv_async_t *a = make_async(loop, count_cb);
  int i;
  g_count = 0;
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(a)), 1); /* active from creation */
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  ASSERT_EQ(send_here(a), 0);
  ASSERT_EQ(g_count, 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_ONCE), 1); /* the send is pending: no blocking */
  ASSERT_EQ(g_count, 1);
  for (i = 0; i < 5; i++) ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(g_count, 1); /* no callback without a send */
  ASSERT_EQ(send_here(a), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(g_count, 2);
  finish_loop(loop);
}

TEST_CASE(sends_before_the_loop_runs_coalesce) {
  ruv_loop_t *loop = make_loop();
  ruv_async_t *a = make_async(loop, count_cb);
  int i;
  g_count = 0;
  for (i = 0; i < 10; i++) ASSERT_EQ(send_here(a), 0);
  ASSERT_EQ(g_count, 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_ONCE), 1);
  ASSERT_GE(g_count, 1);  /* at least one callback */
  ASSERT_LE(g_count, 10); /* and never more than there were sends */
  i = g_count;
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(g_count, i);
  finish_loop(loop);
}

static void resend_cb(ruv_async_t *a) {
  ASSERT_EQ(g_depth, 0);
  g_depth++;
  g_count++;
  if (g_count < 3) ASSERT_EQ(ruv_async_send(a), 0); /* gives a later callback */
  g_depth--;
}

TEST_CASE(send_from_own_callback_gives_a_later_callback) {
  ruv_loop_t *loop = make_loop();
  ruv_async_t *a = make_async(loop, resend_cb);
  ruv_async_t *b = make_async(loop, count_cb);
  g_count = 0;
  watchdog_start(loop, 20000);
  ASSERT_EQ(ruv_async_send(a), 0);
  run_once_until(loop, &g_count, 3); /* resend_cb checks it is never re-entered */
  ASSERT_EQ(g_count, 3);
  /* b was never sent: its callback (count_cb, which counts too) never ran, and
   * a's last callback sent nothing */
  (void)b;
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(g_count, 3);
  finish_loop(loop);
}

/* A callback that always sends again: the I/O phase looks at the async handles again after
 * callbacks ran (a send made meanwhile is delivered without another trip through the poll), at
 * most 3 more times, so one iteration runs it 4 times and the loop neither spins inside the
 * phase nor loses the send (the next iteration goes on). */
static int g_forever;

static void always_resend_cb(ruv_async_t *a) {
  g_forever++;
  ASSERT_EQ(ruv_async_send(a), 0);
}

TEST_CASE(resend_from_callback_is_bounded_per_iteration) {
  ruv_loop_t *loop = make_loop();
  ruv_async_t *a = make_async(loop, always_resend_cb);
  g_forever = 0;
  ASSERT_EQ(ruv_async_send(a), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(g_forever, 4);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(g_forever, 8);
  ASSERT_EQ(ruv_close(RUV_HANDLE(a), NULL), 0);
  finish_loop(loop);
  ASSERT_EQ(g_forever, 8); /* the send made by the last callback died with the close */
}

/* ---- many threads: no lost wakeup ----------------------------------------- */

static int g_sent;     /* incremented by each sender before its send */
static int g_observed; /* g_sent as read at the start of the latest callback */
static int g_callbacks;
static ruv_async_t *g_async;

static void observe_cb(ruv_async_t *a) {
  int v = LOAD(&g_sent);
  (void)a;
  ASSERT_GE(v, LOAD(&g_observed));
  g_callbacks++;
  STORE(&g_observed, v);
}

typedef struct {
  int n;
} sender_arg;

static void *sender_main(void *arg) {
  sender_arg *s = (sender_arg *)arg;
  int i;
  for (i = 0; i < s->n; i++) {
    ADD(&g_sent, 1);
    ASSERT_EQ(ruv_async_send(g_async), 0);
    if (i % 64 == 0) sched_yield();
  }
  return NULL;
}

TEST_CASE(many_threads_no_lost_wakeup) {
  enum { NT = 4 };
  ruv_loop_t *loop = make_loop();
  pthread_t th[NT];
  sender_arg args[NT];
  int i, total;
  g_sent = g_observed = g_callbacks = 0;
  g_async = make_async(loop, observe_cb);
  watchdog_start(loop, 20000);
  for (i = 0; i < NT; i++) args[i].n = (int)test_scaled(10000, 500);
  total = NT * args[0].n;
  for (i = 0; i < NT; i++) ASSERT_EQ(pthread_create(&th[i], NULL, sender_main, &args[i]), 0);
  /* every send is followed by a callback that starts after it: some callback
   * must see the final count */
  run_once_until(loop, &g_observed, total);
  for (i = 0; i < NT; i++) ASSERT_EQ(pthread_join(th[i], NULL), 0);
  ASSERT_EQ(LOAD(&g_observed), total);
  ASSERT_GE(g_callbacks, 1);
  ASSERT_LE(g_callbacks, total);
  finish_loop(loop);
}

/* One round trip per send: the loop is asleep in the poll for most sends. */
static int g_seq, g_ack, g_pp_failed;

static void ack_cb(ruv_async_t *a) {
  (void)a;
  STORE(&g_ack, LOAD(&g_seq));
}

static void *pinger_main(void *arg) {
  int n = *(int *)arg, i;
  for (i = 1; i <= n; i++) {
    uint64_t deadline = test_now_ms() + 10000;
    STORE(&g_seq, i);
    ASSERT_EQ(ruv_async_send(g_async), 0);
    while (LOAD(&g_ack) < i) {
      if (test_now_ms() > deadline) {
        STORE(&g_pp_failed, i); /* this send got no callback */
        return NULL;
      }
      sched_yield();
    }
  }
  return NULL;
}

TEST_CASE(ping_pong_with_a_thread_no_lost_wakeup) {
  ruv_loop_t *loop = make_loop();
  pthread_t th;
  int n = (int)test_scaled(2000, 200);
  g_seq = g_ack = g_pp_failed = 0;
  g_async = make_async(loop, ack_cb);
  watchdog_start(loop, 20000);
  ASSERT_EQ(pthread_create(&th, NULL, pinger_main, &n), 0);
  while (LOAD(&g_ack) < n && !LOAD(&g_pp_failed) && !watchdog_fired())
    ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(pthread_join(th, NULL), 0);
  ASSERT_MSG(!LOAD(&g_pp_failed), "send %d was never followed by a callback",
             LOAD(&g_pp_failed));
  ASSERT(!watchdog_fired());
  ASSERT_EQ(LOAD(&g_ack), n);
  finish_loop(loop);
}

/* ---- liveness, NULL callback ---------------------------------------------- */

TEST_CASE(async_keeps_loop_alive_until_closed_or_unrefd) {
  ruv_loop_t *loop = make_loop();
  ruv_async_t *a = make_async(loop, count_cb);
  uint64_t t0;
  g_count = 0;
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ruv_unref(RUV_HANDLE(a));
  ASSERT_EQ(ruv_has_ref(RUV_HANDLE(a)), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(a)), 1);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  t0 = test_now_ms();
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0); /* returns at once */
  ASSERT_LT(test_now_ms() - t0, 2000);
  ruv_ref(RUV_HANDLE(a));
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  ASSERT_EQ(ruv_close(RUV_HANDLE(a), NULL), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(a)), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

static int g_thread_sent;

static void *late_sender_main(void *arg) {
  test_sleep_ms(100); /* let the loop block first */
  STORE(&g_thread_sent, 1);
  ASSERT_EQ(ruv_async_send((ruv_async_t *)arg), 0);
  return NULL;
}

TEST_CASE(null_callback_send_only_wakes_the_loop) {
  ruv_loop_t *loop = make_loop();
  ruv_async_t *a = make_async(loop, NULL);
  pthread_t th;
  uint64_t t0;
  /* from the loop thread: nothing to call, nothing breaks */
  ASSERT_EQ(ruv_async_send(a), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  /* from a thread while the loop blocks in ONCE with only this async (and a
   * 20 s watchdog): the send ends the poll */
  watchdog_start(loop, 20000);
  g_thread_sent = 0;
  ASSERT_EQ(pthread_create(&th, NULL, late_sender_main, a), 0);
  t0 = test_now_ms();
  ASSERT_EQ(ruv_run(loop, RUV_RUN_ONCE), 1);
  ASSERT_EQ(LOAD(&g_thread_sent), 1); /* it returned because of the send */
  ASSERT(!watchdog_fired());
  ASSERT_LT(test_now_ms() - t0, 10000);
  ASSERT_EQ(pthread_join(th, NULL), 0);
  finish_loop(loop);
}

/* The callbacks of a poll that waited see the time after the wait (§6.1 step 6):
 * a callback that restarts an idle timer must not base it on the time before. */
static ruv_loop_t *g_now_loop;
static uint64_t g_now_in_cb;

static void record_now_cb(ruv_async_t *a) {
  (void)a;
  g_now_in_cb = ruv_now(g_now_loop);
}

TEST_CASE(callback_after_a_blocking_poll_sees_the_time_after_the_wait) {
  ruv_loop_t *loop = make_loop();
  ruv_async_t *a = make_async(loop, record_now_cb);
  pthread_t th;
  uint64_t before;
  g_now_loop = loop;
  g_now_in_cb = 0;
  watchdog_start(loop, 20000);
  ruv_update_time(loop);
  before = ruv_now(loop);
  ASSERT_EQ(pthread_create(&th, NULL, late_sender_main, a), 0); /* sends after 100 ms */
  ASSERT_EQ(ruv_run(loop, RUV_RUN_ONCE), 1);
  ASSERT_EQ(pthread_join(th, NULL), 0);
  ASSERT(!watchdog_fired());
  ASSERT_GE(g_now_in_cb, before + 60); /* the wait was at least 100 ms */
  finish_loop(loop);
}

/* ---- from a signal handler -------------------------------------------------- */

static ruv_async_t *volatile g_sig_async;
static volatile sig_atomic_t g_sig_rc = 1;
static volatile sig_atomic_t g_sig_calls;

static void usr1_handler(int sig) {
  int saved = errno;
  (void)sig;
  g_sig_rc = ruv_async_send(g_sig_async); /* async-signal-safe */
  g_sig_calls++;
  errno = saved;
}

static void install_usr1(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = usr1_handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART: the poll sees EINTR */
  ASSERT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
}

static pthread_t g_loop_thread;
static int g_kill_mode; /* 0: pthread_kill the loop thread, 1: kill(getpid()) */

static void *signaller_main(void *arg) {
  (void)arg;
  test_sleep_ms(100);
  if (g_kill_mode == 0)
    ASSERT_EQ(pthread_kill(g_loop_thread, SIGUSR1), 0);
  else
    ASSERT_EQ(kill(getpid(), SIGUSR1), 0);
  return NULL;
}

TEST_CASE(send_from_a_signal_handler) {
  ruv_loop_t *loop = make_loop();
  pthread_t th;
  g_count = 0;
  g_sig_async = make_async(loop, count_cb);
  install_usr1();
  watchdog_start(loop, 20000);
  /* raised in the loop thread: the handler sends, the callback comes later */
  g_sig_rc = 1;
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(g_sig_calls, 1);
  ASSERT_EQ(g_sig_rc, 0);
  ASSERT_EQ(g_count, 0);
  run_once_until(loop, &g_count, 1);
  ASSERT_EQ(g_count, 1);
  /* delivered to the loop thread while it blocks in the poll, then to any
   * thread of the process */
  g_loop_thread = pthread_self();
  for (g_kill_mode = 0; g_kill_mode < 2; g_kill_mode++) {
    int before = g_count;
    g_sig_rc = 1;
    ASSERT_EQ(pthread_create(&th, NULL, signaller_main, NULL), 0);
    run_once_until(loop, &g_count, before + 1);
    ASSERT_EQ(pthread_join(th, NULL), 0);
    ASSERT_EQ(g_sig_calls, 2 + g_kill_mode);
    ASSERT_EQ(g_sig_rc, 0);
    ASSERT_EQ(g_count, before + 1); /* one send, one callback */
  }
  signal(SIGUSR1, SIG_DFL);
  finish_loop(loop);
}

/* ---- close ---------------------------------------------------------------- */

static void close_self_cb(ruv_async_t *a) {
  g_count++;
  ASSERT_EQ(ruv_close(RUV_HANDLE(a), close_trace_cb), 0);
  ASSERT_EQ(ruv_async_send(a), RUV_EINVAL);
}

TEST_CASE(close_async_no_callback_after_close) {
  ruv_loop_t *loop = make_loop();
  ruv_async_t *a = make_async(loop, count_cb);
  g_count = 0;
  trace_reset();
  ASSERT_EQ(ruv_async_send(a), 0); /* pending */
  ASSERT_EQ(ruv_close(RUV_HANDLE(a), close_trace_cb), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(a)), 0);
  ASSERT_EQ(ruv_is_closing(RUV_HANDLE(a)), 1);
  ASSERT_EQ(ruv_async_send(a), RUV_EINVAL);
  ASSERT_EQ(ruv_close(RUV_HANDLE(a), NULL), RUV_EINVAL);
  ASSERT_STR_EQ(trace_str(), "");
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_count, 0); /* the pending send was dropped */
  ASSERT_STR_EQ(trace_str(), "X");
  /* closed from its own callback */
  a = make_async(loop, close_self_cb);
  ASSERT_EQ(ruv_async_send(a), 0);
  ASSERT_EQ(ruv_async_send(a), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_count, 1);
  ASSERT_STR_EQ(trace_str(), "XX");
  ASSERT_EQ(walk_count(loop), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

static int g_closed;  /* set by the loop thread once ruv_close returned */
static int g_racer_sends;

static void not_after_close_cb(ruv_async_t *a) {
  (void)a;
  ASSERT_EQ(LOAD(&g_closed), 0);
  g_count++;
}

static void *racer_main(void *arg) {
  ruv_async_t *a = (ruv_async_t *)arg;
  for (;;) {
    int closed = LOAD(&g_closed), rc = ruv_async_send(a);
    ADD(&g_racer_sends, 1);
    ASSERT_MSG(rc == 0 || rc == RUV_EINVAL, "send racing with close: %d", rc);
    if (closed) ASSERT_EQ(rc, RUV_EINVAL); /* started after ruv_close returned */
    if (rc == RUV_EINVAL) return NULL;
  }
}

TEST_CASE(send_racing_with_close_from_another_thread) {
  ruv_loop_t *loop = make_loop();
  ruv_async_t *a = make_async(loop, not_after_close_cb);
  pthread_t th;
  uint64_t deadline = test_now_ms() + 10000;
  g_count = g_closed = g_racer_sends = 0;
  trace_reset();
  ASSERT_EQ(pthread_create(&th, NULL, racer_main, a), 0);
  while ((g_count < 3 || LOAD(&g_racer_sends) < 1000) && test_now_ms() < deadline)
    ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_GE(g_count, 3);
  ASSERT_EQ(ruv_close(RUV_HANDLE(a), close_trace_cb), 0);
  STORE(&g_closed, 1);
  /* the sender stops at its first RUV_EINVAL; join it before the close callback
   * can run (no send may start after it) */
  ASSERT_EQ(pthread_join(th, NULL), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(trace_str(), "X");
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

/* ---- type, misuse ----------------------------------------------------------- */

static void walk_type_cb(ruv_handle_t *h, void *arg) {
  ASSERT_EQ(ruv_handle_get_type(h), RUV_ASYNC);
  (*(int *)arg)++;
}

static void noop_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  (void)tcp;
  (void)nread;
  (void)data;
}

static void noop_timer_cb(ruv_timer_t *t) { (void)t; }

static void noop_idle_cb(ruv_idle_t *h) { (void)h; }

TEST_CASE(async_type_walk_and_misuse) {
  ruv_loop_t *loop = make_loop();
  ruv_async_t *a = make_async(loop, count_cb), *out = (ruv_async_t *)&g_count;
  ruv_tcp_t *tcp;
  ruv_timer_t *t;
  int n = 0, v = -7;
  ASSERT_EQ(RUV_ASYNC, 3);
  ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(a)), RUV_ASYNC);
  ASSERT_PTR_EQ(ruv_handle_get_loop(RUV_HANDLE(a)), loop);
  ASSERT_EQ(ruv_has_ref(RUV_HANDLE(a)), 1);
  ruv_walk(loop, walk_type_cb, &n);
  ASSERT_EQ(n, 1);
  ASSERT_EQ(ruv_async_new(NULL, count_cb, &out), RUV_EINVAL);
  ASSERT_PTR_EQ(out, &g_count); /* untouched */
  ASSERT_EQ(ruv_async_new(NULL, NULL, &out), RUV_EINVAL);
  ASSERT_EQ(ruv_async_new(loop, count_cb, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_async_send(NULL), RUV_EINVAL);
  ASSERT_EQ(walk_count(loop), 1);
  /* the wrong kind of handle */
  tcp = make_tcp(loop, AF_INET);
  t = make_timer(loop);
  ASSERT_EQ(ruv_async_send((ruv_async_t *)tcp), RUV_EINVAL);
  ASSERT_EQ(ruv_async_send((ruv_async_t *)t), RUV_EINVAL);
  ASSERT_EQ(ruv_async_send((ruv_async_t *)loop), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_start((ruv_timer_t *)a, noop_timer_cb, 0, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_stop((ruv_timer_t *)a), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_start_read((ruv_tcp_t *)a, noop_read_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_fileno((ruv_tcp_t *)a, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_nodelay((ruv_tcp_t *)a, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_idle_start((ruv_idle_t *)a, noop_idle_cb), RUV_EINVAL);
  ASSERT_EQ(v, -7);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 0);
  /* the async is unharmed */
  g_count = 0;
  ASSERT_EQ(ruv_async_send(a), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_ONCE), 1);
  ASSERT_EQ(g_count, 1);
  finish_loop(loop);
}

TEST_MAIN(TEST_ENTRY(send_from_loop_thread_runs_callback_from_run),
          TEST_ENTRY(sends_before_the_loop_runs_coalesce),
          TEST_ENTRY(send_from_own_callback_gives_a_later_callback),
          TEST_ENTRY(resend_from_callback_is_bounded_per_iteration),
          TEST_ENTRY(many_threads_no_lost_wakeup),
          TEST_ENTRY(ping_pong_with_a_thread_no_lost_wakeup),
          TEST_ENTRY(async_keeps_loop_alive_until_closed_or_unrefd),
          TEST_ENTRY(null_callback_send_only_wakes_the_loop),
          TEST_ENTRY(callback_after_a_blocking_poll_sees_the_time_after_the_wait),
          TEST_ENTRY(send_from_a_signal_handler),
          TEST_ENTRY(close_async_no_callback_after_close),
          TEST_ENTRY(send_racing_with_close_from_another_thread),
          TEST_ENTRY(async_type_walk_and_misuse))
