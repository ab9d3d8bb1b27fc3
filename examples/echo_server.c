/*
 * echo_server.c — a TCP (and Unix-domain socket) echo server on ruv.
 *
 *   echo_server [PORT [MAX_CONNECTIONS]] [--threads N] [--idle-ms MS] [--stop-after-ms MS]
 *               [--write-limit BYTES] [--pipe PATH]
 *
 * Listens on 0.0.0.0:PORT (default 7000; 0 lets the kernel choose), prints the
 * port it listens on, and echoes every byte back.  A connection is closed
 * cleanly when the peer ends its side: the echoes still queued are flushed,
 * then the server shuts down its side and closes.  With MAX_CONNECTIONS > 0 the
 * server stops listening after that many connections and exits once they have
 * closed (used by the tests).
 *
 * --threads N        N loops in N threads, all listening on the port (RUV_TCP_REUSEPORT); the
 *                    kernel spreads the connections over them.
 * --idle-ms MS       close a connection that made no progress for MS ms: one ruv timer per
 *                    connection, restarted on every read (and every drain); an expiry counts
 *                    only once an I/O phase has run after it (timers run before I/O, so after a
 *                    busy iteration the client's bytes may be waiting unread; a check handle
 *                    counts the I/O phases). A connection whose
 *                    echoes are still queued (the peer is not reading them) is reset
 *                    (ruv_tcp_close_reset), an idle one is closed normally.
 * --stop-after-ms MS a helper thread sleeps MS ms, then wakes every loop with ruv_async_send;
 *                    the async callback closes every handle (ruv_walk) and the server exits 0.
 * --write-limit B    backpressure, as a proxy does it: when more than B/4 bytes of echoes are
 *                    queued for a client that does not read them, the server stops reading from
 *                    that client (it stops producing); the drain callback (queue down to B/16)
 *                    starts reading again. A write that would queue more than B bytes is refused
 *                    (RUV_ENOBUFS) and the connection is reset. The kernel's send buffer is capped
 *                    at B too (SO_SNDBUF). Default 1 MiB.
 *
 * --pipe PATH        also serve a Unix-domain socket at PATH (`nc -U PATH`), with the same code:
 *                    every connection is a ruv_stream_t, TCP or pipe. The path must not exist;
 *                    it is removed when the server stops. MAX_CONNECTIONS counts both kinds.
 *
 * SIGINT or SIGTERM stops the server the same clean way (ruv signal handles on loop 0: the
 * callback runs from the loop, closes every handle, and the server exits 0).
 */
#define _POSIX_C_SOURCE 200809L
#include "server_common.h"

/* A connection: nothing beyond what server_common.h keeps for every server. */
typedef conn_base conn_t;

static void on_read(ruv_stream_t *s, ssize_t nread, const char *data);

/* The queue fell to the low watermark: the client reads again, so we do too. */
static void on_drain(ruv_stream_t *s) {
  conn_t *c = ruv_handle_get_data(RUV_HANDLE(s));
  touch(c);
  if (!c->paused) return;
  c->paused = 0;
  if (ruv_read_start(s, on_read) != 0) close_conn(c, 0);
}

static void on_read(ruv_stream_t *s, ssize_t nread, const char *data) {
  conn_t *c = ruv_handle_get_data(RUV_HANDLE(s));
  ruv_buf_t buf;
  int r;

  if (nread == RUV_EOF) {
    /* the peer is done sending: flush our echoes, then close */
    ruv_read_stop(s);
    if (ruv_shutdown(s, conn_shutdown_done) != 0) close_conn(c, 0);
    return;
  }
  if (nread < 0) {
    fprintf(stderr, "read error: %s\n", ruv_strerror((int)nread));
    close_conn(c, 0);
    return;
  }
  touch(c);
  /* `data` is only valid during this callback; ruv copies what it cannot
   * write at once, so no buffer management is needed here. */
  buf.base = data;
  buf.len = (size_t)nread;
  r = ruv_write(s, &buf, 1, NULL, NULL);
  if (r != 0) {
    if (r != RUV_ENOBUFS) fprintf(stderr, "write error: %s\n", ruv_strerror(r));
    close_conn(c, r == RUV_ENOBUFS); /* refused: the stream cannot go on intact */
    return;
  }
  if (ruv_stream_get_write_queue_size(s) > HIGH_WATER(&opts)) {
    c->paused = 1; /* congested: stop producing until on_drain */
    ruv_read_stop(s);
  }
}

static void on_connection(ruv_stream_t *server, int status) {
  conn_t *c;
  if (status != 0) {
    fprintf(stderr, "connection error: %s\n", ruv_strerror(status));
    return;
  }
  c = calloc(1, sizeof *c);
  if (c == NULL) return; /* the connection stays pending; try later */
  accept_conn(server, c, "echo_server", 0, on_drain, on_read);
}

int main(int argc, char **argv) {
  struct sockaddr_storage addr;
  long port = 7000;
  int bound_port = 0, r;

  if (parse_server_options(&argc, argv, &opts) != 0 || argc > 3 ||
      (argc > 1 && parse_long(argv[1], 0, 65535, &port) != 0) ||
      (argc > 2 && parse_long(argv[2], 0, 1000000000L, &srv.max_connections) != 0)) {
    fprintf(stderr,
            "usage: %s [PORT [MAX_CONNECTIONS]] [--threads N] [--idle-ms MS]\n"
            "          [--stop-after-ms MS] [--write-limit BYTES] [--pipe PATH]\n",
            argv[0]);
    return 2;
  }
  memset(&addr, 0, sizeof addr);
  if ((r = ruv_ip4_addr("0.0.0.0", (int)port, (struct sockaddr_in *)&addr)) != 0 ||
      (r = servers_listen(&opts, &addr, on_connection, &bound_port)) != 0) {
    fprintf(stderr, "echo_server: %s (%s)\n", ruv_strerror(r), ruv_err_name(r));
    return 1;
  }
  printf("echo server listening on 0.0.0.0:%d\n", bound_port);
  if (opts.pipe != NULL) printf("echo server listening on pipe %s\n", opts.pipe);
  if (opts.threads > 1) printf("%ld threads, one loop each (SO_REUSEPORT)\n", opts.threads);
  fflush(stdout);

  r = servers_run(&opts);
  printf("echo server done: %ld connection(s) served", srv.accepted);
  if (opts.threads > 1) {
    printf(" (per thread: ");
    print_per_thread(stdout);
    printf(")");
  }
  printf("\n");
  return r;
}
