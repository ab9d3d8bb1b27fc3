/*
 * http_hello.c — a minimal HTTP/1.1 server on ruv that answers "Hello, world!".
 *
 *   http_hello [PORT [MAX_CONNECTIONS [ADDRESS]]]
 *
 *   ./build/examples/http_hello 8080 &
 *   curl http://127.0.0.1:8080/
 *
 * Listens on ADDRESS (default 127.0.0.1; an IPv4 or IPv6 address) port PORT (default 8080;
 * 0 lets the kernel choose) and prints "http_hello listening on http://HOST:PORT/".
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
 * - back-pressure: when more than HIGH_WATER bytes of answers are queued because the client
 *   does not read them, the server stops reading from it until the queue drains below
 *   LOW_WATER (the requests already read are still answered: at most one read's worth).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ruv.h"

#define MAX_HEAD 8192
#define HIGH_WATER (256 * 1024)
#define LOW_WATER (64 * 1024)

static const char hello[] = "Hello, world!\n";

typedef struct conn_s {
  ruv_tcp_t *tcp;
  char buf[MAX_HEAD]; /* bytes of the request head(s) not yet handled */
  size_t len;
  unsigned long long body_left; /* request body bytes still to discard */
  int paused;                   /* reading stopped for back-pressure */
  int eof;                      /* the client finished sending */
  int done;                     /* shutting down / closing: ignore further input */
} conn_t;

static long max_connections; /* 0 = serve forever */
static long accepted;
static long open_connections;

static void on_closed(ruv_handle_t *handle) {
  free(ruv_handle_get_data(handle));
  open_connections--;
}

static void close_conn(conn_t *c) {
  c->done = 1;
  if (!ruv_is_closing(RUV_HANDLE(c->tcp))) ruv_close(RUV_HANDLE(c->tcp), on_closed);
}

static void on_shutdown(ruv_tcp_t *tcp, int status) {
  (void)status;
  close_conn(ruv_handle_get_data(RUV_HANDLE(tcp)));
}

/* Finish the connection after the queued answers went out. */
static void finish_conn(conn_t *c) {
  if (c->done) return;
  c->done = 1;
  ruv_tcp_stop_read(c->tcp);
  if (ruv_tcp_shutdown(c->tcp, on_shutdown) != 0) close_conn(c);
}

static void on_read(ruv_tcp_t *tcp, ssize_t nread, const char *data);

