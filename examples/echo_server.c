/*
 * echo_server.c — a TCP echo server on ruv.
 *
 *   echo_server [PORT [MAX_CONNECTIONS]]
 *
 * Listens on 0.0.0.0:PORT (default 7000; 0 lets the kernel choose), prints the
 * port it listens on, and echoes every byte back.  A connection is closed
 * cleanly when the peer ends its side: the echoes still queued are flushed,
 * then the server shuts down its side and closes.  With MAX_CONNECTIONS > 0 the
 * server stops listening after that many connections and exits once they have
 * closed (used by the tests).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ruv.h"

static long max_connections; /* 0 = serve forever */
static long accepted;
static long open_connections;

static void on_conn_closed(ruv_handle_t *handle) {
  (void)handle;
  open_connections--;
}

static void on_shutdown(ruv_tcp_t *conn, int status) {
  (void)status; /* flushed (0) or failed: either way, done */
  ruv_close(RUV_HANDLE(conn), on_conn_closed);
}

static void on_read(ruv_tcp_t *conn, ssize_t nread, const char *data) {
  ruv_buf_t buf;
  int r;

  if (nread == RUV_EOF) {
    /* the peer is done sending: flush our echoes, then close */
    ruv_tcp_stop_read(conn);
    if (ruv_tcp_shutdown(conn, on_shutdown) != 0)
      ruv_close(RUV_HANDLE(conn), on_conn_closed);
    return;
  }
  if (nread < 0) {
    fprintf(stderr, "read error: %s\n", ruv_strerror((int)nread));
    ruv_close(RUV_HANDLE(conn), on_conn_closed);
    return;
  }
  /* `data` is only valid during this callback; ruv copies what it cannot
   * write at once, so no buffer management is needed here. */
  buf.base = data;
  buf.len = (size_t)nread;
  r = ruv_tcp_write(conn, &buf, 1, NULL, NULL);
  if (r != 0) {
    fprintf(stderr, "write error: %s\n", ruv_strerror(r));
    ruv_close(RUV_HANDLE(conn), on_conn_closed);
  }
}

static void on_connection(ruv_tcp_t *server, int status) {
  ruv_tcp_t *conn;
  int r;

  if (status != 0) {
    fprintf(stderr, "connection error: %s\n", ruv_strerror(status));
    return;
  }
  r = ruv_tcp_new(ruv_handle_get_loop(RUV_HANDLE(server)), AF_UNSPEC, &conn);
  if (r != 0) {
    fprintf(stderr, "ruv_tcp_new: %s\n", ruv_strerror(r));
    return;
  }
  r = ruv_tcp_accept(server, conn);
  if (r == 0) r = ruv_tcp_start_read(conn, on_read);
  if (r != 0) {
    fprintf(stderr, "accept: %s\n", ruv_strerror(r));
    ruv_close(RUV_HANDLE(conn), NULL);
    return;
  }
  open_connections++;
  accepted++;
  if (max_connections > 0 && accepted >= max_connections)
    ruv_close(RUV_HANDLE(server), NULL); /* serve the open ones, then exit */
}

static int parse_long(const char *s, long lo, long hi, long *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

int main(int argc, char **argv) {
  ruv_loop_t *loop;
  ruv_tcp_t *server;
  struct sockaddr_in addr;
  struct sockaddr_storage bound;
  int namelen = (int)sizeof bound;
  long port = 7000;
  int r;

  if (argc > 3 || (argc > 1 && parse_long(argv[1], 0, 65535, &port) != 0) ||
      (argc > 2 && parse_long(argv[2], 0, 1000000000L, &max_connections) != 0)) {
    fprintf(stderr, "usage: %s [PORT [MAX_CONNECTIONS]]\n", argv[0]);
    return 2;
  }

  if ((r = ruv_loop_new(&loop)) != 0 ||
      (r = ruv_tcp_new(loop, AF_INET, &server)) != 0 ||
      (r = ruv_ip4_addr("0.0.0.0", (int)port, &addr)) != 0 ||
      (r = ruv_tcp_bind(server, (const struct sockaddr *)&addr, 0)) != 0 ||
      (r = ruv_tcp_listen(server, RUV_DEFAULT_BACKLOG, on_connection)) != 0 ||
      (r = ruv_tcp_getsockname(server, (struct sockaddr *)&bound, &namelen)) != 0) {
    fprintf(stderr, "echo_server: %s (%s)\n", ruv_strerror(r), ruv_err_name(r));
    return 1;
  }
  printf("echo server listening on 0.0.0.0:%d\n",
         ntohs(((struct sockaddr_in *)&bound)->sin_port));
  fflush(stdout);

  r = ruv_run(loop, RUV_RUN_DEFAULT);
  if (r < 0) {
    fprintf(stderr, "ruv_run: %s\n", ruv_strerror(r));
    return 1;
  }
  r = ruv_loop_close(loop);
  if (r != 0) {
    fprintf(stderr, "ruv_loop_close: %s\n", ruv_strerror(r));
    return 1;
  }
  printf("echo server done: %ld connection(s) served\n", accepted);
  return open_connections == 0 ? 0 : 1;
}
