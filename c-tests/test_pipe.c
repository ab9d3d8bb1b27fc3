/*
 * test_pipe.c - pipe names (DESIGN §8 "Pipe names"): paths and abstract names, namelen without
 * a NUL, ENAMETOOLONG, EADDRINUSE, getsockname/getpeername buffers (ENOBUFS with *len set, the
 * exact size, unbound, ENOTCONN), unlink on close, chmod, connect errors only through the
 * callback, ipc, and the handle's type.
 */
#include "streams.h"

static void bind_ok(ruv_pipe_t *p, const char *name, size_t len) {
  ASSERT_EQ(ruv_pipe_bind(p, name, len), 0);
}

/* getsockname into a buffer of `room` bytes; returns the result, *len as it came back. */
static int sockname(ruv_pipe_t *p, char *buf, size_t room, size_t *len) {
  *len = room;
  return ruv_pipe_getsockname(p, buf, len);
}

TEST_CASE(path_name_round_trips_without_nul) {
  ruv_loop_t *loop = make_loop();
  ruv_pipe_t *p = make_pipe(loop);
  char path[160], buf[160];
  size_t len, plen;
  snprintf(path, sizeof path, "%s", tmp_path("named.sock"));
  plen = strlen(path);
  bind_ok(p, path, plen);
  ASSERT(path_exists(path));
  /* too small by one: ENOBUFS, and *len says how much is needed */
  memset(buf, '#', sizeof buf);
  ASSERT_EQ(sockname(p, buf, plen - 1, &len), RUV_ENOBUFS);
  ASSERT_EQ(len, plen);
  ASSERT_EQ(buf[0], '#');
  /* exactly the name's length is enough: no NUL is written */
  ASSERT_EQ(sockname(p, buf, plen, &len), 0);
  ASSERT_EQ(len, plen);
  ASSERT_EQ(memcmp(buf, path, plen), 0);
  ASSERT_EQ(buf[plen], '#');
  ASSERT_EQ(ruv_pipe_getsockname(p, NULL, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_getsockname(p, buf, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_bind(p, path, plen), RUV_EINVAL); /* already bound */
  ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(p)), RUV_NAMED_PIPE);
  finish_loop(loop);
}

TEST_CASE(namelen_excludes_what_follows) {
  ruv_loop_t *loop = make_loop();
  ruv_pipe_t *p = make_pipe(loop);
  char name[200], buf[200];
  size_t len, plen;
  snprintf(name, sizeof name, "%sJUNK", tmp_path("prefix.sock"));
  plen = strlen(name) - 4; /* the name is the prefix; no NUL follows it */
  bind_ok(p, name, plen);
  name[plen] = '\0';
  ASSERT(path_exists(name));
  ASSERT_EQ(sockname(p, buf, sizeof buf, &len), 0);
  ASSERT_EQ(len, plen);
  finish_loop(loop);
}

TEST_CASE(abstract_names_leave_nothing_behind) {
  ruv_loop_t *loop = make_loop();
  ruv_pipe_t *p = make_pipe(loop);
  stream_pair pr;
  char name[64], buf[64];
  size_t len, nlen;
  int n = snprintf(name + 1, sizeof name - 1, "ruv-test-%d-abstract", (int)getpid());
  name[0] = '\0';
  nlen = (size_t)n + 1;
  bind_ok(p, name, nlen);
  ASSERT_EQ(sockname(p, buf, sizeof buf, &len), 0);
  ASSERT_EQ(len, nlen);
  ASSERT_EQ(memcmp(buf, name, nlen), 0); /* with its leading NUL */
  ASSERT_EQ(ruv_pipe_chmod(p, RUV_READABLE), RUV_EINVAL);
  ASSERT_EQ(ruv_listen(RUV_STREAM(p), 4, pair_connection_cb), 0);
  memset(&pr, 0, sizeof pr);
  pr.kind = KIND_PIPE;
  ruv_handle_set_data(RUV_HANDLE(p), &pr);
  pr.server = RUV_STREAM(p);
  pr.client = RUV_STREAM(make_pipe(loop));
  ruv_handle_set_data(RUV_HANDLE(pr.client), &pr);
  ASSERT_EQ(ruv_pipe_connect((ruv_pipe_t *)pr.client, name, nlen, pair_connect_cb), 0);
  run_until(loop, &pr.connected);
  ASSERT_EQ(pr.connect_status, 0);
  len = sizeof buf;
  ASSERT_EQ(ruv_pipe_getpeername((ruv_pipe_t *)pr.client, buf, &len), 0);
  ASSERT_EQ(len, nlen);
  ASSERT_EQ(memcmp(buf, name, nlen), 0);
  finish_loop(loop);
}

