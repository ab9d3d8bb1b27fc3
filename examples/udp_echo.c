/*
 * udp_echo.c — a UDP echo server on ruv.
 *
 *   udp_echo [PORT [MAX_DATAGRAMS [ADDRESS]]]
 *
 *   ./build/examples/udp_echo 7001 &
 *   echo hello | nc -u -q1 127.0.0.1 7001
 *
 * Binds ADDRESS (default 127.0.0.1; IPv4 or IPv6) port PORT (default 7001; 0 lets the kernel
 * choose), prints "udp echo listening on ADDRESS:PORT", and sends every datagram back to its
 * sender — an empty one too. ruv copies a datagram it cannot send at once, so the receive
 * buffer is free to go when the callback returns. With MAX_DATAGRAMS > 0 it stops after echoing
 * that many: it closes the handle (sends already accepted still complete first, in order) and
 * exits 0. SIGINT or SIGTERM stops it the same way.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ruv.h"

static long max_datagrams, received, echoed, failed;
static ruv_udp_t *udp;
static ruv_signal_t *on_int, *on_term;

static void stop(void) {
  if (!ruv_is_closing(RUV_HANDLE(udp))) ruv_close(RUV_HANDLE(udp), NULL);
  if (!ruv_is_closing(RUV_HANDLE(on_int))) ruv_close(RUV_HANDLE(on_int), NULL);
  if (!ruv_is_closing(RUV_HANDLE(on_term))) ruv_close(RUV_HANDLE(on_term), NULL);
}

static void on_sent(ruv_udp_t *u, int status, void *arg) {
  (void)u, (void)arg;
  if (status == 0) {
    echoed++;
  } else {
    failed++;
    fprintf(stderr, "udp_echo: send: %s\n", ruv_strerror(status));
  }
}

static void on_datagram(ruv_udp_t *u, ssize_t nread, const char *data,
                        const struct sockaddr *addr, unsigned flags) {
  ruv_buf_t buf;
  int r;
  if (nread < 0) {
    fprintf(stderr, "udp_echo: receive: %s\n", ruv_strerror((int)nread));
    return;
  }
  if (flags & RUV_UDP_PARTIAL) fprintf(stderr, "udp_echo: a datagram was truncated\n");
  buf.base = data;
  buf.len = (size_t)nread;
  r = ruv_udp_send(u, &buf, 1, addr, on_sent, NULL);
  if (r != 0) {
    failed++;
    fprintf(stderr, "udp_echo: send: %s\n", ruv_strerror(r));
  }
  if (++received == max_datagrams) stop();
}

static void on_signal(ruv_signal_t *sig, int signum) {
  (void)sig;
  fprintf(stderr, "signal %d: stopping\n", signum);
  stop();
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
  struct sockaddr_storage addr;
  const char *host = "127.0.0.1";
  char name[64];
  long port = 7001;
  int len = (int)sizeof addr, r;

  if (argc > 4 || (argc > 1 && parse_long(argv[1], 0, 65535, &port) != 0) ||
      (argc > 2 && parse_long(argv[2], 0, 1000000000L, &max_datagrams) != 0)) {
    fprintf(stderr, "usage: %s [PORT [MAX_DATAGRAMS [ADDRESS]]]\n", argv[0]);
    return 2;
  }
  if (argc > 3) host = argv[3];
  memset(&addr, 0, sizeof addr);
  if (ruv_ip4_addr(host, (int)port, (struct sockaddr_in *)&addr) != 0 &&
      ruv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)&addr) != 0) {
    fprintf(stderr, "udp_echo: '%s' is not an IPv4 or IPv6 address\n", host);
    return 2;
  }
  if ((r = ruv_loop_new(&loop)) != 0 || (r = ruv_udp_new(loop, AF_UNSPEC, &udp)) != 0 ||
      (r = ruv_udp_bind(udp, (const struct sockaddr *)&addr, 0)) != 0 ||
      (r = ruv_udp_getsockname(udp, (struct sockaddr *)&addr, &len)) != 0 ||
      (r = ruv_ip_name((const struct sockaddr *)&addr, name, sizeof name)) != 0 ||
      (r = ruv_udp_recv_start(udp, on_datagram)) != 0 ||
      (r = ruv_signal_new(loop, &on_int)) != 0 || (r = ruv_signal_new(loop, &on_term)) != 0 ||
      (r = ruv_signal_start(on_int, on_signal, SIGINT)) != 0 ||
      (r = ruv_signal_start(on_term, on_signal, SIGTERM)) != 0) {
    fprintf(stderr, "udp_echo: %s (%s)\n", ruv_strerror(r), ruv_err_name(r));
    return 1;
  }
  ruv_unref(RUV_HANDLE(on_int)); /* the signal handles must not keep the loop alive */
  ruv_unref(RUV_HANDLE(on_term));
  printf("udp echo listening on %s:%d\n", name,
         ntohs(addr.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&addr)->sin6_port
                                          : ((struct sockaddr_in *)&addr)->sin_port));
  fflush(stdout);
  r = ruv_run(loop, RUV_RUN_DEFAULT);
  if (r == 0) r = ruv_loop_close(loop);
  printf("udp echo done: %ld datagram(s) received, %ld echoed, %ld failed\n", received, echoed,
         failed);
  return r != 0 || failed != 0 ? 1 : 0;
}
