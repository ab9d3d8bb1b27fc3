/*
 * test_signal.c - signal handles (DESIGN §6.2 "Signal"): deliveries by raise, kill and other
 * threads become callbacks from the loop (never from the handler), one per delivery per handle,
 * in several handles and several loops in several threads; oneshot; moving a handle; the
 * previous disposition restored (read back with sigaction); a signal storm; misuse.
 */
#include "helpers.h"

#include <limits.h>
#include <pthread.h>
#include <signal.h>

typedef struct {
  int calls;
  int last_signum;
  int active_in_cb;  /* ruv_is_active inside the last callback */
  int stop_after;    /* stop the handle in the callback that makes calls == stop_after */
  int close_after;   /* close the handle instead */
  int stop_loop_after;
  pthread_t thread;  /* the thread the last callback ran on */
} sig_rec;

static void sig_cb(ruv_signal_t *s, int signum) {
  sig_rec *r = (sig_rec *)ruv_handle_get_data(RUV_HANDLE(s));
  r->calls++;
  r->last_signum = signum;
  r->active_in_cb = ruv_is_active(RUV_HANDLE(s));
  r->thread = pthread_self();
  if (r->stop_after && r->calls == r->stop_after) ASSERT_EQ(ruv_signal_stop(s), 0);
  if (r->close_after && r->calls == r->close_after)
    ASSERT_EQ(ruv_close(RUV_HANDLE(s), NULL), 0);
  if (r->stop_loop_after && r->calls == r->stop_loop_after)
    ruv_stop(ruv_handle_get_loop(RUV_HANDLE(s)));
}

static ruv_signal_t *make_signal(ruv_loop_t *loop, sig_rec *r) {
  ruv_signal_t *s = NULL;
  ASSERT_EQ(ruv_signal_new(loop, &s), 0);
  ASSERT_NOT_NULL(s);
  memset(r, 0, sizeof *r);
  ruv_handle_set_data(RUV_HANDLE(s), r);
  return s;
}

static void run_nowait(ruv_loop_t *loop, int n) {
  int i;
  for (i = 0; i < n; i++) ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
}

/* The handler currently installed for `signum`. */
static struct sigaction current_action(int signum) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  ASSERT_EQ(sigaction(signum, NULL, &sa), 0);
  return sa;
}

static void set_disposition(int signum, void (*handler)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  ASSERT_EQ(sigaction(signum, &sa, NULL), 0);
}

static volatile sig_atomic_t custom_hits;
static void custom_handler(int signum) {
  (void)signum;
  custom_hits++;
}

/* ---- delivery ---------------------------------------------------------------- */

TEST_CASE(raise_runs_callback_from_loop) {
  ruv_loop_t *loop = make_loop();
  sig_rec r;
  ruv_signal_t *s = make_signal(loop, &r);
  ASSERT_EQ(ruv_signal_start(s, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(s)), 1);
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(r.calls, 0); /* not from the handler */
  run_nowait(loop, 1);
  ASSERT_EQ(r.calls, 1);
  ASSERT_EQ(r.last_signum, SIGUSR1);
  ASSERT(pthread_equal(r.thread, pthread_self()));
  run_nowait(loop, 3);
  ASSERT_EQ(r.calls, 1); /* one delivery, one callback */
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(r.calls, 3); /* two deliveries, two callbacks */
  finish_loop(loop);
}

