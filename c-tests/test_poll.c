/*
 * test_poll.c - poll handles (DESIGN §6.2 "Poll"): level-triggered readiness of descriptors
 * ruv does not own (socketpairs, pipes, eventfds), events, hang-up, errors, stop/restart,
 * one owner per descriptor (EEXIST with poll and TCP handles), EPERM, EBADF, and ruv never
 * touching the descriptor.
 */
#include "helpers.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

/* What a poll callback saw. */
typedef struct {
  int calls;
  int last_status;
  int last_events;
  int or_events;
  int stop_after;   /* stop the handle in the callback that makes calls == stop_after */
  int close_after;  /* close it instead */
  int drain_fd;     /* read this descriptor dry (eventfd/socket/pipe) when drain_at is reached */
  int drain_at;
  int read_one_fd;  /* read one byte from this descriptor per callback */
  int closed;
} poll_rec;

static void closed_cb(ruv_handle_t *h) {
  poll_rec *r = (poll_rec *)ruv_handle_get_data(h);
  if (r) r->closed++;
}

static void drain(int fd) {
  char buf[4096];
  while (read(fd, buf, sizeof buf) > 0) {
  }
}

static void rec_cb(ruv_poll_t *p, int status, int events) {
  poll_rec *r = (poll_rec *)ruv_handle_get_data(RUV_HANDLE(p));
  r->calls++;
  r->last_status = status;
  r->last_events = events;
  r->or_events |= events;
  if (r->read_one_fd >= 0) {
    char c;
    ASSERT_EQ(read(r->read_one_fd, &c, 1), 1);
  }
  if (r->drain_at && r->calls == r->drain_at) drain(r->drain_fd);
  if (r->stop_after && r->calls == r->stop_after) ASSERT_EQ(ruv_poll_stop(p), 0);
  if (r->close_after && r->calls == r->close_after)
    ASSERT_EQ(ruv_close(RUV_HANDLE(p), closed_cb), 0);
}

static void rec_init(poll_rec *r) {
  memset(r, 0, sizeof *r);
  r->read_one_fd = -1;
  r->drain_fd = -1;
}

static ruv_poll_t *make_poll(ruv_loop_t *loop, int fd, poll_rec *r) {
  ruv_poll_t *p = NULL;
  ASSERT_EQ(ruv_poll_new(loop, fd, &p), 0);
  ASSERT_NOT_NULL(p);
  ruv_handle_set_data(RUV_HANDLE(p), r);
  return p;
}

static void run_nowait(ruv_loop_t *loop, int n) {
  int i;
  for (i = 0; i < n; i++) ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
}

static int make_eventfd(uint64_t value) {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  if (value) ASSERT_EQ(write(fd, &value, sizeof value), (ssize_t)sizeof value);
  return fd;
}

static void make_socketpair(int sv[2]) {
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
}

static void make_pipe(int fds[2]) {
  ASSERT_EQ(pipe(fds), 0);
  raw_set_nonblock(fds[0]);
  raw_set_nonblock(fds[1]);
}

/* Counts loop iterations (a check handle). */
static int iterations;
static void count_iter_cb(ruv_check_t *c) {
  (void)c;
  iterations++;
}

static void stop_loop_timer_cb(ruv_timer_t *t) {
  ruv_stop(ruv_handle_get_loop(RUV_HANDLE(t)));
}

/* Runs the loop (DEFAULT) for about `ms` and returns how many iterations it made. */
static int iterations_during(ruv_loop_t *loop, uint64_t ms) {
  ruv_check_t *c = NULL;
  ruv_timer_t *t = NULL;
  ASSERT_EQ(ruv_check_new(loop, &c), 0);
  ASSERT_EQ(ruv_check_start(c, count_iter_cb), 0);
  ASSERT_EQ(ruv_timer_new(loop, &t), 0);
  ASSERT_EQ(ruv_timer_start(t, stop_loop_timer_cb, ms, 0), 0);
  iterations = 0;
  ASSERT_GE(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(c), NULL), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(t), NULL), 0);
  return iterations;
}

