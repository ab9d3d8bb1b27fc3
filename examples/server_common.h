/*
 * server_common.h — what echo_server.c and http_hello.c share:
 *
 *   - the options (server_options.h);
 *   - connections of either stream kind: TCP, and with --pipe PATH a Unix-domain socket served
 *     by loop 0, through the same stream functions (ruv_read_start, ruv_write, …);
 *   - one loop per thread on one port: every loop has its own listener bound with
 *     RUV_TCP_REUSEPORT, and the kernel spreads the connections over them;
 *   - a connection limit across all loops (MAX_CONNECTIONS: then every loop stops listening
 *     and ends once its connections have closed);
 *   - a clean stop from another thread: a helper thread sleeps --stop-after-ms, then wakes every
 *     loop with ruv_async_send; each loop's async callback closes all its handles (ruv_walk),
 *     ruv_run returns, and ruv_loop_close() succeeds;
 *   - the same clean stop on SIGINT or SIGTERM: loop 0 watches both with ruv signal handles
 *     (the callback runs from that loop, never from the signal handler) and stops every loop.
 *
 * A loop and its handles are used by its own thread only; the one thing another thread does is
 * ruv_async_send, under `srv.lock`, to a loop that has not finished (worker.done == 0).
 */
#ifndef RUV_EXAMPLE_SERVER_COMMON_H
#define RUV_EXAMPLE_SERVER_COMMON_H

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ruv.h"
#include "server_options.h"

/* ---- connections ---------------------------------------------------------------------- */

/* Bounds what a client that does not read can cost: at most `limit` bytes queued in ruv
 * (ruv_tcp_set_write_limit), reading paused above limit/4 and resumed by `on_drain` at limit/16
 * (ruv_tcp_set_watermarks), and the kernel's send buffer capped at `limit` (Linux doubles it)
 * instead of growing to megabytes. */
static int bound_write_queue(ruv_stream_t *s, const server_opts *o,
                             ruv_stream_drain_cb on_drain) {
  int r = ruv_stream_set_write_limit(s, (size_t)o->write_limit);
  if (r == 0) r = ruv_stream_set_watermarks(s, LOW_WATER(o), HIGH_WATER(o), on_drain);
  if (r == 0 && ruv_handle_get_type(RUV_HANDLE(s)) == RUV_TCP)
    r = ruv_tcp_set_send_buffer_size((ruv_tcp_t *)s, (int)o->write_limit);
  return r;
}

/* ---- one loop per thread ------------------------------------------------------------------- */

typedef struct worker {
  int index;
  ruv_loop_t *loop;
  ruv_tcp_t *listener;
  ruv_pipe_t *pipe_listener; /* loop 0 with --pipe PATH */
  int stopped_listening;     /* the listeners are closed (their pointers may be dead) */
  ruv_async_t *wakeup; /* other threads wake this loop to stop it */
  ruv_signal_t *on_sigint, *on_sigterm; /* loop 0 only: a clean stop on SIGINT / SIGTERM */
  ruv_check_t *after_io; /* counts the I/O phases (with --idle-ms) */
  unsigned long ios;
  pthread_t thread;
  int done;            /* ruv_run returned: no more wakeups (under srv.lock) */
  long accepted;       /* connections this loop accepted */
  long open;           /* connections of this loop not closed yet (kept by the server) */
  int failed;          /* ruv_run or ruv_loop_close failed */
} worker;

enum { RUNNING = 0, STOP_LISTENING = 1, STOP_NOW = 2 };

static struct {
  worker *workers;
  long nworkers;
  long max_connections; /* 0 = serve forever */
  pthread_mutex_t lock;     /* guards the fields below and every cross-thread ruv_async_send */
  pthread_cond_t ended;     /* signalled when every loop has ended */
  long accepted;
  int stopping;
  int all_ended;
} srv = {NULL, 0, 0, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, RUNNING, 0};

static worker *worker_of(const void *handle) {
  return ruv_loop_get_data(ruv_handle_get_loop((const ruv_handle_t *)handle));
}

/* The part of a connection both servers keep; each server's connection struct starts with it,
 * so the data pointer of its handles is both. */
typedef struct {
  ruv_stream_t *stream;     /* a TCP or pipe handle, of the listener's kind */
  ruv_timer_t *idle;        /* NULL without --idle-ms */
  int handles;              /* of stream and idle, those not closed yet: freed at 0 */
  int paused;               /* reading stopped: too much output queued */
  int done;                 /* closing (or shutting down): no more input is handled */
  unsigned long idle_noted; /* the idle timer fired (see idle_confirmed) */
} conn_base;

