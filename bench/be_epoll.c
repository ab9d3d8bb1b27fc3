/* bench/be_epoll.c — adapter back-end written directly on epoll: the
 * reference for what this machine can do without a library.  It is a small
 * but honest event loop with the same contract as the other two back-ends:
 *   - level-triggered; EPOLLIN while reading, EPOLLOUT only while bytes are
 *     queued or a connect is in progress; epoll_ctl only when that changes;
 *   - writes are tried at once when nothing is queued; the unsent rest is
 *     appended to one contiguous per-connection byte queue (allocated only
 *     when first needed) and flushed with one send() per EPOLLOUT;
 *   - callbacks (connect, write, shutdown, close) are queued on a pending
 *     list that runs before the next poll, never inside the requesting call;
 *   - reads go to one 64 KiB loop buffer, up to 32 reads per event while
 *     they fill it; accept drains the backlog per wakeup.
 * One loop per thread (the adapter contract), so the loop is a thread-local global. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "adapter.h"

enum {
  F_READING = 1 << 0,
  F_CONNECTING = 1 << 1,
  F_CLOSING = 1 << 2,
  F_SHUT_WANT = 1 << 3,  /* shutdown requested, waiting for the queue to drain */
  F_SHUT_CB = 1 << 4,    /* shutdown callback due */
  F_CONNECT_CB = 1 << 5, /* connect callback due */
  F_PENDING = 1 << 6,    /* on the pending list */
  F_REGISTERED = 1 << 7, /* known to epoll */
  F_LISTENER = 1 << 8,
  F_SHUT = 1 << 9,       /* no more writes accepted */
};

typedef struct wqueue {
  char *buf;
  size_t head, tail, cap;  /* unsent bytes are buf[head..tail) */
  uint64_t queued, sent;   /* bytes appended / sent since the queue was last empty */
  uint64_t *ends;          /* for each queued write with a callback: its end offset */
  size_t ehead, etail, ecap;
} wqueue;

struct bl_conn {
  int fd;
  unsigned flags;
  uint32_t events;
  int status;               /* connect or shutdown result */
  int werr;                 /* first write error */
  unsigned ready_cbs;       /* completed writes whose callback is due */
  unsigned err_cbs;         /* failed writes whose callback is due */
  wqueue *wq;
  bl_conn *pnext;
  void *data;
};

struct bl_loop {
  int epfd, stop;
  long nhandles;
  bl_callbacks cb;
  bl_conn *listener;
  bl_conn *pending, **ptail;
  struct epoll_event evs[1024];
};

static _Thread_local bl_loop *g_loop;
static _Thread_local char g_rbuf[65536];

const char *bl_backend_name(void) { return "epoll"; }
const char *bl_backend_version(void) { return "1"; }

static void pend(bl_conn *c) {
  if (c->flags & F_PENDING) return;
  c->flags |= F_PENDING;
  c->pnext = NULL;
  *g_loop->ptail = c;
  g_loop->ptail = &c->pnext;
}

static void update_events(bl_conn *c) {
  uint32_t want = 0;
  if (c->fd < 0) return;
  if (c->flags & F_READING) want |= EPOLLIN;
  if ((c->flags & F_CONNECTING) || (c->wq && c->wq->head < c->wq->tail)) want |= EPOLLOUT;
  if (c->flags & F_REGISTERED) {
    if (want == c->events) return;
    struct epoll_event ev = {.events = want, .data.ptr = c};
    epoll_ctl(g_loop->epfd, EPOLL_CTL_MOD, c->fd, &ev);
  } else {
    if (!want) return;
    struct epoll_event ev = {.events = want, .data.ptr = c};
    epoll_ctl(g_loop->epfd, EPOLL_CTL_ADD, c->fd, &ev);
    c->flags |= F_REGISTERED;
  }
  c->events = want;
}

static bl_conn *conn_new(int fd, unsigned flags) {
  bl_conn *c = calloc(1, sizeof *c);
  if (!c) abort();
  c->fd = fd;
  c->flags = flags;
  g_loop->nhandles++;
  return c;
}

static void conn_free(bl_conn *c) {
  if (c->wq) {
    free(c->wq->buf);
    free(c->wq->ends);
    free(c->wq);
  }
  free(c);
  g_loop->nhandles--;
}