/* ---- level-triggered readiness --------------------------------------------- */

TEST_CASE(eventfd_readable_repeats_until_drained) {
  ruv_loop_t *loop = make_loop();
  int fd = make_eventfd(1);
  poll_rec r;
  ruv_poll_t *p;
  rec_init(&r);
  p = make_poll(loop, fd, &r);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, rec_cb), 0);
  ASSERT_EQ(r.calls, 0); /* never from inside start */
  run_nowait(loop, 5);
  ASSERT_EQ(r.calls, 5); /* once per iteration while readable: level-triggered */
  ASSERT_EQ(r.last_status, 0);
  ASSERT_EQ(r.last_events, RUV_READABLE);
  r.drain_fd = fd;
  r.drain_at = 7;
  run_nowait(loop, 10);
  ASSERT_EQ(r.calls, 7); /* drained in the 7th: no more */
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p)), 1);
  /* Drained and still watched: the loop blocks (no busy loop) until the 100 ms timer. */
  ASSERT_LE(iterations_during(loop, 100), 3);
  ASSERT_EQ(r.calls, 7);
  /* Readable again: it repeats again. */
  {
    uint64_t one = 1;
    ASSERT_EQ(write(fd, &one, sizeof one), (ssize_t)sizeof one);
  }
  run_nowait(loop, 3);
  ASSERT_EQ(r.calls, 10);
  finish_loop(loop);
  close(fd);
}

static int backend_readable(ruv_loop_t *loop) {
  struct pollfd pfd;
  pfd.fd = ruv_backend_fd(loop);
  pfd.events = POLLIN;
  pfd.revents = 0;
  ASSERT_GE(poll(&pfd, 1, 0), 0);
  return (pfd.revents & POLLIN) != 0;
}

TEST_CASE(backend_fd_is_level_triggered_too) {
  /* An embedding loop waits on ruv_backend_fd(): after a callback it must stay readable while
   * the descriptor is ready, and stop being readable once it is drained. */
  ruv_loop_t *loop = make_loop();
  int fd = make_eventfd(1);
  poll_rec r;
  ruv_poll_t *p;
  rec_init(&r);
  p = make_poll(loop, fd, &r);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, rec_cb), 0);
  ASSERT(backend_readable(loop));
  run_nowait(loop, 1);
  ASSERT_EQ(r.calls, 1);
  ASSERT(backend_readable(loop)); /* still ready: still readable */
  r.drain_fd = fd;
  r.drain_at = 2;
  run_nowait(loop, 1);
  ASSERT_EQ(r.calls, 2);
  ASSERT(!backend_readable(loop)); /* drained in the callback */
  ASSERT_EQ(ruv_backend_timeout(loop), -1);
  finish_loop(loop);
  close(fd);
}

TEST_CASE(not_ready_does_not_spin) {
  ruv_loop_t *loop = make_loop();
  int fd = make_eventfd(0);
  poll_rec r;
  ruv_poll_t *p;
  rec_init(&r);
  p = make_poll(loop, fd, &r);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, rec_cb), 0);
  ASSERT_EQ(ruv_backend_timeout(loop), -1); /* would block */
  ASSERT_LE(iterations_during(loop, 100), 3);
  ASSERT_EQ(r.calls, 0);
  finish_loop(loop);
  close(fd);
}

TEST_CASE(ready_keeps_loop_polling_without_blocking) {
  /* A started handle on a ready descriptor repeats in DEFAULT mode too, each iteration. */
  ruv_loop_t *loop = make_loop();
  int fd = make_eventfd(1);
  poll_rec r;
  ruv_poll_t *p;
  rec_init(&r);
  p = make_poll(loop, fd, &r);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, rec_cb), 0);
  r.stop_after = 50;
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0); /* stopped at 50: loop no longer alive */
  ASSERT_EQ(r.calls, 50);
  finish_loop(loop);
  close(fd);
}

