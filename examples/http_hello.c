/*
 * http_hello.c — a minimal HTTP/1.1 server on ruv that answers "Hello, world!".
 *
 *   http_hello [PORT [MAX_CONNECTIONS [ADDRESS]]] [--threads N] [--idle-ms MS]
 *              [--stop-after-ms MS] [--write-limit BYTES]
 *
 *   ./build/examples/http_hello 8080 &
 *   curl http://127.0.0.1:8080/
 *
 * Listens on ADDRESS (default 127.0.0.1; an IPv4 or IPv6 address) port PORT (default 8080;
 * 0 lets the kernel choose) and prints "http_hello listening on http://HOST:PORT/".
 * SIGINT or SIGTERM stops it cleanly (every handle closed, exit 0), as --stop-after-ms does.
 * GET or HEAD "/" answers 200 "Hello, world!\n", another path 404, another method 405.
 * With MAX_CONNECTIONS > 0 it stops listening after that many connections and exits once they
 * have closed (used by the tests).
 *
 * HTTP handling, kept small but correct for what it does:
 * - persistent connections: HTTP/1.1 keeps the connection unless "Connection: close",
 *   HTTP/1.0 closes it unless "Connection: keep-alive";
 * - requests may arrive in any pieces (byte by byte) or several at once (pipelining): they are
 *   answered in order; a request body (Content-Length) is read and discarded;
 * - malformed requests get 400, a request head over 8 KiB 431, Transfer-Encoding 501, an
 *   unknown HTTP version 505, and the connection is closed after the answer;
 * - back-pressure, as a proxy does it: when more than BYTES/4 of answers are queued because the
 *   client does not read them (ruv_tcp_set_watermarks), the server stops reading from it; the
 *   drain callback (queue down to BYTES/16) resumes reading. The requests already read are still
 *   answered (at most one read's worth). A write that would queue more than --write-limit BYTES
 *   (default 1 MiB) is refused (RUV_ENOBUFS): the client pipelined far more than it reads, and the
 *   connection is reset (ruv_tcp_close_reset). The kernel's send buffer is capped at BYTES too
 *   (SO_SNDBUF), or it would grow to megabytes for a client that never reads;
 * - --idle-ms MS closes a connection that made no progress (no request bytes read, no drain) for
 *   MS ms, with a reset if answers are still queued (the client is not reading them); an expiry
 *   counts only once an I/O phase has run after it, since timers run before I/O;
 * - requests are parsed in place, so pipelining costs no copying (a client pipelining thousands
 *   of requests per read would otherwise make the server spend its time moving bytes);
 * - --threads N runs N loops in N threads on the port (RUV_TCP_REUSEPORT); --stop-after-ms MS
 *   stops all of them cleanly from a helper thread (ruv_async_send, then ruv_walk closes every
 *   handle).
 */
#define _POSIX_C_SOURCE 200809L
#include <strings.h>

#include "server_common.h"

#define MAX_HEAD 8192

static const char hello[] = "Hello, world!\n";

typedef struct {
  conn_base b;                  /* first: stream, idle timer, paused, done (server_common.h) */
  char buf[MAX_HEAD];           /* bytes of the request head(s) not yet handled */
  size_t len;
  unsigned long long body_left; /* request body bytes still to discard */
  int eof;                      /* the client finished sending */
} conn_t;

/* Finish the connection after the queued answers went out. */
static void finish_conn(conn_t *c) {
  if (c->b.done) return;
  c->b.done = 1;
  ruv_read_stop(c->b.stream);
  if (ruv_shutdown(c->b.stream, conn_shutdown_done) != 0) close_conn(&c->b, 0);
}

static void on_read(ruv_stream_t *s, ssize_t nread, const char *data);

/* The answer queue fell to the low watermark: the client reads again, so we do too. */
static void on_drain(ruv_stream_t *s) {
  conn_t *c = ruv_handle_get_data(RUV_HANDLE(s));
  touch(&c->b);
  if (c->b.done || !c->b.paused) return;
  c->b.paused = 0;
  if (ruv_read_start(c->b.stream, on_read) != 0) close_conn(&c->b, 0);
}

static void respond(conn_t *c, int code, const char *reason, const char *extra_headers,
                    const char *body, int send_body, int keep_alive) {
  char head[512];
  ruv_buf_t bufs[2];
  int n = snprintf(head, sizeof head,
                   "HTTP/1.1 %d %s\r\n"
                   "Server: ruv-http-hello\r\n"
                   "Content-Type: text/plain; charset=utf-8\r\n"
                   "Content-Length: %zu\r\n"
                   "%s"
                   "Connection: %s\r\n"
                   "\r\n",
                   code, reason, strlen(body), extra_headers, keep_alive ? "keep-alive" : "close");
  bufs[0].base = head;
  bufs[0].len = (size_t)n;
  bufs[1].base = body;
  bufs[1].len = strlen(body);
  /* ruv copies what it cannot send at once, so `head` may go out of scope */
  n = ruv_write(c->b.stream, bufs, send_body ? 2 : 1, NULL, NULL);
  if (n != 0) {
    close_conn(&c->b, n == RUV_ENOBUFS); /* over the write limit: the client does not read */
    return;
  }
  if (!keep_alive) finish_conn(c);
}

