/*
 * test_stream.c - the stream functions of DESIGN §8 on TCP and pipe handles alike: echo with
 * vectored writes, try_write, shutdown, close order (ECANCELED), watermarks and the write
 * limit, blocking writes, accept into another kind, and the ruv_tcp_* twins answering as
 * their ruv_* counterparts. Every case runs once per kind (name_tcp, name_pipe).
 */
#include "streams.h"

/* ---- a recorder of stream callbacks ---------------------------------------- */

typedef struct {
  char data[1 << 16];
  size_t len;
  int eof;
  int read_error;
  int log[64]; /* write callbacks: arg index, or 1000 + shutdown, 2000 close */
  int status[64];
  int nlog;
  int drains;
  int in_call;
  int discard; /* count the bytes read, do not keep them */
} rec;

static void rec_read_cb(ruv_stream_t *s, ssize_t nread, const char *data) {
  rec *r = (rec *)ruv_handle_get_data(RUV_HANDLE(s));
  ASSERT_NE(nread, 0);
  if (nread == RUV_EOF) {
    r->eof = 1;
  } else if (nread < 0) {
    r->read_error = (int)nread;
  } else if (r->discard) {
    r->len += (size_t)nread;
  } else {
    ASSERT_LE(r->len + (size_t)nread, sizeof r->data);
    memcpy(r->data + r->len, data, (size_t)nread);
    r->len += (size_t)nread;
  }
}

static void rec_log(rec *r, int what, int status) {
  ASSERT_EQ(r->in_call, 0);
  ASSERT_LT(r->nlog, 64);
  r->log[r->nlog] = what;
  r->status[r->nlog++] = status;
}

static void rec_write_cb(ruv_stream_t *s, int status, void *arg) {
  rec_log((rec *)ruv_handle_get_data(RUV_HANDLE(s)), (int)(intptr_t)arg, status);
}

static void rec_shutdown_cb(ruv_stream_t *s, int status) {
  rec_log((rec *)ruv_handle_get_data(RUV_HANDLE(s)), 1000, status);
}

static void rec_close_cb(ruv_handle_t *h) { rec_log((rec *)ruv_handle_get_data(h), 2000, 0); }

static void rec_drain_cb(ruv_stream_t *s) {
  ((rec *)ruv_handle_get_data(RUV_HANDLE(s)))->drains++;
}

/* The peer writes back whatever it reads. */
static void echo_read_cb(ruv_stream_t *s, ssize_t nread, const char *data) {
  ruv_buf_t b;
  if (nread < 0) {
    ASSERT_EQ(ruv_close(RUV_HANDLE(s), NULL), 0);
    return;
  }
  b.base = data;
  b.len = (size_t)nread;
  ASSERT_EQ(ruv_write(s, &b, 1, NULL, NULL), 0);
}

static void run_until_len(ruv_loop_t *loop, rec *r, size_t want) {
  uint64_t deadline = test_now_ms() + 20000;
  while (r->len < want && !r->eof && test_now_ms() < deadline) ruv_run(loop, RUV_RUN_ONCE);
  ASSERT_EQ(r->len, want);
}

/* Small kernel buffers between client and peer, so a big write stays mostly queued. */
static void shrink_buffers(stream_pair *p) {
  int size = 65536;
  ASSERT_EQ(setsockopt(fileno_or_die(p->client), SOL_SOCKET, SO_SNDBUF, &size, sizeof size), 0);
  ASSERT_EQ(setsockopt(fileno_or_die(p->peer), SOL_SOCKET, SO_RCVBUF, &size, sizeof size), 0);
}

/* ---- cases ------------------------------------------------------------------ */

