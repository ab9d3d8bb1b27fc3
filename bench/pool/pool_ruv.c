/* pool_ruv.c - bench/pool's ruv side: lookups and queue_work round trips per second, and
 * sequential loopback connections with ruv_tcp_connect against ruv_tcp_connect_host. */
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ruv.h>

#include "pool_bench.h"

static ruv_loop_t *loop;
static long started, done_count, total;
static const char *host;

static void start_lookup(void);

static void on_lookup(ruv_loop_t *l, int status, const struct addrinfo *res, void *arg) {
  (void)l, (void)res, (void)arg;
  if (status != 0) {
    fprintf(stderr, "lookup: %s\n", ruv_strerror(status));
    exit(1);
  }
  done_count++;
  if (started < total) start_lookup();
}

static void start_lookup(void) {
  struct addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_STREAM;
  started++;
  if (ruv_getaddrinfo(loop, host, "80", &hints, on_lookup, NULL, NULL) != 0) exit(1);
}

static void empty_work(void *arg) { (void)arg; }

static void after_work(ruv_loop_t *l, int status, void *arg) {
  (void)l, (void)arg;
  if (status != 0) exit(1);
  done_count++;
  if (started < total) {
    started++;
    ruv_queue_work(loop, empty_work, after_work, NULL, NULL);
  }
}

/* Sequential connections to a kernel-accepted loopback listener (accepted and closed here). */
static int listen_fd, port, mode; /* 0 connect, 1 connect_host literal, 2 connect_host name */

static void connect_next(void);

static void on_closed(ruv_handle_t *h) {
  (void)h;
  if (started < total) connect_next();
}

static void on_connect(ruv_tcp_t *tcp, int status) {
  int fd;
  if (status != 0) {
    fprintf(stderr, "connect: %s\n", ruv_strerror(status));
    exit(1);
  }
  fd = accept(listen_fd, NULL, NULL);
  if (fd >= 0) close(fd);
  done_count++;
  ruv_close(RUV_HANDLE(tcp), on_closed);
}

static void connect_next(void) {
  ruv_tcp_t *tcp;
  struct sockaddr_in sin;
  started++;
  if (ruv_tcp_new(loop, AF_UNSPEC, &tcp) != 0) exit(1);
  if (mode == 0) {
    ruv_ip4_addr("127.0.0.1", port, &sin);
    if (ruv_tcp_connect(tcp, (struct sockaddr *)&sin, on_connect) != 0) exit(1);
  } else if (ruv_tcp_connect_host(tcp, mode == 1 ? "127.0.0.1" : "localhost", port,
                                  on_connect) != 0) {
    exit(1);
  }
}

static void start_listener(void) {
  struct sockaddr_in sin;
  socklen_t len = sizeof sin;
  int one = 1;
  listen_fd = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ruv_ip4_addr("127.0.0.1", 0, &sin);
  if (bind(listen_fd, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(listen_fd, 128) != 0)
    exit(1);
  getsockname(listen_fd, (struct sockaddr *)&sin, &len);
  port = ntohs(sin.sin_port);
}

int main(int argc, char **argv) {
  double t0;
  int i;
  if (argc != 3) usage(argv[0]);
  total = atol(argv[2]);
  if (ruv_loop_new(&loop) != 0) return 1;
  host = lookup_host(argv[1]);
  if (strncmp(argv[1], "connect", 7) == 0) {
    mode = strcmp(argv[1], "connect") == 0 ? 0 : strcmp(argv[1], "connect_host") == 0 ? 1 : 2;
    start_listener();
    t0 = now_s();
    connect_next();
  } else {
    t0 = now_s();
    for (i = 0; i < IN_FLIGHT && started < total; i++) {
      if (host != NULL) {
        start_lookup();
      } else if (strcmp(argv[1], "work") == 0) {
        started++;
        ruv_queue_work(loop, empty_work, after_work, NULL, NULL);
      } else {
        usage(argv[0]);
      }
    }
  }
  ruv_run(loop, RUV_RUN_DEFAULT);
  if (done_count != total) return 1;
  report("ruv", argv[1], total, now_s() - t0);
  ruv_loop_close(loop);
  return 0;
}