TEST_CASE(too_long_names_and_bad_arguments) {
  ruv_loop_t *loop = make_loop();
  ruv_pipe_t *p = make_pipe(loop);
  char name[256];
  const char *dir = tmp_path("");
  size_t dlen = strlen(dir);
  ruv_pipe_t *out = NULL;
  /* a path of 108 bytes needs 109 with its NUL: too long; 107 fits */
  memset(name, 'n', sizeof name);
  memcpy(name, dir, dlen);
  ASSERT_EQ(ruv_pipe_bind(p, name, 108), RUV_ENAMETOOLONG);
  ASSERT_EQ(ruv_pipe_connect(p, name, 108, pair_connect_cb), RUV_ENAMETOOLONG);
  ASSERT_EQ(ruv_pipe_bind(p, name, 200), RUV_ENAMETOOLONG);
  bind_ok(p, name, 107);
  /* an abstract name may use all 108 bytes */
  p = make_pipe(loop);
  name[0] = '\0';
  ASSERT_EQ(ruv_pipe_bind(p, name, 109), RUV_ENAMETOOLONG);
  bind_ok(p, name, 108);
  p = make_pipe(loop);
  ASSERT_EQ(ruv_pipe_bind(p, NULL, 4), RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_bind(p, "x", 0), RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_bind(p, "a\0b", 3), RUV_EINVAL); /* a NUL inside a path */
  ASSERT_EQ(ruv_pipe_connect(p, "x", 1, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_connect(p, NULL, 1, pair_connect_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_new(loop, 1, &out), RUV_ENOTSUP);
  ASSERT_NULL(out);
  ASSERT_EQ(ruv_pipe_new(loop, 0, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_new(NULL, 0, &out), RUV_EINVAL);
  ASSERT_EQ(ruv_listen(RUV_STREAM(p), 4, pair_connection_cb), RUV_EINVAL); /* unbound */
  finish_loop(loop);
}

TEST_CASE(bind_to_an_existing_path_is_eaddrinuse) {
  ruv_loop_t *loop = make_loop();
  ruv_pipe_t *a = make_pipe(loop), *b = make_pipe(loop);
  const char *path = tmp_path("taken.sock");
  int fd = open(path, O_CREAT | O_WRONLY, 0600);
  ASSERT_GE(fd, 0);
  close(fd);
  ASSERT_EQ(ruv_pipe_bind(a, path, strlen(path)), RUV_EADDRINUSE);
  ASSERT_EQ(unlink(path), 0);
  bind_ok(a, path, strlen(path));
  ASSERT_EQ(ruv_pipe_bind(b, path, strlen(path)), RUV_EADDRINUSE);
  /* a failed bind leaves b usable */
  path = tmp_path("other.sock");
  bind_ok(b, path, strlen(path));
  finish_loop(loop);
}

TEST_CASE(unbound_and_unconnected_names) {
  ruv_loop_t *loop = make_loop();
  ruv_pipe_t *p = make_pipe(loop);
  stream_pair pr;
  char buf[160];
  size_t len = sizeof buf;
  ASSERT_EQ(ruv_pipe_getsockname(p, buf, &len), 0);
  ASSERT_EQ(len, 0);
  len = sizeof buf;
  ASSERT_EQ(ruv_pipe_getpeername(p, buf, &len), RUV_ENOTCONN);
  ASSERT_EQ(len, sizeof buf);
  make_stream_pair(loop, KIND_PIPE, &pr);
  len = sizeof buf;
  ASSERT_EQ(ruv_pipe_getpeername((ruv_pipe_t *)pr.server, buf, &len), RUV_ENOTCONN);
  /* the client is unnamed, its peer is the server's path */
  ASSERT_EQ(sockname((ruv_pipe_t *)pr.client, buf, sizeof buf, &len), 0);
  ASSERT_EQ(len, 0);
  len = 3;
  ASSERT_EQ(ruv_pipe_getpeername((ruv_pipe_t *)pr.client, buf, &len), RUV_ENOBUFS);
  ASSERT_EQ(len, strlen(pr.path));
  ASSERT_EQ(ruv_pipe_getpeername((ruv_pipe_t *)pr.client, buf, &len), 0);
  ASSERT_EQ(memcmp(buf, pr.path, len), 0);
  /* a connected pipe can neither bind nor connect again */
  ASSERT_EQ(ruv_pipe_bind((ruv_pipe_t *)pr.client, "x", 1), RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_connect((ruv_pipe_t *)pr.client, pr.path, strlen(pr.path), pair_connect_cb),
            RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_connect((ruv_pipe_t *)pr.server, pr.path, strlen(pr.path), pair_connect_cb),
            RUV_EINVAL); /* listening */
  /* the accepted side is named after the listener */
  ASSERT_EQ(sockname((ruv_pipe_t *)pr.peer, buf, sizeof buf, &len), 0);
  ASSERT_EQ(len, strlen(pr.path));
  finish_loop(loop);
}

static int closed_count;
static void count_close_cb(ruv_handle_t *h) {
  (void)h;
  closed_count++;
}

TEST_CASE(the_bound_path_is_removed_on_close) {
  ruv_loop_t *loop = make_loop();
  ruv_pipe_t *p = make_pipe(loop);
  const char *path = tmp_path("gone.sock");
  char keep[160];
  snprintf(keep, sizeof keep, "%s", path);
  bind_ok(p, keep, strlen(keep));
  ASSERT_EQ(ruv_listen(RUV_STREAM(p), 4, pair_connection_cb), 0);
  ASSERT(path_exists(keep));
  ASSERT_EQ(ruv_close(RUV_HANDLE(p), count_close_cb), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(closed_count, 1);
  ASSERT(!path_exists(keep));
  /* the path is free again */
  p = make_pipe(loop);
  bind_ok(p, keep, strlen(keep));
  finish_loop(loop);
  ASSERT(!path_exists(keep));
}

TEST_CASE(chmod_adds_permissions) {
  ruv_loop_t *loop = make_loop();
  ruv_pipe_t *p = make_pipe(loop), *unbound = make_pipe(loop);
  const char *path = tmp_path("mode.sock");
  struct stat st;
  ruv_timer_t *timer;
  bind_ok(p, path, strlen(path));
  ASSERT_EQ(chmod(path, 0600), 0);
  ASSERT_EQ(ruv_pipe_chmod(p, RUV_READABLE), 0);
  ASSERT_EQ(stat(path, &st), 0);
  ASSERT_EQ(st.st_mode & 0777, 0644);
  ASSERT_EQ(ruv_pipe_chmod(p, RUV_WRITABLE), 0);
  ASSERT_EQ(stat(path, &st), 0);
  ASSERT_EQ(st.st_mode & 0777, 0666);
  ASSERT_EQ(chmod(path, 0600), 0);
  ASSERT_EQ(ruv_pipe_chmod(p, RUV_READABLE | RUV_WRITABLE), 0);
  ASSERT_EQ(stat(path, &st), 0);
  ASSERT_EQ(st.st_mode & 0777, 0666);
  ASSERT_EQ(ruv_pipe_chmod(p, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_chmod(p, 8), RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_chmod(p, -1), RUV_EINVAL);
  ASSERT_EQ(ruv_pipe_chmod(unbound, RUV_READABLE), RUV_EINVAL);
  ASSERT_EQ(ruv_timer_new(loop, &timer), 0);
  ASSERT_EQ(ruv_pipe_chmod((ruv_pipe_t *)timer, RUV_READABLE), RUV_EINVAL);
  finish_loop(loop);
}

static void connect_status_cb(ruv_stream_t *s, int status) {
  int *out = (int *)ruv_handle_get_data(RUV_HANDLE(s));
  ASSERT_EQ(*out, 1); /* not yet reported */
  *out = status;
}

static int connect_result(ruv_loop_t *loop, const char *path) {
  ruv_pipe_t *c = make_pipe(loop);
  int status = 1;
  ruv_handle_set_data(RUV_HANDLE(c), &status);
  ASSERT_EQ(ruv_pipe_connect(c, path, strlen(path), connect_status_cb), 0);
  ASSERT_EQ(status, 1); /* never from inside the call */
  while (status == 1) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(c), NULL), 0);
  return status;
}

TEST_CASE(connect_errors_come_through_the_callback) {
  ruv_loop_t *loop = make_loop();
  ruv_pipe_t *bound = make_pipe(loop);
  const char *path = tmp_path("nobody.sock");
  char keep[160];
  snprintf(keep, sizeof keep, "%s", path);
  ASSERT_EQ(connect_result(loop, keep), RUV_ENOENT);
  bind_ok(bound, keep, strlen(keep)); /* bound, not listening */
  ASSERT_EQ(connect_result(loop, keep), RUV_ECONNREFUSED);
  finish_loop(loop);
}

TEST_MAIN(TEST_ENTRY(path_name_round_trips_without_nul), TEST_ENTRY(namelen_excludes_what_follows),
          TEST_ENTRY(abstract_names_leave_nothing_behind),
          TEST_ENTRY(too_long_names_and_bad_arguments),
          TEST_ENTRY(bind_to_an_existing_path_is_eaddrinuse),
          TEST_ENTRY(unbound_and_unconnected_names), TEST_ENTRY(the_bound_path_is_removed_on_close),
          TEST_ENTRY(chmod_adds_permissions), TEST_ENTRY(connect_errors_come_through_the_callback))