static void respond_error(conn_t *c, int code, const char *reason) {
  char body[64];
  snprintf(body, sizeof body, "%d %s\n", code, reason);
  respond(c, code, reason, "", body, 1, 0);
}

/* Case-insensitive: does the comma-separated header value contain the token? */
static int has_token(const char *value, size_t len, const char *token) {
  size_t tlen = strlen(token), i = 0;
  while (i < len) {
    size_t start, end;
    while (i < len && (value[i] == ' ' || value[i] == '\t' || value[i] == ',')) i++;
    start = i;
    while (i < len && value[i] != ',') i++;
    end = i;
    while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t')) end--;
    if (end - start == tlen && strncasecmp(value + start, token, tlen) == 0) return 1;
  }
  return 0;
}

/* Handle the request head in head[0, head_len) (it ends with an empty line). Returns 0 to go
 * on with the next request, -1 if the connection is finished. */
static int handle_request(conn_t *c, char *head, size_t head_len) {
  char *p = head, *end = head + head_len, *line_end, *sp1, *sp2;
  int minor, keep_alive, have_length = 0, is_head, is_get;
  unsigned long long length = 0;

  /* request line: METHOD SP TARGET SP HTTP/1.x */
  line_end = memchr(p, '\n', (size_t)(end - p));
  sp1 = memchr(p, ' ', (size_t)(line_end - p));
  sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(line_end - sp1 - 1)) : NULL;
  if (sp1 == NULL || sp2 == NULL || sp1 == p || sp2 == sp1 + 1) {
    respond_error(c, 400, "Bad Request");
    return -1;
  }
  {
    size_t vlen = (size_t)(line_end - sp2 - 1);
    const char *v = sp2 + 1;
    if (vlen > 0 && v[vlen - 1] == '\r') vlen--;
    if (vlen != 8 || strncmp(v, "HTTP/", 5) != 0 || v[6] != '.' || v[5] < '0' || v[5] > '9' ||
        v[7] < '0' || v[7] > '9') {
      respond_error(c, 400, "Bad Request");
      return -1;
    }
    if (v[5] != '1') {
      respond_error(c, 505, "HTTP Version Not Supported");
      return -1;
    }
    minor = v[7] - '0';
  }
  keep_alive = minor >= 1;
  is_get = (sp1 - p == 3 && memcmp(p, "GET", 3) == 0);
  is_head = (sp1 - p == 4 && memcmp(p, "HEAD", 4) == 0);

  /* header fields */
  for (p = line_end + 1; p < end; p = line_end + 1) {
    char *colon, *value, *vend;
    line_end = memchr(p, '\n', (size_t)(end - p));
    vend = line_end;
    if (vend > p && vend[-1] == '\r') vend--;
    if (vend == p) break; /* the empty line */
    colon = memchr(p, ':', (size_t)(vend - p));
    if (colon == NULL || colon == p || *p == ' ' || *p == '\t' || colon[-1] == ' ') {
      respond_error(c, 400, "Bad Request"); /* also obsolete line folding */
      return -1;
    }
    for (value = colon + 1; value < vend && (*value == ' ' || *value == '\t'); value++) {
    }
    while (vend > value && (vend[-1] == ' ' || vend[-1] == '\t')) vend--;
    if (colon - p == 10 && strncasecmp(p, "connection", 10) == 0) {
      if (has_token(value, (size_t)(vend - value), "close")) keep_alive = 0;
      else if (has_token(value, (size_t)(vend - value), "keep-alive")) keep_alive = 1;
    } else if (colon - p == 14 && strncasecmp(p, "content-length", 14) == 0) {
      unsigned long long v = 0;
      const char *d;
      if (value == vend) {
        respond_error(c, 400, "Bad Request");
        return -1;
      }
      for (d = value; d < vend; d++) {
        if (*d < '0' || *d > '9' || v > (1ULL << 60)) {
          respond_error(c, 400, "Bad Request");
          return -1;
        }
        v = v * 10 + (unsigned long long)(*d - '0');
      }
      if (have_length && v != length) {
        respond_error(c, 400, "Bad Request");
        return -1;
      }
      have_length = 1;
      length = v;
    } else if (colon - p == 17 && strncasecmp(p, "transfer-encoding", 17) == 0) {
      respond_error(c, 501, "Not Implemented");
      return -1;
    }
  }
  c->body_left = length;

  if (!is_get && !is_head) {
    respond(c, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n", "405 Method Not Allowed\n",
            1, keep_alive);
  } else {
    size_t tlen = (size_t)(sp2 - sp1 - 1);
    const char *target = sp1 + 1;
    /* "/" or "/?query" */
    if ((tlen == 1 && target[0] == '/') || (tlen > 1 && target[0] == '/' && target[1] == '?'))
      respond(c, 200, "OK", "", hello, !is_head, keep_alive);
    else
      respond(c, 404, "Not Found", "", "404 Not Found\n", !is_head, keep_alive);
  }
  return c->b.done ? -1 : 0;
}

