/*
 * hooks.h - one interface over the three per-iteration hook kinds (idle,
 * prepare, check: DESIGN §6.2, all "the same shape"), so every rule is tested
 * on each kind by the same code.  The trace callbacks append the handle's tag
 * (handles.h: set_tag) and then call g_hook_action if set; the "alt" callbacks
 * append the tag upper-cased.
 */
#ifndef RUV_C_TEST_HOOKS_H
#define RUV_C_TEST_HOOKS_H

#include "handles.h"

#include <ctype.h>

enum { HK_IDLE, HK_PREPARE, HK_CHECK, HK_KINDS };

static const char *const hook_names[HK_KINDS] = {"idle", "prepare", "check"};

static inline int hook_type(int k) {
  return k == HK_IDLE ? (int)RUV_IDLE : k == HK_PREPARE ? (int)RUV_PREPARE : (int)RUV_CHECK;
}

/* Called after each trace callback with the hook's kind and pointer. */
static void (*g_hook_action)(int kind, void *h);

static inline void hook_fire_(int k, void *h, int alt) {
  char c = get_tag(h);
  trace_add(alt ? (char)toupper((unsigned char)c) : c);
  if (g_hook_action) g_hook_action(k, h);
}

static inline void idle_trace_cb(ruv_idle_t *h) { hook_fire_(HK_IDLE, h, 0); }
static inline void idle_alt_cb(ruv_idle_t *h) { hook_fire_(HK_IDLE, h, 1); }
static inline void prepare_trace_cb(ruv_prepare_t *h) { hook_fire_(HK_PREPARE, h, 0); }
static inline void prepare_alt_cb(ruv_prepare_t *h) { hook_fire_(HK_PREPARE, h, 1); }
static inline void check_trace_cb(ruv_check_t *h) { hook_fire_(HK_CHECK, h, 0); }
static inline void check_alt_cb(ruv_check_t *h) { hook_fire_(HK_CHECK, h, 1); }

/* ruv_<kind>_new.  *out is copied in and back, so a call that does not write
 * its out-param leaves *out as it was; out NULL passes NULL. */
static inline int hook_new_rc(int k, ruv_loop_t *loop, void **out) {
  int rc;
  if (k == HK_IDLE) {
    ruv_idle_t *h = out ? (ruv_idle_t *)*out : NULL;
    rc = ruv_idle_new(loop, out ? &h : NULL);
    if (out) *out = h;
  } else if (k == HK_PREPARE) {
    ruv_prepare_t *h = out ? (ruv_prepare_t *)*out : NULL;
    rc = ruv_prepare_new(loop, out ? &h : NULL);
    if (out) *out = h;
  } else {
    ruv_check_t *h = out ? (ruv_check_t *)*out : NULL;
    rc = ruv_check_new(loop, out ? &h : NULL);
    if (out) *out = h;
  }
  return rc;
}

/* cb: 0 = NULL callback, 1 = trace callback, 2 = alt callback */
static inline int hook_start(int k, void *h, int cb) {
  switch (k) {
    case HK_IDLE:
      return ruv_idle_start((ruv_idle_t *)h, cb == 0 ? NULL : cb == 1 ? idle_trace_cb : idle_alt_cb);
    case HK_PREPARE:
      return ruv_prepare_start((ruv_prepare_t *)h,
                               cb == 0 ? NULL : cb == 1 ? prepare_trace_cb : prepare_alt_cb);
    default:
      return ruv_check_start((ruv_check_t *)h,
                             cb == 0 ? NULL : cb == 1 ? check_trace_cb : check_alt_cb);
  }
}

static inline int hook_stop(int k, void *h) {
  switch (k) {
    case HK_IDLE: return ruv_idle_stop((ruv_idle_t *)h);
    case HK_PREPARE: return ruv_prepare_stop((ruv_prepare_t *)h);
    default: return ruv_check_stop((ruv_check_t *)h);
  }
}

static inline void *make_hook(int k, ruv_loop_t *loop, char tag) {
  void *h = NULL;
  ASSERT_EQ(hook_new_rc(k, loop, &h), 0);
  ASSERT_NOT_NULL(h);
  set_tag(h, tag);
  return h;
}

/* A started hook of kind k with the trace callback. */
static inline void *start_hook(int k, ruv_loop_t *loop, char tag) {
  void *h = make_hook(k, loop, tag);
  ASSERT_EQ(hook_start(k, h, 1), 0);
  return h;
}

static inline void hook_close_trace_cb(ruv_handle_t *h) {
  ASSERT_EQ(ruv_is_closing(h), 1);
  trace_add('X');
}

/* A failing case says which kind it was on (from an atexit handler: a failed
 * ASSERT exits the case's process). */
static const char *g_hook_kind_now;

static inline void hook_kind_report_(void) {
  if (g_hook_kind_now) fprintf(stderr, "  (on the %s hook)\n", g_hook_kind_now);
}

/* Start of the part of a case for kind k: resets the trace and the action. */
static inline void hook_kind_begin(int k) {
  static int registered;
  if (!registered) {
    registered = 1;
    atexit(hook_kind_report_);
  }
  g_hook_kind_now = hook_names[k];
  trace_reset();
  g_hook_action = NULL;
}

static inline void hook_kind_end(void) {
  g_hook_kind_now = NULL;
  g_hook_action = NULL;
}

#endif /* RUV_C_TEST_HOOKS_H */
