/*
 * client.c — a line-oriented TCP client on ruv: sends what it reads from stdin, prints what
 * the server sends back.
 *
 *   client [--timeout-ms MS] [HOST] PORT
 *       HOST: a host name or an IPv4/IPv6 address (default 127.0.0.1); names are resolved on
 *       ruv's worker pool and connected with Happy Eyeballs (ruv_tcp_connect_host).
 *       --timeout-ms: give up connecting after MS milliseconds (RUV_ETIMEDOUT).
 *
 *   ./build/examples/echo_server 0 &      # prints the port it listens on
 *   ./build/examples/client localhost PORT
 *
 * Every complete line read from stdin is sent as soon as it is complete; at the end of stdin
 * the rest is sent and the client shuts down its side of the connection, then prints replies
 * until the server closes. Exit status 0 when the server closed the connection cleanly.
 *
 * ruv has no stdin handle, so this also shows how to embed a ruv loop in another poll loop:
 * poll(2) waits on ruv_backend_fd() and stdin with ruv_backend_timeout(), then
 * ruv_run(RUV_RUN_NOWAIT) runs whatever became ready.  Reading stdin pauses while more than
 * MAX_QUEUED bytes wait to be sent, so a server that does not read cannot make us buffer
 * all of stdin.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ruv.h"

#define MAX_QUEUED (1024 * 1024)

static ruv_tcp_t *conn;
static int connected;    /* the connect succeeded */
static int stdin_open = 1;
static int finished;     /* the connection is closed: leave the poll loop */
static int exit_status;

/* stdin bytes after the last newline, sent once the line is complete (or at EOF) */
static char *pending;
static size_t pending_len, pending_cap;

static void on_closed(ruv_handle_t *handle) {
  (void)handle;
  finished = 1;
}

static void fail(const char *what, int err) {
  fprintf(stderr, "client: %s: %s\n", what, ruv_strerror(err));
  exit_status = 1;
  if (!ruv_is_closing(RUV_HANDLE(conn))) ruv_close(RUV_HANDLE(conn), on_closed);
}

static void on_read(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  if (nread == RUV_EOF) {
    if (stdin_open) fprintf(stderr, "client: the server closed the connection\n");
    ruv_close(RUV_HANDLE(tcp), on_closed);
    return;
  }
  if (nread < 0) {
    fail("read", (int)nread);
    return;
  }
  fwrite(data, 1, (size_t)nread, stdout);
  fflush(stdout);
}

static void on_connect(ruv_tcp_t *tcp, int status) {
  int r;
  if (status != 0) {
    fail("connect", status);
    return;
  }
  connected = 1;
  if ((r = ruv_tcp_start_read(tcp, on_read)) != 0) fail("start_read", r);
}

static void on_shutdown(ruv_tcp_t *tcp, int status) {
  (void)tcp;
  if (status != 0 && status != RUV_ECANCELED) fail("shutdown", status);
}

static void send_bytes(const char *data, size_t len) {
  ruv_buf_t buf;
  int r;
  if (len == 0) return;
  buf.base = data;
  buf.len = len;
  /* ruv copies what it cannot send at once: `data` may be reused right away */
  if ((r = ruv_tcp_write(conn, &buf, 1, NULL, NULL)) != 0) fail("write", r);
}

/* Read what stdin has; send the complete lines, keep the rest for later. */
static void read_stdin(void) {
  char chunk[16384];
  ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
  const char *last_nl;
  int r;

  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN) return;
    perror("client: stdin");
    n = 0; /* treat as end of input */
  }
  if (n == 0) {
    stdin_open = 0;
    send_bytes(pending, pending_len);
    pending_len = 0;
    if (!ruv_is_closing(RUV_HANDLE(conn)) &&
        (r = ruv_tcp_shutdown(conn, on_shutdown)) != 0)
      fail("shutdown", r);
    return;
  }
  last_nl = NULL;
  for (ssize_t i = n; i > 0; i--) {
    if (chunk[i - 1] == '\n') {
      last_nl = chunk + i - 1;
      break;
    }
  }
  if (last_nl != NULL) {
    size_t head = (size_t)(last_nl - chunk) + 1;
    send_bytes(pending, pending_len); /* the start of the first line */
    pending_len = 0;
    send_bytes(chunk, head);
    memmove(chunk, chunk + head, (size_t)n - head);
    n -= (ssize_t)head;
  }
  if (n > 0) { /* an incomplete line: keep it */
    if (pending_len + (size_t)n > pending_cap) {
      size_t cap = (pending_len + (size_t)n) * 2;
      char *p = realloc(pending, cap);
      if (p == NULL) {
        fail("stdin buffer", RUV_ENOMEM);
        return;
      }
      pending = p;
      pending_cap = cap;
    }
    memcpy(pending + pending_len, chunk, (size_t)n);
    pending_len += (size_t)n;
  }
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1";
  const char *port_arg;
  ruv_loop_t *loop;
  char *end;
  long port, timeout_ms = 0;
  int r;

  if (argc >= 3 && strcmp(argv[1], "--timeout-ms") == 0) {
    timeout_ms = strtol(argv[2], &end, 10);
    if (*argv[2] == '\0' || *end != '\0' || timeout_ms < 1) {
      fprintf(stderr, "client: bad timeout '%s'\n", argv[2]);
      return 2;
    }
    argc -= 2;
    argv += 2;
  }
  if (argc == 2) {
    port_arg = argv[1];
  } else if (argc == 3) {
    host = argv[1];
    port_arg = argv[2];
  } else {
    fprintf(stderr, "usage: client [--timeout-ms MS] [HOST] PORT\n");
    return 2;
  }
  port = strtol(port_arg, &end, 10);
  if (*port_arg == '\0' || *end != '\0' || port < 1 || port > 65535) {
    fprintf(stderr, "client: bad port '%s'\n", port_arg);
    return 2;
  }

  if ((r = ruv_loop_new(&loop)) != 0 || (r = ruv_tcp_new(loop, AF_UNSPEC, &conn)) != 0 ||
      (r = ruv_tcp_set_connect_timeout(conn, (uint64_t)timeout_ms)) != 0 ||
      (r = ruv_tcp_connect_host(conn, host, (int)port, on_connect)) != 0) {
    fprintf(stderr, "client: %s (%s)\n", ruv_strerror(r), ruv_err_name(r));
    return 1;
  }

  while (!finished) {
    struct pollfd fds[2];
    nfds_t nfds = 1;
    int want_stdin = connected && stdin_open && !ruv_is_closing(RUV_HANDLE(conn)) &&
                     ruv_tcp_write_queue_size(conn) <= MAX_QUEUED;

    fds[0].fd = ruv_backend_fd(loop);
    fds[0].events = POLLIN;
    if (want_stdin) {
      fds[1].fd = STDIN_FILENO;
      fds[1].events = POLLIN;
      nfds = 2;
    }
    /* -1 = nothing pending in the loop: sleep until the socket or stdin wakes us */
    if (poll(fds, nfds, ruv_backend_timeout(loop)) < 0 && errno != EINTR) {
      perror("client: poll");
      return 1;
    }
    if (want_stdin && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) read_stdin();
    r = ruv_run(loop, RUV_RUN_NOWAIT);
    if (r < 0) {
      fprintf(stderr, "client: ruv_run: %s\n", ruv_strerror(r));
      return 1;
    }
  }

  free(pending);
  if ((r = ruv_loop_close(loop)) != 0) {
    fprintf(stderr, "client: ruv_loop_close: %s\n", ruv_strerror(r));
    return 1;
  }
  return exit_status;
}
