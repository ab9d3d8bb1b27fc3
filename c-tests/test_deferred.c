/* test_deferred.c - callbacks never run inside the call that asked for them;
 * a call that returns an error never calls its callback. */
#include "helpers.h"

static int g_flag;
static int g_status;
static int g_calls;

static void flag_connect_cb(ruv_tcp_t *tcp, int status) {
  (void)tcp;
  g_flag = 1;
  g_status = status;
  g_calls++;
}

static void flag_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  (void)tcp;
  ASSERT_PTR_EQ(arg, &g_flag);
  g_flag = 1;
  g_status = status;
  g_calls++;
}

static void flag_shutdown_cb(ruv_tcp_t *tcp, int status) {
  (void)tcp;
  g_flag = 1;
  g_status = status;
  g_calls++;
}

static void flag_close_cb(ruv_handle_t *h) {
  (void)h;
  g_flag = 1;
  g_calls++;
}

static void reset_flags(void) {
  g_flag = 0;
  g_status = 12345;
  g_calls = 0;
}

TEST_CASE(write_cb_deferred_even_when_written_at_once) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  ruv_buf_t b;
  make_pair(loop, AF_INET, &p);
  reset_flags();
  b.base = "x";
  b.len = 1;
  ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, flag_write_cb, &g_flag), 0);
  ASSERT_EQ(ruv_tcp_write_queue_size(p.client), 0); /* written at once */
  ASSERT_EQ(g_flag, 0);
  run_until(loop, &g_flag);
  ASSERT_EQ(g_status, 0);
  ASSERT_EQ(g_calls, 1);
  finish_loop(loop);
}

TEST_CASE(connect_cb_deferred_on_success) {
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  int port;
  ruv_tcp_t *c;
  struct sockaddr_storage ss;
  memset(&sctx, 0, sizeof sctx);
  serve(loop, AF_INET, &sctx, &port);
  reset_flags();
  c = make_tcp(loop, AF_INET);
  ss = loopback(AF_INET, port);
  ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss, flag_connect_cb), 0);
  ASSERT_EQ(g_flag, 0);
  run_until(loop, &g_flag);
  ASSERT_EQ(g_status, 0);
  ASSERT_EQ(g_calls, 1);
  finish_loop(loop);
}

TEST_CASE(connect_cb_deferred_on_failure) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *c = make_tcp(loop, AF_INET);
  struct sockaddr_storage ss = loopback(AF_INET, free_port(AF_INET));
  reset_flags();
  ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss, flag_connect_cb), 0);
  ASSERT_EQ(g_flag, 0);
  run_until(loop, &g_flag);
  ASSERT_EQ(g_status, RUV_ECONNREFUSED);
  ASSERT_EQ(g_calls, 1);
  finish_loop(loop);
  ASSERT_EQ(g_calls, 1);
}

TEST_CASE(shutdown_cb_deferred) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  make_pair(loop, AF_INET, &p);
  reset_flags();
  ASSERT_EQ(ruv_tcp_shutdown(p.client, flag_shutdown_cb), 0);
  ASSERT_EQ(g_flag, 0);
  run_until(loop, &g_flag);
  ASSERT_EQ(g_status, 0);
  ASSERT_EQ(g_calls, 1);
  finish_loop(loop);
}

TEST_CASE(close_cb_deferred) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_INET);
  reset_flags();
  ASSERT_EQ(ruv_close(RUV_HANDLE(t), flag_close_cb), 0);
  ASSERT_EQ(g_flag, 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(g_flag, 1);
  ASSERT_EQ(g_calls, 1);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

static int g_inner_flag_at_return;
static void write_from_cb_connect_cb(ruv_tcp_t *tcp, int status) {
  ruv_buf_t b;
  ASSERT_EQ(status, 0);
  b.base = "abc";
  b.len = 3;
  ASSERT_EQ(ruv_tcp_write(tcp, &b, 1, flag_write_cb, &g_flag), 0);
  g_inner_flag_at_return = g_flag; /* not delivered inside the call */
  ASSERT_EQ(ruv_tcp_shutdown(tcp, NULL), 0);
  g_calls += 100;
}

TEST_CASE(callbacks_deferred_when_called_from_callbacks) {
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  int port;
  ruv_tcp_t *c;
  struct sockaddr_storage ss;
  memset(&sctx, 0, sizeof sctx);
  serve(loop, AF_INET, &sctx, &port);
  reset_flags();
  g_inner_flag_at_return = -1;
  c = make_tcp(loop, AF_INET);
  ss = loopback(AF_INET, port);
  ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss,
                            write_from_cb_connect_cb), 0);
  run_until(loop, &g_flag);
  ASSERT_EQ(g_inner_flag_at_return, 0);
  ASSERT_EQ(g_calls, 101);
  ASSERT_EQ(g_status, 0);
  finish_loop(loop);
}

