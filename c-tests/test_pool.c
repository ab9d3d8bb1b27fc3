/* test_pool.c - the worker pool and ruv_queue_work (DESIGN §10): work runs off
 * the loop thread and `after` on it, requests keep the loop alive and block
 * ruv_loop_close, cancel in every state, the lookup half of the pool cannot
 * starve work items, many loops share the pool, misuse. */
#include "pool_helpers.h"

static void noop_work(void *arg) { (void)arg; }

typedef struct {
  pthread_t loop_thread;
  pthread_t work_thread;
  int ran;
} where_t;

static void where_work(void *arg) {
  where_t *w = (where_t *)arg;
  w->work_thread = pthread_self();
  STORE(&w->ran, 1);
}

static void where_after(ruv_loop_t *loop, int status, void *arg) {
  where_t *w = (where_t *)arg;
  (void)loop;
  ASSERT_EQ(status, 0);
  ASSERT_EQ(LOAD(&w->ran), 1);
  ASSERT(pthread_equal(pthread_self(), w->loop_thread));
  ASSERT(!pthread_equal(w->work_thread, w->loop_thread));
  w->ran = 2;
}

TEST_CASE(work_off_loop_after_on_loop) {
  ruv_loop_t *loop;
  where_t w;
  ruv_req_t *req = NULL;
  pool_setup("4");
  loop = make_loop();
  memset(&w, 0, sizeof w);
  w.loop_thread = pthread_self();
  ASSERT_EQ(ruv_queue_work(loop, where_work, where_after, &w, &req), 0);
  ASSERT_NOT_NULL(req);
  ASSERT_EQ(ruv_loop_alive(loop), 1); /* a pending request keeps it alive */
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(w.ran, 2);
  ASSERT_EQ(ruv_cancel(req), RUV_EINVAL); /* its callback has run */
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_CASE(many_items_null_after_and_null_req) {
  ruv_loop_t *loop;
  seen_t s[64];
  int i, n = (int)test_scaled(64, 16);
  pool_setup("4");
  loop = make_loop();
  memset(s, 0, sizeof s);
  for (i = 0; i < n; i++) ASSERT_EQ(ruv_queue_work(loop, noop_work, seen_after, &s[i], NULL), 0);
  ASSERT_EQ(ruv_queue_work(loop, noop_work, NULL, NULL, NULL), 0); /* after may be NULL */
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  for (i = 0; i < n; i++) {
    ASSERT_EQ(s[i].calls, 1);
    ASSERT_EQ(s[i].status, 0);
  }
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_CASE(loop_close_busy_while_pending) {
  ruv_loop_t *loop;
  gate_t g = GATE_INIT;
  seen_t s;
  pool_setup("4");
  loop = make_loop();
  memset(&s, 0, sizeof s);
  ASSERT_EQ(ruv_queue_work(loop, gate_work, seen_after, &g, NULL), 0);
  gate_wait_started(&g, 1);
  ASSERT_EQ(ruv_loop_close(loop), RUV_EBUSY);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  gate_open(&g);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
  (void)s;
}

typedef struct {
  gate_t *gate;
  seen_t seen;
} gated_t;

static void gated_after(ruv_loop_t *loop, int status, void *arg) {
  seen_after(loop, status, &((gated_t *)arg)->seen);
}

static void gated_work(void *arg) { gate_work(((gated_t *)arg)->gate); }

TEST_CASE(cancel_queued_running_due_done) {
  ruv_loop_t *loop;
  gate_t g = GATE_INIT;
  gated_t busy[2];
  seen_t queued;
  ruv_req_t *busy_req, *queued_req;
  int i;
  pool_setup("2");
  loop = make_loop();
  memset(busy, 0, sizeof busy);
  memset(&queued, 0, sizeof queued);
  for (i = 0; i < 2; i++) {
    busy[i].gate = &g;
    ASSERT_EQ(ruv_queue_work(loop, gated_work, gated_after, &busy[i], &busy_req), 0);
  }
  gate_wait_started(&g, 2); /* both threads are busy: the next item stays queued */
  ASSERT_EQ(ruv_queue_work(loop, noop_work, seen_after, &queued, &queued_req), 0);

  ASSERT_EQ(ruv_cancel(busy_req), RUV_EBUSY); /* running work */
  queued.in_call = 1;
  ASSERT_EQ(ruv_cancel(queued_req), 0); /* queued: cancelled */
  queued.in_call = 0;
  ASSERT_EQ(queued.calls, 0);
  ASSERT_EQ(ruv_cancel(queued_req), RUV_EBUSY); /* its callback is due */
  ASSERT_EQ(ruv_backend_timeout(loop), 0);       /* so the poll must not block */
  ASSERT_EQ(ruv_run(loop, RUV_RUN_ONCE), 1);     /* the gated items keep it alive */
  ASSERT_EQ(queued.calls, 1);
  ASSERT_EQ(queued.status, RUV_ECANCELED);
  ASSERT_EQ(ruv_cancel(queued_req), RUV_EINVAL); /* after its callback */

  gate_open(&g);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  for (i = 0; i < 2; i++) {
    ASSERT_EQ(busy[i].seen.calls, 1);
    ASSERT_EQ(busy[i].seen.status, 0);
  }
  ASSERT_EQ(ruv_cancel(busy_req), RUV_EINVAL);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

static void flag_work(void *arg) { STORE((int *)arg, 1); }

static void flag_after(ruv_loop_t *loop, int status, void *arg) {
  (void)loop;
  ASSERT_EQ(status, 0);
  STORE((int *)arg, 2);
}

TEST_CASE(cancel_finished_work_before_its_callback_is_busy) {
  ruv_loop_t *loop;
  ruv_req_t *req;
  int flag = 0;
  uint64_t deadline;
  pool_setup("4");
  loop = make_loop();
  ASSERT_EQ(ruv_queue_work(loop, flag_work, flag_after, &flag, &req), 0);
  /* The loop says "do not block" once the outcome has arrived. */
  deadline = test_now_ms() + 10000;
  while (ruv_backend_timeout(loop) != 0 && test_now_ms() < deadline) test_sleep_ms(1);
  ASSERT_EQ(LOAD(&flag), 1);
  ASSERT_EQ(ruv_cancel(req), RUV_EBUSY);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(flag, 2);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

/* Four hung lookups in a pool of four hold at most ceil(4/2) = 2 threads: work items
 * still run. */
#define HUNG 4
typedef struct {
  ruv_req_t *lookups[HUNG];
  seen_t seen[HUNG];
  int work_done;
} starve_t;

static void starve_after(ruv_loop_t *loop, int status, void *arg) {
  starve_t *st = (starve_t *)arg;
  int i;
  (void)loop;
  ASSERT_EQ(status, 0);
  st->work_done++;
  if (st->work_done < 8) return;
  /* Two lookups run (abandoned now), two are queued (taken out). */
  for (i = 0; i < HUNG; i++) {
    st->seen[i].in_call = 1;
    ASSERT_EQ(ruv_cancel(st->lookups[i]), 0);
    st->seen[i].in_call = 0;
    ASSERT_EQ(ruv_cancel(st->lookups[i]), RUV_EBUSY);
  }
}

TEST_CASE(hung_lookups_do_not_starve_work) {
  ruv_loop_t *loop;
  starve_t st;
  seen_t after_cancel;
  int i;
  pool_setup("4");
  loop = make_loop();
  memset(&st, 0, sizeof st);
  memset(&after_cancel, 0, sizeof after_cancel);
  for (i = 0; i < HUNG; i++)
    ASSERT_EQ(ruv_getaddrinfo(loop, HANG_NAME, "80", NULL, seen_addrinfo, &st.seen[i],
                              &st.lookups[i]),
              0);
  for (i = 0; i < 8; i++) ASSERT_EQ(ruv_queue_work(loop, noop_work, starve_after, &st, NULL), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(st.work_done, 8);
  for (i = 0; i < HUNG; i++) {
    ASSERT_EQ(st.seen[i].calls, 1);
    ASSERT_EQ(st.seen[i].status, RUV_EAI_CANCELED);
    ASSERT_EQ(ruv_cancel(st.lookups[i]), RUV_EINVAL);
  }
  /* The abandoned lookups give their threads back: a new lookup runs. */
  ASSERT_EQ(ruv_getaddrinfo(loop, "127.0.0.1", NULL, NULL, seen_addrinfo, &after_cancel, NULL),
            0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(after_cancel.calls, 1);
  ASSERT_EQ(after_cancel.status, 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

/* A one-thread pool still runs lookups (ceil(1/2) = 1). */
TEST_CASE(pool_of_one_thread) {
  ruv_loop_t *loop;
  seen_t s[4];
  int i;
  pool_setup("1");
  loop = make_loop();
  memset(s, 0, sizeof s);
  for (i = 0; i < 2; i++) ASSERT_EQ(ruv_queue_work(loop, noop_work, seen_after, &s[i], NULL), 0);
  for (i = 2; i < 4; i++)
    ASSERT_EQ(ruv_getaddrinfo(loop, "::1", NULL, NULL, seen_addrinfo, &s[i], NULL), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  for (i = 0; i < 4; i++) ASSERT_EQ(s[i].status, 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

static void async_work(void *arg) { ASSERT_EQ(ruv_async_send((ruv_async_t *)arg), 0); }

static void async_cb(ruv_async_t *a) {
  ruv_handle_set_data(RUV_HANDLE(a), (void *)1);
  ruv_close(RUV_HANDLE(a), NULL);
}

TEST_CASE(work_may_send_to_an_async_handle) {
  ruv_loop_t *loop;
  ruv_async_t *a;
  pool_setup("4");
  loop = make_loop();
  ASSERT_EQ(ruv_async_new(loop, async_cb, &a), 0);
  ASSERT_EQ(ruv_queue_work(loop, async_work, NULL, a, NULL), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

/* Pool threads block signals (libuv's rule): a signal meant for the application, such as
 * Ctrl-C interrupting a loop's poll, never lands on one. */
static void mask_work(void *arg) {
  sigset_t set;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, NULL, &set), 0);
  *(int *)arg = sigismember(&set, SIGINT) == 1 && sigismember(&set, SIGUSR1) == 1 ? 1 : -1;
}

TEST_CASE(pool_threads_block_signals) {
  ruv_loop_t *loop;
  int blocked = 0;
  pool_setup("4");
  loop = make_loop();
  ASSERT_EQ(ruv_queue_work(loop, mask_work, NULL, &blocked, NULL), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(blocked, 1);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

/* Several loops in several threads share the pool. */
static void count_after(ruv_loop_t *loop, int status, void *arg) {
  (void)loop;
  ASSERT_EQ(status, 0);
  (*(int *)arg)++;
}

static void *loop_thread(void *arg) {
  ruv_loop_t *loop = make_loop();
  int done = 0, i, n = (int)test_scaled(500, 50);
  (void)arg;
  for (i = 0; i < n; i++) ASSERT_EQ(ruv_queue_work(loop, noop_work, count_after, &done, NULL), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(done, n);
  ASSERT_EQ(ruv_loop_close(loop), 0);
  return NULL;
}

TEST_CASE(loops_in_threads_share_the_pool) {
  pthread_t t[3];
  int i;
  pool_setup("4");
  for (i = 0; i < 3; i++) ASSERT_EQ(pthread_create(&t[i], NULL, loop_thread, NULL), 0);
  for (i = 0; i < 3; i++) ASSERT_EQ(pthread_join(t[i], NULL), 0);
}

TEST_CASE(misuse) {
  ruv_loop_t *loop;
  ruv_req_t *req = (ruv_req_t *)0x1;
  pool_setup("4");
  loop = make_loop();
  ASSERT_EQ(ruv_queue_work(NULL, noop_work, NULL, NULL, &req), RUV_EINVAL);
  ASSERT_EQ(ruv_queue_work(loop, NULL, NULL, NULL, &req), RUV_EINVAL);
  ASSERT_PTR_EQ(req, (ruv_req_t *)0x1); /* out-param untouched on error */
  ASSERT_EQ(ruv_cancel(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_cancel((ruv_req_t *)loop), RUV_EINVAL); /* not a request */
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_MAIN(TEST_ENTRY(work_off_loop_after_on_loop), TEST_ENTRY(many_items_null_after_and_null_req),
          TEST_ENTRY(loop_close_busy_while_pending),
          TEST_ENTRY(cancel_queued_running_due_done),
          TEST_ENTRY(cancel_finished_work_before_its_callback_is_busy),
          TEST_ENTRY(hung_lookups_do_not_starve_work), TEST_ENTRY(pool_of_one_thread),
          TEST_ENTRY(work_may_send_to_an_async_handle), TEST_ENTRY(pool_threads_block_signals),
          TEST_ENTRY(loops_in_threads_share_the_pool), TEST_ENTRY(misuse))