/* The close callback of a connection's handles (also used by a stop's ruv_walk). */
static void conn_part_closed(ruv_handle_t *handle) {
  conn_base *c = ruv_handle_get_data(handle);
  worker *w = worker_of(handle);
  if (--c->handles > 0) return;
  w->open--;
  free(c);
}

/* Asks every loop to stop listening (STOP_LISTENING) or to close everything (STOP_NOW). */
static void stop_all(int how) {
  long i;
  pthread_mutex_lock(&srv.lock);
  if (how > srv.stopping) srv.stopping = how;
  for (i = 0; i < srv.nworkers; i++)
    if (!srv.workers[i].done) ruv_async_send(srv.workers[i].wakeup);
  pthread_mutex_unlock(&srv.lock);
}

/* Stops accepting: closes the loop's listeners (a pipe listener's path is removed). */
static void close_listeners(worker *w) {
  if (w->stopped_listening) return;
  w->stopped_listening = 1;
  ruv_close(RUV_HANDLE(w->listener), NULL);
  if (w->pipe_listener) ruv_close(RUV_HANDLE(w->pipe_listener), NULL);
}

/* Counts an accepted connection; at MAX_CONNECTIONS every loop stops listening (this one at
 * once, the others when their wakeup runs). */
static void count_accepted(worker *w) {
  int limit_reached;
  w->accepted++;
  pthread_mutex_lock(&srv.lock);
  srv.accepted++;
  limit_reached = srv.max_connections > 0 && srv.accepted == srv.max_connections;
  pthread_mutex_unlock(&srv.lock);
  if (limit_reached) {
    close_listeners(w);
    stop_all(STOP_LISTENING);
  }
}

static void close_walk_cb(ruv_handle_t *h, void *arg) {
  (void)arg;
  if (!ruv_is_closing(h)) ruv_close(h, ruv_handle_get_data(h) ? conn_part_closed : NULL);
}

static void on_wakeup(ruv_async_t *async) {
  worker *w = worker_of(async);
  int how;
  pthread_mutex_lock(&srv.lock);
  how = srv.stopping;
  if (how == STOP_NOW) w->done = 1; /* the walk closes `async`: no sends after this */
  pthread_mutex_unlock(&srv.lock);
  if (how == STOP_NOW) {
    ruv_walk(w->loop, close_walk_cb, NULL);
  } else if (how == STOP_LISTENING) {
    close_listeners(w);
  }
}

static void count_io(ruv_check_t *check) { worker_of(check)->ios++; }

/* SIGINT or SIGTERM (from loop 0): the same clean stop as --stop-after-ms. */
static void on_stop_signal(ruv_signal_t *sig, int signum) {
  (void)sig;
  fprintf(stderr, "signal %d: stopping\n", signum);
  stop_all(STOP_NOW);
}

/* Watches `signum` on `w`'s loop with an unreferenced handle (it must not keep the loop alive). */
static int watch_stop_signal(worker *w, ruv_signal_t **out, int signum) {
  int r = ruv_signal_new(w->loop, out);
  if (r == 0) r = ruv_signal_start(*out, on_stop_signal, signum);
  if (r == 0) ruv_unref(RUV_HANDLE(*out));
  return r;
}

/* An idle timer of `w` fired: is the connection really idle? Timers run before I/O, so after a
 * busy iteration the client's bytes may be waiting unread. The first expiry notes the loop's I/O
 * count (the caller re-arms the timer at 0 ms); it counts once an I/O phase has run since, in
 * which a read would have restarted the timer. `*noted` is 0 while the timer is running. */
static int idle_confirmed(const worker *w, unsigned long *noted) {
  if (*noted == 0) {
    *noted = w->ios + 1;
    return 0;
  }
  return *noted != w->ios + 1;
}

/* Closes the connection: with `reset`, the peer sees a reset and queued output is dropped. */
static void close_conn(conn_base *c, int reset) {
  c->done = 1;
  /* a reset is a TCP thing: ruv_tcp_close_reset refuses a pipe, which closes normally */
  if (!ruv_is_closing(RUV_HANDLE(c->stream)) &&
      (!reset || ruv_tcp_close_reset((ruv_tcp_t *)c->stream, conn_part_closed) != 0))
    ruv_close(RUV_HANDLE(c->stream), conn_part_closed);
  if (c->idle != NULL && !ruv_is_closing(RUV_HANDLE(c->idle)))
    ruv_close(RUV_HANDLE(c->idle), conn_part_closed);
}

static void on_idle(ruv_timer_t *timer);

/* (Re)starts the idle timer: due opts.idle_ms after ruv_now(), which the loop refreshes after
 * a poll that waited, so a read after a long wait does not start it in the past. */
