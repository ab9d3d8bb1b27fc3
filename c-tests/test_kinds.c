/*
 * test_kinds.c - DESIGN §8 "Kinds": wrong-kind calls everywhere (ruv_tcp_* on a pipe,
 * ruv_pipe_* and ruv_udp_* on other kinds, stream functions on a timer or a UDP handle),
 * ruv_fileno on every kind (EBADF before a descriptor and once closing, EINVAL for kinds
 * without one), and the type each handle reports.
 */
#include "refuse.h"
#include "streams.h"

static void noop_read_cb(ruv_tcp_t *t, ssize_t n, const char *d) {
  (void)t, (void)n, (void)d;
}
static void noop_conn_cb(ruv_tcp_t *t, int s) { (void)t, (void)s; }
static void noop_drain_cb(ruv_tcp_t *t) { (void)t; }

/* Every ruv_tcp_* function refuses `h`, a handle that is not TCP. */
static void tcp_functions_refuse(void *h) {
  ruv_tcp_t *t = (ruv_tcp_t *)h;
  struct sockaddr_storage ss = loopback(AF_INET, 0);
  struct sockaddr *sa = (struct sockaddr *)&ss;
  ruv_buf_t b = {"x", 1};
  int v = 7, len = (int)sizeof ss;
  ruv_tcp_t *other = make_tcp(ruv_handle_get_loop(RUV_HANDLE(h)), AF_UNSPEC);
  ASSERT_EQ(ruv_tcp_bind(t, sa, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_listen(t, 1, noop_conn_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_accept(t, other), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_accept(other, t), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect(t, sa, noop_conn_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_open(t, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getsockname(t, sa, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getpeername(t, sa, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_shutdown(t, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_write(t, &b, 1, NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_try_write(t, &b, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_start_read(t, noop_read_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_stop_read(t), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_nodelay(t, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_keepalive(t, 1, 10), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_simultaneous_accepts(t, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_fileno(t, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_family(t, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_get_send_buffer_size(t, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(t, 4096), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_get_receive_buffer_size(t, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_receive_buffer_size(t, 4096), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_write_queue_size(t), 0);
  ASSERT_EQ(ruv_tcp_readable(t), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_writable(t), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_close_reset(t, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_keepalive_ex(t, 1, 1, 1, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_watermarks(t, 0, 10, noop_drain_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_write_limit(t, 10), RUV_EINVAL);
  ASSERT_EQ(v, 7);
  ASSERT_EQ(ruv_is_closing(RUV_HANDLE(h)), 0); /* still alive: nothing happened to it */
}

TEST_CASE(wrong_kind_calls_are_einval) {
  ruv_loop_t *loop = make_loop();
  ruv_pipe_t *pipe_ = make_pipe(loop);
  ruv_tcp_t *tcp = make_tcp(loop, AF_INET);
  ruv_udp_t *udp = make_udp(loop, AF_INET);
  ruv_timer_t *timer;
  ASSERT_EQ(ruv_timer_new(loop, &timer), 0);
  tcp_functions_refuse(pipe_);
  tcp_functions_refuse(udp);
  pipe_functions_refuse(tcp);
  pipe_functions_refuse(udp);
  pipe_functions_refuse(timer);
  udp_functions_refuse(tcp);
  udp_functions_refuse(pipe_);
  udp_functions_refuse(timer);
  stream_functions_refuse(timer);
  stream_functions_refuse(udp);
  stream_functions_refuse(NULL);
  finish_loop(loop);
}

static int fileno_of(const void *h) {
  int fd = -12345;
  int r = ruv_fileno((const ruv_handle_t *)h, &fd);
  if (r < 0) {
    ASSERT_EQ(fd, -12345); /* untouched on error */
    return r;
  }
  return fd;
}

TEST_CASE(fileno_on_every_kind) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t0 = make_tcp(loop, AF_UNSPEC), *t4 = make_tcp(loop, AF_INET);
  ruv_pipe_t *p0 = make_pipe(loop), *pb = make_pipe(loop);
  ruv_udp_t *u0 = make_udp(loop, AF_UNSPEC), *u4 = make_udp(loop, AF_INET);
  ruv_timer_t *timer;
  ruv_async_t *async;
  ruv_poll_t *poll;
  int fds[2], fd = -1;
  const char *path = tmp_path("fileno.sock");
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(ruv_timer_new(loop, &timer), 0);
  ASSERT_EQ(ruv_async_new(loop, NULL, &async), 0);
  ASSERT_EQ(ruv_poll_new(loop, fds[0], &poll), 0);
  ASSERT_EQ(ruv_pipe_bind(pb, path, strlen(path)), 0);
  ASSERT_EQ(fileno_of(t0), RUV_EBADF);
  ASSERT_EQ(fileno_of(p0), RUV_EBADF);
  ASSERT_EQ(fileno_of(u0), RUV_EBADF);
  ASSERT_EQ(fileno_of(timer), RUV_EINVAL);
  ASSERT_EQ(fileno_of(async), RUV_EINVAL);
  ASSERT_EQ(fileno_of(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_fileno(RUV_HANDLE(t4), NULL), RUV_EINVAL);
  ASSERT_EQ(fileno_of(poll), fds[0]);
  ASSERT_GE(fileno_of(t4), 0);
  ASSERT_EQ(ruv_tcp_fileno(t4, &fd), 0);
  ASSERT_EQ(fileno_of(t4), fd);
  ASSERT_GE(fileno_of(pb), 0);
  ASSERT_EQ(sockopt_int(fileno_of(pb), SOL_SOCKET, SO_DOMAIN), AF_UNIX);
  ASSERT_GE(fileno_of(u4), 0);
  ASSERT_EQ(sockopt_int(fileno_of(u4), SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
  ASSERT_EQ(ruv_close(RUV_HANDLE(t4), NULL), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(pb), NULL), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(u4), NULL), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(poll), NULL), 0);
  ASSERT_EQ(fileno_of(t4), RUV_EBADF);
  ASSERT_EQ(ruv_tcp_fileno(t4, &fd), RUV_EBADF);
  ASSERT_EQ(fileno_of(pb), RUV_EBADF);
  ASSERT_EQ(fileno_of(u4), RUV_EBADF);
  ASSERT_EQ(fileno_of(poll), RUV_EBADF);
  finish_loop(loop);
  close(fds[0]);
  close(fds[1]);
}

TEST_CASE(every_kind_reports_its_type) {
  ruv_loop_t *loop = make_loop();
  stream_pair p;
  make_stream_pair(loop, KIND_PIPE, &p);
  ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(p.server)), RUV_NAMED_PIPE);
  ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(p.client)), RUV_NAMED_PIPE);
  ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(p.peer)), RUV_NAMED_PIPE);
  ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(make_udp(loop, AF_UNSPEC))), RUV_UDP);
  ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(make_tcp(loop, AF_UNSPEC))), RUV_TCP);
  ASSERT_EQ(RUV_NAMED_PIPE, 9);
  ASSERT_EQ(RUV_UDP, 10);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p.server)), 1);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p.client)), 0);
  finish_loop(loop);
}

TEST_MAIN(TEST_ENTRY(wrong_kind_calls_are_einval), TEST_ENTRY(fileno_on_every_kind),
          TEST_ENTRY(every_kind_reports_its_type))