TEST_CASE(socketpair_one_callback_per_byte_read) {
  ruv_loop_t *loop = make_loop();
  int sv[2];
  poll_rec r;
  ruv_poll_t *p;
  make_socketpair(sv);
  ASSERT_EQ(write(sv[1], "abcde", 5), 5);
  rec_init(&r);
  r.read_one_fd = sv[0];
  p = make_poll(loop, sv[0], &r);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, rec_cb), 0);
  run_nowait(loop, 12);
  ASSERT_EQ(r.calls, 5); /* one byte per callback, then drained */
  ASSERT_EQ(r.or_events, RUV_READABLE);
  /* More data later: it comes back. */
  ASSERT_EQ(write(sv[1], "xy", 2), 2);
  run_nowait(loop, 6);
  ASSERT_EQ(r.calls, 7);
  finish_loop(loop);
  close(sv[0]);
  close(sv[1]);
}

TEST_CASE(events_are_what_is_ready) {
  ruv_loop_t *loop = make_loop();
  int sv[2];
  poll_rec r;
  ruv_poll_t *p;
  make_socketpair(sv);
  rec_init(&r);
  p = make_poll(loop, sv[0], &r);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE | RUV_WRITABLE, rec_cb), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(r.calls, 2);
  ASSERT_EQ(r.last_events, RUV_WRITABLE); /* nothing to read yet */
  ASSERT_EQ(write(sv[1], "x", 1), 1);
  run_nowait(loop, 1);
  ASSERT_EQ(r.calls, 3);
  ASSERT_EQ(r.last_events, RUV_READABLE | RUV_WRITABLE);
  /* Only READABLE requested: WRITABLE is never reported though it is ready. */
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, rec_cb), 0);
  run_nowait(loop, 1);
  ASSERT_EQ(r.last_events, RUV_READABLE);
  finish_loop(loop);
  close(sv[0]);
  close(sv[1]);
}

TEST_CASE(pipe_writable) {
  ruv_loop_t *loop = make_loop();
  int fds[2];
  poll_rec r;
  ruv_poll_t *p;
  make_pipe(fds);
  rec_init(&r);
  r.stop_after = 3;
  p = make_poll(loop, fds[1], &r);
  ASSERT_EQ(ruv_poll_start(p, RUV_WRITABLE, rec_cb), 0);
  run_nowait(loop, 6);
  ASSERT_EQ(r.calls, 3); /* repeats while writable, none after the stop */
  ASSERT_EQ(r.or_events, RUV_WRITABLE);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p)), 0);
  /* Fill the pipe: not writable, no callback; drain it: writable again. */
  {
    char buf[4096];
    memset(buf, 'z', sizeof buf);
    while (write(fds[1], buf, sizeof buf) > 0) {
    }
  }
  r.stop_after = 0;
  ASSERT_EQ(ruv_poll_start(p, RUV_WRITABLE, rec_cb), 0);
  run_nowait(loop, 4);
  ASSERT_EQ(r.calls, 3);
  drain(fds[0]);
  run_nowait(loop, 2);
  ASSERT_EQ(r.calls, 5);
  finish_loop(loop);
  close(fds[0]);
  close(fds[1]);
}

/* ---- hang-up and errors ----------------------------------------------------- */

TEST_CASE(socketpair_disconnect_on_peer_shutdown) {
  ruv_loop_t *loop = make_loop();
  int sv[2];
  poll_rec r;
  ruv_poll_t *p;
  make_socketpair(sv);
  rec_init(&r);
  p = make_poll(loop, sv[0], &r);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE | RUV_DISCONNECT, rec_cb), 0);
  run_nowait(loop, 3);
  ASSERT_EQ(r.calls, 0);
  ASSERT_EQ(shutdown(sv[1], SHUT_WR), 0);
  run_nowait(loop, 3);
  ASSERT_EQ(r.calls, 3); /* level-triggered: the hang-up persists */
  ASSERT_EQ(r.last_status, 0);
  ASSERT_EQ(r.last_events, RUV_READABLE | RUV_DISCONNECT);
  finish_loop(loop);
  close(sv[0]);
  close(sv[1]);
}