bl_loop *bl_loop_new(const bl_callbacks *cbs) {
  bl_loop *l = calloc(1, sizeof *l);
  if (!l) abort();
  l->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (l->epfd < 0) abort();
  l->cb = *cbs;
  l->ptail = &l->pending;
  g_loop = l;
  return l;
}

void bl_stop(bl_loop *l) { l->stop = 1; }

int bl_loop_free(bl_loop *l) {
  int busy = l->nhandles != 0;
  close(l->epfd);
  free(l);
  g_loop = NULL;
  return busy ? -EBUSY : 0;
}

static void do_shutdown(bl_conn *c) {
  c->flags &= ~F_SHUT_WANT;
  c->status = shutdown(c->fd, SHUT_WR) ? -errno : 0;
  c->flags |= F_SHUT_CB;
  pend(c);
}

static void write_failed(bl_conn *c, int err) {
  wqueue *q = c->wq;
  c->werr = err;
  c->flags |= F_SHUT;
  if (q) {
    c->err_cbs += (unsigned)(q->etail - q->ehead);
    q->head = q->tail = q->ehead = q->etail = 0;
    q->queued = q->sent = 0;
  }
  if (c->flags & F_SHUT_WANT) {
    c->flags &= ~F_SHUT_WANT;
    c->status = err;
    c->flags |= F_SHUT_CB;
  }
  pend(c);
}

static void do_flush(bl_conn *c) {
  wqueue *q = c->wq;
  size_t len = q->tail - q->head;
  ssize_t n;
  do n = send(c->fd, q->buf + q->head, len, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno != EAGAIN) write_failed(c, -errno);
    update_events(c);
    return;
  }
  q->head += (size_t)n;
  q->sent += (uint64_t)n;
  size_t done = 0;
  while (q->ehead < q->etail && q->ends[q->ehead] <= q->sent) q->ehead++, done++;
  if (done) {
    c->ready_cbs += (unsigned)done;
    pend(c);
  }
  if (q->head == q->tail) {
    q->head = q->tail = q->ehead = q->etail = 0;
    q->queued = q->sent = 0;
    if (c->flags & F_SHUT_WANT) do_shutdown(c);
  }
  update_events(c);
}

static void do_read(bl_conn *c) {
  for (int i = 0; i < 32; i++) {
    ssize_t n = read(c->fd, g_rbuf, sizeof g_rbuf);
    if (n > 0) {
      g_loop->cb.on_read(c, n, g_rbuf);
      if ((c->flags & F_CLOSING) || !(c->flags & F_READING)) return;
      if ((size_t)n < sizeof g_rbuf) return;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    int err = n == 0 ? BL_EOF : -errno;
    c->flags &= ~F_READING;
    update_events(c);
    g_loop->cb.on_read(c, err, NULL);
    return;
  }
}

static void do_accept(bl_conn *s) {
  static const int one = 1;
  for (;;) {
    int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return; /* EAGAIN, or EMFILE & co. (not expected in these benchmarks) */
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    g_loop->cb.on_connection(conn_new(fd, 0));
    if (s->flags & F_CLOSING) return;
  }
}

static void dispatch(bl_conn *c, uint32_t ev) {
  if (c->flags & F_CLOSING) return;
  if (c->flags & F_LISTENER) {
    do_accept(c);
    return;
  }
  if (c->flags & F_CONNECTING) {
    static const int one = 1;
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len)) err = errno;
    c->flags &= ~F_CONNECTING;
    c->status = -err;
    if (!err) setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->flags |= F_CONNECT_CB;
    pend(c);
    update_events(c);
    return;
  }
  if ((ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) && (c->flags & F_READING)) do_read(c);
  if ((ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) && !(c->flags & F_CLOSING) && c->wq &&
      c->wq->head < c->wq->tail)
    do_flush(c);
}

