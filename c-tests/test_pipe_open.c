/*
 * test_pipe_open.c - ruv_pipe_open (DESIGN §8): a socketpair end, pipe(2) ends with their
 * access modes (a read end refuses writes with EPIPE, a write end refuses read_start with
 * ENOTCONN), a FIFO, a regular file and a directory (EPERM), a TCP socket (EAFNOSUPPORT, and
 * ruv_tcp_open of a Unix socket likewise), one owner per descriptor (EEXIST, checked first),
 * and the caller keeping the descriptor after a failure.
 */
#include "streams.h"

#include <sys/stat.h>

typedef struct {
  char data[4096];
  size_t len;
  int eof;
} sink;

static void sink_read_cb(ruv_stream_t *s, ssize_t nread, const char *data) {
  sink *k = (sink *)ruv_handle_get_data(RUV_HANDLE(s));
  ASSERT_NE(nread, 0);
  if (nread < 0) {
    ASSERT_EQ(nread, RUV_EOF);
    k->eof = 1;
    return;
  }
  ASSERT_LE(k->len + (size_t)nread, sizeof k->data);
  memcpy(k->data + k->len, data, (size_t)nread);
  k->len += (size_t)nread;
}

static ruv_pipe_t *open_pipe(ruv_loop_t *loop, int fd) {
  ruv_pipe_t *p = make_pipe(loop);
  ASSERT_EQ(ruv_pipe_open(p, fd), 0);
  return p;
}

TEST_CASE(socketpair_ends_talk) {
  ruv_loop_t *loop = make_loop();
  int sv[2];
  ruv_pipe_t *a, *b;
  sink k;
  ruv_buf_t buf = {"pair", 4};
  char name[8];
  size_t len = sizeof name;
  memset(&k, 0, sizeof k);
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  a = open_pipe(loop, sv[0]);
  b = open_pipe(loop, sv[1]);
  ASSERT_EQ(fileno_or_die(a), sv[0]);
  ASSERT(fcntl(sv[0], F_GETFL) & O_NONBLOCK);
  ruv_handle_set_data(RUV_HANDLE(b), &k);
  ASSERT_EQ(ruv_read_start(RUV_STREAM(b), sink_read_cb), 0);
  ASSERT_EQ(ruv_write(RUV_STREAM(a), &buf, 1, NULL, NULL), 0);
  ASSERT_EQ(ruv_shutdown(RUV_STREAM(a), NULL), 0);
  run_until(loop, &k.eof);
  ASSERT_EQ(k.len, 4);
  ASSERT_EQ(memcmp(k.data, "pair", 4), 0);
  ASSERT_EQ(ruv_pipe_getpeername(a, name, &len), 0); /* connected, unnamed */
  ASSERT_EQ(len, 0);
  finish_loop(loop);
  ASSERT(!fd_is_open(sv[0]) && !fd_is_open(sv[1])); /* owned and closed */
}