TEST_CASE(disconnect_only_ignores_data) {
  /* Only RUV_DISCONNECT requested: data arriving runs no callback and does not spin. */
  ruv_loop_t *loop = make_loop();
  int sv[2];
  poll_rec r;
  ruv_poll_t *p;
  make_socketpair(sv);
  rec_init(&r);
  p = make_poll(loop, sv[0], &r);
  ASSERT_EQ(ruv_poll_start(p, RUV_DISCONNECT, rec_cb), 0);
  ASSERT_EQ(write(sv[1], "data", 4), 4);
  ASSERT_LE(iterations_during(loop, 100), 3);
  ASSERT_EQ(r.calls, 0);
  ASSERT_EQ(close(sv[1]), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(r.calls, 2);
  ASSERT_EQ(r.last_events, RUV_DISCONNECT);
  finish_loop(loop);
  close(sv[0]);
}

TEST_CASE(pipe_hangup_is_readable_and_disconnect) {
  ruv_loop_t *loop = make_loop();
  int fds[2];
  poll_rec r;
  ruv_poll_t *p;
  make_pipe(fds);
  rec_init(&r);
  p = make_poll(loop, fds[0], &r);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE | RUV_DISCONNECT, rec_cb), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(r.calls, 0);
  ASSERT_EQ(close(fds[1]), 0);
  run_nowait(loop, 1);
  ASSERT_EQ(r.calls, 1);
  ASSERT_EQ(r.last_status, 0);
  ASSERT_EQ(r.last_events, RUV_READABLE | RUV_DISCONNECT);
  {
    char c;
    ASSERT_EQ(read(fds[0], &c, 1), 0); /* the read sees the end of stream */
  }
  finish_loop(loop);
  close(fds[0]);
}

TEST_CASE(error_is_status_and_stops) {
  /* The write end of a pipe whose read end is closed: EPOLLERR. */
  ruv_loop_t *loop = make_loop();
  int fds[2];
  poll_rec r;
  ruv_poll_t *p;
  make_pipe(fds);
  rec_init(&r);
  p = make_poll(loop, fds[1], &r);
  ASSERT_EQ(ruv_poll_start(p, RUV_WRITABLE, rec_cb), 0);
  ASSERT_EQ(close(fds[0]), 0);
  run_nowait(loop, 4);
  ASSERT_EQ(r.calls, 1); /* once: the handle stops before the error callback */
  ASSERT_EQ(r.last_status, RUV_EBADF);
  ASSERT_EQ(r.last_events, 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p)), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  finish_loop(loop);
  close(fds[1]);
}

/* ---- stop, restart, close --------------------------------------------------- */

TEST_CASE(stop_and_restart) {
  ruv_loop_t *loop = make_loop();
  int fd = make_eventfd(1);
  poll_rec r;
  ruv_poll_t *p;
  rec_init(&r);
  p = make_poll(loop, fd, &r);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p)), 0);
  ASSERT_EQ(ruv_poll_stop(p), 0); /* stop before start: fine */
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, rec_cb), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p)), 1);
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  run_nowait(loop, 2);
  ASSERT_EQ(r.calls, 2);
  ASSERT_EQ(ruv_poll_stop(p), 0);
  ASSERT_EQ(ruv_poll_stop(p), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p)), 0);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  run_nowait(loop, 3);
  ASSERT_EQ(r.calls, 2); /* none after stop, though still readable */
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, rec_cb), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(r.calls, 4);
  /* unref: not keeping the loop alive */
  ruv_unref(RUV_HANDLE(p));
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  ruv_ref(RUV_HANDLE(p));
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  finish_loop(loop);
  close(fd);
}

