/*
 * server_options.h — the options echo_server.c and http_hello.c share: --threads N,
 * --idle-ms MS, --stop-after-ms MS, --write-limit BYTES, --pipe PATH (parse_server_options).
 */
#ifndef RUV_EXAMPLE_SERVER_OPTIONS_H
#define RUV_EXAMPLE_SERVER_OPTIONS_H

#include <stdlib.h>
#include <string.h>

/* ---- options ------------------------------------------------------------------------------- */

typedef struct {
  long threads;       /* --threads N: loops, one per thread (1) */
  long idle_ms;       /* --idle-ms MS: close a connection idle that long (0: never) */
  long stop_after_ms; /* --stop-after-ms MS: stop cleanly after that long (0: never) */
  long write_limit;   /* --write-limit BYTES: per-connection write queue limit */
  const char *pipe;   /* --pipe PATH: loop 0 also serves a Unix-domain socket at PATH (NULL) */
} server_opts;

static server_opts opts; /* the server's options (parse_server_options) */

/* The write queue of a connection: pause reading above `high`, resume at `low` (drain callback),
 * refuse writes past `limit` (RUV_ENOBUFS). */
#define DEFAULT_WRITE_LIMIT (1024L * 1024)
#define HIGH_WATER(o) ((size_t)(o)->write_limit / 4)
#define LOW_WATER(o) ((size_t)(o)->write_limit / 16)

static int parse_long(const char *s, long lo, long hi, long *out) {
  char *end;
  long v;
  if (s == NULL) return -1;
  v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

/* Takes the --options out of argv (leaving the positional arguments in order). -1 on a bad or
 * unknown option. */
static int parse_server_options(int *argc, char **argv, server_opts *o) {
  int i, n = 1;
  o->threads = 1;
  o->idle_ms = 0;
  o->stop_after_ms = 0;
  o->write_limit = DEFAULT_WRITE_LIMIT;
  o->pipe = NULL;
  for (i = 1; i < *argc; i++) {
    const char *a = argv[i], *v = i + 1 < *argc ? argv[i + 1] : NULL;
    long *slot = NULL, lo = 0, hi = 0;
    if (strncmp(a, "--", 2) != 0) {
      argv[n++] = argv[i];
      continue;
    }
    if (strcmp(a, "--pipe") == 0 && v != NULL && *v != '\0') {
      o->pipe = v;
      i++;
      continue;
    }
    if (strcmp(a, "--threads") == 0) slot = &o->threads, lo = 1, hi = 64;
    else if (strcmp(a, "--idle-ms") == 0) slot = &o->idle_ms, lo = 0, hi = 86400000L;
    else if (strcmp(a, "--stop-after-ms") == 0) slot = &o->stop_after_ms, lo = 0, hi = 86400000L;
    else if (strcmp(a, "--write-limit") == 0) slot = &o->write_limit, lo = 4096, hi = 1L << 30;
    if (slot == NULL || parse_long(v, lo, hi, slot) != 0) return -1;
    i++;
  }
  *argc = n;
  argv[n] = NULL;
  return 0;
}

#endif /* RUV_EXAMPLE_SERVER_OPTIONS_H */