static void run_pending(bl_loop *l) {
  bl_conn *c = l->pending;
  l->pending = NULL;
  l->ptail = &l->pending;
  while (c) {
    bl_conn *next = c->pnext;
    c->flags &= ~F_PENDING;
    if (c->flags & F_CLOSING) {
      if (!(c->flags & F_LISTENER) && l->cb.on_close) l->cb.on_close(c);
      conn_free(c);
      c = next;
      continue;
    }
    if (c->flags & F_CONNECT_CB) {
      c->flags &= ~F_CONNECT_CB;
      l->cb.on_connect(c, c->status);
    }
    /* only the callbacks due now: writes issued from these callbacks complete
     * in the next iteration, after a poll, as in libuv and ruv */
    unsigned ok = c->ready_cbs, bad = c->err_cbs;
    c->ready_cbs = c->err_cbs = 0;
    for (; ok && !(c->flags & F_CLOSING); ok--) l->cb.on_write(c, 0);
    for (; bad && !(c->flags & F_CLOSING); bad--) l->cb.on_write(c, c->werr);
    if ((c->flags & F_SHUT_CB) && !(c->flags & F_CLOSING)) {
      c->flags &= ~F_SHUT_CB;
      if (l->cb.on_shutdown) l->cb.on_shutdown(c, c->status);
    }
    c = next;
  }
}

int bl_run(bl_loop *l) {
  while (!l->stop) {
    if (l->pending) run_pending(l);
    if (l->stop || (!l->nhandles && !l->pending)) break;
    int n = epoll_wait(l->epfd, l->evs, (int)(sizeof l->evs / sizeof l->evs[0]), l->pending ? 0 : -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    for (int i = 0; i < n; i++) dispatch(l->evs[i].data.ptr, l->evs[i].events);
  }
  l->stop = 0;
  return 0;
}

static int listen_on(bl_loop *l, int *port, int reuseport) {
  static const int one = 1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)*port)};
  socklen_t len = sizeof a;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (reuseport) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, BL_BACKLOG) ||
      getsockname(fd, (struct sockaddr *)&a, &len)) {
    int err = -errno;
    close(fd);
    return err;
  }
  *port = ntohs(a.sin_port);
  l->listener = conn_new(fd, F_LISTENER | F_READING);
  update_events(l->listener);
  return 0;
}

int bl_listen(bl_loop *l, int *port) {
  *port = 0;
  return listen_on(l, port, 0);
}

int bl_listen_reuseport(bl_loop *l, int *port) { return listen_on(l, port, 1); }

void bl_close_listener(bl_loop *l) {
  if (l->listener) bl_close(l->listener);
  l->listener = NULL;
}

bl_conn *bl_connect(bl_loop *l, int port, void *data) {
  static const int one = 1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  (void)l;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return NULL;
  bl_conn *c = conn_new(fd, 0);
  c->data = data;
  if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->flags |= F_CONNECT_CB;
    pend(c);
  } else if (errno == EINPROGRESS) {
    c->flags |= F_CONNECTING;
    update_events(c);
  } else {
    c->status = -errno;
    c->flags |= F_CONNECT_CB;
    pend(c);
  }
  return c;
}

int bl_start_read(bl_conn *c) {
  if (c->flags & (F_CLOSING | F_CONNECTING)) return -EINVAL;
  if (c->flags & F_READING) return -EALREADY;
  c->flags |= F_READING;
  update_events(c);
  return 0;
}

static int wq_append(bl_conn *c, const char *buf, size_t len, int want_cb) {
  wqueue *q = c->wq;
  if (!q) {
    q = c->wq = calloc(1, sizeof *q);
    if (!q) return -ENOMEM;
  }
  if (q->tail + len > q->cap) {
    if (q->head && q->tail - q->head + len <= q->cap) {
      memmove(q->buf, q->buf + q->head, q->tail - q->head);
    } else {
      size_t cap = q->cap ? q->cap : 16384;
      while (cap < q->tail - q->head + len) cap *= 2;
      char *nb = malloc(cap);
      if (!nb) return -ENOMEM;
      if (q->buf) memcpy(nb, q->buf + q->head, q->tail - q->head);
      free(q->buf);
      q->buf = nb;
      q->cap = cap;
    }
    q->tail -= q->head;
    q->head = 0;
  }
  memcpy(q->buf + q->tail, buf, len);
  q->tail += len;
  q->queued += len;
  if (want_cb) {
    if (q->etail == q->ecap) {
      size_t ecap = q->ecap ? q->ecap * 2 : 16;
      uint64_t *ne = realloc(q->ends, ecap * sizeof *ne);
      if (!ne) return -ENOMEM;
      q->ends = ne;
      q->ecap = ecap;
    }
    q->ends[q->etail++] = q->queued;
  }
  return 0;
}