/* Where the head in buf[0, len) ends (after its empty line), or 0 if it is incomplete. */
static size_t head_end(const char *buf, size_t len) {
  size_t i;
  for (i = 0; i + 1 < len; i++) {
    if (buf[i] != '\n') continue;
    if (buf[i + 1] == '\n') return i + 2;
    if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n') return i + 3;
  }
  return 0;
}

/* Answer every complete request in c->buf, in order; keep an incomplete one. */
static void process(conn_t *c) {
  size_t pos = 0;
  char *head;
  while (!c->b.done) {
    size_t n;
    if (c->body_left > 0) { /* discard the body of the previous request */
      n = c->len - pos < c->body_left ? c->len - pos : (size_t)c->body_left;
      pos += n;
      c->body_left -= n;
      if (c->body_left > 0) break;
    }
    while (pos < c->len && (c->buf[pos] == '\r' || c->buf[pos] == '\n')) pos++; /* RFC 9112 2.2 */
    n = head_end(c->buf + pos, c->len - pos);
    if (n == 0) break;
    head = c->buf + pos; /* parsed in place: pipelined requests cost no copying */
    pos += n;
    if (handle_request(c, head, n) != 0) break;
  }
  if (c->b.done) return;
  memmove(c->buf, c->buf + pos, c->len - pos);
  c->len -= pos;
  if (!c->b.paused && ruv_stream_get_write_queue_size(c->b.stream) > HIGH_WATER(&opts)) {
    c->b.paused = 1; /* congested: on_drain resumes */
    ruv_read_stop(c->b.stream);
  }
}

static void on_read(ruv_stream_t *s, ssize_t nread, const char *data) {
  conn_t *c = ruv_handle_get_data(RUV_HANDLE(s));
  size_t left = nread > 0 ? (size_t)nread : 0;

  if (nread == RUV_EOF) { /* a partial request is dropped; answers still go out */
    c->eof = 1;
    finish_conn(c);
    return;
  }
  if (nread < 0) {
    close_conn(&c->b, 0);
    return;
  }
  touch(&c->b);
  while (left > 0 && !c->b.done) {
    size_t n;
    if (c->len == 0 && c->body_left > 0) { /* body bytes: skip without copying */
      n = left < c->body_left ? left : (size_t)c->body_left;
      c->body_left -= n;
      data += n;
      left -= n;
      continue;
    }
    n = sizeof c->buf - c->len;
    if (n == 0) { /* a request head larger than the buffer */
      respond_error(c, 431, "Request Header Fields Too Large");
      return;
    }
    if (n > left) n = left;
    memcpy(c->buf + c->len, data, n);
    c->len += n;
    data += n;
    left -= n;
    process(c);
  }
}

static void on_connection(ruv_stream_t *server, int status) {
  conn_t *c;
  if (status != 0) {
    fprintf(stderr, "http_hello: connection error: %s\n", ruv_strerror(status));
    return;
  }
  c = calloc(1, sizeof *c);
  if (c == NULL) return; /* the connection stays pending; try later */
  accept_conn(server, &c->b, "http_hello", 1, on_drain, on_read);
}

int main(int argc, char **argv) {
  struct sockaddr_storage addr;
  const char *host = "127.0.0.1";
  long port = 8080;
  int bound_port = 0, r;
  char name[64];

  if (parse_server_options(&argc, argv, &opts) != 0 || argc > 4 ||
      (argc > 1 && parse_long(argv[1], 0, 65535, &port) != 0) ||
      (argc > 2 && parse_long(argv[2], 0, 1000000000L, &srv.max_connections) != 0)) {
    fprintf(stderr,
            "usage: %s [PORT [MAX_CONNECTIONS [ADDRESS]]] [--threads N] [--idle-ms MS]\n"
            "          [--stop-after-ms MS] [--write-limit BYTES]\n",
            argv[0]);
    return 2;
  }
  if (argc > 3) host = argv[3];
  memset(&addr, 0, sizeof addr);
  if (ruv_ip4_addr(host, (int)port, (struct sockaddr_in *)&addr) != 0 &&
      ruv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)&addr) != 0) {
    fprintf(stderr, "http_hello: '%s' is not an IPv4 or IPv6 address\n", host);
    return 2;
  }
  if ((r = servers_listen(&opts, &addr, on_connection, &bound_port)) != 0 ||
      (r = ruv_ip_name((const struct sockaddr *)&addr, name, sizeof name)) != 0) {
    fprintf(stderr, "http_hello: %s (%s)\n", ruv_strerror(r), ruv_err_name(r));
    return 1;
  }
  printf(addr.ss_family == AF_INET6 ? "http_hello listening on http://[%s]:%d/\n"
                                    : "http_hello listening on http://%s:%d/\n",
         name, bound_port);
  if (opts.threads > 1) printf("%ld threads, one loop each (SO_REUSEPORT)\n", opts.threads);
  fflush(stdout);

  r = servers_run(&opts);
  printf("http_hello done: %ld connection(s) served", srv.accepted);
  if (opts.threads > 1) {
    printf(" (per thread: ");
    print_per_thread(stdout);
    printf(")");
  }
  printf("\n");
  return r;
}