static void touch(conn_base *c) {
  if (c->idle == NULL) return;
  c->idle_noted = 0;
  ruv_timer_start(c->idle, on_idle, (uint64_t)opts.idle_ms, 0);
}

static void on_idle(ruv_timer_t *timer) {
  conn_base *c = ruv_handle_get_data(RUV_HANDLE(timer));
  if (!idle_confirmed(worker_of(timer), &c->idle_noted)) {
    ruv_timer_start(timer, on_idle, 0, 0); /* once more after the next I/O phase */
    return;
  }
  /* output still queued: the peer is not reading it either, drop it with a reset */
  close_conn(c, ruv_stream_get_write_queue_size(c->stream) > 0);
}

/* The shutdown of a finished connection completed (or failed: either way, done): close it. */
static void conn_shutdown_done(ruv_stream_t *s, int status) {
  (void)status;
  close_conn(ruv_handle_get_data(RUV_HANDLE(s)), 0);
}

/* Accepts a connection of `server` (TCP or pipe) into `c` (zeroed, allocated by the caller, who
 * gives up ownership): a handle of the server's kind, its idle timer with --idle-ms, TCP_NODELAY
 * if asked (TCP), the bounded write queue, reading with `on_read`. On failure, says so on stderr
 * with `who` and frees it. */
static void accept_conn(ruv_stream_t *server, conn_base *c, const char *who, int nodelay,
                        ruv_stream_drain_cb on_drain, ruv_stream_read_cb on_read) {
  worker *w = worker_of(server);
  ruv_loop_t *loop = ruv_handle_get_loop(RUV_HANDLE(server));
  int tcp = ruv_handle_get_type(RUV_HANDLE(server)) == RUV_TCP;
  ruv_tcp_t *t = NULL;
  ruv_pipe_t *p = NULL;
  int r = tcp ? ruv_tcp_new(loop, AF_UNSPEC, &t) : ruv_pipe_new(loop, 0, &p);
  c->stream = tcp ? RUV_STREAM(t) : RUV_STREAM(p);
  if (r != 0) {
    fprintf(stderr, "%s: new connection handle: %s\n", who, ruv_strerror(r));
    free(c);
    return;
  }
  ruv_handle_set_data(RUV_HANDLE(c->stream), c);
  c->handles = 1;
  w->open++;
  if (opts.idle_ms > 0 && (r = ruv_timer_new(loop, &c->idle)) == 0) {
    ruv_handle_set_data(RUV_HANDLE(c->idle), c);
    c->handles++;
  }
  if (r == 0) r = ruv_accept(server, c->stream);
  if (r == 0 && nodelay && tcp) r = ruv_tcp_nodelay((ruv_tcp_t *)c->stream, 1);
  if (r == 0) r = bound_write_queue(c->stream, &opts, on_drain);
  if (r == 0) r = ruv_read_start(c->stream, on_read);
  if (r != 0) {
    fprintf(stderr, "%s: accept: %s\n", who, ruv_strerror(r));
    close_conn(c, 0);
    return;
  }
  touch(c);
  count_accepted(w);
}

/* Runs one loop until it ends, then closes what is left (its wakeup handle) and the loop. */
static void *run_worker(void *arg) {
  worker *w = arg;
  if (ruv_run(w->loop, RUV_RUN_DEFAULT) < 0) w->failed = 1;
  pthread_mutex_lock(&srv.lock);
  w->done = 1;
  pthread_mutex_unlock(&srv.lock);
  ruv_walk(w->loop, close_walk_cb, NULL);
  if (ruv_run(w->loop, RUV_RUN_DEFAULT) < 0 || ruv_loop_close(w->loop) != 0) w->failed = 1;
  return NULL;
}

/* The --stop-after-ms thread: waits that long (or until the loops have ended on their own),
 * then stops every loop. */
static void *stop_after(void *arg) {
  long ms = *(const long *)arg;
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += ms / 1000 + (deadline.tv_nsec + (ms % 1000) * 1000000L) / 1000000000L;
  deadline.tv_nsec = (deadline.tv_nsec + (ms % 1000) * 1000000L) % 1000000000L;
  pthread_mutex_lock(&srv.lock);
  while (!srv.all_ended && pthread_cond_timedwait(&srv.ended, &srv.lock, &deadline) == 0) {
  }
  pthread_mutex_unlock(&srv.lock);
  stop_all(STOP_NOW);
  return NULL;
}

