/* test_connect_host.c - ruv_tcp_connect_host (DESIGN §10), on loopback only.
 *
 * Names with two addresses come from ruv's test hook RUV_TEST_HOSTS (names in
 * `invalid.` only); a stalled address is a loopback listener with backlog 0
 * whose accept queue one connection fills, so the kernel drops further SYNs;
 * a second address on the same port is 127.0.0.2 (all of 127/8 is loopback).
 * Elapsed times are checked only from below (the delay was waited for) and
 * with wide upper margins. */
#include "pool_helpers.h"

#define TWO "two.ruv-test.invalid"
#define ONE "one.ruv-test.invalid"

static void hosts_setup(void) {
  pool_setup("4");
  ASSERT_EQ(setenv("RUV_TEST_HOSTS", TWO "=127.0.0.1,127.0.0.2;" ONE "=127.0.0.1", 1), 0);
}

/* A listener on `ip`:`port` (port 0: any) that completes handshakes in the
 * kernel and never accepts; backlog 0 and `fill` makes its queue full. */
static int listener_at(const char *ip, int *port, int backlog, int fill) {
  struct sockaddr_storage ss = make_addr(AF_INET, ip, *port);
  socklen_t len = sizeof ss;
  int one = 1;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), 0);
  ASSERT_EQ(bind(fd, (struct sockaddr *)&ss, sizeof(struct sockaddr_in)), 0);
  ASSERT_EQ(listen(fd, backlog), 0);
  ASSERT_EQ(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
  *port = addr_port(&ss);
  if (fill) {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(c, 0);
    ASSERT_EQ(connect(c, (struct sockaddr *)&ss, sizeof(struct sockaddr_in)), 0);
    /* `c` stays open (queued, never accepted) until the process exits. */
  }
  return fd;
}

typedef struct {
  int calls;
  int status;
  uint64_t t0, elapsed;
  int closed;
} result_t;

static void result_cb(ruv_tcp_t *tcp, int status) {
  result_t *r = (result_t *)ruv_handle_get_data(RUV_HANDLE(tcp));
  r->calls++;
  r->status = status;
  r->elapsed = test_now_ms() - r->t0;
}

static void result_close_cb(ruv_handle_t *h) {
  result_t *r = (result_t *)ruv_handle_get_data(h);
  ASSERT_EQ(r->calls, 1); /* the connect callback came first */
  r->closed = 1;
}

/* connect_host, run until its callback; returns the handle (still open). */
static ruv_tcp_t *connect_to(ruv_loop_t *loop, const char *host, int port, uint64_t delay,
                             uint64_t timeout, result_t *r) {
  ruv_tcp_t *tcp = make_tcp(loop, AF_UNSPEC);
  memset(r, 0, sizeof *r);
  ruv_handle_set_data(RUV_HANDLE(tcp), r);
  if (delay) ASSERT_EQ(ruv_tcp_set_attempt_delay(tcp, delay), 0);
  if (timeout) ASSERT_EQ(ruv_tcp_set_connect_timeout(tcp, timeout), 0);
  r->t0 = test_now_ms();
  ASSERT_EQ(ruv_tcp_connect_host(tcp, host, port, result_cb), 0);
  ASSERT_EQ(r->calls, 0); /* never inside the call */
  run_until_count(loop, &r->calls, 1);
  return tcp;
}

static const char *peer_ip(ruv_tcp_t *tcp, char *buf, size_t n) {
  struct sockaddr_storage ss;
  int len = (int)sizeof ss;
  ASSERT_EQ(ruv_tcp_getpeername(tcp, (struct sockaddr *)&ss, &len), 0);
  ASSERT_EQ(ruv_ip_name((struct sockaddr *)&ss, buf, n), 0);
  return buf;
}

static void done(ruv_loop_t *loop, ruv_tcp_t *tcp) {
  result_t *r = (result_t *)ruv_handle_get_data(RUV_HANDLE(tcp));
  ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), result_close_cb), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(r->closed, 1);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_CASE(literal_and_localhost) {
  ruv_loop_t *loop;
  ruv_tcp_t *tcp;
  result_t r;
  int port = 0, family = 0;
  int lfd = listener_at("127.0.0.1", &port, 16, 0);
  hosts_setup();
  loop = make_loop();
  tcp = connect_to(loop, "127.0.0.1", port, 0, 0, &r);
  ASSERT_EQ(r.status, 0);
  ASSERT_EQ(ruv_tcp_family(tcp, &family), 0);
  ASSERT_EQ(family, AF_INET);
  ASSERT_EQ(ruv_tcp_connect_host(tcp, "127.0.0.1", port, result_cb), RUV_EISCONN);
  ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), NULL), 0);
  tcp = connect_to(loop, "localhost", port, 0, 0, &r);
  ASSERT_EQ(r.status, 0);
  done(loop, tcp);
  close(lfd);
}

