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
  int    port;       /* client: server port */
} bench_opts;

/* A result is a list of key=value pairs printed on one line. */
typedef struct bench_result {
  char text[1024];
  size_t len;
} bench_result;

void res_add(bench_result *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

typedef struct workload {
  const char *name;
  const char *help;
  /* defaults for options the user did not give */
  bench_opts defaults;
  /* Each returns 0 on success.  The server must call bench_port_ready() once
   * it listens. */
  int (*server)(const bench_opts *o, bench_result *r);
  int (*client)(const bench_opts *o, bench_result *r);
} workload;

extern const workload wl_pingpong, wl_pump, wl_pound, wl_writebatch, wl_idle;

void   bench_port_ready(int port);
double bench_now(void);                  /* monotonic seconds */
long   bench_rss_bytes(void);            /* resident set size from /proc/self/statm */
void   bench_die(const char *what, int err) __attribute__((noreturn));

#define CHECK(call)                                              \
  do {                                                           \
    int check_rc_ = (call);                                      \
    if (check_rc_ < 0) bench_die(#call, check_rc_);              \
  } while (0)

#endif