TEST_CASE(failed_calls_never_call_back) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *nosock = make_tcp(loop, AF_UNSPEC);
  ruv_tcp_t *v4 = make_tcp(loop, AF_INET);
  struct sockaddr_storage v6addr = loopback(AF_INET6, 9);
  struct sockaddr_storage unix_addr;
  ruv_buf_t b;
  int fam = 0;
  reset_flags();
  b.base = "x";
  b.len = 1;
  /* write on a handle without a socket */
  ASSERT_EQ(ruv_tcp_write(nosock, &b, 1, flag_write_cb, &g_flag), RUV_EBADF);
  /* connect a v4 socket to a v6 address */
  {
    int r = ruv_tcp_connect(v4, (struct sockaddr *)&v6addr, flag_connect_cb);
    ASSERT_MSG(r == RUV_EINVAL || r == RUV_EAFNOSUPPORT,
               "connect v4 handle to v6 address: %d", r);
  }
  /* a family that is not IP */
  memset(&unix_addr, 0, sizeof unix_addr);
  unix_addr.ss_family = AF_UNIX;
  ASSERT_EQ(ruv_tcp_connect(nosock, (struct sockaddr *)&unix_addr,
                            flag_connect_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_family(nosock, &fam), RUV_EBADF); /* still no socket */
  /* shutdown of a handle that is not connected */
  ASSERT_LT(ruv_tcp_shutdown(v4, flag_shutdown_cb), 0);
  ASSERT_LT(ruv_tcp_shutdown(nosock, flag_shutdown_cb), 0);
  /* write with nbufs 0 */
  ASSERT_EQ(ruv_tcp_write(v4, &b, 0, flag_write_cb, &g_flag), RUV_EINVAL);
  finish_loop(loop);
  ASSERT_EQ(g_calls, 0);
}

static int g_null_done;
static void null_cb_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  static size_t got;
  (void)data;
  if (nread == RUV_EOF) {
    ASSERT_EQ(got, 6);
    g_null_done = 1;
    ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), NULL), 0);
    return;
  }
  ASSERT_GT(nread, 0);
  got += (size_t)nread;
}

TEST_CASE(null_write_and_shutdown_callbacks_are_allowed) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  ruv_buf_t b;
  make_pair(loop, AF_INET, &p);
  g_null_done = 0;
  ASSERT_EQ(ruv_tcp_start_read(p.peer, null_cb_read_cb), 0);
  b.base = "abc";
  b.len = 3;
  ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, NULL, NULL), 0);
  ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, NULL, (void *)1), 0);
  ASSERT_EQ(ruv_tcp_shutdown(p.client, NULL), 0);
  run_until(loop, &g_null_done);
  finish_loop(loop);
}

TEST_MAIN(TEST_ENTRY(write_cb_deferred_even_when_written_at_once),
          TEST_ENTRY(connect_cb_deferred_on_success),
          TEST_ENTRY(connect_cb_deferred_on_failure),
          TEST_ENTRY(shutdown_cb_deferred), TEST_ENTRY(close_cb_deferred),
          TEST_ENTRY(callbacks_deferred_when_called_from_callbacks),
          TEST_ENTRY(failed_calls_never_call_back),
          TEST_ENTRY(null_write_and_shutdown_callbacks_are_allowed))
