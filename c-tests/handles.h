/*
 * handles.h - helpers shared by the tests of the DESIGN §6 handle kinds
 * (timer, async, idle, prepare, check): constructors that assert, a callback
 * trace, a watchdog timer, and a teardown that copes with more handles than
 * helpers.h's close_all (which stops at 256).
 */
#ifndef RUV_C_TEST_HANDLES_H
#define RUV_C_TEST_HANDLES_H

#include "helpers.h"

static inline ruv_timer_t *make_timer(ruv_loop_t *loop) {
  ruv_timer_t *t = NULL;
  ASSERT_EQ(ruv_timer_new(loop, &t), 0);
  ASSERT_NOT_NULL(t);
  return t;
}

static inline ruv_async_t *make_async(ruv_loop_t *loop,
                                      void (*cb)(ruv_async_t *)) {
  ruv_async_t *a = NULL;
  ASSERT_EQ(ruv_async_new(loop, cb, &a), 0);
  ASSERT_NOT_NULL(a);
  return a;
}

static inline ruv_idle_t *make_idle(ruv_loop_t *loop) {
  ruv_idle_t *h = NULL;
  ASSERT_EQ(ruv_idle_new(loop, &h), 0);
  ASSERT_NOT_NULL(h);
  return h;
}

static inline ruv_prepare_t *make_prepare(ruv_loop_t *loop) {
  ruv_prepare_t *h = NULL;
  ASSERT_EQ(ruv_prepare_new(loop, &h), 0);
  ASSERT_NOT_NULL(h);
  return h;
}

static inline ruv_check_t *make_check(ruv_loop_t *loop) {
  ruv_check_t *h = NULL;
  ASSERT_EQ(ruv_check_new(loop, &h), 0);
  ASSERT_NOT_NULL(h);
  return h;
}

/* ---- a trace: callbacks append one character each ------------------------ */

typedef struct {
  char buf[8192];
  int n;
} trace_buf;

static inline trace_buf *trace_(void) {
  static trace_buf t;
  return &t;
}

static inline void trace_reset(void) {
  trace_()->n = 0;
  trace_()->buf[0] = '\0';
}

static inline void trace_add(char c) {
  trace_buf *t = trace_();
  ASSERT_LT(t->n, (int)sizeof t->buf - 1);
  t->buf[t->n++] = c;
  t->buf[t->n] = '\0';
}

static inline const char *trace_str(void) { return trace_()->buf; }

/* The handle's data holds a character; the callback traces it. */
static inline void set_tag(void *h, char c) {
  ruv_handle_set_data(RUV_HANDLE(h), (void *)(intptr_t)c);
}

static inline char get_tag(const void *h) {
  return (char)(intptr_t)ruv_handle_get_data((const ruv_handle_t *)h);
}

/* ---- a one-shot watchdog: if it fires, the test waited too long ---------- */

static inline int *watchdog_fired_(void) {
  static int fired;
  return &fired;
}

static inline void watchdog_cb_(ruv_timer_t *t) {
  *watchdog_fired_() = 1;
  ruv_stop(ruv_handle_get_loop(RUV_HANDLE(t)));
}

/* A referenced one-shot timer that stops the loop after `ms`. */
static inline ruv_timer_t *watchdog_start(ruv_loop_t *loop, uint64_t ms) {
  ruv_timer_t *t = make_timer(loop);
  *watchdog_fired_() = 0;
  ASSERT_EQ(ruv_timer_start(t, watchdog_cb_, ms, 0), 0);
  return t;
}

static inline int watchdog_fired(void) { return *watchdog_fired_(); }

/* ---- teardown for any number of handles ---------------------------------- */

typedef struct {
  ruv_handle_t **h;
  size_t n, cap;
} open_list;

static inline void collect_open_cb_(ruv_handle_t *h, void *arg) {
  open_list *l = (open_list *)arg;
  if (ruv_is_closing(h)) return;
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 64;
    l->h = (ruv_handle_t **)realloc(l->h, l->cap * sizeof *l->h);
    ASSERT_NOT_NULL(l->h);
  }
  l->h[l->n++] = h;
}

/* Close every handle that is not closing yet; returns how many it closed. */
static inline size_t close_every_handle(ruv_loop_t *loop) {
  open_list l;
  size_t i;
  memset(&l, 0, sizeof l);
  ruv_walk(loop, collect_open_cb_, &l);
  for (i = 0; i < l.n; i++) ASSERT_EQ(ruv_close(l.h[i], NULL), 0);
  free(l.h);
  return i;
}

/* Close everything, drain and free the loop (asserts ruv_loop_close == 0). */
static inline void finish_loop_all(ruv_loop_t *loop) {
  close_every_handle(loop);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

/* Number of handles ruv_walk visits. */
static inline void count_walk_cb_(ruv_handle_t *h, void *arg) {
  (void)h;
  (*(int *)arg)++;
}

static inline int walk_count(ruv_loop_t *loop) {
  int n = 0;
  ruv_walk(loop, count_walk_cb_, &n);
  return n;
}

#endif /* RUV_C_TEST_HANDLES_H */
