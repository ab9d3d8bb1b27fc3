/* pool_uv.c - bench/pool's libuv side: lookups and queue_work round trips per second. */
#include <uv.h>

#include "pool_bench.h"

static uv_loop_t *loop;
static long started, done_count, total;
static const char *host;
static uv_getaddrinfo_t gai_reqs[IN_FLIGHT];
static uv_work_t work_reqs[IN_FLIGHT];

static void start_lookup(uv_getaddrinfo_t *req);

static void on_lookup(uv_getaddrinfo_t *req, int status, struct addrinfo *res) {
  if (status != 0) {
    fprintf(stderr, "lookup: %s\n", uv_strerror(status));
    exit(1);
  }
  uv_freeaddrinfo(res);
  done_count++;
  if (started < total) start_lookup(req);
}

static void start_lookup(uv_getaddrinfo_t *req) {
  struct addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_STREAM;
  started++;
  if (uv_getaddrinfo(loop, req, on_lookup, host, "80", &hints) != 0) exit(1);
}

static void empty_work(uv_work_t *req) { (void)req; }

static void after_work(uv_work_t *req, int status) {
  if (status != 0) exit(1);
  done_count++;
  if (started < total) {
    started++;
    uv_queue_work(loop, req, empty_work, after_work);
  }
}

int main(int argc, char **argv) {
  double t0;
  int i;
  if (argc != 3) usage(argv[0]);
  total = atol(argv[2]);
  loop = uv_default_loop();
  host = lookup_host(argv[1]);
  t0 = now_s();
  for (i = 0; i < IN_FLIGHT && started < total; i++) {
    if (host != NULL) {
      start_lookup(&gai_reqs[i]);
    } else if (strcmp(argv[1], "work") == 0) {
      started++;
      uv_queue_work(loop, &work_reqs[i], empty_work, after_work);
    } else {
      usage(argv[0]);
    }
  }
  uv_run(loop, UV_RUN_DEFAULT);
  if (done_count != total) return 1;
  report("libuv", argv[1], total, now_s() - t0);
  return 0;
}
