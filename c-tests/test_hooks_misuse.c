/* test_hooks_misuse.c - idle, prepare and check misuse (DESIGN §3.5, §3.10,
 * §6): NULL loop/out/handle/callback for all nine functions, a failed start
 * changes nothing, the wrong kind of handle both ways, every call on a closing
 * hook.  Each rule on each kind (hooks.h). */
#include "hooks.h"

static int g_count;

static void noop_timer_cb(ruv_timer_t *t) { (void)t; }

static void noop_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  (void)tcp;
  (void)nread;
  (void)data;
}

TEST_CASE(hook_misuse_null_arguments) {
  int k;
  for (k = 0; k < HK_KINDS; k++) {
    ruv_loop_t *loop = make_loop();
    void *out = &g_count, *h;
    hook_kind_begin(k);
    ASSERT_EQ(hook_new_rc(k, NULL, &out), RUV_EINVAL);
    ASSERT_PTR_EQ(out, &g_count); /* untouched */
    ASSERT_EQ(hook_new_rc(k, loop, NULL), RUV_EINVAL);
    ASSERT_EQ(walk_count(loop), 0); /* nothing was made */
    ASSERT_EQ(hook_start(k, NULL, 1), RUV_EINVAL);
    ASSERT_EQ(hook_stop(k, NULL), RUV_EINVAL);
    h = make_hook(k, loop, 'h');
    ASSERT_EQ(hook_start(k, h, 0), RUV_EINVAL); /* NULL callback */
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(h)), 0);
    ASSERT_EQ(ruv_loop_alive(loop), 0);
    /* on a started handle a failed start changes nothing */
    ASSERT_EQ(hook_start(k, h, 1), 0);
    ASSERT_EQ(hook_start(k, h, 0), RUV_EINVAL);
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(h)), 1);
    ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
    ASSERT_STR_EQ(trace_str(), "h"); /* the old callback still runs */
    finish_loop(loop);
    hook_kind_end();
  }
}

TEST_CASE(hook_wrong_handle_kind) {
  int k, j;
  for (k = 0; k < HK_KINDS; k++) {
    ruv_loop_t *loop = make_loop();
    void *mine, *other[HK_KINDS];
    ruv_timer_t *t = make_timer(loop);
    ruv_tcp_t *tcp = make_tcp(loop, AF_INET);
    ruv_async_t *a = make_async(loop, NULL);
    int v = -7;
    hook_kind_begin(k);
    ASSERT_EQ(ruv_timer_start(t, noop_timer_cb, 100000, 0), 0);
    mine = start_hook(k, loop, 'm');
    /* the other hook kinds, started, are neither started nor stopped by k's calls */
    for (j = 0; j < HK_KINDS; j++) {
      if (j == k) continue;
      other[j] = start_hook(j, loop, 'o');
      ASSERT_EQ(hook_start(k, other[j], 1), RUV_EINVAL);
      ASSERT_EQ(hook_stop(k, other[j]), RUV_EINVAL);
      ASSERT_EQ(ruv_is_active(RUV_HANDLE(other[j])), 1);
      ASSERT_EQ(hook_stop(j, other[j]), 0);
      ASSERT_EQ(hook_start(k, other[j], 1), RUV_EINVAL);
      ASSERT_EQ(ruv_is_active(RUV_HANDLE(other[j])), 0);
    }
    /* timer, TCP, async and a loop passed as this kind */
    ASSERT_EQ(hook_start(k, t, 1), RUV_EINVAL);
    ASSERT_EQ(hook_stop(k, t), RUV_EINVAL);
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(t)), 1);
    ASSERT_EQ(hook_start(k, tcp, 1), RUV_EINVAL);
    ASSERT_EQ(hook_stop(k, tcp), RUV_EINVAL);
    ASSERT_EQ(hook_start(k, a, 1), RUV_EINVAL);
    ASSERT_EQ(hook_stop(k, a), RUV_EINVAL);
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(a)), 1);
    ASSERT_EQ(hook_start(k, loop, 1), RUV_EINVAL);
    ASSERT_EQ(hook_stop(k, loop), RUV_EINVAL);
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(tcp)), 0);
    /* this kind passed to the other families */
    ASSERT_EQ(ruv_timer_start((ruv_timer_t *)mine, noop_timer_cb, 0, 0), RUV_EINVAL);
    ASSERT_EQ(ruv_timer_stop((ruv_timer_t *)mine), RUV_EINVAL);
    ASSERT_EQ(ruv_timer_again((ruv_timer_t *)mine), RUV_EINVAL);
    ASSERT_EQ(ruv_async_send((ruv_async_t *)mine), RUV_EINVAL);
    ASSERT_EQ(ruv_tcp_start_read((ruv_tcp_t *)mine, noop_read_cb), RUV_EINVAL);
    ASSERT_EQ(ruv_tcp_fileno((ruv_tcp_t *)mine, &v), RUV_EINVAL);
    ASSERT_EQ(v, -7);
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(mine)), 1);
    ASSERT_EQ((int)ruv_handle_get_type(RUV_HANDLE(mine)), hook_type(k));
    trace_reset();
    ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
    ASSERT_STR_EQ(trace_str(), "m"); /* only mine was active */
    finish_loop(loop);
    hook_kind_end();
  }
}

TEST_CASE(every_hook_call_on_a_closing_hook_is_einval) {
  int k;
  for (k = 0; k < HK_KINDS; k++) {
    ruv_loop_t *loop = make_loop();
    void *h, *s;
    hook_kind_begin(k);
    h = start_hook(k, loop, 'h'); /* active */
    s = make_hook(k, loop, 's');  /* never started */
    ASSERT_EQ(ruv_close(RUV_HANDLE(h), hook_close_trace_cb), 0);
    ASSERT_EQ(ruv_close(RUV_HANDLE(s), hook_close_trace_cb), 0);
    ASSERT_EQ(hook_start(k, h, 1), RUV_EINVAL);
    ASSERT_EQ(hook_start(k, h, 2), RUV_EINVAL);
    ASSERT_EQ(hook_stop(k, h), RUV_EINVAL);
    ASSERT_EQ(hook_start(k, s, 1), RUV_EINVAL);
    ASSERT_EQ(hook_stop(k, s), RUV_EINVAL);
    ASSERT_EQ(ruv_close(RUV_HANDLE(h), NULL), RUV_EINVAL);
    ASSERT_EQ(ruv_is_active(RUV_HANDLE(h)), 0);
    ASSERT_EQ(ruv_is_closing(RUV_HANDLE(h)), 1);
    ASSERT_EQ((int)ruv_handle_get_type(RUV_HANDLE(h)), hook_type(k));
    ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(trace_str(), "XX"); /* no hook callback after ruv_close */
    ASSERT_EQ(ruv_loop_close(loop), 0);
    hook_kind_end();
  }
}

TEST_MAIN(TEST_ENTRY(hook_misuse_null_arguments), TEST_ENTRY(hook_wrong_handle_kind),
          TEST_ENTRY(every_hook_call_on_a_closing_hook_is_einval))