TEST_CASE(restart_changes_events) {
  ruv_loop_t *loop = make_loop();
  int sv[2];
  poll_rec r;
  ruv_poll_t *p;
  make_socketpair(sv);
  rec_init(&r);
  p = make_poll(loop, sv[0], &r);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, rec_cb), 0);
  run_nowait(loop, 3);
  ASSERT_EQ(r.calls, 0); /* nothing to read */
  ASSERT_EQ(ruv_poll_start(p, RUV_WRITABLE, rec_cb), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(r.calls, 2);
  ASSERT_EQ(r.or_events, RUV_WRITABLE);
  /* bad events: RUV_EINVAL, and the handle keeps watching what it watched */
  ASSERT_EQ(ruv_poll_start(p, 0, rec_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_poll_start(p, 16, rec_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE | 64, rec_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_poll_start(p, -1, rec_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p)), 1);
  run_nowait(loop, 1);
  ASSERT_EQ(r.calls, 3);
  ASSERT_EQ(r.last_events, RUV_WRITABLE);
  /* back to READABLE */
  r.or_events = 0;
  ASSERT_EQ(write(sv[1], "q", 1), 1);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, rec_cb), 0);
  run_nowait(loop, 2);
  ASSERT_EQ(r.or_events, RUV_READABLE);
  finish_loop(loop);
  close(sv[0]);
  close(sv[1]);
}

TEST_CASE(close_in_callback) {
  ruv_loop_t *loop = make_loop();
  int fd = make_eventfd(1);
  poll_rec r;
  ruv_poll_t *p;
  rec_init(&r);
  r.close_after = 2;
  p = make_poll(loop, fd, &r);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, rec_cb), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(r.calls, 2);
  ASSERT_EQ(r.closed, 1);
  ASSERT_EQ(ruv_loop_close(loop), 0);
  ASSERT(fd_is_open(fd));
  close(fd);
}

TEST_CASE(descriptor_untouched_after_close) {
  ruv_loop_t *loop = make_loop();
  int sv[2], flags_before, fdflags_before;
  poll_rec r;
  ruv_poll_t *p;
  char buf[8];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0); /* blocking on purpose */
  flags_before = fcntl(sv[0], F_GETFL);
  fdflags_before = fcntl(sv[0], F_GETFD);
  ASSERT_EQ(write(sv[1], "keep", 4), 4);
  rec_init(&r);
  p = make_poll(loop, sv[0], &r);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE | RUV_WRITABLE | RUV_DISCONNECT, rec_cb), 0);
  run_nowait(loop, 3);
  ASSERT_EQ(r.calls, 3);
  ASSERT_EQ(fcntl(sv[0], F_GETFL), flags_before); /* not made non-blocking */
  ASSERT_EQ(ruv_close(RUV_HANDLE(p), closed_cb), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(r.closed, 1);
  ASSERT_EQ(ruv_loop_close(loop), 0);
  ASSERT(fd_is_open(sv[0]));
  ASSERT_EQ(fcntl(sv[0], F_GETFL), flags_before);
  ASSERT_EQ(fcntl(sv[0], F_GETFD), fdflags_before);
  ASSERT_EQ(read(sv[0], buf, sizeof buf), 4); /* ruv read nothing */
  ASSERT_EQ(memcmp(buf, "keep", 4), 0);
  ASSERT_EQ(write(sv[0], "w", 1), 1); /* still usable */
  close(sv[0]);
  close(sv[1]);
}

/* ---- one owner per descriptor, non-pollable and closed descriptors ---------- */

