/* pool_bench.h - what bench/pool's two programs (pool_ruv.c, pool_uv.c) share: the workload
 * names, the in-flight count, the clock and the report line. */
#ifndef POOL_BENCH_H
#define POOL_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IN_FLIGHT 64

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The host a lookup workload resolves, or NULL for a workload without lookups. */
static const char *lookup_host(const char *workload) {
  if (strcmp(workload, "lookup_localhost") == 0) return "localhost";
  if (strcmp(workload, "lookup_numeric") == 0) return "127.0.0.1";
  return NULL;
}

static void report(const char *lib, const char *workload, long n, double seconds) {
  printf("%s %s %.0f\n", lib, workload, (double)n / seconds);
}

static void usage(const char *prog) {
  fprintf(stderr,
          "usage: %s WORKLOAD N\n"
          "  lookup_localhost | lookup_numeric   N lookups, %d in flight\n"
          "  work                                N queue_work round trips (empty work), %d in flight\n"
          "  connect | connect_host | connect_host_name   (ruv only) N sequential connections\n",
          prog, IN_FLIGHT, IN_FLIGHT);
  exit(2);
}

#endif
