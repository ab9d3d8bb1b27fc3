/* test_pingpong.c - ping-pong round trips over IPv4 and IPv6, scalar and
 * vectored writes; the caller's buffers are scribbled over right after each
 * write returns (the library copies what it did not write). */
#include "helpers.h"

#define MSG "PING\n"
#define MSG_LEN 5

typedef struct {
  int vectored;
  int rounds;       /* round trips wanted */
  int done_rounds;  /* completed */
  char acc[64];     /* bytes of the current reply */
  size_t acc_len;
  int writes_ok;
  int closed;
} client_state;

typedef struct {
  int vectored;
  size_t echoed;
  int eof;
  int closed;
} echo_state;

static int g_clients_closed;
static int g_servers_closed;

static void send_ping(ruv_tcp_t *tcp, client_state *st);

static void client_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  client_state *st = (client_state *)arg;
  (void)tcp;
  ASSERT_EQ(status, 0);
  st->writes_ok++;
}

static void client_close_cb(ruv_handle_t *h) {
  client_state *st = (client_state *)ruv_handle_get_data(h);
  st->closed = 1;
  g_clients_closed++;
}

static void client_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  client_state *st = (client_state *)ruv_handle_get_data(RUV_HANDLE(tcp));
  ASSERT_MSG(nread > 0, "client read error %zd (%s)", nread,
             ruv_err_name((int)nread));
  ASSERT_LE(st->acc_len + (size_t)nread, MSG_LEN);
  memcpy(st->acc + st->acc_len, data, (size_t)nread);
  st->acc_len += (size_t)nread;
  if (st->acc_len < MSG_LEN) return;
  ASSERT_EQ(memcmp(st->acc, MSG, MSG_LEN), 0);
  st->acc_len = 0;
  st->done_rounds++;
  if (st->done_rounds == st->rounds) {
    ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), client_close_cb), 0);
  } else {
    send_ping(tcp, st);
  }
}

static void send_ping(ruv_tcp_t *tcp, client_state *st) {
  char buf[MSG_LEN];
  ruv_buf_t bufs[3];
  memcpy(buf, MSG, MSG_LEN);
  if (st->vectored) {
    bufs[0].base = buf;
    bufs[0].len = 2;
    bufs[1].base = buf + 2;
    bufs[1].len = 2;
    bufs[2].base = buf + 4;
    bufs[2].len = 1;
    ASSERT_EQ(ruv_tcp_write(tcp, bufs, 3, client_write_cb, st), 0);
  } else {
    bufs[0].base = buf;
    bufs[0].len = MSG_LEN;
    ASSERT_EQ(ruv_tcp_write(tcp, bufs, 1, client_write_cb, st), 0);
  }
  memset(buf, 'X', sizeof buf); /* the caller may reuse its buffer at once */
}

static void client_connect_cb(ruv_tcp_t *tcp, int status) {
  client_state *st = (client_state *)ruv_handle_get_data(RUV_HANDLE(tcp));
  ASSERT_EQ(status, 0);
  ASSERT_EQ(ruv_tcp_start_read(tcp, client_read_cb), 0);
  send_ping(tcp, st);
}

static void server_close_cb(ruv_handle_t *h) {
  echo_state *es = (echo_state *)ruv_handle_get_data(h);
  es->closed = 1;
  g_servers_closed++;
  free(es);
}

static void echo_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  echo_state *es = (echo_state *)ruv_handle_get_data(RUV_HANDLE(tcp));
  ruv_buf_t b[2];
  ASSERT_NE(nread, 0);
  if (nread == RUV_EOF) {
    es->eof = 1;
    ASSERT_EQ(ruv_close(RUV_HANDLE(tcp), server_close_cb), 0);
    return;
  }
  ASSERT_MSG(nread > 0, "server read error %zd", nread);
  es->echoed += (size_t)nread;
  if (es->vectored && nread > 1) {
    b[0].base = data;
    b[0].len = (size_t)nread / 2;
    b[1].base = data + nread / 2;
    b[1].len = (size_t)nread - (size_t)nread / 2;
    ASSERT_EQ(ruv_tcp_write(tcp, b, 2, NULL, NULL), 0);
  } else {
    b[0].base = data;
    b[0].len = (size_t)nread;
    ASSERT_EQ(ruv_tcp_write(tcp, b, 1, NULL, NULL), 0);
  }
}

