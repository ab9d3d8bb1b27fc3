/*
 * tls_helpers.h - certificates made at test time (with the openssl command-line tool) and a
 * TLS endpoint that records what its callbacks saw, for the TLS C tests.
 *
 * tls_certs() makes them once per process, with scripts/make-test-certs.sh (which lists them),
 * in a fresh temporary directory removed at exit.
 */
#ifndef RUV_C_TEST_TLS_HELPERS_H
#define RUV_C_TEST_TLS_HELPERS_H

#include "helpers.h"

#include <sys/stat.h>

static char tls_dir_[256];

static inline void tls_cleanup_(void) {
  char cmd[320];
  if (tls_dir_[0] == '\0') return;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tls_dir_);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tls_dir_);
}

/* The path of `name` in the certificate directory (a static buffer per call slot). */
static inline const char *tls_path(const char *name) {
  static char paths[8][320];
  static int slot;
  char *p = paths[slot++ % 8];
  snprintf(p, 320, "%s/%s", tls_dir_, name);
  return p;
}

/* RUV_SOURCE_DIR (the source tree, for scripts/make-test-certs.sh) comes from CMake. */
#ifndef RUV_SOURCE_DIR
#error "RUV_SOURCE_DIR must be defined"
#endif

static inline const char *tls_certs(void) {
  char cmd[1024];
  const char *tmp = getenv("TMPDIR");
  if (tls_dir_[0] != '\0') return tls_dir_;
  snprintf(tls_dir_, sizeof tls_dir_, "%s/ruv-tls-XXXXXX", tmp ? tmp : "/tmp");
  ASSERT_NOT_NULL(mkdtemp(tls_dir_));
  atexit(tls_cleanup_);
  snprintf(cmd, sizeof cmd, "bash '%s/scripts/make-test-certs.sh' '%s'", RUV_SOURCE_DIR, tls_dir_);
  ASSERT_MSG(system(cmd) == 0, "making certificates with openssl failed");
  return tls_dir_;
}

/* The whole file `name` of the certificate directory, NUL-terminated (caller frees). */
static inline char *tls_read(const char *name, size_t *len) {
  FILE *f = fopen(tls_path(name), "rb");
  char *buf;
  long n;
  ASSERT_NOT_NULL(f);
  ASSERT_EQ(fseek(f, 0, SEEK_END), 0);
  n = ftell(f);
  ASSERT_GE(n, 0);
  rewind(f);
  buf = (char *)malloc((size_t)n + 1);
  ASSERT_NOT_NULL(buf);
  ASSERT_EQ(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  fclose(f);
  if (len) *len = (size_t)n;
  return buf;
}

/* A server config presenting `cert` (a file of the directory) with leaf.key. */
static inline ruv_tls_config_t *tls_server_config(const char *cert) {
  ruv_tls_config_t *c = NULL;
  tls_certs();
  ASSERT_EQ(ruv_tls_config_new_server_files(tls_path(cert), tls_path("leaf.key"), &c), 0);
  ASSERT_NOT_NULL(c);
  return c;
}

/* A client config trusting only ca.pem. */
static inline ruv_tls_config_t *tls_client_config(void) {
  ruv_tls_config_t *c = NULL;
  tls_certs();
  ASSERT_EQ(ruv_tls_config_new_client(&c), 0);
  ASSERT_EQ(ruv_tls_config_set_roots_file(c, tls_path("ca.pem")), 0);
  return c;
}

/* A ruv client connected to 127.0.0.1:port (run until the connect callback ran). */
static inline ruv_tcp_t *tls_connect_client(ruv_loop_t *loop, int port) {
  ruv_tcp_t *client = make_tcp(loop, AF_INET);
  struct sockaddr_storage ss = loopback(AF_INET, port);
  connect_flag f;
  memset(&f, 0, sizeof f);
  ruv_handle_set_data(RUV_HANDLE(client), &f);
  ASSERT_EQ(ruv_tcp_connect(client, (struct sockaddr *)&ss, connect_flag_cb), 0);
  while (!f.connected) ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
  ASSERT_EQ(f.status, 0);
  ruv_handle_set_data(RUV_HANDLE(client), NULL);
  return client;
}

/* ---- an endpoint that records its callbacks ------------------------------- */

typedef struct {
  ruv_tcp_t *tcp;
  int hs_calls, hs_status;
  int read_end;          /* the negative nread that ended reading, or 0 */
  int data_before_hs;    /* read data delivered before the handshake callback */
  int cb_before_hs;      /* write/shutdown callbacks before the handshake callback */
  char *data;            /* plaintext received */
  size_t len, cap;
  int writes_done, write_status, shutdown_calls, shutdown_status, closed;
  char order[64];        /* H(andshake) W(rite) S(hutdown) R(ead end) C(lose), in order */
  size_t norder;
} tls_end;

static inline void tls_note_(tls_end *e, char c) {
  if (e->norder + 1 < sizeof e->order) e->order[e->norder++] = c;
}

static inline tls_end *end_of(const void *h) {
  return (tls_end *)ruv_handle_get_data((ruv_handle_t *)h);
}

static inline void tls_hs_cb(ruv_stream_t *s, int status) {
  tls_end *e = end_of(s);
  e->hs_calls++;
  e->hs_status = status;
  tls_note_(e, 'H');
}

static inline void tls_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  tls_end *e = end_of(tcp);
  ASSERT_NE(nread, 0);
  if (nread < 0) {
    e->read_end = (int)nread;
    tls_note_(e, 'R');
    return;
  }
  if (e->hs_calls == 0) e->data_before_hs++;
  if (e->len + (size_t)nread > e->cap) {
    e->cap = (e->len + (size_t)nread) * 2;
    e->data = (char *)realloc(e->data, e->cap);
    ASSERT_NOT_NULL(e->data);
  }
  memcpy(e->data + e->len, data, (size_t)nread);
  e->len += (size_t)nread;
}