TEST_CASE(eexist_poll_and_poll) {
  ruv_loop_t *loop = make_loop();
  int fd = make_eventfd(0);
  ruv_poll_t *a = NULL, *b = (ruv_poll_t *)&fd;
  ruv_loop_t *other = make_loop();
  ruv_poll_t *c = NULL;
  ASSERT_EQ(ruv_poll_new(loop, fd, &a), 0);
  ASSERT_EQ(ruv_poll_new(loop, fd, &b), RUV_EEXIST);
  ASSERT_PTR_EQ(b, &fd); /* out-param untouched */
  /* started or not */
  ASSERT_EQ(ruv_poll_start(a, RUV_READABLE, rec_cb), 0);
  ASSERT_EQ(ruv_poll_new(loop, fd, &b), RUV_EEXIST);
  /* another loop may watch it */
  ASSERT_EQ(ruv_poll_new(other, fd, &c), 0);
  /* once the first is closing, the descriptor is free again */
  ASSERT_EQ(ruv_close(RUV_HANDLE(a), NULL), 0);
  b = NULL;
  ASSERT_EQ(ruv_poll_new(loop, fd, &b), 0);
  ASSERT_NOT_NULL(b);
  finish_loop(loop);
  finish_loop(other);
  close(fd);
}

TEST_CASE(eexist_poll_then_tcp_open) {
  ruv_loop_t *loop = make_loop();
  int port, lfd = raw_listen(AF_INET, &port);
  int fd = raw_connect(AF_INET, port);
  ruv_poll_t *p = NULL;
  ruv_tcp_t *tcp = make_tcp(loop, AF_UNSPEC);
  ASSERT_EQ(ruv_poll_new(loop, fd, &p), 0);
  ASSERT_EQ(ruv_tcp_open(tcp, fd), RUV_EEXIST);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, rec_cb), 0);
  ASSERT_EQ(ruv_tcp_open(tcp, fd), RUV_EEXIST); /* started too */
  ASSERT(fd_is_open(fd));
  /* the listening socket, unwatched, is fine */
  ASSERT_EQ(ruv_tcp_open(tcp, lfd), 0);
  finish_loop(loop);
  ASSERT(fd_is_open(fd));
  close(fd);
}

TEST_CASE(eexist_tcp_then_poll) {
  ruv_loop_t *loop = make_loop();
  int port, lfd = raw_listen(AF_INET, &port);
  int fd = raw_connect(AF_INET, port);
  ruv_poll_t *p = NULL;
  ruv_tcp_t *opened = make_tcp(loop, AF_UNSPEC);
  ruv_tcp_t *fresh = make_tcp(loop, AF_INET); /* has a socket, not registered yet */
  ASSERT_EQ(ruv_tcp_open(opened, fd), 0);
  ASSERT_EQ(ruv_poll_new(loop, fd, &p), RUV_EEXIST);
  ASSERT_NULL(p);
  ASSERT_EQ(ruv_poll_new(loop, tcp_fd(fresh), &p), RUV_EEXIST);
  ASSERT_NULL(p);
  finish_loop(loop);
  close(lfd);
}

TEST_CASE(eperm_regular_file_and_directory) {
  ruv_loop_t *loop = make_loop();
  FILE *f = tmpfile();
  int dir = open("/", O_RDONLY | O_DIRECTORY);
  ruv_poll_t *p = NULL;
  ASSERT_NOT_NULL(f);
  ASSERT_GE(dir, 0);
  ASSERT_EQ(ruv_poll_new(loop, fileno(f), &p), RUV_EPERM);
  ASSERT_EQ(ruv_poll_new(loop, dir, &p), RUV_EPERM);
  ASSERT_NULL(p);
  ASSERT(fd_is_open(fileno(f)));
  ASSERT_EQ(ruv_loop_close(loop), 0); /* no handle was made */
  fclose(f);
  close(dir);
}

TEST_CASE(ebadf_closed_descriptor) {
  ruv_loop_t *loop = make_loop();
  int fd = make_eventfd(0);
  ruv_poll_t *p = NULL;
  ASSERT_EQ(close(fd), 0);
  ASSERT_EQ(ruv_poll_new(loop, fd, &p), RUV_EBADF);
  ASSERT_EQ(ruv_poll_new(loop, -1, &p), RUV_EBADF);
  ASSERT_EQ(ruv_poll_new(loop, 1 << 20, &p), RUV_EBADF);
  ASSERT_NULL(p);
  /* closed between new and start */
  fd = make_eventfd(0);
  ASSERT_EQ(ruv_poll_new(loop, fd, &p), 0);
  ASSERT_EQ(close(fd), 0);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, rec_cb), RUV_EBADF);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p)), 0);
  finish_loop(loop);
}