typedef struct {
  int vectored;
  int expected;
  int accepted;
} listener_state;

static void pp_connection_cb(ruv_tcp_t *server, int status) {
  listener_state *ls = (listener_state *)ruv_handle_get_data(RUV_HANDLE(server));
  ruv_tcp_t *c = make_tcp(ruv_handle_get_loop(RUV_HANDLE(server)), AF_UNSPEC);
  echo_state *es = calloc(1, sizeof *es);
  ASSERT_EQ(status, 0);
  ASSERT_NOT_NULL(es);
  es->vectored = ls->vectored;
  ASSERT_EQ(ruv_tcp_accept(server, c), 0);
  ruv_handle_set_data(RUV_HANDLE(c), es);
  ASSERT_EQ(ruv_tcp_start_read(c, echo_read_cb), 0);
  if (++ls->accepted == ls->expected)
    ASSERT_EQ(ruv_close(RUV_HANDLE(server), NULL), 0);
}

static void run_pingpong(int family, int vectored, int nclients, int rounds) {
  ruv_loop_t *loop = make_loop();
  listener_state ls;
  client_state *cs = calloc((size_t)nclients, sizeof *cs);
  ruv_tcp_t *server;
  struct sockaddr_storage ss;
  int port, i;
  ASSERT_NOT_NULL(cs);
  g_clients_closed = g_servers_closed = 0;
  ls.vectored = vectored;
  ls.expected = nclients;
  ls.accepted = 0;
  server = listen_on(loop, family, pp_connection_cb, &port);
  ruv_handle_set_data(RUV_HANDLE(server), &ls);
  ss = loopback(family, port);
  for (i = 0; i < nclients; i++) {
    ruv_tcp_t *c = make_tcp(loop, family);
    cs[i].vectored = vectored;
    cs[i].rounds = rounds;
    ruv_handle_set_data(RUV_HANDLE(c), &cs[i]);
    ASSERT_EQ(ruv_tcp_nodelay(c, 1), 0);
    ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss, client_connect_cb),
              0);
  }
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  for (i = 0; i < nclients; i++) {
    ASSERT_EQ(cs[i].done_rounds, rounds);
    ASSERT_EQ(cs[i].writes_ok, rounds);
    ASSERT_EQ(cs[i].closed, 1);
  }
  ASSERT_EQ(ls.accepted, nclients);
  ASSERT_EQ(g_clients_closed, nclients);
  ASSERT_EQ(g_servers_closed, nclients);
  ASSERT_EQ(ruv_loop_close(loop), 0);
  free(cs);
}

TEST_CASE(pingpong_ipv4_scalar) {
  run_pingpong(AF_INET, 0, 1, (int)test_scaled(1000, 200));
}

TEST_CASE(pingpong_ipv4_vectored) {
  run_pingpong(AF_INET, 1, 1, (int)test_scaled(1000, 200));
}

TEST_CASE(pingpong_ipv6_scalar) {
  run_pingpong(AF_INET6, 0, 1, (int)test_scaled(1000, 200));
}

TEST_CASE(pingpong_ipv6_vectored) {
  run_pingpong(AF_INET6, 1, 1, (int)test_scaled(1000, 200));
}

TEST_CASE(pingpong_many_clients) {
  run_pingpong(AF_INET, 0, 16, (int)test_scaled(200, 20));
}

TEST_MAIN(TEST_ENTRY(pingpong_ipv4_scalar), TEST_ENTRY(pingpong_ipv4_vectored),
          TEST_ENTRY(pingpong_ipv6_scalar), TEST_ENTRY(pingpong_ipv6_vectored),
          TEST_ENTRY(pingpong_many_clients))
