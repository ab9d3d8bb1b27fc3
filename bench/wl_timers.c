/* bench/wl_timers.c — two one-process timer workloads (no connections).
 *
 * timers (row timers-million): --count timers (1,000,000) with one-shot timeouts
 *   1..--max-ms (1000) ms drawn from a fixed-seed splitmix64 sequence (the same for
 *   every back-end).  The timeouts are drawn into an array before anything is measured.
 *   Phases, each timed with CLOCK_MONOTONIC and getrusage (whole process):
 *     create  bl_timers_new: libuv one calloc of n uv_timer_t + n uv_timer_init;
 *             ruv n ruv_timer_new (+ the array of n pointers the caller keeps)
 *     start   n bl_timer_start                                  -> value (start s)
 *     run     bl_run until the last timer fired                 -> run_cpu (run CPU s)
 *     close   close all n, run the loop for the close callbacks, close the loop (must be 0)
 *   Memory: resident bytes (/proc/self/statm) after create+start minus before create,
 *   divided by n -> bytes_per_timer.  Every timer must fire exactly once and in due
 *   order, equal timeouts in start order (DESIGN §6.2; all were started at one cached
 *   loop time, so due order is (timeout, index) order); a misordered or missing fire
 *   fails the run.
 *
 * churn (row timers-churn): --count timers (100,000) started with --max-ms (10,000) ms,
 *   then --passes (100) passes over all of them, each restarting every timer with the
 *   same timeout (an idle-timeout reset on every read), one RUN_NOWAIT loop iteration
 *   between passes so the loop's time moves on as it would between reads.  value =
 *   nanoseconds per restart: CLOCK_MONOTONIC around the restart loops only, divided by
 *   count * passes.  Then every timer is stopped (stop_ns), closed, and the loop closed.
 *   rss_growth = resident bytes after the passes minus before them (restarts should not
 *   allocate). */
#include <stdlib.h>
#include <stdio.h>
#include "bench.h"

