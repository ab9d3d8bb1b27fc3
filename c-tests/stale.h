/*
 * stale.h - helpers for the stale-pointer tests (DESIGN §11): one handle of
 * every kind, closing and draining them, and checks that call every function
 * of the API on a pointer and expect RUV_EINVAL (or the documented fallback:
 * 0, NULL, RUV_UNKNOWN_HANDLE) with out-params untouched.
 */
#ifndef RUV_C_TEST_STALE_H
#define RUV_C_TEST_STALE_H

#include "handles.h"
#include "refuse.h"

#define STALE_KINDS 10

static void stale_noop_close_cb(ruv_handle_t *h) { (void)h; }
static void stale_timer_cb(ruv_timer_t *t) { (void)t; }
static void stale_idle_cb(ruv_idle_t *h) { (void)h; }
static void stale_prepare_cb(ruv_prepare_t *h) { (void)h; }
static void stale_check_cb(ruv_check_t *h) { (void)h; }
static void stale_poll_cb(ruv_poll_t *p, int status, int events) {
  (void)p, (void)status, (void)events;
}
static void stale_signal_cb(ruv_signal_t *s, int signum) { (void)s, (void)signum; }
static void stale_conn_cb(ruv_tcp_t *t, int status) { (void)t, (void)status; }
static void stale_read_cb(ruv_tcp_t *t, ssize_t n, const char *d) {
  (void)t, (void)n, (void)d;
}
static void stale_drain_cb(ruv_tcp_t *t) { (void)t; }

/* Descriptor n of 16 that poll handles watch (dups of one end of a socketpair,
 * kept open): one poll handle of a loop per descriptor at a time. */
static inline int stale_poll_fd(int n) {
  static int sv[2] = {-1, -1}, pool[16];
  if (sv[0] < 0) {
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    for (int i = 0; i < 16; i++) ASSERT_GE(pool[i] = dup(sv[0]), 0);
  }
  return pool[n % 16];
}

/* One handle of kind i % STALE_KINDS in loop (a poll handle watches descriptor
 * i / STALE_KINDS of the pool). */
static inline ruv_handle_t *stale_make(ruv_loop_t *loop, int i) {
  void *h = NULL;
  switch (i % STALE_KINDS) {
    case 0: ASSERT_EQ(ruv_tcp_new(loop, AF_INET, (ruv_tcp_t **)&h), 0); break;
    case 1: ASSERT_EQ(ruv_timer_new(loop, (ruv_timer_t **)&h), 0); break;
    case 2: ASSERT_EQ(ruv_async_new(loop, NULL, (ruv_async_t **)&h), 0); break;
    case 3: ASSERT_EQ(ruv_idle_new(loop, (ruv_idle_t **)&h), 0); break;
    case 4: ASSERT_EQ(ruv_prepare_new(loop, (ruv_prepare_t **)&h), 0); break;
    case 5: ASSERT_EQ(ruv_check_new(loop, (ruv_check_t **)&h), 0); break;
    case 6: ASSERT_EQ(ruv_poll_new(loop, stale_poll_fd(i / STALE_KINDS), (ruv_poll_t **)&h), 0); break;
    case 7: ASSERT_EQ(ruv_signal_new(loop, (ruv_signal_t **)&h), 0); break;
    case 8: ASSERT_EQ(ruv_pipe_new(loop, 0, (ruv_pipe_t **)&h), 0); break;
    default: ASSERT_EQ(ruv_udp_new(loop, AF_INET, (ruv_udp_t **)&h), 0); break;
  }
  ASSERT_NOT_NULL(h);
  return (ruv_handle_t *)h;
}

static int g_stale_closed;
static void stale_count_close_cb(ruv_handle_t *h) {
  (void)h;
  g_stale_closed++;
}

/* Closes n handles and runs the loop until their close callbacks ran. */
static inline void stale_close_all(ruv_loop_t *loop, ruv_handle_t **h, int n) {
  g_stale_closed = 0;
  for (int i = 0; i < n; i++) ASSERT_EQ(ruv_close(h[i], stale_count_close_cb), 0);
  while (g_stale_closed < n) ruv_run(loop, RUV_RUN_NOWAIT);
}