TEST_CASE(refused_first_address_falls_through_at_once) {
  ruv_loop_t *loop;
  ruv_tcp_t *tcp;
  result_t r;
  char ip[64];
  int port = 0;
  int good = listener_at("127.0.0.2", &port, 16, 0); /* nothing on 127.0.0.1:port */
  hosts_setup();
  loop = make_loop();
  tcp = connect_to(loop, TWO, port, 10000, 0, &r); /* the delay is never waited for */
  ASSERT_EQ(r.status, 0);
  ASSERT_LT(r.elapsed, 5000);
  ASSERT_STR_EQ(peer_ip(tcp, ip, sizeof ip), "127.0.0.2");
  done(loop, tcp);
  close(good);
}

TEST_CASE(stalled_first_address_loses_after_the_delay) {
  ruv_loop_t *loop;
  ruv_tcp_t *tcp;
  result_t r;
  char ip[64];
  int port = 0;
  int stalled = listener_at("127.0.0.1", &port, 0, 1);
  int good = listener_at("127.0.0.2", &port, 16, 0);
  hosts_setup();
  loop = make_loop();
  tcp = connect_to(loop, TWO, port, 100, 0, &r);
  ASSERT_EQ(r.status, 0);
  ASSERT_GE(r.elapsed, 90); /* the second attempt waited for the delay */
  ASSERT_LT(r.elapsed, 5000);
  ASSERT_STR_EQ(peer_ip(tcp, ip, sizeof ip), "127.0.0.2");
  done(loop, tcp);
  close(stalled);
  close(good);
}

TEST_CASE(every_attempt_fails_with_the_first_error) {
  ruv_loop_t *loop;
  ruv_tcp_t *tcp;
  result_t r;
  int port = free_port(AF_INET);
  hosts_setup();
  loop = make_loop();
  tcp = connect_to(loop, TWO, port, 50, 0, &r);
  ASSERT_EQ(r.status, RUV_ECONNREFUSED);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(tcp)), 0);
  done(loop, tcp);
}

TEST_CASE(resolution_errors_are_eai_codes) {
  ruv_loop_t *loop;
  ruv_tcp_t *tcp;
  result_t r;
  hosts_setup();
  loop = make_loop();
  tcp = connect_to(loop, "nothing.invalid", 80, 0, 0, &r);
  ASSERT_EQ(r.status, RUV_EAI_NONAME);
  done(loop, tcp);
}

TEST_CASE(connect_timeout) {
  ruv_loop_t *loop;
  ruv_tcp_t *tcp;
  result_t r;
  int port = 0;
  int stalled = listener_at("127.0.0.1", &port, 0, 1);
  hosts_setup();
  loop = make_loop();
  tcp = connect_to(loop, ONE, port, 0, 200, &r);
  ASSERT_EQ(r.status, RUV_ETIMEDOUT);
  ASSERT_GE(r.elapsed, 190);
  ASSERT_LT(r.elapsed, 5000);
  ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), NULL), 0);
  /* An IP literal with a timeout too, and a lookup that hangs. */
  tcp = connect_to(loop, "127.0.0.1", port, 0, 150, &r);
  ASSERT_EQ(r.status, RUV_ETIMEDOUT);
  ASSERT_GE(r.elapsed, 140);
  ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), NULL), 0);
  tcp = connect_to(loop, HANG_NAME, port, 0, 150, &r);
  ASSERT_EQ(r.status, RUV_ETIMEDOUT);
  ASSERT_GE(r.elapsed, 140);
  ASSERT_LT(r.elapsed, 5000);
  done(loop, tcp);
  close(stalled);
}

/* The timeout applies to ruv_tcp_connect as well. */
TEST_CASE(plain_connect_timeout) {
  ruv_loop_t *loop;
  ruv_tcp_t *tcp;
  result_t r;
  int port = 0;
  int stalled = listener_at("127.0.0.1", &port, 0, 1);
  struct sockaddr_storage ss = make_addr(AF_INET, "127.0.0.1", port);
  hosts_setup();
  loop = make_loop();
  tcp = make_tcp(loop, AF_INET);
  memset(&r, 0, sizeof r);
  ruv_handle_set_data(RUV_HANDLE(tcp), &r);
  ASSERT_EQ(ruv_tcp_set_connect_timeout(tcp, 150), 0);
  r.t0 = test_now_ms();
  ASSERT_EQ(ruv_tcp_connect(tcp, (struct sockaddr *)&ss, result_cb), 0);
  run_until_count(loop, &r.calls, 1);
  ASSERT_EQ(r.status, RUV_ETIMEDOUT);
  ASSERT_GE(r.elapsed, 140);
  ASSERT_LT(r.elapsed, 5000);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(tcp)), 0);
  close(stalled);
  done(loop, tcp);
}