/* Loop 0 also serves the Unix-domain socket `o->pipe` (--pipe), removed when it closes. */
static int pipe_listen(worker *w, const server_opts *o, ruv_stream_cb on_connection) {
  int r = ruv_pipe_new(w->loop, 0, &w->pipe_listener);
  if (r != 0) return r;
  if ((r = ruv_pipe_bind(w->pipe_listener, o->pipe, strlen(o->pipe))) != 0) return r;
  return ruv_listen(RUV_STREAM(w->pipe_listener), RUV_DEFAULT_BACKLOG, on_connection);
}

/* Creates `o->threads` loops listening on `addr` (port 0: the kernel chooses, and every loop
 * then binds the port the first one got), and with --pipe loop 0 on that path too. The
 * listener's port is stored in `*port`. Returns 0 or a ruv error code (printed by the caller). */
static int servers_listen(const server_opts *o, struct sockaddr_storage *addr,
                          ruv_stream_cb on_connection, int *port) {
  unsigned flags = o->threads > 1 ? RUV_TCP_REUSEPORT : 0;
  long i;
  int r;
  srv.nworkers = o->threads;
  srv.workers = calloc((size_t)o->threads, sizeof *srv.workers);
  if (srv.workers == NULL) return RUV_ENOMEM;
  for (i = 0; i < o->threads; i++) {
    worker *w = &srv.workers[i];
    struct sockaddr_storage bound;
    int namelen = (int)sizeof bound;
    w->index = (int)i;
    if ((r = ruv_loop_new(&w->loop)) != 0) return r;
    ruv_loop_set_data(w->loop, w);
    if ((r = ruv_async_new(w->loop, on_wakeup, &w->wakeup)) != 0) return r;
    ruv_unref(RUV_HANDLE(w->wakeup)); /* it must not keep the loop alive */
    if (i == 0 && ((r = watch_stop_signal(w, &w->on_sigint, SIGINT)) != 0 ||
                   (r = watch_stop_signal(w, &w->on_sigterm, SIGTERM)) != 0))
      return r;
    if (o->idle_ms > 0) {
      if ((r = ruv_check_new(w->loop, &w->after_io)) != 0 ||
          (r = ruv_check_start(w->after_io, count_io)) != 0)
        return r;
      ruv_unref(RUV_HANDLE(w->after_io));
    }
    if ((r = ruv_tcp_new(w->loop, addr->ss_family, &w->listener)) != 0 ||
        (r = ruv_tcp_bind(w->listener, (const struct sockaddr *)addr, flags)) != 0 ||
        (r = ruv_listen(RUV_STREAM(w->listener), RUV_DEFAULT_BACKLOG, on_connection)) != 0 ||
        (r = ruv_tcp_getsockname(w->listener, (struct sockaddr *)&bound, &namelen)) != 0)
      return r;
    if (i == 0 && o->pipe != NULL && (r = pipe_listen(w, o, on_connection)) != 0) return r;
    if (i == 0) { /* the others bind the port this one got */
      *port = ntohs(addr->ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                : ((struct sockaddr_in *)&bound)->sin_port);
      if (addr->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)addr)->sin6_port = htons((unsigned short)*port);
      else
        ((struct sockaddr_in *)addr)->sin_port = htons((unsigned short)*port);
    }
  }
  return 0;
}

/* Runs every loop (loop 0 on this thread) until all have ended. Returns 0 if every loop ran and
 * closed cleanly and no connection is left open. */
static int servers_run(const server_opts *o) {
  pthread_t stopper;
  long i, open = 0;
  int failed = 0;
  for (i = 1; i < srv.nworkers; i++)
    if (pthread_create(&srv.workers[i].thread, NULL, run_worker, &srv.workers[i]) != 0)
      return -1;
  if (o->stop_after_ms > 0 &&
      pthread_create(&stopper, NULL, stop_after, (void *)&o->stop_after_ms) != 0)
    return -1;
  run_worker(&srv.workers[0]);
  for (i = 1; i < srv.nworkers; i++) pthread_join(srv.workers[i].thread, NULL);
  pthread_mutex_lock(&srv.lock);
  srv.all_ended = 1; /* the loops may have ended before --stop-after-ms */
  pthread_cond_signal(&srv.ended);
  pthread_mutex_unlock(&srv.lock);
  if (o->stop_after_ms > 0) pthread_join(stopper, NULL);
  for (i = 0; i < srv.nworkers; i++) {
    open += srv.workers[i].open;
    failed |= srv.workers[i].failed;
  }
  return failed || open != 0 ? 1 : 0;
}

/* "12 9": connections accepted per loop. */
static void print_per_thread(FILE *f) {
  long i;
  for (i = 0; i < srv.nworkers; i++)
    fprintf(f, "%s%ld", i ? " " : "", srv.workers[i].accepted);
}

#endif /* RUV_EXAMPLE_SERVER_COMMON_H */
