/* bench/wl_handles.c — handle churn (row handle-churn): how many handles a loop creates and
 * closes per second.  For --duration seconds: make a batch of --count (100) timers the way an
 * application would (bl_timers_new: ruv_timer_new each; libuv one calloc + uv_timer_init
 * each), close them all, and run the loop until every close callback ran.  value = handles
 * created and closed per second (wall clock over the whole run).  rss_growth = resident
 * bytes at the end minus after the first batch (storage is reused: should stay near 0). */
#include <stdio.h>
#include "bench.h"

static void no_close(bl_conn *c) { (void)c; }
static const bl_callbacks no_conns = {.on_close = no_close};

static void never(bl_timers *ts, size_t i) { (void)ts, (void)i; }

static long batches_closed;
static void batch_closed(bl_timers *ts) {
  (void)ts;
  batches_closed++;
}

static int one_batch(bl_loop *l, size_t n) {
  bl_timers *ts;
  int rc = bl_timers_new(l, n, never, &ts);
  if (rc == BL_ENOTSUP) bench_unsupported("timers");
  CHECK(rc);
  bl_timers_close(ts, batch_closed);
  return bl_run(l);
}

static int handle_churn(const bench_opts *o, bench_result *r) {
  size_t n = (size_t)(o->count > 0 ? o->count : 100);
  bl_loop *l = bl_loop_new(&no_conns);
  CHECK(one_batch(l, n));
  long rss0 = bench_rss_bytes();
  long batches = 0;
  double t0 = bench_now(), t = t0;
  while (t - t0 < o->duration) {
    for (int i = 0; i < 64; i++) CHECK(one_batch(l, n));
    batches += 64;
    t = bench_now();
  }
  long rss1 = bench_rss_bytes();
  int lc = bl_loop_free(l);
  res_rate(r, "handles", "handles/s", batches * (long)n, t0, t, 0);
  res_add(r, "batch", "%zu", n);
  res_add(r, "rss_growth", "%ld", rss1 - rss0);
  res_add(r, "loop_close", "%d", lc);
  if (batches_closed != batches + 1) fprintf(stderr, "handles: close callbacks missing\n");
  if (lc) fprintf(stderr, "handles: loop close returned %d\n", lc);
  return batches_closed == batches + 1 && !lc ? 0 : 1;
}

const workload wl_handlechurn = {
  .name = "handles",
  .help = "batches of --count timers created and closed for --duration s: handles/s",
  .defaults = {.duration = 2.5, .count = 100},
  .server = handle_churn,
  .client = NULL,
};