static void close_fd_cb(ruv_poll_t *p, int status, int events) {
  poll_rec *r = (poll_rec *)ruv_handle_get_data(RUV_HANDLE(p));
  r->calls++;
  r->last_status = status;
  r->last_events = events;
  if (r->calls == 1) ASSERT_EQ(close(r->drain_fd), 0); /* misuse: closed while watched */
}

TEST_CASE(descriptor_closed_while_watched) {
  ruv_loop_t *loop = make_loop();
  poll_rec r;
  ruv_poll_t *p;
  rec_init(&r);
  r.drain_fd = make_eventfd(1);
  p = make_poll(loop, r.drain_fd, &r);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, close_fd_cb), 0);
  run_nowait(loop, 4);
  ASSERT_EQ(r.calls, 2); /* the re-arm finds the descriptor gone: an error, then nothing */
  ASSERT_EQ(r.last_status, RUV_EBADF);
  ASSERT_EQ(r.last_events, 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p)), 0);
  finish_loop(loop);
}

/* ---- another thread drives the descriptor ----------------------------------- */

typedef struct {
  int fd;
  int n;
} writer_arg;

static void *eventfd_writer(void *arg) {
  writer_arg *w = (writer_arg *)arg;
  int i;
  for (i = 0; i < w->n; i++) {
    uint64_t one = 1;
    ASSERT_EQ(write(w->fd, &one, sizeof one), (ssize_t)sizeof one);
    if (i % 8 == 0) test_sleep_ms(1);
  }
  return NULL;
}

static uint64_t total_read;
static int total_target;
static void eventfd_read_cb(ruv_poll_t *p, int status, int events) {
  uint64_t v = 0;
  int fd = *(int *)ruv_handle_get_data(RUV_HANDLE(p));
  ASSERT_EQ(status, 0);
  ASSERT_EQ(events, RUV_READABLE);
  ASSERT_EQ(read(fd, &v, sizeof v), (ssize_t)sizeof v);
  total_read += v;
  if (total_read == (uint64_t)total_target) ASSERT_EQ(ruv_close(RUV_HANDLE(p), NULL), 0);
}

TEST_CASE(eventfd_from_another_thread) {
  ruv_loop_t *loop = make_loop();
  int fd = make_eventfd(0);
  ruv_poll_t *p = NULL;
  pthread_t th;
  writer_arg w;
  w.fd = fd;
  w.n = (int)test_scaled(2000, 200);
  total_target = w.n;
  total_read = 0;
  ASSERT_EQ(ruv_poll_new(loop, fd, &p), 0);
  ruv_handle_set_data(RUV_HANDLE(p), &fd);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, eventfd_read_cb), 0);
  ASSERT_EQ(pthread_create(&th, NULL, eventfd_writer, &w), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(pthread_join(th, NULL), 0);
  ASSERT_EQ(total_read, (uint64_t)w.n);
  ASSERT_EQ(ruv_loop_close(loop), 0);
  close(fd);
}

/* ---- misuse ----------------------------------------------------------------- */

