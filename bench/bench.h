/* bench/bench.h — harness shared by the workloads (bench/harness.c). */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include "adapter.h"

typedef struct bench_opts {
  double duration;   /* seconds of load (time-bounded workloads) */
  long   count;      /* upper bound on operations (count-bounded workloads) */
  int    conns;      /* connections / concurrent clients */
  size_t size;       /* message or write size in bytes */
  int    port;       /* client: server port; a server thread: the port to share (0: any) */
  long   max_ms;     /* timers: largest timeout (timers-million) / the timeout (churn), ms */
  long   passes;     /* timer churn: restarts per timer */
  int    threads;    /* loops, one per thread, in the server and in the client (--threads) */
  int    thread;     /* this thread's index */
} bench_opts;

/* A result is a list of key=value pairs printed on one line. */
typedef struct bench_result {
  char text[1024];
  size_t len;
  /* set by res_rate: the numbers the harness adds up over threads */
  const char *count_key, *unit;
  long count, errors;
  double t_first, t_last;
} bench_result;

void res_add(bench_result *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A rate: `count` operations between t_first and t_last, as <count_key>=, seconds=, value=,
 * unit=, errors=. With --threads the harness adds the threads' counts up over the span from the
 * first thread's t_first to the last one's t_last. */
void res_rate(bench_result *r, const char *count_key, const char *unit, long count,
              double t_first, double t_last, long errors);

typedef struct workload {
  const char *name;
  const char *help;
  /* defaults for options the user did not give */
  bench_opts defaults;
  /* Each returns 0 on success.  The server must call bench_port_ready() once
   * it listens.  A workload with client == NULL is one process (no fork, no
   * port): the harness runs server() alone and prefixes its keys with s_. */
  int (*server)(const bench_opts *o, bench_result *r);
  int (*client)(const bench_opts *o, bench_result *r);
  /* --threads N works: the server listens with bench_listen, reports with res_rate and stops
   * on a connection whose first byte is 'Q' (one per server thread, sent by the harness after
   * the client threads are done) */
  int threads_ok;
} workload;

extern const workload wl_pingpong, wl_pump, wl_pound, wl_writebatch, wl_idle;
extern const workload wl_timers, wl_timerchurn, wl_asyncpummel, wl_udppingpong, wl_handlechurn;

/* exit status of a run whose back-end lacks what the workload needs (bench/run: n/a) */
#define BENCH_UNSUPPORTED 77

void   bench_port_ready(int port);
/* bl_connect to the server's port, or with --pipe bl_connect_pipe to its socket path */
bl_conn *bench_connect(bl_loop *l, const bench_opts *o, void *data);
/* bl_listen, or with --threads bl_listen_reuseport on the port the first thread got, or with
 * --pipe bl_listen_pipe on a socket path named by the "port" it sets (exits with
 * BENCH_UNSUPPORTED when the back-end has no pipes) */
int    bench_listen(bl_loop *l, const bench_opts *o, int *port);
double bench_now(void);                  /* monotonic seconds */
long   bench_rss_bytes(void);            /* resident set size from /proc/self/statm */
void   bench_die(const char *what, int err) __attribute__((noreturn));
/* print "workload=.. backend=.. unsupported=<what>" and exit(BENCH_UNSUPPORTED) */
void   bench_unsupported(const char *what) __attribute__((noreturn));
double bench_cpu_seconds(void);          /* getrusage(RUSAGE_SELF) user+sys: the whole process */
double bench_thread_cpu_seconds(void);   /* getrusage(RUSAGE_THREAD) user+sys: the calling thread */
/* Call first thing in a helper thread a workload creates (async-pummel's sender):
 * --pin split moves it to CPU 1; --pin same leaves it on CPU 0 with the loop's thread;
 * --pin none leaves it to the scheduler. */
void   bench_pin_helper_thread(void);

#define CHECK(call)                                              \
  do {                                                           \
    int check_rc_ = (call);                                      \
    if (check_rc_ < 0) bench_die(#call, check_rc_);              \
  } while (0)

#endif
