/*
 * pool_helpers.h - shared by the worker-pool and lookup tests: a gate that
 * blocks work items until released, atomics, and the pool's setup.
 *
 * The pool reads RUV_THREADPOOL_SIZE once, at its first use in the process;
 * every case runs in its own forked child (test.h), so each case sets it first.
 * RUV_TEST_HANG_LOOKUP=<name>.invalid makes lookups of that name block their
 * pool thread until they are cancelled (ruv's test hook, read at the first
 * lookup): a deterministic hung resolver.
 */
#ifndef RUV_C_TEST_POOL_HELPERS_H
#define RUV_C_TEST_POOL_HELPERS_H

#include "helpers.h"

#include <netdb.h>
#include <pthread.h>

#define LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define ADD(p, v) __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)

#define HANG_NAME "hang.ruv-test.invalid"

/* A pool of `size` threads whose lookups of HANG_NAME hang until cancelled. */
static inline void pool_setup(const char *size) {
  ASSERT_EQ(setenv("RUV_THREADPOOL_SIZE", size, 1), 0);
  ASSERT_EQ(setenv("RUV_TEST_HANG_LOOKUP", HANG_NAME, 1), 0);
}

/* Work items that block until the gate opens; `started` counts them. */
typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int open;
  int started;
} gate_t;

#define GATE_INIT {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0}

static inline void gate_work(void *arg) {
  gate_t *g = (gate_t *)arg;
  pthread_mutex_lock(&g->mu);
  g->started++;
  pthread_cond_broadcast(&g->cv);
  while (!g->open) pthread_cond_wait(&g->cv, &g->mu);
  pthread_mutex_unlock(&g->mu);
}

/* Waits (at most 10 s) until `n` gated work items run. */
static inline void gate_wait_started(gate_t *g, int n) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 10;
  pthread_mutex_lock(&g->mu);
  while (g->started < n) {
    if (pthread_cond_timedwait(&g->cv, &g->mu, &deadline) != 0) break;
  }
  ASSERT_EQ(g->started, n);
  pthread_mutex_unlock(&g->mu);
}

static inline void gate_open(gate_t *g) {
  pthread_mutex_lock(&g->mu);
  g->open = 1;
  pthread_cond_broadcast(&g->cv);
  pthread_mutex_unlock(&g->mu);
}

/* What a request's callback saw. */
typedef struct {
  int calls;
  int status;
  int in_call; /* set around the ruv_* call that queued or cancelled it */
  pthread_t thread;
} seen_t;

static inline void seen_after(ruv_loop_t *loop, int status, void *arg) {
  seen_t *s = (seen_t *)arg;
  (void)loop;
  ASSERT_EQ(s->in_call, 0); /* never from inside the call */
  s->calls++;
  s->status = status;
  s->thread = pthread_self();
}

static inline void seen_addrinfo(ruv_loop_t *loop, int status,
                                 const struct addrinfo *res, void *arg) {
  seen_t *s = (seen_t *)arg;
  (void)loop;
  ASSERT_EQ(s->in_call, 0);
  ASSERT((status == 0) == (res != NULL));
  s->calls++;
  s->status = status;
}

/* Runs ONCE until *n reaches `want` (at most 10 s). */
static inline void run_until_count(ruv_loop_t *loop, int *n, int want) {
  uint64_t deadline = test_now_ms() + 10000;
  while (*n < want && test_now_ms() < deadline) ruv_run(loop, RUV_RUN_ONCE);
  ASSERT_EQ(*n, want);
}

#endif /* RUV_C_TEST_POOL_HELPERS_H */