int bl_write(bl_conn *c, const void *buf, size_t len, int want_cb) {
  const char *p = buf;
  if (c->flags & (F_CLOSING | F_SHUT | F_SHUT_WANT | F_SHUT_CB | F_LISTENER)) return -EPIPE;
  if (!(c->flags & F_CONNECTING) && (!c->wq || c->wq->head == c->wq->tail)) {
    ssize_t n;
    do n = send(c->fd, p, len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t)len) {
      if (want_cb) {
        c->ready_cbs++;
        pend(c);
      }
      return 0;
    }
    if (n < 0) {
      if (errno != EAGAIN) return -errno;
      n = 0;
    }
    p += n;
    len -= (size_t)n;
  }
  int rc = wq_append(c, p, len, want_cb);
  if (rc) return rc;
  update_events(c);
  return 0;
}

int bl_shutdown(bl_conn *c) {
  if (c->flags & (F_CLOSING | F_SHUT | F_SHUT_WANT | F_SHUT_CB)) return -ENOTCONN;
  c->flags |= F_SHUT;
  if ((c->flags & F_CONNECTING) || (c->wq && c->wq->head < c->wq->tail))
    c->flags |= F_SHUT_WANT;
  else
    do_shutdown(c);
  return 0;
}

void bl_close(bl_conn *c) {
  if (c->flags & F_CLOSING) return;
  if (c->fd >= 0) close(c->fd); /* also removes it from the epoll set */
  c->fd = -1;
  c->flags |= F_CLOSING;
  pend(c);
}

void *bl_get_data(bl_conn *c) { return c->data; }
void bl_set_data(bl_conn *c, void *data) { c->data = data; }

/* Timers and async: not in this back-end (bench/run shows n/a for those rows). */
int bl_run_nowait(bl_loop *l) {
  (void)l;
  return BL_ENOTSUP;
}

int bl_timers_new(bl_loop *l, size_t n, bl_timer_cb cb, bl_timers **out) {
  (void)l, (void)n, (void)cb, (void)out;
  return BL_ENOTSUP;
}

int bl_timer_start(bl_timers *ts, size_t i, uint64_t timeout, uint64_t repeat) {
  (void)ts, (void)i, (void)timeout, (void)repeat;
  return BL_ENOTSUP;
}

int bl_timer_stop(bl_timers *ts, size_t i) {
  (void)ts, (void)i;
  return BL_ENOTSUP;
}

void bl_timers_close(bl_timers *ts, void (*done)(bl_timers *)) { (void)ts, (void)done; }

int bl_async_new(bl_loop *l, bl_async_cb cb, void *data, bl_async **out) {
  (void)l, (void)cb, (void)data, (void)out;
  return BL_ENOTSUP;
}

int bl_async_send(bl_async *a) {
  (void)a;
  return BL_ENOTSUP;
}

void *bl_async_get_data(bl_async *a) {
  (void)a;
  return NULL;
}

void bl_async_close(bl_async *a, void (*done)(bl_async *)) { (void)a, (void)done; }

/* ---------------------------------------------------------------- pipes and UDP: not here */
int bl_listen_pipe(bl_loop *l, const char *path) {
  (void)l;
  (void)path;
  return BL_ENOTSUP;
}

bl_conn *bl_connect_pipe(bl_loop *l, const char *path, void *data) {
  (void)l;
  (void)path;
  (void)data;
  return NULL;
}

int bl_udp_new(bl_loop *l, int *port, bl_udp_recv_cb cb, void *data, bl_udp **out) {
  (void)l;
  (void)port;
  (void)cb;
  (void)data;
  (void)out;
  return BL_ENOTSUP;
}

int bl_udp_send(bl_udp *u, const void *buf, size_t len, const struct sockaddr *to) {
  (void)u;
  (void)buf;
  (void)len;
  (void)to;
  return BL_ENOTSUP;
}

void *bl_udp_get_data(bl_udp *u) {
  (void)u;
  return NULL;
}

void bl_udp_close(bl_udp *u) { (void)u; }