TEST_CASE(kill_runs_callback) {
  ruv_loop_t *loop = make_loop();
  sig_rec r;
  ruv_signal_t *s = make_signal(loop, &r);
  ASSERT_EQ(ruv_signal_start(s, sig_cb, SIGUSR2), 0);
  r.close_after = 1;
  ASSERT_EQ(kill(getpid(), SIGUSR2), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0); /* blocks until the delivery, then done */
  ASSERT_EQ(r.calls, 1);
  ASSERT_EQ(r.last_signum, SIGUSR2);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

typedef struct {
  pthread_t target;
  int signum;
  int use_raise;
  int delay_ms;
} sender_arg;

static void *send_later(void *arg) {
  sender_arg *a = (sender_arg *)arg;
  test_sleep_ms(a->delay_ms);
  if (a->use_raise)
    ASSERT_EQ(raise(a->signum), 0); /* delivered to this thread: the handler runs here */
  else
    ASSERT_EQ(pthread_kill(a->target, a->signum), 0);
  return NULL;
}

static void from_thread(int use_raise) {
  ruv_loop_t *loop = make_loop();
  sig_rec r;
  ruv_signal_t *s = make_signal(loop, &r);
  pthread_t th;
  sender_arg a;
  uint64_t t0;
  a.target = pthread_self();
  a.signum = SIGUSR1;
  a.use_raise = use_raise;
  a.delay_ms = 50;
  ASSERT_EQ(ruv_signal_start(s, sig_cb, SIGUSR1), 0);
  r.close_after = 1;
  t0 = test_now_ms();
  ASSERT_EQ(pthread_create(&th, NULL, send_later, &a), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0); /* the loop blocks until the delivery */
  ASSERT_EQ(pthread_join(th, NULL), 0);
  ASSERT_EQ(r.calls, 1);
  ASSERT(pthread_equal(r.thread, pthread_self())); /* from the loop's thread */
  ASSERT_GE(test_now_ms() - t0, 45); /* sent after 50 ms: the callback came no earlier */
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_CASE(raise_in_another_thread) { from_thread(1); }
TEST_CASE(pthread_kill_from_another_thread) { from_thread(0); }

TEST_CASE(two_handles_each_get_every_delivery) {
  ruv_loop_t *loop = make_loop();
  sig_rec ra, rb;
  ruv_signal_t *a = make_signal(loop, &ra);
  ruv_signal_t *b = make_signal(loop, &rb);
  ASSERT_EQ(ruv_signal_start(a, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(ruv_signal_start(b, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(ra.calls, 1);
  ASSERT_EQ(rb.calls, 1);
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(ra.calls, 4);
  ASSERT_EQ(rb.calls, 4);
  /* a handle started after a delivery does not get it */
  {
    sig_rec rc;
    ruv_signal_t *c;
    ASSERT_EQ(raise(SIGUSR1), 0);
    c = make_signal(loop, &rc);
    ASSERT_EQ(ruv_signal_start(c, sig_cb, SIGUSR1), 0);
    run_nowait(loop, 2);
    ASSERT_EQ(ra.calls, 5);
    ASSERT_EQ(rc.calls, 0);
    finish_loop(loop);
  }
}

/* Two loops in two threads watch SIGUSR1; the main thread raises it N times. */
typedef struct {
  int n;
  int calls;
  int *started;
  pthread_t thread;
} loop_thread;

static void loop_thread_cb(ruv_signal_t *s, int signum) {
  loop_thread *lt = (loop_thread *)ruv_handle_get_data(RUV_HANDLE(s));
  ASSERT_EQ(signum, SIGUSR1);
  ASSERT(pthread_equal(pthread_self(), lt->thread));
  if (++lt->calls == lt->n) ASSERT_EQ(ruv_close(RUV_HANDLE(s), NULL), 0);
}

static void *loop_thread_main(void *arg) {
  loop_thread *lt = (loop_thread *)arg;
  ruv_loop_t *loop = make_loop();
  ruv_signal_t *s = NULL;
  lt->thread = pthread_self();
  ASSERT_EQ(ruv_signal_new(loop, &s), 0);
  ruv_handle_set_data(RUV_HANDLE(s), lt);
  ASSERT_EQ(ruv_signal_start(s, loop_thread_cb, SIGUSR1), 0);
  __atomic_add_fetch(lt->started, 1, __ATOMIC_SEQ_CST);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
  return NULL;
}

TEST_CASE(two_loops_in_two_threads) {
  loop_thread lt[2];
  pthread_t th[2];
  int started = 0, i, n = (int)test_scaled(200, 40);
  /* raise() delivers to the main thread: its handler counts the delivery in both loops. */
  for (i = 0; i < 2; i++) {
    memset(&lt[i], 0, sizeof lt[i]);
    lt[i].n = n;
    lt[i].started = &started;
    ASSERT_EQ(pthread_create(&th[i], NULL, loop_thread_main, &lt[i]), 0);
  }
  while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < 2) test_sleep_ms(1);
  for (i = 0; i < n; i++) {
    ASSERT_EQ(raise(SIGUSR1), 0);
    if (i % 16 == 0) test_sleep_ms(1);
  }
  for (i = 0; i < 2; i++) ASSERT_EQ(pthread_join(th[i], NULL), 0);
  ASSERT_EQ(lt[0].calls, n); /* every delivery, in each loop */
  ASSERT_EQ(lt[1].calls, n);
  ASSERT(current_action(SIGUSR1).sa_handler == SIG_DFL); /* both closed: restored */
}

/* ---- oneshot, moving, restoring ---------------------------------------------- */

TEST_CASE(oneshot_stops_before_callback) {
  ruv_loop_t *loop = make_loop();
  sig_rec r;
  ruv_signal_t *s = make_signal(loop, &r);
  set_disposition(SIGUSR1, SIG_IGN);
  ASSERT_EQ(ruv_signal_start_oneshot(s, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(s)), 1);
  ASSERT(current_action(SIGUSR1).sa_handler != SIG_IGN);
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  run_nowait(loop, 3);
  ASSERT_EQ(r.calls, 1);
  ASSERT_EQ(r.active_in_cb, 0); /* stopped before its callback */
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(s)), 0);
  ASSERT(current_action(SIGUSR1).sa_handler == SIG_IGN); /* last handle gone: restored */
  ASSERT_EQ(raise(SIGUSR1), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(r.calls, 1);
  /* it can be started again */
  ASSERT_EQ(ruv_signal_start_oneshot(s, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(r.calls, 2);
  finish_loop(loop);
}

TEST_CASE(disposition_restored_after_last_handle) {
  ruv_loop_t *loop = make_loop(), *other = make_loop();
  sig_rec ra, rb, rc;
  ruv_signal_t *a = make_signal(loop, &ra);
  ruv_signal_t *b = make_signal(loop, &rb);
  ruv_signal_t *c = make_signal(other, &rc);
  struct sigaction mine, now;
  memset(&mine, 0, sizeof mine);
  mine.sa_handler = custom_handler;
  mine.sa_flags = SA_NODEFER;
  sigemptyset(&mine.sa_mask);
  sigaddset(&mine.sa_mask, SIGHUP);
  ASSERT_EQ(sigaction(SIGUSR1, &mine, NULL), 0);
  ASSERT_EQ(ruv_signal_start(a, sig_cb, SIGUSR1), 0);
  now = current_action(SIGUSR1);
  ASSERT(now.sa_handler != custom_handler && now.sa_handler != SIG_DFL);
  ASSERT_EQ(ruv_signal_start(b, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(ruv_signal_start(c, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(ruv_signal_stop(a), 0);
  ASSERT(current_action(SIGUSR1).sa_handler == now.sa_handler);
  ASSERT_EQ(ruv_close(RUV_HANDLE(b), NULL), 0); /* closing counts as stopping */
  ASSERT(current_action(SIGUSR1).sa_handler == now.sa_handler); /* the other loop's handle */
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(custom_hits, 0);
  run_nowait(other, 1);
  ASSERT_EQ(rc.calls, 1);
  ASSERT_EQ(ruv_signal_stop(c), 0);
  now = current_action(SIGUSR1);
  ASSERT(now.sa_handler == custom_handler);
  ASSERT_EQ(now.sa_flags & (SA_NODEFER | SA_RESTART | SA_SIGINFO), SA_NODEFER);
  ASSERT_EQ(sigismember(&now.sa_mask, SIGHUP), 1);
  ASSERT_EQ(sigismember(&now.sa_mask, SIGTERM), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(custom_hits, 1); /* the user's handler works again */
  /* a default disposition comes back as SIG_DFL */
  ASSERT(current_action(SIGUSR2).sa_handler == SIG_DFL);
  ASSERT_EQ(ruv_signal_start(a, sig_cb, SIGUSR2), 0);
  ASSERT(current_action(SIGUSR2).sa_handler != SIG_DFL);
  ASSERT_EQ(ruv_signal_stop(a), 0);
  ASSERT(current_action(SIGUSR2).sa_handler == SIG_DFL);
  finish_loop(loop);
  finish_loop(other);
}

static void other_cb(ruv_signal_t *s, int signum) {
  sig_rec *r = (sig_rec *)ruv_handle_get_data(RUV_HANDLE(s));
  (void)signum;
  r->calls += 100;
}

TEST_CASE(start_again_moves_or_replaces) {
  ruv_loop_t *loop = make_loop();
  sig_rec r;
  ruv_signal_t *s = make_signal(loop, &r);
  set_disposition(SIGUSR1, SIG_IGN);
  ASSERT_EQ(ruv_signal_start(s, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(ruv_signal_start(s, sig_cb, SIGUSR2), 0); /* moves */
  ASSERT(current_action(SIGUSR1).sa_handler == SIG_IGN); /* SIGUSR1 let go */
  ASSERT(current_action(SIGUSR2).sa_handler != SIG_DFL);
  ASSERT_EQ(raise(SIGUSR1), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(r.calls, 0);
  ASSERT_EQ(raise(SIGUSR2), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(r.calls, 1);
  ASSERT_EQ(r.last_signum, SIGUSR2);
  /* the same signal again: only the callback changes */
  ASSERT_EQ(ruv_signal_start(s, other_cb, SIGUSR2), 0);
  ASSERT_EQ(raise(SIGUSR2), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(r.calls, 101);
  /* an invalid signal leaves it watching SIGUSR2 */
  ASSERT_EQ(ruv_signal_start(s, sig_cb, SIGKILL), RUV_EINVAL);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(s)), 1);
  ASSERT_EQ(raise(SIGUSR2), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(r.calls, 201);
  finish_loop(loop);
  ASSERT(current_action(SIGUSR2).sa_handler == SIG_DFL);
}

TEST_CASE(invalid_signal_numbers) {
  ruv_loop_t *loop = make_loop();
  sig_rec r;
  ruv_signal_t *s = make_signal(loop, &r);
  int bad[] = {SIGKILL, SIGSTOP, 0, -1, 65, 1000, INT_MAX, INT_MIN};
  size_t i;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ASSERT_EQ(ruv_signal_start(s, sig_cb, bad[i]), RUV_EINVAL);
    ASSERT_EQ(ruv_signal_start_oneshot(s, sig_cb, bad[i]), RUV_EINVAL);
  }
  /* glibc keeps the two signals below SIGRTMIN for itself: sigaction refuses them */
  for (i = 32; i < (size_t)SIGRTMIN; i++) ASSERT_LT(ruv_signal_start(s, sig_cb, (int)i), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(s)), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  /* the real-time range works (not SIGRTMAX itself: valgrind keeps that one) */
  ASSERT_EQ(ruv_signal_start(s, sig_cb, SIGRTMIN + 2), 0);
  ASSERT_EQ(raise(SIGRTMIN + 2), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(r.calls, 1);
  ASSERT_EQ(r.last_signum, SIGRTMIN + 2);
  finish_loop(loop);
}

TEST_CASE(stop_or_close_drops_pending_deliveries) {
  ruv_loop_t *loop = make_loop();
  sig_rec ra, rb;
  ruv_signal_t *a = make_signal(loop, &ra);
  ruv_signal_t *b = make_signal(loop, &rb);
  set_disposition(SIGUSR1, SIG_IGN);
  ASSERT_EQ(ruv_signal_start(a, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(ruv_signal_start(b, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(ruv_signal_stop(a), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(b), NULL), 0);
  run_nowait(loop, 3);
  ASSERT_EQ(ra.calls, 0);
  ASSERT_EQ(rb.calls, 0);
  /* restarted, it does not get deliveries from before its start */
  ASSERT_EQ(ruv_signal_start(a, sig_cb, SIGUSR1), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(ra.calls, 0);
  finish_loop(loop);
}

TEST_CASE(blocked_signals_coalesce) {
  /* The kernel keeps one pending instance of a blocked standard signal: 1000 raises while
   * blocked are one delivery, hence one callback per handle. */
  ruv_loop_t *loop = make_loop();
  sig_rec r;
  ruv_signal_t *s = make_signal(loop, &r);
  sigset_t set;
  int i;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  ASSERT_EQ(ruv_signal_start(s, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &set, NULL), 0);
  for (i = 0; i < 1000; i++) ASSERT_EQ(raise(SIGUSR1), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(r.calls, 0);
  ASSERT_EQ(pthread_sigmask(SIG_UNBLOCK, &set, NULL), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(r.calls, 1);
  finish_loop(loop);
}

/* ---- a storm ------------------------------------------------------------------ */

typedef struct {
  int n;
  int done;
} storm_arg;

static void *storm_sender(void *arg) {
  storm_arg *a = (storm_arg *)arg;
  int i;
  for (i = 0; i < a->n; i++) ASSERT_EQ(kill(getpid(), SIGUSR1), 0);
  __atomic_store_n(&a->done, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

static storm_arg *storm_watch;
static void storm_timer_cb(ruv_timer_t *t) {
  if (__atomic_load_n(&storm_watch->done, __ATOMIC_SEQ_CST))
    ruv_stop(ruv_handle_get_loop(RUV_HANDLE(t)));
}

static void storm_round(ruv_loop_t *loop, storm_arg *a) {
  ruv_timer_t *t = NULL;
  pthread_t th;
  storm_watch = a;
  a->done = 0;
  ASSERT_EQ(ruv_timer_new(loop, &t), 0);
  ASSERT_EQ(ruv_timer_start(t, storm_timer_cb, 5, 5), 0);
  ASSERT_EQ(pthread_create(&th, NULL, storm_sender, a), 0);
  ASSERT_GE(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(pthread_join(th, NULL), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(t), NULL), 0);
  run_nowait(loop, 3); /* whatever the last signals woke */
}

TEST_CASE(signal_storm) {
  ruv_loop_t *loop = make_loop();
  sig_rec keep, once;
  ruv_signal_t *k = make_signal(loop, &keep);
  ruv_signal_t *o = make_signal(loop, &once);
  storm_arg a;
  int after;
  a.n = (int)test_scaled(10000, 1000);
  set_disposition(SIGUSR1, SIG_IGN);
  ASSERT_EQ(ruv_signal_start(k, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(ruv_signal_start(o, sig_cb, SIGUSR1), 0);
  once.stop_after = 3;
  storm_round(loop, &a);
  if (getenv("RUV_TEST_VERBOSE")) fprintf(stderr, "storm: %d sent, %d + %d callbacks\n", a.n, keep.calls, once.calls);
  /* at least one callback, at most one per signal sent (the kernel coalesces) */
  ASSERT_GE(keep.calls, 1);
  ASSERT_LE(keep.calls, a.n);
  ASSERT_LE(once.calls, 3); /* none after its stop, though the storm went on */
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(o)), once.calls < 3);
  /* the loop survived: stop the other one too, storm again: no callback at all */
  ASSERT_EQ(ruv_signal_stop(k), 0);
  ASSERT_EQ(ruv_signal_stop(o), 0);
  ASSERT(current_action(SIGUSR1).sa_handler == SIG_IGN);
  after = keep.calls + once.calls;
  a.n = (int)test_scaled(2000, 200);
  storm_round(loop, &a);
  ASSERT_EQ(keep.calls + once.calls, after);
  /* and it still delivers */
  ASSERT_EQ(ruv_signal_start(k, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(keep.calls + once.calls, after + 1);
  finish_loop(loop);
}

/* ---- stopping a server cleanly on SIGINT / SIGTERM ---------------------------- */

static void close_everything_cb(ruv_signal_t *s, int signum) {
  sig_rec *r = (sig_rec *)ruv_handle_get_data(RUV_HANDLE(s));
  r->calls++;
  r->last_signum = signum;
  close_all(ruv_handle_get_loop(RUV_HANDLE(s)));
}

TEST_CASE(sigterm_stops_a_server_cleanly) {
  ruv_loop_t *loop = make_loop();
  sig_rec ri, rt;
  ruv_signal_t *si = make_signal(loop, &ri);
  ruv_signal_t *st = make_signal(loop, &rt);
  server_ctx ctx;
  int port;
  pthread_t th;
  sender_arg a;
  memset(&ctx, 0, sizeof ctx);
  serve(loop, AF_INET, &ctx, &port);
  ASSERT_EQ(ruv_signal_start(si, close_everything_cb, SIGINT), 0);
  ASSERT_EQ(ruv_signal_start(st, close_everything_cb, SIGTERM), 0);
  a.target = pthread_self();
  a.signum = SIGTERM;
  a.use_raise = 0;
  a.delay_ms = 30;
  ASSERT_EQ(pthread_create(&th, NULL, send_later, &a), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0); /* returns once everything is closed */
  ASSERT_EQ(pthread_join(th, NULL), 0);
  ASSERT_EQ(rt.calls, 1);
  ASSERT_EQ(rt.last_signum, SIGTERM);
  ASSERT_EQ(ri.calls, 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
  ASSERT(current_action(SIGTERM).sa_handler == SIG_DFL);
  ASSERT(current_action(SIGINT).sa_handler == SIG_DFL);
}

/* ---- liveness and misuse --------------------------------------------------------- */

TEST_CASE(active_ref_and_alive) {
  ruv_loop_t *loop = make_loop();
  sig_rec r;
  ruv_signal_t *s = make_signal(loop, &r);
  ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(s)), RUV_SIGNAL);
  ASSERT_EQ(RUV_SIGNAL, 8);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(s)), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  ASSERT_EQ(ruv_signal_stop(s), 0); /* not started: fine */
  ASSERT_EQ(ruv_signal_start(s, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  ruv_unref(RUV_HANDLE(s));
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0); /* an unref'd handle does not hold the loop */
  ruv_ref(RUV_HANDLE(s));
  ASSERT_EQ(ruv_signal_stop(s), 0);
  ASSERT_EQ(ruv_signal_stop(s), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(s)), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  finish_loop(loop);
}

TEST_CASE(misuse) {
  ruv_loop_t *loop = make_loop();
  sig_rec r;
  ruv_signal_t *s = make_signal(loop, &r), *untouched = (ruv_signal_t *)&r;
  ruv_timer_t *t = NULL;
  ruv_idle_t *i = NULL;
  ASSERT_EQ(ruv_signal_new(NULL, &s), RUV_EINVAL);
  ASSERT_EQ(ruv_signal_new(loop, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_new(loop, &t), 0);
  ASSERT_EQ(ruv_idle_new(loop, &i), 0);
  ASSERT_EQ(ruv_signal_new((ruv_loop_t *)t, &untouched), RUV_EINVAL);
  ASSERT_PTR_EQ(untouched, &r);
  ASSERT_EQ(ruv_signal_start(NULL, sig_cb, SIGUSR1), RUV_EINVAL);
  ASSERT_EQ(ruv_signal_start_oneshot(NULL, sig_cb, SIGUSR1), RUV_EINVAL);
  ASSERT_EQ(ruv_signal_stop(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_signal_start(s, NULL, SIGUSR1), RUV_EINVAL);
  ASSERT_EQ(ruv_signal_start_oneshot(s, NULL, SIGUSR1), RUV_EINVAL);
  ASSERT_EQ(ruv_signal_start(s, NULL, SIGKILL), RUV_EINVAL);
  /* wrong kind, both ways */
  ASSERT_EQ(ruv_signal_start((ruv_signal_t *)t, sig_cb, SIGUSR1), RUV_EINVAL);
  ASSERT_EQ(ruv_signal_start_oneshot((ruv_signal_t *)i, sig_cb, SIGUSR1), RUV_EINVAL);
  ASSERT_EQ(ruv_signal_stop((ruv_signal_t *)t), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_stop((ruv_timer_t *)s), RUV_EINVAL);
  ASSERT_EQ(ruv_poll_stop((ruv_poll_t *)s), RUV_EINVAL);
  ASSERT_EQ(ruv_idle_stop((ruv_idle_t *)s), RUV_EINVAL);
  ASSERT(current_action(SIGUSR1).sa_handler == SIG_DFL); /* nothing was installed */
  /* closing */
  ASSERT_EQ(ruv_signal_start(s, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(s), NULL), 0);
  ASSERT(current_action(SIGUSR1).sa_handler == SIG_DFL); /* close restores at once */
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(s)), 0);
  ASSERT_EQ(ruv_signal_start(s, sig_cb, SIGUSR1), RUV_EINVAL);
  ASSERT_EQ(ruv_signal_start_oneshot(s, sig_cb, SIGUSR1), RUV_EINVAL);
  ASSERT_EQ(ruv_signal_stop(s), RUV_EINVAL);
  ASSERT_EQ(ruv_close(RUV_HANDLE(s), NULL), RUV_EINVAL);
  ASSERT(current_action(SIGUSR1).sa_handler == SIG_DFL);
  finish_loop(loop);
}

TEST_MAIN(TEST_ENTRY(raise_runs_callback_from_loop),
          TEST_ENTRY(kill_runs_callback),
          TEST_ENTRY(raise_in_another_thread),
          TEST_ENTRY(pthread_kill_from_another_thread),
          TEST_ENTRY(two_handles_each_get_every_delivery),
          TEST_ENTRY(two_loops_in_two_threads),
          TEST_ENTRY(oneshot_stops_before_callback),
          TEST_ENTRY(disposition_restored_after_last_handle),
          TEST_ENTRY(start_again_moves_or_replaces),
          TEST_ENTRY(invalid_signal_numbers),
          TEST_ENTRY(stop_or_close_drops_pending_deliveries),
          TEST_ENTRY(blocked_signals_coalesce),
          TEST_ENTRY(signal_storm),
          TEST_ENTRY(sigterm_stops_a_server_cleanly),
          TEST_ENTRY(active_ref_and_alive),
          TEST_ENTRY(misuse))
