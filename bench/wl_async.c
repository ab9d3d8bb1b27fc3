/* bench/wl_async.c — asyncpummel (row async-pummel): one sender thread calls
 * bl_async_send as fast as it can for --duration seconds (default 2) while the
 * loop's thread counts callbacks (libuv's async_pummel_1, with one loop).
 *
 * Start: the sender sends once and waits until the loop has run that callback, so
 * the timed part begins with the loop running.  Stop: after --duration the sender
 * sets `stop` and sends once more (DESIGN §6.2: every send is followed by a callback
 * that starts after it, so the loop is bound to see the flag); the callback that
 * sees the flag joins the sender — which has by then made its last send, or is
 * about to within microseconds — and only then closes the async, so no send can
 * race with the close.  Then the loop has nothing left, and is closed (must be 0).
 *
 * value = callbacks/s and sends_per_s (msends_per_s: millions) over the sender's timed interval; loop_cpu /
 * sender_cpu are each thread's getrusage(RUSAGE_THREAD) CPU over the run.  The
 * sender reads the clock once per 256 sends.  bench/run runs this row with
 * --pin split (loop thread on CPU 0, sender on CPU 1): on one CPU the two threads
 * would only take turns at the scheduler's pace. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include "bench.h"

/* Each thread's hot data on its own cache lines, so that the loop's counting does not
 * slow the sender's loop down (false sharing) and vice versa. */
static struct {
  _Alignas(64) bl_loop *l;
  bl_async *a;
  pthread_t th;
  double duration;
  _Alignas(64) atomic_int started, stop;
  /* loop thread only */
  _Alignas(64) long callbacks, after_stop;
  int joined, closed;
  double loop_cpu0, loop_cpu1;
  /* written by the sender, read after the join */
  _Alignas(64) long sends, send_errors;
  double t0, t1, sender_cpu;
} A;

static void *sender(void *arg) {
  (void)arg;
  bench_pin_helper_thread();
  double c0 = bench_thread_cpu_seconds();
  long sends = 0, errors = 0;
  bl_async *a = A.a;
  if (bl_async_send(a)) errors++;
  while (!atomic_load_explicit(&A.started, memory_order_acquire)) sched_yield();
  double t0 = bench_now(), end = t0 + A.duration, t1;
  for (;;) {
    for (int k = 0; k < 256; k++)
      if (bl_async_send(a)) errors++;
    sends += 256;
    if ((t1 = bench_now()) >= end) break;
  }
  A.t0 = t0;
  A.t1 = t1;
  A.sends = sends;
  A.send_errors = errors;
  A.sender_cpu = bench_thread_cpu_seconds() - c0;
  atomic_store_explicit(&A.stop, 1, memory_order_release);
  if (bl_async_send(a)) A.send_errors++;
  return NULL;
}

static void on_closed(bl_async *a) {
  (void)a;
  A.closed = 1;
}

static void on_async(bl_async *a) {
  if (!atomic_load_explicit(&A.started, memory_order_relaxed)) {
    atomic_store_explicit(&A.started, 1, memory_order_release);
    return;
  }
  if (!atomic_load_explicit(&A.stop, memory_order_acquire)) {
    A.callbacks++;
    return;
  }
  A.after_stop++;
  if (A.joined) return;
  pthread_join(A.th, NULL); /* its last send is done (or a few instructions away) */
  A.joined = 1;
  A.loop_cpu1 = bench_thread_cpu_seconds();
  bl_async_close(a, on_closed);
}

static void no_close(bl_conn *c) { (void)c; }

static int async_pummel(const bench_opts *o, bench_result *r) {
  static const bl_callbacks cb = {.on_close = no_close};
  A.duration = o->duration > 0 ? o->duration : 2.0;
  A.l = bl_loop_new(&cb);
  int rc = bl_async_new(A.l, on_async, NULL, &A.a);
  if (rc == BL_ENOTSUP) bench_unsupported("async");
  CHECK(rc);
  A.loop_cpu0 = bench_thread_cpu_seconds();
  if ((rc = pthread_create(&A.th, NULL, sender, NULL))) bench_die("pthread_create", -rc);
  CHECK(bl_run(A.l));
  if (!A.joined) { /* the loop ended without seeing the stop flag: a lost wakeup */
    fprintf(stderr, "async: the loop returned before the callback after the last send\n");
    pthread_join(A.th, NULL);
    A.loop_cpu1 = bench_thread_cpu_seconds();
  }
  int lc = bl_loop_free(A.l);

  double secs = A.t1 - A.t0;
  res_add(r, "duration", "%.3f", secs);
  res_add(r, "sends", "%ld", A.sends);
  res_add(r, "callbacks", "%ld", A.callbacks);
  res_add(r, "value", "%.0f", secs > 0 ? (double)A.callbacks / secs : 0.0);
  res_add(r, "unit", "callbacks/s");
  res_add(r, "sends_per_s", "%.0f", secs > 0 ? (double)A.sends / secs : 0.0);
  res_add(r, "msends_per_s", "%.2f", secs > 0 ? (double)A.sends / secs * 1e-6 : 0.0);
  res_add(r, "sends_per_callback", "%.1f", A.callbacks ? (double)A.sends / (double)A.callbacks : 0.0);
  res_add(r, "loop_cpu", "%.4f", A.loop_cpu1 - A.loop_cpu0);
  res_add(r, "sender_cpu", "%.4f", A.sender_cpu);
  res_add(r, "send_errors", "%ld", A.send_errors);
  res_add(r, "loop_close", "%d", lc);
  if (A.send_errors) fprintf(stderr, "async: %ld sends failed\n", A.send_errors);
  if (lc) fprintf(stderr, "async: loop close returned %d\n", lc);
  return A.joined && A.closed && !A.send_errors && !lc ? 0 : 1;
}

const workload wl_asyncpummel = {
  .name = "asyncpummel",
  .help = "a sender thread async_sends for --duration s: loop callbacks/s and sends/s",
  .defaults = {.duration = 2.0},
  .server = async_pummel,
  .client = NULL,
};