static void close_soon_cb(ruv_timer_t *t) {
  ruv_tcp_t *tcp = (ruv_tcp_t *)ruv_handle_get_data(RUV_HANDLE(t));
  ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), result_close_cb), 0);
  ruv_close(RUV_HANDLE(t), NULL);
}

/* Close while the lookup hangs, and while an attempt stalls: ECANCELED. */
TEST_CASE(close_during_connect_host) {
  ruv_loop_t *loop;
  result_t r[2];
  int port = 0, i;
  int stalled = listener_at("127.0.0.1", &port, 0, 1);
  const char *hosts[2] = {HANG_NAME, ONE};
  hosts_setup();
  loop = make_loop();
  for (i = 0; i < 2; i++) {
    ruv_tcp_t *tcp = make_tcp(loop, AF_UNSPEC);
    ruv_timer_t *t;
    memset(&r[i], 0, sizeof r[i]);
    ruv_handle_set_data(RUV_HANDLE(tcp), &r[i]);
    ASSERT_EQ(ruv_tcp_connect_host(tcp, hosts[i], port, result_cb), 0);
    ASSERT_EQ(ruv_timer_new(loop, &t), 0);
    ruv_handle_set_data(RUV_HANDLE(t), tcp);
    ASSERT_EQ(ruv_timer_start(t, close_soon_cb, 50, 0), 0);
  }
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  for (i = 0; i < 2; i++) {
    ASSERT_EQ(r[i].calls, 1);
    ASSERT_EQ(r[i].status, RUV_ECANCELED);
    ASSERT_EQ(r[i].closed, 1);
  }
  ASSERT_EQ(ruv_loop_close(loop), 0);
  close(stalled);
}

TEST_CASE(misuse) {
  ruv_loop_t *loop;
  ruv_tcp_t *v4, *bound, *tcp;
  result_t r;
  struct sockaddr_storage ss = make_addr(AF_INET, "127.0.0.1", 0);
  int port = 0;
  int stalled = listener_at("127.0.0.1", &port, 0, 1);
  hosts_setup();
  loop = make_loop();
  tcp = make_tcp(loop, AF_UNSPEC);
  memset(&r, 0, sizeof r);
  ruv_handle_set_data(RUV_HANDLE(tcp), &r);
  v4 = make_tcp(loop, AF_INET);
  bound = make_tcp(loop, AF_UNSPEC);
  ASSERT_EQ(ruv_tcp_bind(bound, (struct sockaddr *)&ss, 0), 0);
  ASSERT_EQ(ruv_tcp_connect_host(NULL, "localhost", 80, result_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect_host(tcp, NULL, 80, result_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect_host(tcp, "", 80, result_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect_host(tcp, "localhost", 80, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect_host(tcp, "localhost", -1, result_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect_host(tcp, "localhost", 65536, result_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect_host(v4, "localhost", 80, result_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect_host(bound, "localhost", 80, result_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_connect_host((ruv_tcp_t *)loop, "localhost", 80, result_cb), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_attempt_delay(NULL, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_set_connect_timeout(NULL, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_loop_alive(loop), 0); /* nothing started */
  /* A second connect while one runs. */
  ASSERT_EQ(ruv_tcp_connect_host(tcp, ONE, port, result_cb), 0);
  ASSERT_EQ(ruv_tcp_connect_host(tcp, ONE, port, result_cb), RUV_EALREADY);
  ASSERT_EQ(ruv_loop_close(loop), RUV_EBUSY);
  finish_loop(loop); /* closes everything: the connect gets ECANCELED */
  ASSERT_EQ(r.calls, 1);
  ASSERT_EQ(r.status, RUV_ECANCELED);
  close(stalled);
}

TEST_MAIN(TEST_ENTRY(literal_and_localhost),
          TEST_ENTRY(refused_first_address_falls_through_at_once),
          TEST_ENTRY(stalled_first_address_loses_after_the_delay),
          TEST_ENTRY(every_attempt_fails_with_the_first_error),
          TEST_ENTRY(resolution_errors_are_eai_codes), TEST_ENTRY(connect_timeout),
          TEST_ENTRY(plain_connect_timeout),
          TEST_ENTRY(close_during_connect_host), TEST_ENTRY(misuse))