TEST_CASE(a_listening_socket_keeps_listening) {
  ruv_loop_t *loop = make_loop();
  stream_pair p;
  struct sockaddr_un sun;
  int lfd = socket(AF_UNIX, SOCK_STREAM, 0), cfd = socket(AF_UNIX, SOCK_STREAM, 0);
  char buf[128];
  size_t len = sizeof buf;
  ASSERT_GE(lfd, 0);
  memset(&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  snprintf(sun.sun_path, sizeof sun.sun_path, "%s", tmp_path("raw-listener.sock"));
  ASSERT_EQ(bind(lfd, (struct sockaddr *)&sun, sizeof sun), 0);
  ASSERT_EQ(listen(lfd, 4), 0);
  memset(&p, 0, sizeof p);
  p.kind = KIND_PIPE;
  p.server = RUV_STREAM(open_pipe(loop, lfd));
  ruv_handle_set_data(RUV_HANDLE(p.server), &p);
  ASSERT_EQ(ruv_pipe_getsockname((ruv_pipe_t *)p.server, buf, &len), 0);
  ASSERT_EQ(len, strlen(sun.sun_path));
  ASSERT_EQ(ruv_listen(p.server, 4, pair_connection_cb), 0);
  ASSERT_EQ(connect(cfd, (struct sockaddr *)&sun, sizeof sun), 0);
  run_until(loop, &p.accepted);
  ASSERT_EQ(ruv_is_readable(p.peer), 1);
  close(cfd);
  finish_loop(loop);
  ASSERT(path_exists(sun.sun_path)); /* not bound by ruv: the path stays the caller's */
  unlink(sun.sun_path);
}

TEST_CASE(pipe_ends_follow_their_access_mode) {
  ruv_loop_t *loop = make_loop();
  int fds[2];
  ruv_pipe_t *r, *w;
  sink k;
  ruv_buf_t buf = {"through a pipe", 14};
  memset(&k, 0, sizeof k);
  ASSERT_EQ(pipe(fds), 0);
  r = open_pipe(loop, fds[0]);
  w = open_pipe(loop, fds[1]);
  ASSERT_EQ(ruv_is_readable(RUV_STREAM(r)), 1);
  ASSERT_EQ(ruv_is_writable(RUV_STREAM(r)), 0);
  ASSERT_EQ(ruv_write(RUV_STREAM(r), &buf, 1, NULL, NULL), RUV_EPIPE);
  ASSERT_EQ(ruv_is_readable(RUV_STREAM(w)), 0);
  ASSERT_EQ(ruv_is_writable(RUV_STREAM(w)), 1);
  ASSERT_EQ(ruv_read_start(RUV_STREAM(w), sink_read_cb), RUV_ENOTCONN);
  ruv_handle_set_data(RUV_HANDLE(r), &k);
  ASSERT_EQ(ruv_read_start(RUV_STREAM(r), sink_read_cb), 0);
  ASSERT_EQ(ruv_write(RUV_STREAM(w), &buf, 1, NULL, NULL), 0);
  ASSERT_EQ(ruv_try_write(RUV_STREAM(w), &buf, 1), 14);
  ASSERT_EQ(ruv_close(RUV_HANDLE(w), NULL), 0); /* the reader then sees EOF */
  run_until(loop, &k.eof);
  ASSERT_EQ(k.len, 28);
  ASSERT_EQ(memcmp(k.data + 14, "through a pipe", 14), 0);
  finish_loop(loop);
}

TEST_CASE(a_fifo_carries_bytes) {
  ruv_loop_t *loop = make_loop();
  const char *path = tmp_path("fifo");
  int rfd, wfd;
  sink k;
  ruv_pipe_t *r, *w;
  ruv_buf_t buf = {"fifo!", 5};
  memset(&k, 0, sizeof k);
  ASSERT_EQ(mkfifo(path, 0600), 0);
  rfd = open(path, O_RDONLY | O_NONBLOCK);
  ASSERT_GE(rfd, 0);
  wfd = open(path, O_WRONLY | O_NONBLOCK);
  ASSERT_GE(wfd, 0);
  r = open_pipe(loop, rfd);
  w = open_pipe(loop, wfd);
  ruv_handle_set_data(RUV_HANDLE(r), &k);
  ASSERT_EQ(ruv_read_start(RUV_STREAM(r), sink_read_cb), 0);
  ASSERT_EQ(ruv_write(RUV_STREAM(w), &buf, 1, NULL, NULL), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(w), NULL), 0);
  run_until(loop, &k.eof);
  ASSERT_EQ(k.len, 5);
  ASSERT_EQ(memcmp(k.data, "fifo!", 5), 0);
  finish_loop(loop);
}

