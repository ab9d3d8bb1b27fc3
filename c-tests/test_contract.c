/* Contract regressions found by trying the API from outside: arguments are checked before
 * state, simultaneous_accepts(0) accepts one connection per iteration, one descriptor has one
 * owner, a stop before ruv_run returns the loop's liveness, and ruv_walk stays safe when its
 * callback tries to run the loop. */
#include "helpers.h"

/* ---- arguments before state ------------------------------------------------ */

TEST_CASE(null_out_params_beat_state_errors) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *unspec = make_tcp(loop, AF_UNSPEC); /* no socket: state says EBADF */
  ruv_tcp_t *v4 = make_tcp(loop, AF_INET);       /* not connected: state says ENOTCONN */
  struct sockaddr_storage ss;
  int len = (int)sizeof ss;
  /* A NULL out-param is RUV_EINVAL whatever the handle's state would also say. */
  ASSERT_EQ(ruv_tcp_getpeername(v4, NULL, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getpeername(v4, (struct sockaddr *)&ss, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getpeername(unspec, NULL, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getsockname(unspec, NULL, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_getsockname(unspec, (struct sockaddr *)&ss, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_fileno(unspec, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_family(unspec, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_get_send_buffer_size(unspec, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_get_receive_buffer_size(unspec, NULL), RUV_EINVAL);
  /* A bad size is a bad argument, even on a handle without a socket. */
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(unspec, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_receive_buffer_size(unspec, -1), RUV_EINVAL);
  /* The state errors are still there once the arguments are good. */
  ASSERT_EQ(ruv_tcp_getpeername(v4, (struct sockaddr *)&ss, &len), RUV_ENOTCONN);
  ASSERT_EQ(ruv_tcp_getsockname(unspec, (struct sockaddr *)&ss, &len), RUV_EBADF);
  ASSERT_EQ(ruv_tcp_set_send_buffer_size(unspec, 4096), RUV_EBADF);
  /* Bad buffers and NULL callbacks are EINVAL before "no socket" or "not connected". */
  {
    ruv_buf_t bad = {NULL, 5};
    ASSERT_EQ(ruv_tcp_write(unspec, &bad, 1, NULL, NULL), RUV_EINVAL);
    ASSERT_EQ(ruv_tcp_write(unspec, NULL, 1, NULL, NULL), RUV_EINVAL);
    ASSERT_EQ(ruv_tcp_try_write(v4, &bad, 1), RUV_EINVAL);
    ASSERT_EQ(ruv_tcp_start_read(v4, NULL), RUV_EINVAL);
    ASSERT_EQ(ruv_tcp_connect(v4, NULL, NULL), RUV_EINVAL);
  }
  finish_loop(loop);
}

/* ---- simultaneous_accepts(0) ---------------------------------------------------- */

static int connections;

static void count_accept_cb(ruv_tcp_t *server, int status) {
  ruv_tcp_t *client;
  ASSERT_EQ(status, 0);
  client = make_tcp(ruv_handle_get_loop(RUV_HANDLE(server)), AF_UNSPEC);
  ASSERT_EQ(ruv_tcp_accept(server, client), 0);
  connections++;
}

TEST_CASE(simultaneous_accepts_off_takes_one_per_iteration) {
  ruv_loop_t *loop = make_loop();
  int port, i, fds[3];
  ruv_tcp_t *server = make_tcp(loop, AF_INET);
  struct sockaddr_storage ss = loopback(AF_INET, 0);
  ASSERT_EQ(ruv_tcp_simultaneous_accepts(server, 0), 0);
  ASSERT_EQ(ruv_tcp_bind(server, (struct sockaddr *)&ss, 0), 0);
  ASSERT_EQ(ruv_tcp_listen(server, 16, count_accept_cb), 0);
  port = tcp_port(server);
  for (i = 0; i < 3; i++) fds[i] = raw_connect(AF_INET, port);
  test_sleep_ms(50); /* all three complete their handshake into the backlog */
  connections = 0;
  for (i = 1; i <= 3; i++) {
    ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
    ASSERT_MSG(connections == i, "after %d NOWAIT runs: %d connections (want %d)", i,
               connections, i);
  }
  ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
  ASSERT_EQ(connections, 3);
  for (i = 0; i < 3; i++) close(fds[i]);
  finish_loop(loop);
}

/* ---- one descriptor, one owner --------------------------------------------------- */

TEST_CASE(open_of_a_descriptor_another_handle_holds_is_eexist) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *a = make_tcp(loop, AF_INET); /* unconnected socket */
  ruv_tcp_t *b = make_tcp(loop, AF_UNSPEC);
  int fd = tcp_fd(a);
  ASSERT_EQ(ruv_tcp_open(b, fd), RUV_EEXIST);
  ASSERT_EQ(ruv_tcp_fileno(b, &fd), RUV_EBADF); /* b got nothing */
  /* Closing both closes the descriptor once: a double close would hit a reused fd or abort
   * a debug build ("IO Safety violation"). */
  ASSERT_EQ(ruv_close(RUV_HANDLE(a), NULL), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(b), NULL), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(fd_is_open(fd), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_CASE(open_of_a_connected_descriptor_another_handle_holds_is_eexist) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  ruv_tcp_t *other = NULL;
  int fd;
  make_pair(loop, AF_INET, &p);
  fd = tcp_fd(p.client);
  other = make_tcp(loop, AF_UNSPEC);
  ASSERT_EQ(ruv_tcp_open(other, fd), RUV_EEXIST);
  ASSERT_EQ(ruv_tcp_open(other, tcp_fd(p.peer)), RUV_EEXIST);
  ASSERT_EQ(ruv_tcp_open(other, tcp_fd(p.server)), RUV_EEXIST);
  /* The owner still works. */
  ASSERT_EQ(ruv_tcp_writable(p.client), 1);
  finish_loop(loop);
  ASSERT_EQ(fd_is_open(fd), 0);
}

/* ---- stop before run ------------------------------------------------------------- */

TEST_CASE(stop_before_run_returns_liveness) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *server;
  int port;
  ruv_stop(loop);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0); /* nothing alive */
  server = listen_on(loop, AF_INET, count_accept_cb, &port);
  ruv_stop(loop);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 1); /* a listener keeps it alive */
  ruv_unref(RUV_HANDLE(server));
  ruv_stop(loop);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_ONCE), 0);
  /* The flag was consumed: this run does not return at once. */
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 0);
  finish_loop(loop);
}

/* ---- walk safety ----------------------------------------------------------------- */

static int walked;
static int nested_run;

static void closing_walk_cb(ruv_handle_t *h, void *arg) {
  ruv_loop_t *loop = (ruv_loop_t *)arg;
  walked++;
  if (!ruv_is_closing(h)) ASSERT_EQ(ruv_close(h, NULL), 0);
  /* Running the loop here would free handles the walk still has to visit. */
  nested_run = ruv_run(loop, RUV_RUN_DEFAULT);
  ASSERT_EQ(nested_run, RUV_EBUSY);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), RUV_EBUSY);
  ASSERT_EQ(ruv_loop_close(loop), RUV_EBUSY);
}

TEST_CASE(walk_callback_cannot_run_the_loop) {
  ruv_loop_t *loop = make_loop();
  int i;
  for (i = 0; i < 8; i++) make_tcp(loop, AF_INET);
  walked = 0;
  ruv_walk(loop, closing_walk_cb, loop);
  ASSERT_EQ(walked, 8);
  ASSERT_EQ(nested_run, RUV_EBUSY);
  /* After the walk, the loop runs again and frees what the walk closed. */
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_MAIN(TEST_ENTRY(null_out_params_beat_state_errors),
          TEST_ENTRY(simultaneous_accepts_off_takes_one_per_iteration),
          TEST_ENTRY(open_of_a_descriptor_another_handle_holds_is_eexist),
          TEST_ENTRY(open_of_a_connected_descriptor_another_handle_holds_is_eexist),
          TEST_ENTRY(stop_before_run_returns_liveness),
          TEST_ENTRY(walk_callback_cannot_run_the_loop))
