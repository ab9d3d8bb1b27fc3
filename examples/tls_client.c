/*
 * tls_client - a TLS client on ruv: sends its standard input, then close_notify, and prints
 * what the server sends back until the server's close_notify.
 *
 *   tls_client HOST PORT --cafile F [--servername NAME] [--alpn PROTO] [--tls12]
 *              [--cert F --key F]
 *
 * HOST is an IP address (or "localhost", read as 127.0.0.1); the server's certificate must
 * chain to the CAs in --cafile and match --servername (default: HOST). The agreed version,
 * cipher suite and ALPN protocol go to stderr. Exit 0 after a clean close_notify; 1 with
 * "error: NAME: detail" on stderr otherwise (RUV_ECERT for a rejected certificate, RUV_ETLS
 * for a protocol failure, RUV_ECONNRESET for a truncated stream).
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ruv.h"

static ruv_tls_config_t *config;
static const char *server_name;
static char *input;
static size_t input_len;
static int exit_code = 1;

static void fail(ruv_tcp_t *tcp, int code) {
  fprintf(stderr, "error: %s: %s\n", ruv_err_name(code),
          *ruv_tls_last_error(RUV_STREAM(tcp)) ? ruv_tls_last_error(RUV_STREAM(tcp))
                                                 : ruv_strerror(code));
  exit_code = 1;
  if (!ruv_is_closing(RUV_HANDLE(tcp))) ruv_close(RUV_HANDLE(tcp), NULL);
}

static void on_read(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  if (nread > 0) {
    fwrite(data, 1, (size_t)nread, stdout);
    return;
  }
  if (nread == RUV_EOF) {
    exit_code = 0;
    ruv_close(RUV_HANDLE(tcp), NULL);
    return;
  }
  fail(tcp, (int)nread);
}

static void on_handshake(ruv_stream_t *s, int status) {
  char alpn[256];
  size_t len = sizeof alpn;
  if (status != 0) {
    fail((ruv_tcp_t *)s, status);
    return;
  }
  if (ruv_tls_get_alpn(s, alpn, &len) != 0) len = 0;
  fprintf(stderr, "tls: version=%s cipher=%s alpn=%s\n",
          ruv_tls_get_version(s) == RUV_TLS_1_3 ? "TLSv1.3" : "TLSv1.2", ruv_tls_get_cipher(s),
          len ? alpn : "-");
}

static void on_write(ruv_tcp_t *tcp, int status, void *arg) {
  (void)arg;
  if (status != 0 && !ruv_is_closing(RUV_HANDLE(tcp))) fail(tcp, status);
}

static void on_connect(ruv_tcp_t *tcp, int status) {
  ruv_buf_t buf;
  int err;
  if (status != 0) {
    fail(tcp, status);
    return;
  }
  if ((err = ruv_tcp_start_read(tcp, on_read)) != 0 ||
      (err = ruv_tls_start(RUV_STREAM(tcp), config, server_name, on_handshake)) != 0) {
    fail(tcp, err);
    return;
  }
  /* Queued until the handshake is over, then encrypted; close_notify follows them. */
  buf.base = input;
  buf.len = input_len;
  if ((err = ruv_tcp_write(tcp, &buf, 1, on_write, NULL)) != 0 ||
      (err = ruv_tcp_shutdown(tcp, NULL)) != 0)
    fail(tcp, err);
}

static char *read_all(FILE *f, size_t *len) {
  size_t cap = 65536, n = 0, got;
  char *buf = malloc(cap);
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      char *bigger = realloc(buf, cap *= 2);
      if (!bigger) break;
      buf = bigger;
    }
  }
  *len = n;
  return buf;
}

static int check(int err, const char *what) {
  if (err != 0) {
    fprintf(stderr, "error: %s: %s\n", what, ruv_strerror(err));
    exit(1);
  }
  return err;
}

int main(int argc, char **argv) {
  const char *host, *cafile = NULL, *alpn = NULL, *cert = NULL, *key = NULL;
  struct sockaddr_storage ss;
  struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
  ruv_loop_t *loop;
  ruv_tcp_t *tcp;
  int i, tls12 = 0, port;

  if (argc < 3) {
    fprintf(stderr, "usage: %s HOST PORT --cafile F [--servername N] [--alpn P] [--tls12] "
                    "[--cert F --key F]\n", argv[0]);
    return 2;
  }
  host = strcmp(argv[1], "localhost") == 0 ? "127.0.0.1" : argv[1];
  server_name = argv[1];
  port = atoi(argv[2]);
  for (i = 3; i < argc; i++) {
    const char *next = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(argv[i], "--tls12") == 0) tls12 = 1;
    else if (next && strcmp(argv[i], "--cafile") == 0) cafile = argv[++i];
    else if (next && strcmp(argv[i], "--servername") == 0) server_name = argv[++i];
    else if (next && strcmp(argv[i], "--alpn") == 0) alpn = argv[++i];
    else if (next && strcmp(argv[i], "--cert") == 0) cert = argv[++i];
    else if (next && strcmp(argv[i], "--key") == 0) key = argv[++i];
    else {
      fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  memset(&ss, 0, sizeof ss);
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((unsigned short)port);
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((unsigned short)port);
  } else {
    fprintf(stderr, "HOST must be an IP address or localhost\n");
    return 2;
  }
  input = read_all(stdin, &input_len);
  check(ruv_tls_config_new_client(&config), "config");
  if (cafile) check(ruv_tls_config_set_roots_file(config, cafile), "--cafile");
  if (alpn) check(ruv_tls_config_set_alpn(config, &alpn, 1), "--alpn");
  if (tls12) check(ruv_tls_config_set_versions(config, RUV_TLS_1_2, RUV_TLS_1_2), "--tls12");
  if (cert || key) {
    size_t cert_len, key_len;
    FILE *cf = cert ? fopen(cert, "rb") : NULL, *kf = key ? fopen(key, "rb") : NULL;
    char *c = cf ? read_all(cf, &cert_len) : NULL, *k = kf ? read_all(kf, &key_len) : NULL;
    if (!c || !k) {
      fprintf(stderr, "error: --cert and --key need readable files\n");
      return 2;
    }
    check(ruv_tls_config_set_client_cert(config, c, cert_len, k, key_len), "--cert/--key");
    fclose(cf);
    fclose(kf);
    free(c);
    free(k);
  }
  check(ruv_loop_new(&loop), "loop");
  check(ruv_tcp_new(loop, ss.ss_family, &tcp), "tcp");
  check(ruv_tcp_connect(tcp, (struct sockaddr *)&ss, on_connect), "connect");
  ruv_run(loop, RUV_RUN_DEFAULT);
  ruv_loop_close(loop);
  ruv_tls_config_free(config);
  free(input);
  fflush(stdout);
  return exit_code;
}