static inline void tls_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  tls_end *e = end_of(tcp);
  (void)arg;
  if (e->hs_calls == 0) e->cb_before_hs++;
  e->writes_done++;
  if (status != 0) e->write_status = status;
  tls_note_(e, 'W');
}

static inline void tls_shutdown_cb(ruv_tcp_t *tcp, int status) {
  tls_end *e = end_of(tcp);
  if (e->hs_calls == 0) e->cb_before_hs++;
  e->shutdown_calls++;
  e->shutdown_status = status;
  tls_note_(e, 'S');
}

static inline void tls_close_cb(ruv_handle_t *h) {
  tls_end *e = end_of(h);
  if (e) {
    e->closed = 1;
    tls_note_(e, 'C');
  }
}

/* Binds `e` to `tcp`, starts reading and starts TLS (server_name NULL for a server). */
static inline void tls_begin(tls_end *e, ruv_tcp_t *tcp, const ruv_tls_config_t *c,
                             const char *server_name) {
  e->tcp = tcp;
  ruv_handle_set_data(RUV_HANDLE(tcp), e);
  ASSERT_EQ(ruv_tcp_start_read(tcp, tls_read_cb), 0);
  ASSERT_EQ(ruv_tls_start(RUV_STREAM(tcp), c, server_name, tls_hs_cb), 0);
}

static inline void tls_end_free(tls_end *e) {
  free(e->data);
  e->data = NULL;
}

/* Writes `n` bytes of the pattern from offset `off`, with tls_write_cb. */
static inline void tls_write_pattern(ruv_tcp_t *tcp, size_t n, uint64_t off) {
  char *buf = (char *)malloc(n ? n : 1);
  ruv_buf_t b;
  ASSERT_NOT_NULL(buf);
  pattern_fill(buf, n, off);
  b.base = buf;
  b.len = n;
  ASSERT_EQ(ruv_tcp_write(tcp, &b, 1, tls_write_cb, NULL), 0);
  free(buf);
}

/* Runs until both handshake callbacks ran. */
static inline void tls_run_handshakes(ruv_loop_t *loop, tls_end *a, tls_end *b) {
  uint64_t deadline = test_now_ms() + 20000;
  while ((a->hs_calls == 0 || b->hs_calls == 0) && test_now_ms() < deadline)
    ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(a->hs_calls, 1);
  ASSERT_EQ(b->hs_calls, 1);
}

#endif /* RUV_C_TEST_TLS_HELPERS_H */
