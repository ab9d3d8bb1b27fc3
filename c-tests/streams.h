/*
 * streams.h - helpers for the stream, pipe and UDP tests (DESIGN §8): a temporary directory for
 * socket paths, handles of either stream kind, and a connected pair of streams of one kind
 * (TCP over 127.0.0.1 port 0, or a pipe over a fresh path).
 */
#ifndef RUV_C_TEST_STREAMS_H
#define RUV_C_TEST_STREAMS_H

#include "helpers.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/un.h>

/* ---- a temporary directory for socket paths (one per test process) ------- */

static char streams_dir_[64];

static inline void streams_rmdir_(void) {
  DIR *d = opendir(streams_dir_);
  struct dirent *e;
  char path[sizeof streams_dir_ + sizeof e->d_name + 1];
  if (d == NULL) return;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    snprintf(path, sizeof path, "%s/%s", streams_dir_, e->d_name);
    unlink(path);
  }
  closedir(d);
  rmdir(streams_dir_);
}

/* `dir/name` in a directory made for this process (removed at exit). */
static inline const char *tmp_path(const char *name) {
  static char path[192];
  if (streams_dir_[0] == '\0') {
    snprintf(streams_dir_, sizeof streams_dir_, "/tmp/ruv-stream-XXXXXX");
    ASSERT_NOT_NULL(mkdtemp(streams_dir_));
    atexit(streams_rmdir_);
  }
  snprintf(path, sizeof path, "%s/%s", streams_dir_, name);
  return path;
}

static inline int path_exists(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0;
}

/* ---- handles -------------------------------------------------------------- */

enum { KIND_TCP = 0, KIND_PIPE = 1 };

static inline ruv_pipe_t *make_pipe(ruv_loop_t *loop) {
  ruv_pipe_t *p = NULL;
  ASSERT_EQ(ruv_pipe_new(loop, 0, &p), 0);
  ASSERT_NOT_NULL(p);
  return p;
}

static inline ruv_udp_t *make_udp(ruv_loop_t *loop, int family) {
  ruv_udp_t *u = NULL;
  ASSERT_EQ(ruv_udp_new(loop, family, &u), 0);
  ASSERT_NOT_NULL(u);
  return u;
}

/* The descriptor of a handle that has one. */
static inline int fileno_or_die(const void *h) {
  int fd = -1;
  ASSERT_EQ(ruv_fileno((const ruv_handle_t *)h, &fd), 0);
  ASSERT_GE(fd, 0);
  return fd;
}

/* A new handle of `kind` with no socket yet. */
static inline ruv_stream_t *make_stream(ruv_loop_t *loop, int kind) {
  if (kind == KIND_PIPE) return RUV_STREAM(make_pipe(loop));
  return RUV_STREAM(make_tcp(loop, AF_UNSPEC));
}

/* ---- a connected pair ----------------------------------------------------- */

typedef struct {
  ruv_stream_t *server; /* listener */
  ruv_stream_t *client; /* connected client */
  ruv_stream_t *peer;   /* accepted server side */
  int kind;
  int connected;
  int connect_status;
  int accepted;
  char path[128];
} stream_pair;

static inline void pair_connection_cb(ruv_stream_t *server, int status) {
  stream_pair *p = (stream_pair *)ruv_handle_get_data(RUV_HANDLE(server));
  ASSERT_EQ(status, 0);
  p->peer = make_stream(ruv_handle_get_loop(RUV_HANDLE(server)), p->kind);
  ASSERT_EQ(ruv_accept(server, p->peer), 0);
  p->accepted++;
}

static inline void pair_connect_cb(ruv_stream_t *s, int status) {
  stream_pair *p = (stream_pair *)ruv_handle_get_data(RUV_HANDLE(s));
  p->connected = 1;
  p->connect_status = status;
}

/* ruv_tcp_connect takes a TCP-typed callback. */
static inline void pair_tcp_connect_cb(ruv_tcp_t *tcp, int status) {
  pair_connect_cb(RUV_STREAM(tcp), status);
}

/* A listener of `kind` (TCP on 127.0.0.1:0, or a pipe bound to a fresh path in p->path). */
static inline void pair_listen(ruv_loop_t *loop, int kind, stream_pair *p) {
  static int n;
  memset(p, 0, sizeof *p);
  p->kind = kind;
  p->server = make_stream(loop, kind);
  ruv_handle_set_data(RUV_HANDLE(p->server), p);
  if (kind == KIND_PIPE) {
    char name[32];
    snprintf(name, sizeof name, "pair-%d.sock", n++);
    snprintf(p->path, sizeof p->path, "%s", tmp_path(name));
    ASSERT_EQ(ruv_pipe_bind((ruv_pipe_t *)p->server, p->path, strlen(p->path)), 0);
  } else {
    struct sockaddr_storage ss = loopback(AF_INET, 0);
    ASSERT_EQ(ruv_tcp_bind((ruv_tcp_t *)p->server, (struct sockaddr *)&ss, 0), 0);
  }
  ASSERT_EQ(ruv_listen(p->server, 16, pair_connection_cb), 0);
}

/* Starts connecting a new client to the listener. */
static inline void pair_connect(ruv_loop_t *loop, stream_pair *p) {
  p->client = make_stream(loop, p->kind);
  ruv_handle_set_data(RUV_HANDLE(p->client), p);
  if (p->kind == KIND_PIPE) {
    ASSERT_EQ(ruv_pipe_connect((ruv_pipe_t *)p->client, p->path, strlen(p->path),
                               pair_connect_cb), 0);
  } else {
    struct sockaddr_storage ss = loopback(AF_INET, tcp_port((ruv_tcp_t *)p->server));
    ASSERT_EQ(ruv_tcp_connect((ruv_tcp_t *)p->client, (struct sockaddr *)&ss,
                              pair_tcp_connect_cb), 0);
  }
}

/* A listener, a connected client and the accepted peer, all of `kind`. */
static inline void make_stream_pair(ruv_loop_t *loop, int kind, stream_pair *p) {
  uint64_t deadline;
  int i;
  pair_listen(loop, kind, p);
  pair_connect(loop, p);
  deadline = test_now_ms() + 20000;
  for (i = 0; !(p->connected && p->accepted) && test_now_ms() < deadline; i++) {
    ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
    if (i % 16 == 15) test_sleep_ms(1);
  }
  ASSERT(p->connected && p->accepted);
  ASSERT_EQ(p->connect_status, 0);
}

/* Declares test `name` for TCP and for pipes: name_tcp and name_pipe run body(kind). */
#define BOTH_KINDS(name)                                   \
  static void name(int kind);                              \
  TEST_CASE(name##_tcp) { name(KIND_TCP); }                \
  TEST_CASE(name##_pipe) { name(KIND_PIPE); }              \
  static void name(int kind)

#define BOTH_ENTRIES(name) TEST_ENTRY(name##_tcp), TEST_ENTRY(name##_pipe)

#endif /* RUV_C_TEST_STREAMS_H */