static uint64_t splitmix64(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

#define SEED 0x72757674696d6572ULL /* "ruvtimer" */

static void no_close(bl_conn *c) { (void)c; }
static const bl_callbacks no_conns = {.on_close = no_close};

static int closing_done;
static void timers_closed(bl_timers *ts) {
  (void)ts;
  closing_done = 1;
}

/* ---------------------------------------------------------------- timers-million */
static struct {
  uint32_t *tmo;
  size_t n, fired, misordered, bad_index;
  uint64_t last_key;
  double t_last, cpu_last;
} M;

static void m_fire(bl_timers *ts, size_t i) {
  (void)ts;
  if (i >= M.n) {
    M.bad_index++;
    return;
  }
  uint64_t key = ((uint64_t)M.tmo[i] << 32) | (uint64_t)i;
  if (M.fired && key <= M.last_key) M.misordered++;
  M.last_key = key;
  if (++M.fired == M.n) {
    M.t_last = bench_now();
    M.cpu_last = bench_cpu_seconds();
  }
}

static int timers_million(const bench_opts *o, bench_result *r) {
  bl_timers *ts;
  uint64_t seed = SEED;
  long max_ms = o->max_ms > 0 ? o->max_ms : 1000;
  M.n = (size_t)(o->count > 0 ? o->count : 1000000);
  if (M.n >= (1ULL << 32)) bench_die("--count below 2^32", -22);
  M.tmo = malloc(M.n * sizeof *M.tmo);
  if (!M.tmo) bench_die("malloc", -12);
  for (size_t i = 0; i < M.n; i++) M.tmo[i] = 1 + (uint32_t)(splitmix64(&seed) % (uint64_t)max_ms);

  bl_loop *l = bl_loop_new(&no_conns);
  long rss0 = bench_rss_bytes();
  double cpu0 = bench_cpu_seconds();
  double t0 = bench_now();
  int rc = bl_timers_new(l, M.n, m_fire, &ts);
  if (rc == BL_ENOTSUP) bench_unsupported("timers");
  CHECK(rc);
  double t1 = bench_now();
  for (size_t i = 0; i < M.n; i++) CHECK(bl_timer_start(ts, i, M.tmo[i], 0));
  double t2 = bench_now();
  double cpu2 = bench_cpu_seconds();
  long rss1 = bench_rss_bytes();

  CHECK(bl_run(l));
  double t3 = bench_now();
  size_t fired_in_run = M.fired;

  bl_timers_close(ts, timers_closed);
  CHECK(bl_run(l));
  double t4 = bench_now();
  int lc = bl_loop_free(l);
  free(M.tmo);

  res_add(r, "timers", "%zu", M.n);
  res_add(r, "max_ms", "%ld", max_ms);
  res_add(r, "create_s", "%.4f", t1 - t0);
  res_add(r, "start_s", "%.4f", t2 - t1);
  res_add(r, "start_ns", "%.1f", (t2 - t1) * 1e9 / (double)M.n);
  res_add(r, "value", "%.4f", t2 - t1);
  res_add(r, "unit", "start_s");
  res_add(r, "create_start_cpu", "%.4f", cpu2 - cpu0);
  res_add(r, "run_cpu", "%.4f", M.fired == M.n ? M.cpu_last - cpu2 : -1.0);
  res_add(r, "run_wall", "%.4f", M.fired == M.n ? M.t_last - t2 : -1.0);
  res_add(r, "total_cpu", "%.4f", M.fired == M.n ? M.cpu_last - cpu0 : -1.0);
  res_add(r, "close_s", "%.4f", t4 - t3);
  res_add(r, "rss_before", "%ld", rss0);
  res_add(r, "rss_started", "%ld", rss1);
  res_add(r, "bytes_per_timer", "%.1f", (double)(rss1 - rss0) / (double)M.n);
  res_add(r, "fired", "%zu", fired_in_run);
  res_add(r, "misordered", "%zu", M.misordered);
  res_add(r, "loop_close", "%d", lc);
  if (M.misordered || M.bad_index || fired_in_run != M.n || M.fired != M.n)
    fprintf(stderr, "timers: %zu of %zu fired, %zu out of due order, %zu bad index\n", M.fired, M.n,
            M.misordered, M.bad_index);
  if (!closing_done) fprintf(stderr, "timers: close callbacks did not all run\n");
  if (lc) fprintf(stderr, "timers: loop close returned %d\n", lc);
  return M.fired == M.n && fired_in_run == M.n && !M.misordered && !M.bad_index && closing_done && !lc ? 0 : 1;
}

const workload wl_timers = {
  .name = "timers",
  .help = "--count one-shot timers, timeouts 1..--max-ms ms: start s, run CPU s, bytes/timer",
  .defaults = {.count = 1000000, .max_ms = 1000},
  .server = timers_million,
  .client = NULL,
};

/* ---------------------------------------------------------------- timers-churn */
static size_t churn_fired;

static void c_fire(bl_timers *ts, size_t i) {
  (void)ts;
  (void)i;
  churn_fired++;
}

static int timers_churn(const bench_opts *o, bench_result *r) {
  bl_timers *ts;
  size_t n = (size_t)(o->count > 0 ? o->count : 100000);
  long passes = o->passes > 0 ? o->passes : 100;
  uint64_t timeout = (uint64_t)(o->max_ms > 0 ? o->max_ms : 10000);

  bl_loop *l = bl_loop_new(&no_conns);
  double t0 = bench_now();
  int rc = bl_timers_new(l, n, c_fire, &ts);
  if (rc == BL_ENOTSUP) bench_unsupported("timers");
  CHECK(rc);
  for (size_t i = 0; i < n; i++) CHECK(bl_timer_start(ts, i, timeout, 0));
  double t1 = bench_now();
  CHECK(bl_run_nowait(l));

  long rss_a = bench_rss_bytes();
  double cpu_a = bench_cpu_seconds();
  double restart = 0;
  for (long p = 0; p < passes; p++) {
    double a = bench_now();
    for (size_t i = 0; i < n; i++) CHECK(bl_timer_start(ts, i, timeout, 0));
    restart += bench_now() - a;
    CHECK(bl_run_nowait(l));
  }
  double cpu_b = bench_cpu_seconds();
  long rss_b = bench_rss_bytes();

  double t2 = bench_now();
  for (size_t i = 0; i < n; i++) CHECK(bl_timer_stop(ts, i));
  double t3 = bench_now();
  bl_timers_close(ts, timers_closed);
  CHECK(bl_run(l));
  int lc = bl_loop_free(l);

  double restarts = (double)n * (double)passes;
  res_add(r, "timers", "%zu", n);
  res_add(r, "passes", "%ld", passes);
  res_add(r, "timeout_ms", "%llu", (unsigned long long)timeout);
  res_add(r, "restarts", "%.0f", restarts);
  res_add(r, "create_start_s", "%.4f", t1 - t0);
  res_add(r, "restart_s", "%.4f", restart);
  res_add(r, "value", "%.2f", restart * 1e9 / restarts);
  res_add(r, "unit", "ns/restart");
  res_add(r, "churn_cpu", "%.4f", cpu_b - cpu_a);
  res_add(r, "stop_ns", "%.1f", (t3 - t2) * 1e9 / (double)n);
  res_add(r, "rss_growth", "%ld", rss_b - rss_a);
  res_add(r, "fired", "%zu", churn_fired);
  res_add(r, "loop_close", "%d", lc);
  if (!closing_done) fprintf(stderr, "churn: close callbacks did not all run\n");
  if (lc) fprintf(stderr, "churn: loop close returned %d\n", lc);
  return closing_done && !lc ? 0 : 1;
}

const workload wl_timerchurn = {
  .name = "churn",
  .help = "--count timers of --max-ms ms, each restarted --passes times: ns per restart",
  .defaults = {.count = 100000, .max_ms = 10000, .passes = 100},
  .server = timers_churn,
  .client = NULL,
};