BOTH_KINDS(echo_vectored_in_order) {
  ruv_loop_t *loop = make_loop();
  stream_pair p;
  rec r;
  ruv_buf_t bufs[3] = {{"hello ", 6}, {"", 0}, {"stream", 6}};
  int i;
  memset(&r, 0, sizeof r);
  make_stream_pair(loop, kind, &p);
  ruv_handle_set_data(RUV_HANDLE(p.client), &r);
  ASSERT_EQ(ruv_read_start(p.peer, echo_read_cb), 0);
  ASSERT_EQ(ruv_read_start(p.client, rec_read_cb), 0);
  ASSERT_EQ(ruv_read_start(p.client, rec_read_cb), RUV_EALREADY);
  ASSERT_EQ(ruv_is_readable(p.client), 1);
  ASSERT_EQ(ruv_is_writable(p.client), 1);
  r.in_call = 1;
  for (i = 0; i < 10; i++)
    ASSERT_EQ(ruv_write(p.client, bufs, 3, rec_write_cb, (void *)(intptr_t)i), 0);
  r.in_call = 0;
  ASSERT_EQ(r.nlog, 0); /* never from inside the call */
  run_until_len(loop, &r, 120);
  for (i = 0; i < 10; i++) ASSERT_EQ(memcmp(r.data + 12 * i, "hello stream", 12), 0);
  while (r.nlog < 10) ruv_run(loop, RUV_RUN_ONCE);
  for (i = 0; i < 10; i++) {
    ASSERT_EQ(r.log[i], i);
    ASSERT_EQ(r.status[i], 0);
  }
  /* try_write: nothing queued, so it writes at once */
  ASSERT_EQ(ruv_try_write(p.client, bufs, 3), 12);
  run_until_len(loop, &r, 132);
  ASSERT_EQ(ruv_read_stop(p.client), 0);
  ASSERT_EQ(ruv_read_stop(p.client), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p.client)), 0);
  finish_loop(loop);
}

BOTH_KINDS(shutdown_after_writes_then_eof) {
  ruv_loop_t *loop = make_loop();
  stream_pair p;
  rec cr, pr;
  ruv_buf_t b = {"bye", 3};
  memset(&cr, 0, sizeof cr);
  memset(&pr, 0, sizeof pr);
  make_stream_pair(loop, kind, &p);
  ruv_handle_set_data(RUV_HANDLE(p.client), &cr);
  ruv_handle_set_data(RUV_HANDLE(p.peer), &pr);
  ASSERT_EQ(ruv_read_start(p.peer, rec_read_cb), 0);
  ASSERT_EQ(ruv_write(p.client, &b, 1, rec_write_cb, (void *)1), 0);
  ASSERT_EQ(ruv_write(p.client, &b, 1, rec_write_cb, (void *)2), 0);
  ASSERT_EQ(ruv_shutdown(p.client, rec_shutdown_cb), 0);
  ASSERT_EQ(ruv_is_writable(p.client), 0);
  ASSERT_EQ(ruv_write(p.client, &b, 1, NULL, NULL), RUV_EPIPE);
  ASSERT_EQ(ruv_try_write(p.client, &b, 1), RUV_EPIPE);
  ASSERT_EQ(ruv_shutdown(p.client, NULL), RUV_ENOTCONN);
  run_until(loop, &pr.eof);
  ASSERT_EQ(pr.len, 6);
  ASSERT_EQ(memcmp(pr.data, "byebye", 6), 0);
  while (cr.nlog < 3) ruv_run(loop, RUV_RUN_ONCE);
  ASSERT_EQ(cr.log[0], 1);
  ASSERT_EQ(cr.log[1], 2);
  ASSERT_EQ(cr.log[2], 1000);
  ASSERT_EQ(cr.status[2], 0);
  ASSERT_EQ(ruv_is_readable(p.peer), 0); /* after EOF */
  ASSERT_EQ(ruv_read_start(p.peer, rec_read_cb), RUV_ENOTCONN);
  finish_loop(loop);
}