/* Resume reading once the client has taken enough of its answers. */
static void on_written(ruv_tcp_t *tcp, int status, void *arg) {
  conn_t *c = arg;
  (void)tcp;
  if (status != 0 || c->done || !c->paused) return;
  if (ruv_tcp_write_queue_size(c->tcp) > LOW_WATER) return;
  c->paused = 0;
  if (ruv_tcp_start_read(c->tcp, on_read) != 0) close_conn(c);
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
  if (ruv_tcp_write(c->tcp, bufs, send_body ? 2 : 1, on_written, c) != 0) {
    close_conn(c);
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

/* Handle the request head in c->buf[0, head_len) (it ends with an empty line). Returns 0 to go
 * on with the next request, -1 if the connection is finished. */
static int handle_request(conn_t *c, size_t head_len) {
  char *p = c->buf, *end = c->buf + head_len, *line_end, *sp1, *sp2;
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
  return c->done ? -1 : 0;
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
  while (!c->done) {
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
    memmove(c->buf, c->buf + pos, c->len - pos); /* the head starts at buf[0] */
    c->len -= pos;
    pos = n;
    if (handle_request(c, n) != 0) break;
  }
  if (c->done) return;
  memmove(c->buf, c->buf + pos, c->len - pos);
  c->len -= pos;
  if (!c->paused && ruv_tcp_write_queue_size(c->tcp) > HIGH_WATER) {
    c->paused = 1; /* on_written resumes */
    ruv_tcp_stop_read(c->tcp);
  }
}

static void on_read(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  conn_t *c = ruv_handle_get_data(RUV_HANDLE(tcp));
  size_t left = nread > 0 ? (size_t)nread : 0;

  if (nread == RUV_EOF) { /* a partial request is dropped; answers still go out */
    c->eof = 1;
    finish_conn(c);
    return;
  }
  if (nread < 0) {
    close_conn(c);
    return;
  }
  while (left > 0 && !c->done) {
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

static void on_connection(ruv_tcp_t *server, int status) {
  conn_t *c;
  int r;

  if (status != 0) {
    fprintf(stderr, "http_hello: connection error: %s\n", ruv_strerror(status));
    return;
  }
  c = calloc(1, sizeof *c);
  if (c == NULL) return; /* the connection stays pending; try later */
  r = ruv_tcp_new(ruv_handle_get_loop(RUV_HANDLE(server)), AF_UNSPEC, &c->tcp);
  if (r != 0) {
    free(c);
    fprintf(stderr, "http_hello: ruv_tcp_new: %s\n", ruv_strerror(r));
    return;
  }
  ruv_handle_set_data(RUV_HANDLE(c->tcp), c);
  open_connections++;
  r = ruv_tcp_accept(server, c->tcp);
  if (r == 0) r = ruv_tcp_nodelay(c->tcp, 1);
  if (r == 0) r = ruv_tcp_start_read(c->tcp, on_read);
  if (r != 0) {
    fprintf(stderr, "http_hello: accept: %s\n", ruv_strerror(r));
    close_conn(c);
    return;
  }
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
  struct sockaddr_storage addr, bound;
  int namelen = (int)sizeof bound;
  const char *host = "127.0.0.1";
  char name[64];
  long port = 8080;
  int r;

  if (argc > 4 || (argc > 1 && parse_long(argv[1], 0, 65535, &port) != 0) ||
      (argc > 2 && parse_long(argv[2], 0, 1000000000L, &max_connections) != 0)) {
    fprintf(stderr, "usage: %s [PORT [MAX_CONNECTIONS [ADDRESS]]]\n", argv[0]);
    return 2;
  }
  if (argc > 3) host = argv[3];
  memset(&addr, 0, sizeof addr);
  if (ruv_ip4_addr(host, (int)port, (struct sockaddr_in *)&addr) != 0 &&
      ruv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)&addr) != 0) {
    fprintf(stderr, "http_hello: '%s' is not an IPv4 or IPv6 address\n", host);
    return 2;
  }

  if ((r = ruv_loop_new(&loop)) != 0 ||
      (r = ruv_tcp_new(loop, addr.ss_family, &server)) != 0 ||
      (r = ruv_tcp_bind(server, (const struct sockaddr *)&addr, 0)) != 0 ||
      (r = ruv_tcp_listen(server, RUV_DEFAULT_BACKLOG, on_connection)) != 0 ||
      (r = ruv_tcp_getsockname(server, (struct sockaddr *)&bound, &namelen)) != 0 ||
      (r = ruv_ip_name((const struct sockaddr *)&bound, name, sizeof name)) != 0) {
    fprintf(stderr, "http_hello: %s (%s)\n", ruv_strerror(r), ruv_err_name(r));
    return 1;
  }
  printf(bound.ss_family == AF_INET6 ? "http_hello listening on http://[%s]:%d/\n"
                                     : "http_hello listening on http://%s:%d/\n",
         name,
         ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                           : ((struct sockaddr_in *)&bound)->sin_port));
  fflush(stdout);

  r = ruv_run(loop, RUV_RUN_DEFAULT);
  if (r < 0) {
    fprintf(stderr, "http_hello: ruv_run: %s\n", ruv_strerror(r));
    return 1;
  }
  r = ruv_loop_close(loop);
  if (r != 0) {
    fprintf(stderr, "http_hello: ruv_loop_close: %s\n", ruv_strerror(r));
    return 1;
  }
  printf("http_hello done: %ld connection(s) served\n", accepted);
  return open_connections == 0 ? 0 : 1;
}