TEST_CASE(files_and_directories_are_eperm) {
  ruv_loop_t *loop = make_loop();
  ruv_pipe_t *p = make_pipe(loop);
  const char *path = tmp_path("plain.txt");
  int fd = open(path, O_CREAT | O_RDWR, 0600);
  int dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  ASSERT_GE(dfd, 0);
  ASSERT_EQ(ruv_pipe_open(p, fd), RUV_EPERM);
  ASSERT_EQ(ruv_pipe_open(p, dfd), RUV_EPERM);
  ASSERT(fd_is_open(fd) && fd_is_open(dfd)); /* still the caller's */
  ASSERT_EQ(ruv_fileno(RUV_HANDLE(p), &fd), RUV_EBADF); /* the handle stays empty */
  close(dfd);
  ASSERT_EQ(ruv_pipe_open(p, dfd), RUV_EBADF);
  ASSERT_EQ(ruv_pipe_open(p, -1), RUV_EBADF);
  ASSERT_EQ(ruv_pipe_open(NULL, fd), RUV_EINVAL);
  close(fd);
  finish_loop(loop);
}

TEST_CASE(sockets_of_the_other_family_are_eafnosupport) {
  ruv_loop_t *loop = make_loop();
  ruv_pipe_t *p = make_pipe(loop);
  ruv_tcp_t *t = make_tcp(loop, AF_UNSPEC);
  int tcp_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int sv[2];
  ASSERT_GE(tcp_fd_, 0);
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ASSERT_EQ(ruv_pipe_open(p, tcp_fd_), RUV_EAFNOSUPPORT);
  ASSERT_EQ(ruv_tcp_open(t, sv[0]), RUV_EAFNOSUPPORT);
  ASSERT(fd_is_open(tcp_fd_) && fd_is_open(sv[0]));
  /* each goes to its own kind */
  ASSERT_EQ(ruv_pipe_open(p, sv[0]), 0);
  ASSERT_EQ(ruv_tcp_open(t, tcp_fd_), 0);
  close(sv[1]);
  finish_loop(loop);
}

TEST_CASE(one_owner_per_descriptor) {
  ruv_loop_t *loop = make_loop();
  int sv[2], fds[2];
  ruv_pipe_t *a = make_pipe(loop), *b = make_pipe(loop);
  ruv_tcp_t *t;
  ruv_poll_t *poll;
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(ruv_pipe_open(a, sv[0]), 0);
  ASSERT_EQ(ruv_pipe_open(b, sv[0]), RUV_EEXIST);
  ASSERT_EQ(ruv_pipe_open(a, sv[1]), RUV_EBUSY); /* a has its descriptor */
  ASSERT_EQ(ruv_pipe_open(a, sv[0]), RUV_EBUSY);
  /* a TCP socket held by a TCP handle: EEXIST comes before EAFNOSUPPORT */
  t = make_tcp(loop, AF_INET);
  ASSERT_EQ(ruv_pipe_open(b, tcp_fd(t)), RUV_EEXIST);
  /* a pipe end watched by a poll handle, then held by a pipe handle */
  ASSERT_EQ(ruv_poll_new(loop, fds[0], &poll), 0);
  ASSERT_EQ(ruv_pipe_open(b, fds[0]), RUV_EEXIST);
  ASSERT_EQ(ruv_pipe_open(b, fds[1]), 0);
  ASSERT_EQ(ruv_poll_new(loop, fds[1], &poll), RUV_EEXIST);
  finish_loop(loop);
  /* the handles closed what they owned, never what they did not */
  ASSERT(!fd_is_open(sv[0]) && !fd_is_open(fds[1]));
  ASSERT(fd_is_open(sv[1]) && fd_is_open(fds[0]));
  close(sv[1]);
  close(fds[0]);
}

TEST_MAIN(TEST_ENTRY(socketpair_ends_talk), TEST_ENTRY(a_listening_socket_keeps_listening), TEST_ENTRY(pipe_ends_follow_their_access_mode),
          TEST_ENTRY(a_fifo_carries_bytes), TEST_ENTRY(files_and_directories_are_eperm),
          TEST_ENTRY(sockets_of_the_other_family_are_eafnosupport),
          TEST_ENTRY(one_owner_per_descriptor))