/* The stream, pipe and UDP functions given h (part of check_stale_handle). */
static inline void check_stale_stream_pipe_udp(void *h) {
  stream_functions_refuse(h);
  pipe_functions_refuse(h);
  udp_functions_refuse(h);
  int fd = -7;
  ASSERT_EQ(ruv_fileno((ruv_handle_t *)h, &fd), RUV_EINVAL);
  ASSERT_EQ(fd, -7);
  int pfd = socket(AF_UNIX, SOCK_STREAM, 0), ufd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(pfd, 0);
  ASSERT_GE(ufd, 0);
  ASSERT_EQ(ruv_pipe_open((ruv_pipe_t *)h, pfd), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_open((ruv_udp_t *)h, ufd), RUV_EINVAL);
  ASSERT_EQ(fcntl(pfd, F_GETFD), 0); /* still open, still ours */
  ASSERT_EQ(fcntl(ufd, F_GETFD), 0);
  close(pfd);
  close(ufd);
}

/* Every handle function given h: RUV_EINVAL or its fallback, nothing written. */
static inline void check_stale_handle(void *h) {
  ruv_handle_t *hh = (ruv_handle_t *)h;
  ruv_tcp_t *t = (ruv_tcp_t *)h;
  ruv_timer_t *tm = (ruv_timer_t *)h;
  ASSERT_EQ(ruv_close(hh, stale_noop_close_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_close(hh, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_is_active(hh), RUV_EINVAL);
  ASSERT_EQ(ruv_is_closing(hh), RUV_EINVAL);
  ASSERT_EQ(ruv_has_ref(hh), RUV_EINVAL);
  ruv_ref(hh);
  ruv_unref(hh);
  ruv_handle_set_data(hh, (void *)0x1234);
  ASSERT_NULL(ruv_handle_get_data(hh));
  ASSERT_NULL(ruv_handle_get_loop(hh));
  ASSERT_EQ(ruv_handle_get_type(hh), RUV_UNKNOWN_HANDLE);
  ASSERT_EQ(ruv_async_send((ruv_async_t *)h), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_start(tm, stale_timer_cb, 10, 10), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_stop(tm), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_again(tm), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_set_repeat(tm, 5), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_get_repeat(tm), 0);
  ASSERT_EQ(ruv_timer_get_due_in(tm), 0);
  ASSERT_EQ(ruv_idle_start((ruv_idle_t *)h, stale_idle_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_idle_stop((ruv_idle_t *)h), RUV_EINVAL);
  ASSERT_EQ(ruv_prepare_start((ruv_prepare_t *)h, stale_prepare_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_prepare_stop((ruv_prepare_t *)h), RUV_EINVAL);
  ASSERT_EQ(ruv_check_start((ruv_check_t *)h, stale_check_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_check_stop((ruv_check_t *)h), RUV_EINVAL);
  ASSERT_EQ(ruv_poll_start((ruv_poll_t *)h, RUV_READABLE, stale_poll_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_poll_stop((ruv_poll_t *)h), RUV_EINVAL);
  ASSERT_EQ(ruv_signal_start((ruv_signal_t *)h, stale_signal_cb, SIGUSR2), RUV_EINVAL);
  ASSERT_EQ(ruv_signal_start_oneshot((ruv_signal_t *)h, stale_signal_cb, SIGUSR2),
            RUV_EINVAL);
  ASSERT_EQ(ruv_signal_stop((ruv_signal_t *)h), RUV_EINVAL);

  struct sockaddr_in a;
  ASSERT_EQ(ruv_ip4_addr("127.0.0.1", 0, &a), 0);
  const struct sockaddr *sa = (const struct sockaddr *)&a;
  ASSERT_EQ(ruv_tcp_bind(t, sa, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_listen(t, 8, stale_conn_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_accept(t, t), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect(t, sa, stale_conn_cb), RUV_EINVAL);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ruv_tcp_open(t, fd), RUV_EINVAL);
  ASSERT_EQ(fcntl(fd, F_GETFD), 0); /* still open, still ours */
  close(fd);
  struct sockaddr_storage ss;
  int len = (int)sizeof ss, out = -7;
  ASSERT_EQ(ruv_tcp_getsockname(t, (struct sockaddr *)&ss, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getpeername(t, (struct sockaddr *)&ss, &len), RUV_EINVAL);
  ASSERT_EQ(len, (int)sizeof ss);
  ASSERT_EQ(ruv_tcp_shutdown(t, NULL), RUV_EINVAL);
  ruv_buf_t buf = {"x", 1};
  ASSERT_EQ(ruv_tcp_write(t, &buf, 1, NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_try_write(t, &buf, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_start_read(t, stale_read_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_stop_read(t), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_fileno(t, &out), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_family(t, &out), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_get_send_buffer_size(t, &out), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_get_receive_buffer_size(t, &out), RUV_EINVAL);
  ASSERT_EQ(out, -7);
  ASSERT_EQ(ruv_tcp_write_queue_size(t), 0);
  ASSERT_EQ(ruv_tcp_readable(t), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_writable(t), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_close_reset(t, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_nodelay(t, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_keepalive(t, 1, 10), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_keepalive_ex(t, 1, 10, 5, 3), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_simultaneous_accepts(t, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(t, 65536), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_receive_buffer_size(t, 65536), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_watermarks(t, 1, 2, stale_drain_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_write_limit(t, 100), RUV_EINVAL);
  check_stale_stream_pipe_udp(h);
}

static void stale_walk_cb(ruv_handle_t *h, void *arg) {
  (void)h;
  ++*(int *)arg;
}

/* Every loop function given l, and every constructor given l as its loop. */
static inline void check_stale_loop(ruv_loop_t *l) {
  ASSERT_EQ(ruv_run(l, RUV_RUN_DEFAULT), RUV_EINVAL);
  ASSERT_EQ(ruv_run(l, RUV_RUN_NOWAIT), RUV_EINVAL);
  ASSERT_EQ(ruv_loop_alive(l), RUV_EINVAL);
  ASSERT_EQ(ruv_backend_fd(l), RUV_EINVAL);
  ASSERT_EQ(ruv_backend_timeout(l), RUV_EINVAL);
  ASSERT_EQ(ruv_now(l), 0);
  ruv_stop(l);
  ruv_update_time(l);
  ruv_loop_set_data(l, (void *)0x5678);
  ASSERT_NULL(ruv_loop_get_data(l));
  int walked = 0;
  ruv_walk(l, stale_walk_cb, &walked);
  ASSERT_EQ(walked, 0);
  void *sentinel = (void *)0x9abc, *out = sentinel;
  ASSERT_EQ(ruv_tcp_new(l, AF_INET, (ruv_tcp_t **)&out), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_new(l, (ruv_timer_t **)&out), RUV_EINVAL);
  ASSERT_EQ(ruv_async_new(l, NULL, (ruv_async_t **)&out), RUV_EINVAL);
  ASSERT_EQ(ruv_idle_new(l, (ruv_idle_t **)&out), RUV_EINVAL);
  ASSERT_EQ(ruv_prepare_new(l, (ruv_prepare_t **)&out), RUV_EINVAL);
  ASSERT_EQ(ruv_check_new(l, (ruv_check_t **)&out), RUV_EINVAL);
  ASSERT_EQ(ruv_poll_new(l, stale_poll_fd(0), (ruv_poll_t **)&out), RUV_EINVAL);
  ASSERT_EQ(ruv_signal_new(l, (ruv_signal_t **)&out), RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_new(l, 0, (ruv_pipe_t **)&out), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_new(l, AF_INET, (ruv_udp_t **)&out), RUV_EINVAL);
  ASSERT_PTR_EQ(out, sentinel);
  ASSERT_EQ(ruv_loop_close(l), RUV_EINVAL);
}

#endif