BOTH_KINDS(close_cancels_in_order_close_cb_last) {
  ruv_loop_t *loop = make_loop();
  stream_pair p;
  rec r;
  size_t big = 8u << 20;
  char *data = malloc(big);
  ruv_buf_t b;
  ASSERT_NOT_NULL(data);
  memset(data, 'x', big);
  memset(&r, 0, sizeof r);
  make_stream_pair(loop, kind, &p);
  shrink_buffers(&p);
  ruv_handle_set_data(RUV_HANDLE(p.client), &r);
  b.base = data;
  b.len = big; /* the peer does not read: most of it stays queued */
  ASSERT_EQ(ruv_write(p.client, &b, 1, rec_write_cb, (void *)1), 0);
  ASSERT_EQ(ruv_write(p.client, &b, 1, rec_write_cb, (void *)2), 0);
  ASSERT_EQ(ruv_shutdown(p.client, rec_shutdown_cb), 0);
  ASSERT_GT(ruv_stream_get_write_queue_size(p.client), 0);
  if (kind == KIND_TCP)
    ASSERT_EQ(ruv_tcp_write_queue_size((ruv_tcp_t *)p.client),
              ruv_stream_get_write_queue_size(p.client));
  else
    ASSERT_EQ(ruv_tcp_write_queue_size((ruv_tcp_t *)p.client), 0); /* a pipe is no TCP handle */
  ASSERT_EQ(ruv_close(RUV_HANDLE(p.client), rec_close_cb), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(p.client), rec_close_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_write(p.client, &b, 1, NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_stream_get_write_queue_size(p.client), 0);
  ASSERT_EQ(r.nlog, 0);
  while (r.nlog < 4) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(r.log[0], 1);
  ASSERT_EQ(r.status[0], RUV_ECANCELED);
  ASSERT_EQ(r.log[1], 2);
  ASSERT_EQ(r.status[1], RUV_ECANCELED);
  ASSERT_EQ(r.log[2], 1000);
  ASSERT_EQ(r.status[2], RUV_ECANCELED);
  ASSERT_EQ(r.log[3], 2000);
  free(data);
  finish_loop(loop);
}

BOTH_KINDS(watermarks_and_write_limit) {
  ruv_loop_t *loop = make_loop();
  stream_pair p;
  rec cr, pr;
  size_t big = 4u << 20;
  char *data = malloc(big);
  ruv_buf_t b;
  ASSERT_NOT_NULL(data);
  memset(data, 'w', big);
  memset(&cr, 0, sizeof cr);
  memset(&pr, 0, sizeof pr);
  make_stream_pair(loop, kind, &p);
  shrink_buffers(&p);
  ruv_handle_set_data(RUV_HANDLE(p.client), &cr);
  ruv_handle_set_data(RUV_HANDLE(p.peer), &pr);
  ASSERT_EQ(ruv_stream_set_watermarks(p.client, 10, 5, rec_drain_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_stream_set_watermarks(p.client, 0, 5, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_stream_set_watermarks(p.client, 1024, 65536, rec_drain_cb), 0);
  ASSERT_EQ(ruv_stream_set_write_limit(p.client, 65536), 0);
  pr.discard = 1;
  b.base = data;
  b.len = big; /* an empty queue takes any write */
  ASSERT_EQ(ruv_write(p.client, &b, 1, NULL, NULL), 0);
  ASSERT_GT(ruv_stream_get_write_queue_size(p.client), 65536);
  b.len = 16;
  ASSERT_EQ(ruv_write(p.client, &b, 1, NULL, NULL), RUV_ENOBUFS); /* past the limit */
  ASSERT_EQ(ruv_is_writable(p.client), 1);
  ASSERT_EQ(cr.drains, 0);
  ASSERT_EQ(ruv_read_start(p.peer, rec_read_cb), 0);
  {
    uint64_t deadline = test_now_ms() + 20000;
    while (cr.drains == 0 && test_now_ms() < deadline) ruv_run(loop, RUV_RUN_ONCE);
  }
  ASSERT_EQ(cr.drains, 1);
  ASSERT_LE(ruv_stream_get_write_queue_size(p.client), 1024);
  ASSERT_EQ(ruv_write(p.client, &b, 1, NULL, NULL), 0); /* accepted again */
  free(data);
  finish_loop(loop);
}

BOTH_KINDS(blocking_writes_send_everything) {
  ruv_loop_t *loop = make_loop();
  stream_pair p;
  rec pr;
  ruv_stream_t *fresh = make_stream(loop, kind);
  char data[100000];
  ruv_buf_t b = {data, sizeof data};
  memset(data, 'b', sizeof data);
  memset(&pr, 0, sizeof pr);
  pr.discard = 1;
  ASSERT_EQ(ruv_stream_set_blocking(fresh, 1), RUV_EBADF); /* no socket yet */
  make_stream_pair(loop, kind, &p);
  ruv_handle_set_data(RUV_HANDLE(p.peer), &pr);
  ASSERT_EQ(ruv_stream_set_blocking(p.client, 1), 0);
  ASSERT_EQ(ruv_write(p.client, &b, 1, NULL, NULL), 0);
  ASSERT_EQ(ruv_stream_get_write_queue_size(p.client), 0);
  ASSERT_EQ(ruv_stream_set_blocking(p.client, 0), 0);
  ASSERT_EQ(ruv_read_start(p.peer, rec_read_cb), 0);
  run_until_len(loop, &pr, sizeof data);
  finish_loop(loop);
}

static int pending_connections;

static void count_connection_cb(ruv_stream_t *server, int status) {
  (void)server;
  ASSERT_EQ(status, 0);
  pending_connections++;
}

BOTH_KINDS(accept_into_another_kind_is_einval) {
  ruv_loop_t *loop = make_loop();
  stream_pair p;
  ruv_stream_t *other, *same;
  ruv_timer_t *timer;
  uint64_t deadline;
  pair_listen(loop, kind, &p);
  /* listen again with a callback that leaves the connection pending */
  ASSERT_EQ(ruv_listen(p.server, 16, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_listen(p.server, 16, count_connection_cb), 0);
  pair_connect(loop, &p);
  deadline = test_now_ms() + 20000;
  while (!(p.connected && pending_connections) && test_now_ms() < deadline)
    ruv_run(loop, RUV_RUN_NOWAIT);
  ASSERT(p.connected && pending_connections == 1);
  ASSERT_EQ(p.connect_status, 0);
  other = make_stream(loop, kind == KIND_TCP ? KIND_PIPE : KIND_TCP);
  ASSERT_EQ(ruv_timer_new(loop, &timer), 0);
  ASSERT_EQ(ruv_accept(p.server, other), RUV_EINVAL);
  ASSERT_EQ(ruv_accept(p.server, (ruv_stream_t *)timer), RUV_EINVAL);
  ASSERT_EQ(ruv_accept(p.server, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_accept((ruv_stream_t *)timer, other), RUV_EINVAL);
  if (kind == KIND_PIPE) /* the TCP twin refuses pipes */
    ASSERT_EQ(ruv_tcp_accept((ruv_tcp_t *)p.server, (ruv_tcp_t *)other), RUV_EINVAL);
  /* the connection stayed pending: a handle of the right kind takes it */
  same = make_stream(loop, kind);
  ASSERT_EQ(ruv_accept(p.server, same), 0);
  ASSERT_EQ(ruv_accept(p.server, make_stream(loop, kind)), RUV_EAGAIN);
  ASSERT_EQ(ruv_is_readable(same), 1);
  finish_loop(loop);
}

BOTH_KINDS(a_listener_refuses_stream_io) {
  ruv_loop_t *loop = make_loop();
  stream_pair p;
  ruv_buf_t b = {"x", 1};
  ruv_stream_t *client = make_stream(loop, kind);
  pair_listen(loop, kind, &p);
  ASSERT_EQ(ruv_write(p.server, &b, 1, NULL, NULL), RUV_EPIPE);
  ASSERT_EQ(ruv_read_start(p.server, rec_read_cb), RUV_ENOTCONN);
  ASSERT_EQ(ruv_accept(p.server, client), RUV_EAGAIN); /* nothing pending */
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p.server)), 1);
  ASSERT_EQ(ruv_write(client, &b, 1, NULL, NULL), RUV_EBADF); /* no socket */
  ASSERT_EQ(ruv_write(client, NULL, 1, NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_write(client, &b, 0, NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_read_start(client, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_shutdown(client, NULL), RUV_ENOTCONN);
  ASSERT_EQ(ruv_is_readable(client), 0);
  ASSERT_EQ(ruv_is_writable(client), 0);
  finish_loop(loop);
}

TEST_MAIN(BOTH_ENTRIES(echo_vectored_in_order), BOTH_ENTRIES(shutdown_after_writes_then_eof),
          BOTH_ENTRIES(close_cancels_in_order_close_cb_last),
          BOTH_ENTRIES(watermarks_and_write_limit), BOTH_ENTRIES(blocking_writes_send_everything),
          BOTH_ENTRIES(accept_into_another_kind_is_einval),
          BOTH_ENTRIES(a_listener_refuses_stream_io))
