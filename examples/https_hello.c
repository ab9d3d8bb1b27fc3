/*
 * https_hello - a first TLS server on ruv: answers every HTTPS request with "Hello, world!".
 *
 *   https_hello PORT CERT KEY [MAX_CONNECTIONS]
 *
 * Listens on 127.0.0.1:PORT (0: the kernel chooses; the port is printed), presents the PEM
 * certificate chain CERT with the PEM key KEY, offers ALPN http/1.1, and answers each request
 * (one per connection) with 200 and "Hello, world!\n", then close_notify. Each connection
 * prints one line: the name the client asked for (SNI), the version, cipher and ALPN, or the
 * TLS error. With MAX_CONNECTIONS it exits after that many connections.
 *
 *   curl --cacert ca.pem https://localhost:PORT/
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ruv.h"

static const char RESPONSE[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 14\r\n"
    "Connection: close\r\n\r\nHello, world!\n";

typedef struct {
  char request[8192];
  size_t len;
  int answered;
} conn_t;

static ruv_tls_config_t *config;
static ruv_tcp_t *server;
static long served, max_connections;

static void on_close(ruv_handle_t *h) {
  free(ruv_handle_get_data(h));
  if (max_connections > 0 && ++served == max_connections && !ruv_is_closing(RUV_HANDLE(server)))
    ruv_close(RUV_HANDLE(server), NULL);
}

static void on_shutdown(ruv_tcp_t *tcp, int status) {
  (void)status;
  ruv_close(RUV_HANDLE(tcp), on_close);
}

static void on_handshake(ruv_stream_t *s, int status) {
  char sni[256], alpn[256];
  size_t sni_len = sizeof sni, alpn_len = sizeof alpn;
  if (status != 0) {
    printf("tls error: %s: %s\n", ruv_err_name(status), ruv_tls_last_error(s));
    fflush(stdout);
    ruv_close(RUV_HANDLE(s), on_close);
    return;
  }
  if (ruv_tls_get_server_name(s, sni, &sni_len) != 0) sni_len = 0;
  if (ruv_tls_get_alpn(s, alpn, &alpn_len) != 0) alpn_len = 0;
  printf("sni=%s version=%s cipher=%s alpn=%s\n", sni_len ? sni : "-",
         ruv_tls_get_version(s) == RUV_TLS_1_3 ? "TLSv1.3" : "TLSv1.2", ruv_tls_get_cipher(s),
         alpn_len ? alpn : "-");
  fflush(stdout);
}

static void on_read(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  conn_t *c = ruv_handle_get_data(RUV_HANDLE(tcp));
  ruv_buf_t buf;
  if (nread < 0) {
    /* RUV_EOF, a truncation (RUV_ECONNRESET) or a TLS error: nothing more to answer. */
    if (!ruv_is_closing(RUV_HANDLE(tcp))) ruv_close(RUV_HANDLE(tcp), on_close);
    return;
  }
  if (c->answered) return;
  if ((size_t)nread > sizeof c->request - 1 - c->len) nread = (ssize_t)(sizeof c->request - 1 - c->len);
  memcpy(c->request + c->len, data, (size_t)nread);
  c->len += (size_t)nread;
  c->request[c->len] = '\0';
  if (strstr(c->request, "\r\n\r\n") == NULL && c->len < sizeof c->request - 1) return;
  c->answered = 1;
  buf.base = RESPONSE;
  buf.len = sizeof RESPONSE - 1;
  if (ruv_tcp_write(tcp, &buf, 1, NULL, NULL) != 0 || ruv_tcp_shutdown(tcp, on_shutdown) != 0)
    ruv_close(RUV_HANDLE(tcp), on_close);
}

static void on_connection(ruv_tcp_t *srv, int status) {
  ruv_tcp_t *client;
  conn_t *c;
  if (status != 0 || ruv_tcp_new(ruv_handle_get_loop(RUV_HANDLE(srv)), AF_UNSPEC, &client) != 0)
    return;
  c = calloc(1, sizeof *c);
  ruv_handle_set_data(RUV_HANDLE(client), c);
  if (!c || ruv_tcp_accept(srv, client) != 0 || ruv_tcp_start_read(client, on_read) != 0 ||
      ruv_tls_start(RUV_STREAM(client), config, NULL, on_handshake) != 0)
    ruv_close(RUV_HANDLE(client), on_close);
}

int main(int argc, char **argv) {
  static const char *alpn[] = {"http/1.1"};
  struct sockaddr_in addr;
  struct sockaddr_storage bound;
  int len = sizeof bound, err;
  ruv_loop_t *loop;

  if (argc < 4) {
    fprintf(stderr, "usage: %s PORT CERT KEY [MAX_CONNECTIONS]\n", argv[0]);
    return 2;
  }
  max_connections = argc > 4 ? atol(argv[4]) : 0;
  if ((err = ruv_tls_config_new_server_files(argv[2], argv[3], &config)) != 0 ||
      (err = ruv_tls_config_set_alpn(config, alpn, 1)) != 0) {
    fprintf(stderr, "error: certificate or key: %s\n", ruv_strerror(err));
    return 1;
  }
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)atoi(argv[1]));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if ((err = ruv_loop_new(&loop)) != 0 || (err = ruv_tcp_new(loop, AF_INET, &server)) != 0 ||
      (err = ruv_tcp_bind(server, (struct sockaddr *)&addr, 0)) != 0 ||
      (err = ruv_tcp_listen(server, 0, on_connection)) != 0 ||
      (err = ruv_tcp_getsockname(server, (struct sockaddr *)&bound, &len)) != 0) {
    fprintf(stderr, "error: %s\n", ruv_strerror(err));
    return 1;
  }
  printf("listening on port %d\n", ntohs(((struct sockaddr_in *)&bound)->sin_port));
  fflush(stdout);
  ruv_run(loop, RUV_RUN_DEFAULT);
  ruv_loop_close(loop);
  ruv_tls_config_free(config);
  return 0;
}
