/* test_misuse.c - misuse is an error code, never a crash: NULL for every
 * pointer argument, bad families and flags, nbufs 0, NULL base, start_read
 * twice/unconnected, ruv_run / ruv_loop_close from inside a callback. */
#include "helpers.h"

static int g_cb_calls;

static void any_close_cb(ruv_handle_t *h) {
  (void)h;
  g_cb_calls++;
}
static void any_walk_cb(ruv_handle_t *h, void *arg) {
  (void)h;
  (void)arg;
  g_cb_calls++;
}
static void any_connection_cb(ruv_tcp_t *t, int s) {
  (void)t;
  (void)s;
}
static void any_connect_cb(ruv_tcp_t *t, int s) {
  (void)t;
  (void)s;
  g_cb_calls++;
}
static void any_shutdown_cb(ruv_tcp_t *t, int s) {
  (void)t;
  (void)s;
  g_cb_calls++;
}
static void any_write_cb(ruv_tcp_t *t, int s, void *a) {
  (void)t;
  (void)s;
  (void)a;
  g_cb_calls++;
}
static void any_read_cb(ruv_tcp_t *t, ssize_t n, const char *d) {
  (void)t;
  (void)n;
  (void)d;
}

TEST_CASE(null_loop_arguments) {
  ruv_loop_t *loop = make_loop();
  ASSERT_EQ(ruv_loop_new(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_loop_close(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_run(NULL, RUV_RUN_DEFAULT), RUV_EINVAL);
  ASSERT_EQ(ruv_run(NULL, RUV_RUN_NOWAIT), RUV_EINVAL);
  ruv_stop(NULL);
  ASSERT_EQ(ruv_loop_alive(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_now(NULL), 0);
  ruv_update_time(NULL);
  ASSERT_EQ(ruv_backend_fd(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_backend_timeout(NULL), RUV_EINVAL);
  ASSERT_NULL(ruv_loop_get_data(NULL));
  ruv_loop_set_data(NULL, &g_cb_calls);
  g_cb_calls = 0;
  ruv_walk(NULL, any_walk_cb, NULL);
  ruv_walk(loop, NULL, NULL); /* NULL walk callback: nothing to call */
  make_tcp(loop, AF_INET);
  ruv_walk(loop, NULL, NULL);
  ASSERT_EQ(g_cb_calls, 0);
  finish_loop(loop);
}

/* ruv.h: the int queries return RUV_EINVAL for an invalid handle; the void
 * calls are no-ops; the getters answer NULL / RUV_UNKNOWN_HANDLE. */
TEST_CASE(null_handle_arguments) {
  ASSERT_EQ(ruv_close(NULL, any_close_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_close(NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_is_active(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_is_closing(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_has_ref(NULL), RUV_EINVAL);
  ruv_ref(NULL);
  ruv_unref(NULL);
  ASSERT_EQ(ruv_has_ref(NULL), RUV_EINVAL); /* still invalid after ref/unref */
  ASSERT_NULL(ruv_handle_get_data(NULL));
  ruv_handle_set_data(NULL, &g_cb_calls);
  ASSERT_NULL(ruv_handle_get_data(NULL)); /* the set stored nothing */
  ASSERT_NULL(ruv_handle_get_loop(NULL));
  ASSERT_EQ(ruv_handle_get_type(NULL), RUV_UNKNOWN_HANDLE);
}

TEST_CASE(null_tcp_handle_arguments) {
  ruv_loop_t *loop = make_loop();
  struct sockaddr_storage ss = loopback(AF_INET, 0), name;
  ruv_tcp_t *other = make_tcp(loop, AF_UNSPEC);
  ruv_tcp_t *out = (ruv_tcp_t *)(uintptr_t)0x1234;
  ruv_buf_t b;
  int len = (int)sizeof name, v = 777;
  b.base = "x";
  b.len = 1;
  g_cb_calls = 0;
  ASSERT_EQ(ruv_tcp_new(NULL, AF_INET, &out), RUV_EINVAL);
  ASSERT_PTR_EQ(out, (ruv_tcp_t *)(uintptr_t)0x1234);
  ASSERT_EQ(ruv_tcp_new(loop, AF_INET, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_bind(NULL, (struct sockaddr *)&ss, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_listen(NULL, 0, any_connection_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_accept(NULL, other), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect(NULL, (struct sockaddr *)&ss, any_connect_cb),
            RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_open(NULL, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getsockname(NULL, (struct sockaddr *)&name, &len),
            RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getpeername(NULL, (struct sockaddr *)&name, &len),
            RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_shutdown(NULL, any_shutdown_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_write(NULL, &b, 1, any_write_cb, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_try_write(NULL, &b, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_start_read(NULL, any_read_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_stop_read(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_nodelay(NULL, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_keepalive(NULL, 1, 10), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_simultaneous_accepts(NULL, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_fileno(NULL, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_get_send_buffer_size(NULL, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(NULL, 65536), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_get_receive_buffer_size(NULL, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_receive_buffer_size(NULL, 65536), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_family(NULL, &v), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_write_queue_size(NULL), 0);
  ASSERT_EQ(ruv_tcp_readable(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_writable(NULL), RUV_EINVAL);
  ASSERT_EQ(v, 777);
  ASSERT_EQ(len, (int)sizeof name);
  finish_loop(loop);
  ASSERT_EQ(g_cb_calls, 0);
}

TEST_CASE(null_pointer_arguments_of_tcp_functions) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  ruv_tcp_t *fresh = make_tcp(loop, AF_INET);
  struct sockaddr_storage ss = loopback(AF_INET, 0), name;
  int len = (int)sizeof name;
  ruv_buf_t b;
  make_pair(loop, AF_INET, &p);
  g_cb_calls = 0;
  b.base = "x";
  b.len = 1;
  ASSERT_EQ(ruv_tcp_bind(fresh, NULL, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_listen(fresh, 0, NULL), RUV_EINVAL); /* cb required */
  ASSERT_EQ(ruv_tcp_accept(p.server, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect(fresh, NULL, any_connect_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect(fresh, (struct sockaddr *)&ss, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getsockname(p.client, NULL, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getsockname(p.client, (struct sockaddr *)&name, NULL),
            RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getpeername(p.client, NULL, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getpeername(p.client, (struct sockaddr *)&name, NULL),
            RUV_EINVAL);
  ASSERT_EQ(len, (int)sizeof name);
  ASSERT_EQ(ruv_tcp_write(p.client, NULL, 1, any_write_cb, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_try_write(p.client, NULL, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_start_read(p.client, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_fileno(p.client, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_get_send_buffer_size(p.client, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_get_receive_buffer_size(p.client, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_family(p.client, NULL), RUV_EINVAL);
  /* the handles still work */
  ASSERT_EQ(ruv_tcp_try_write(p.client, &b, 1), 1);
  ASSERT_EQ(ruv_tcp_write_queue_size(p.client), 0);
  finish_loop(loop);
  ASSERT_EQ(g_cb_calls, 0);
}

TEST_CASE(null_pointer_arguments_of_address_functions) {
  struct sockaddr_in a4;
  struct sockaddr_in6 a6;
  char name[64];
  ASSERT_EQ(ruv_ip4_addr(NULL, 80, &a4), RUV_EINVAL);
  ASSERT_EQ(ruv_ip4_addr("127.0.0.1", 80, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_ip6_addr(NULL, 80, &a6), RUV_EINVAL);
  ASSERT_EQ(ruv_ip6_addr("::1", 80, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_ip4_addr("127.0.0.1", 80, &a4), 0);
  ASSERT_EQ(ruv_ip_name(NULL, name, sizeof name), RUV_EINVAL);
  ASSERT_EQ(ruv_ip_name((struct sockaddr *)&a4, NULL, sizeof name), RUV_EINVAL);
  ASSERT_NOT_NULL(ruv_strerror(0));
  ASSERT_NOT_NULL(ruv_err_name(0));
}

TEST_CASE(nbufs_zero_and_null_base_are_einval) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  ruv_buf_t b[2];
  make_pair(loop, AF_INET, &p);
  g_cb_calls = 0;
  b[0].base = "ok";
  b[0].len = 2;
  b[1].base = NULL;
  b[1].len = 5;
  ASSERT_EQ(ruv_tcp_write(p.client, b, 0, any_write_cb, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_try_write(p.client, b, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_write(p.client, b, 2, any_write_cb, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_try_write(p.client, b, 2), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_write(p.client, &b[1], 1, any_write_cb, NULL), RUV_EINVAL);
  /* nothing was partly written by the refused calls */
  ASSERT_EQ(ruv_tcp_write_queue_size(p.client), 0);
  {
    char c;
    int pfd = tcp_fd(p.peer);
    ASSERT_EQ(recv(pfd, &c, 1, MSG_DONTWAIT), -1);
    ASSERT(errno == EAGAIN || errno == EWOULDBLOCK);
  }
  finish_loop(loop);
  ASSERT_EQ(g_cb_calls, 0);
}

TEST_CASE(start_read_twice_is_ealready) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  make_pair(loop, AF_INET, &p);
  ASSERT_EQ(ruv_tcp_start_read(p.client, any_read_cb), 0);
  ASSERT_EQ(ruv_tcp_start_read(p.client, any_read_cb), RUV_EALREADY);
  ASSERT_EQ(ruv_tcp_stop_read(p.client), 0);
  ASSERT_EQ(ruv_tcp_stop_read(p.client), 0); /* idempotent */
  ASSERT_EQ(ruv_tcp_start_read(p.client, any_read_cb), 0);
  ASSERT_EQ(ruv_tcp_stop_read(p.peer), 0); /* never started: fine */
  finish_loop(loop);
}

TEST_CASE(start_read_unconnected_is_enotconn) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *a = make_tcp(loop, AF_INET);
  ruv_tcp_t *u = make_tcp(loop, AF_UNSPEC);
  struct sockaddr_storage ss = loopback(AF_INET, 0);
  ruv_tcp_t *b = make_tcp(loop, AF_INET);
  ASSERT_EQ(ruv_tcp_start_read(a, any_read_cb), RUV_ENOTCONN);
  ASSERT_EQ(ruv_tcp_start_read(u, any_read_cb), RUV_ENOTCONN);
  ASSERT_EQ(ruv_tcp_bind(b, (struct sockaddr *)&ss, 0), 0);
  ASSERT_EQ(ruv_tcp_start_read(b, any_read_cb), RUV_ENOTCONN);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(a)), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  finish_loop(loop);
}

TEST_CASE(bad_family_and_flags) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = (ruv_tcp_t *)(uintptr_t)0x99;
  ruv_tcp_t *u;
  struct sockaddr_storage weird;
  struct sockaddr_storage s4 = loopback(AF_INET, 0);
  ASSERT_EQ(ruv_tcp_new(loop, AF_UNIX, &t), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_new(loop, 99999, &t), RUV_EINVAL);
  ASSERT_PTR_EQ(t, (ruv_tcp_t *)(uintptr_t)0x99);
  u = make_tcp(loop, AF_UNSPEC);
  memset(&weird, 0, sizeof weird);
  weird.ss_family = AF_UNIX;
  ASSERT_EQ(ruv_tcp_bind(u, (struct sockaddr *)&weird, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect(u, (struct sockaddr *)&weird, any_connect_cb),
            RUV_EINVAL);
  weird.ss_family = 12345;
  ASSERT_EQ(ruv_tcp_bind(u, (struct sockaddr *)&weird, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_bind(u, (struct sockaddr *)&s4, 0x80), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_bind(u, (struct sockaddr *)&s4, 0), 0);
  finish_loop(loop);
}

static int g_inner_run;
static int g_inner_close;
static int g_inner_done;
static void reentrant_connect_cb(ruv_tcp_t *tcp, int status) {
  ruv_loop_t *loop = ruv_handle_get_loop(RUV_HANDLE(tcp));
  ASSERT_EQ(status, 0);
  g_inner_run = ruv_run(loop, RUV_RUN_NOWAIT);
  g_inner_close = ruv_loop_close(loop);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), RUV_EBUSY);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_ONCE), RUV_EBUSY);
  g_inner_done = 1;
}

static void reentrant_close_cb(ruv_handle_t *h) {
  ruv_loop_t *loop = ruv_handle_get_loop(h);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), RUV_EBUSY);
  ASSERT_EQ(ruv_loop_close(loop), RUV_EBUSY);
  g_inner_done++;
}

TEST_CASE(run_and_loop_close_inside_callback_are_ebusy) {
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  int port;
  ruv_tcp_t *c, *last;
  struct sockaddr_storage ss;
  memset(&sctx, 0, sizeof sctx);
  serve(loop, AF_INET, &sctx, &port);
  c = make_tcp(loop, AF_INET);
  ss = loopback(AF_INET, port);
  g_inner_done = 0;
  g_inner_run = g_inner_close = 12345;
  ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss, reentrant_connect_cb),
            0);
  run_until(loop, &g_inner_done);
  ASSERT_EQ(g_inner_run, RUV_EBUSY);
  ASSERT_EQ(g_inner_close, RUV_EBUSY);
  /* the loop still works after the refused calls */
  last = make_tcp(loop, AF_INET);
  g_inner_done = 0;
  ASSERT_EQ(ruv_close(RUV_HANDLE(last), reentrant_close_cb), 0);
  run_until(loop, &g_inner_done);
  finish_loop(loop);
}

TEST_CASE(accept_with_wrong_arguments) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  ruv_tcp_t *fresh = make_tcp(loop, AF_UNSPEC);
  int r;
  make_pair(loop, AF_INET, &p);
  /* accept on a handle that is not listening */
  r = ruv_tcp_accept(p.client, fresh);
  ASSERT_MSG(r == RUV_EINVAL || r == RUV_ENOTCONN || r == RUV_EAGAIN,
             "accept on a connected handle: %d", r);
  /* accept a server into itself */
  r = ruv_tcp_accept(p.server, p.server);
  ASSERT_MSG(r == RUV_EINVAL || r == RUV_EBUSY || r == RUV_EAGAIN,
             "accept into itself: %d", r);
  finish_loop(loop);
}

TEST_CASE(listen_on_connected_handle_fails) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  make_pair(loop, AF_INET, &p);
  ASSERT_LT(ruv_tcp_listen(p.client, 5, any_connection_cb), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p.client)), 0);
  ASSERT_EQ(ruv_tcp_writable(p.client), 1);
  finish_loop(loop);
}

TEST_MAIN(TEST_ENTRY(null_loop_arguments), TEST_ENTRY(null_handle_arguments),
          TEST_ENTRY(null_tcp_handle_arguments),
          TEST_ENTRY(null_pointer_arguments_of_tcp_functions),
          TEST_ENTRY(null_pointer_arguments_of_address_functions),
          TEST_ENTRY(nbufs_zero_and_null_base_are_einval),
          TEST_ENTRY(start_read_twice_is_ealready),
          TEST_ENTRY(start_read_unconnected_is_enotconn),
          TEST_ENTRY(bad_family_and_flags),
          TEST_ENTRY(run_and_loop_close_inside_callback_are_ebusy),
          TEST_ENTRY(accept_with_wrong_arguments),
          TEST_ENTRY(listen_on_connected_handle_fails))
