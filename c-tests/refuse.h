/*
 * refuse.h - checks that every pipe, UDP and stream function refuses a pointer
 * (RUV_EINVAL, or 0 for the size getters), out-params untouched: used with
 * handles of another kind (test_kinds.c) and with stale pointers (stale.h).
 */
#ifndef RUV_C_TEST_REFUSE_H
#define RUV_C_TEST_REFUSE_H

#include "helpers.h"

static inline void noop_stream_cb(ruv_stream_t *s, int st) { (void)s, (void)st; }
static inline void noop_sread_cb(ruv_stream_t *s, ssize_t n, const char *d) {
  (void)s, (void)n, (void)d;
}
static inline void noop_recv_cb(ruv_udp_t *u, ssize_t n, const char *d,
                                const struct sockaddr *a, unsigned f) {
  (void)u, (void)n, (void)d, (void)a, (void)f;
}

/* Every ruv_pipe_* function refuses `h`, a handle that is not a pipe (or a stale pointer). */
static inline void pipe_functions_refuse(void *h) {
  ruv_pipe_t *p = (ruv_pipe_t *)h;
  char buf[16];
  size_t len = sizeof buf;
  ASSERT_EQ(ruv_pipe_bind(p, "x", 1), RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_connect(p, "x", 1, noop_stream_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_open(p, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_getsockname(p, buf, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_getpeername(p, buf, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_chmod(p, RUV_READABLE), RUV_EINVAL);
  ASSERT_EQ(len, sizeof buf);
}

/* Every ruv_udp_* function refuses `h`, a handle that is not UDP (or a stale pointer). */
static inline void udp_functions_refuse(void *h) {
  ruv_udp_t *u = (ruv_udp_t *)h;
  struct sockaddr_storage ss = loopback(AF_INET, 9);
  struct sockaddr *sa = (struct sockaddr *)&ss;
  ruv_buf_t b = {"x", 1};
  int len = (int)sizeof ss;
  ASSERT_EQ(ruv_udp_open(u, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_bind(u, sa, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_connect(u, sa), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_connect(u, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_getsockname(u, sa, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_getpeername(u, sa, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_send(u, &b, 1, sa, NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_try_send(u, &b, 1, sa), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_recv_start(u, noop_recv_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_recv_stop(u), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_get_send_queue_size(u), 0);
  ASSERT_EQ(ruv_udp_get_send_queue_count(u), 0);
  ASSERT_EQ(ruv_udp_set_broadcast(u, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_set_ttl(u, 64), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_set_multicast_loop(u, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_set_multicast_ttl(u, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_set_multicast_interface(u, "127.0.0.1"), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_set_membership(u, "224.0.0.251", "127.0.0.1", 1), RUV_EINVAL);
}

/* Every stream function refuses `h`, a handle that is not a stream (or a stale pointer). */
static inline void stream_functions_refuse(void *h) {
  ruv_stream_t *s = (ruv_stream_t *)h;
  ruv_buf_t b = {"x", 1};
  ASSERT_EQ(ruv_listen(s, 1, noop_stream_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_accept(s, s), RUV_EINVAL);
  ASSERT_EQ(ruv_read_start(s, noop_sread_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_read_stop(s), RUV_EINVAL);
  ASSERT_EQ(ruv_write(s, &b, 1, NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_try_write(s, &b, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_shutdown(s, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_is_readable(s), RUV_EINVAL);
  ASSERT_EQ(ruv_is_writable(s), RUV_EINVAL);
  ASSERT_EQ(ruv_stream_get_write_queue_size(s), 0);
  ASSERT_EQ(ruv_stream_set_blocking(s, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_stream_set_watermarks(s, 0, 0, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_stream_set_write_limit(s, 1), RUV_EINVAL);
}

#endif