TEST_CASE(misuse) {
  ruv_loop_t *loop = make_loop();
  int fd = make_eventfd(0);
  ruv_poll_t *p = NULL, *untouched = (ruv_poll_t *)&fd;
  ruv_timer_t *t = NULL;
  ruv_signal_t *s = NULL;
  ASSERT_EQ(ruv_poll_new(NULL, fd, &p), RUV_EINVAL);
  ASSERT_EQ(ruv_poll_new(loop, fd, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_poll_new(loop, -1, NULL), RUV_EINVAL); /* arguments before state */
  ASSERT_EQ(ruv_poll_start(NULL, RUV_READABLE, rec_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_poll_stop(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_new(loop, &t), 0);
  ASSERT_EQ(ruv_signal_new(loop, &s), 0);
  ASSERT_EQ(ruv_poll_new((ruv_loop_t *)t, fd, &untouched), RUV_EINVAL); /* not a loop */
  ASSERT_PTR_EQ(untouched, &fd);
  ASSERT_EQ(ruv_poll_new(loop, fd, &p), 0);
  ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(p)), RUV_POLL);
  ASSERT_EQ(RUV_POLL, 7);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p)), 0);
  /* wrong kind, both ways */
  ASSERT_EQ(ruv_poll_start((ruv_poll_t *)t, RUV_READABLE, rec_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_poll_stop((ruv_poll_t *)s), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_stop((ruv_timer_t *)p), RUV_EINVAL);
  ASSERT_EQ(ruv_signal_stop((ruv_signal_t *)p), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_open((ruv_tcp_t *)p, fd), RUV_EINVAL);
  /* closing */
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, rec_cb), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(p), NULL), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(p)), 0);
  ASSERT_EQ(ruv_poll_start(p, RUV_READABLE, rec_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_poll_stop(p), RUV_EINVAL);
  ASSERT_EQ(ruv_close(RUV_HANDLE(p), NULL), RUV_EINVAL);
  finish_loop(loop);
  ASSERT(fd_is_open(fd));
  close(fd);
}

TEST_CASE(two_handles_two_descriptors) {
  ruv_loop_t *loop = make_loop();
  int a = make_eventfd(1), b = make_eventfd(0);
  poll_rec ra, rb;
  ruv_poll_t *pa, *pb;
  rec_init(&ra);
  rec_init(&rb);
  pa = make_poll(loop, a, &ra);
  pb = make_poll(loop, b, &rb);
  ASSERT_EQ(ruv_poll_start(pa, RUV_READABLE, rec_cb), 0);
  ASSERT_EQ(ruv_poll_start(pb, RUV_READABLE | RUV_WRITABLE, rec_cb), 0);
  run_nowait(loop, 4);
  ASSERT_EQ(ra.calls, 4);
  ASSERT_EQ(rb.calls, 4);
  ASSERT_EQ(ra.or_events, RUV_READABLE);
  ASSERT_EQ(rb.or_events, RUV_WRITABLE);
  finish_loop(loop);
  close(a);
  close(b);
}

TEST_MAIN(TEST_ENTRY(eventfd_readable_repeats_until_drained),
          TEST_ENTRY(not_ready_does_not_spin),
          TEST_ENTRY(backend_fd_is_level_triggered_too),
          TEST_ENTRY(ready_keeps_loop_polling_without_blocking),
          TEST_ENTRY(socketpair_one_callback_per_byte_read),
          TEST_ENTRY(events_are_what_is_ready),
          TEST_ENTRY(pipe_writable),
          TEST_ENTRY(socketpair_disconnect_on_peer_shutdown),
          TEST_ENTRY(disconnect_only_ignores_data),
          TEST_ENTRY(pipe_hangup_is_readable_and_disconnect),
          TEST_ENTRY(error_is_status_and_stops),
          TEST_ENTRY(stop_and_restart),
          TEST_ENTRY(restart_changes_events),
          TEST_ENTRY(close_in_callback),
          TEST_ENTRY(descriptor_untouched_after_close),
          TEST_ENTRY(eexist_poll_and_poll),
          TEST_ENTRY(eexist_poll_then_tcp_open),
          TEST_ENTRY(eexist_tcp_then_poll),
          TEST_ENTRY(eperm_regular_file_and_directory),
          TEST_ENTRY(ebadf_closed_descriptor),
          TEST_ENTRY(descriptor_closed_while_watched),
          TEST_ENTRY(eventfd_from_another_thread),
          TEST_ENTRY(misuse),
          TEST_ENTRY(two_handles_two_descriptors))
