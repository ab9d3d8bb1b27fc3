/*
 * test_udp.c - UDP handles (DESIGN §8 "UDP") over 127.0.0.1 / ::1: echo with the sender's
 * address, send callbacks deferred and in order, 0-byte datagrams, close ordering,
 * EISCONN/EDESTADDRREQ for send and try_send, connect and disconnect, getpeername, try_send,
 * the send queue counters, socket options, and multicast membership on the loopback
 * interface (joined and left; nothing is sent to a group).
 */
#include "streams.h"

typedef struct {
  char data[2048];
  ssize_t nread;
  int count;
  int zero_with_addr;
  unsigned flags;
  struct sockaddr_storage from;
  int echo; /* send each datagram back to its sender */
} inbox;

static void inbox_cb(ruv_udp_t *u, ssize_t nread, const char *data, const struct sockaddr *addr,
                     unsigned flags) {
  inbox *in = (inbox *)ruv_handle_get_data(RUV_HANDLE(u));
  ASSERT(nread >= 0);
  ASSERT_NOT_NULL(addr);
  in->count++;
  in->nread = nread;
  in->flags = flags;
  if (nread == 0) in->zero_with_addr++;
  if (nread > 0) memcpy(in->data, data, (size_t)(nread < 2048 ? nread : 2048));
  memcpy(&in->from, addr, addr->sa_family == AF_INET ? sizeof(struct sockaddr_in)
                                                     : sizeof(struct sockaddr_in6));
  if (in->echo) {
    ruv_buf_t b = {data, (size_t)nread};
    ASSERT_EQ(ruv_udp_send(u, &b, 1, addr, NULL, NULL), 0);
  }
}

typedef struct {
  int log[128];
  int status[128];
  int n;
  int in_call;
} sendlog;

static void sendlog_cb(ruv_udp_t *u, int status, void *arg) {
  sendlog *l = (sendlog *)ruv_handle_get_data(RUV_HANDLE(u));
  ASSERT_EQ(l->in_call, 0);
  ASSERT_LT(l->n, 128);
  l->log[l->n] = (int)(intptr_t)arg;
  l->status[l->n++] = status;
}

static void sendlog_close_cb(ruv_handle_t *h) {
  sendlog *l = (sendlog *)ruv_handle_get_data(h);
  l->log[l->n] = -1;
  l->status[l->n++] = 0;
}

/* A handle bound to the loopback of `family`, port 0, receiving into `in`. */
static ruv_udp_t *bound_udp(ruv_loop_t *loop, int family, inbox *in, struct sockaddr_storage *at) {
  ruv_udp_t *u = make_udp(loop, family);
  struct sockaddr_storage ss = loopback(family, 0);
  int len = (int)sizeof *at;
  ASSERT_EQ(ruv_udp_bind(u, (struct sockaddr *)&ss, 0), 0);
  ASSERT_EQ(ruv_udp_getsockname(u, (struct sockaddr *)at, &len), 0);
  ASSERT_EQ(len, (int)family_len(family));
  ASSERT_GT(addr_port(at), 0);
  if (in) {
    memset(in, 0, sizeof *in);
    ruv_handle_set_data(RUV_HANDLE(u), in);
    ASSERT_EQ(ruv_udp_recv_start(u, inbox_cb), 0);
  }
  return u;
}

static void udp_echo(int family) {
  ruv_loop_t *loop = make_loop();
  inbox sin, cin;
  struct sockaddr_storage saddr, caddr;
  ruv_udp_t *server = bound_udp(loop, family, &sin, &saddr);
  ruv_udp_t *client = bound_udp(loop, family, &cin, &caddr);
  ruv_buf_t bufs[2] = {{"ping ", 5}, {"pong", 4}};
  sin.echo = 1;
  ASSERT_EQ(ruv_udp_send(client, bufs, 2, (struct sockaddr *)&saddr, NULL, NULL), 0);
  while (cin.count == 0) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(cin.nread, 9);
  ASSERT_EQ(memcmp(cin.data, "ping pong", 9), 0);
  ASSERT_EQ(cin.flags, 0);
  ASSERT_EQ(addr_port(&cin.from), addr_port(&saddr));
  ASSERT_EQ(addr_port(&sin.from), addr_port(&caddr));
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(server)), 1); /* receiving */
  ASSERT_EQ(ruv_udp_recv_start(server, inbox_cb), RUV_EALREADY);
  ASSERT_EQ(ruv_udp_recv_stop(server), 0);
  ASSERT_EQ(ruv_udp_recv_stop(server), 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(server)), 0);
  finish_loop(loop);
}

TEST_CASE(echo_v4) { udp_echo(AF_INET); }
TEST_CASE(echo_v6) { udp_echo(AF_INET6); }

TEST_CASE(send_callbacks_deferred_in_order_then_close) {
  ruv_loop_t *loop = make_loop();
  inbox sin;
  sendlog l;
  struct sockaddr_storage saddr;
  ruv_udp_t *server = bound_udp(loop, AF_INET, &sin, &saddr);
  ruv_udp_t *client = make_udp(loop, AF_UNSPEC); /* bound by the first send */
  char msg[16];
  ruv_buf_t b = {msg, 0};
  int i;
  (void)server;
  memset(&l, 0, sizeof l);
  ruv_handle_set_data(RUV_HANDLE(client), &l);
  l.in_call = 1;
  for (i = 0; i < 50; i++) {
    b.len = (size_t)snprintf(msg, sizeof msg, "%d", i);
    ASSERT_EQ(ruv_udp_send(client, &b, 1, (struct sockaddr *)&saddr, sendlog_cb,
                           (void *)(intptr_t)i), 0);
  }
  l.in_call = 0;
  ASSERT_EQ(l.n, 0);
  ASSERT_EQ(ruv_is_active(RUV_HANDLE(client)), 1); /* sends in flight */
  ASSERT_EQ(ruv_udp_get_send_queue_size(client), 0); /* loopback takes them at once */
  ASSERT_EQ(ruv_udp_get_send_queue_count(client), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(client), sendlog_close_cb), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(client), NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_send(client, &b, 1, (struct sockaddr *)&saddr, NULL, NULL), RUV_EINVAL);
  while (l.n < 51) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  for (i = 0; i < 50; i++) {
    ASSERT_EQ(l.log[i], i);
    ASSERT_EQ(l.status[i], 0); /* each went out at once: loopback never says EAGAIN */
  }
  ASSERT_EQ(l.log[50], -1); /* the close callback last */
  while (sin.count < 50) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(memcmp(sin.data, "49", 2), 0); /* in order, nothing lost on loopback */
  finish_loop(loop);
}

TEST_CASE(zero_byte_datagrams_arrive_with_an_address) {
  ruv_loop_t *loop = make_loop();
  inbox sin;
  struct sockaddr_storage saddr;
  ruv_udp_t *server = bound_udp(loop, AF_INET, &sin, &saddr);
  ruv_udp_t *client = make_udp(loop, AF_INET);
  ruv_buf_t empty = {NULL, 0};
  (void)server;
  ASSERT_EQ(ruv_udp_send(client, &empty, 1, (struct sockaddr *)&saddr, NULL, NULL), 0);
  ASSERT_EQ(ruv_udp_try_send(client, &empty, 1, (struct sockaddr *)&saddr), 0);
  while (sin.count < 2) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(sin.zero_with_addr, 2);
  ASSERT_EQ(sin.nread, 0);
  finish_loop(loop);
}

TEST_CASE(connected_and_unconnected_destinations) {
  ruv_loop_t *loop = make_loop();
  inbox sin;
  sendlog l;
  struct sockaddr_storage saddr, peer;
  ruv_udp_t *server = bound_udp(loop, AF_INET, &sin, &saddr);
  ruv_udp_t *client = make_udp(loop, AF_INET);
  struct sockaddr_storage v6 = loopback(AF_INET6, 9);
  ruv_buf_t b = {"hi", 2};
  int len = (int)sizeof peer;
  (void)server;
  memset(&l, 0, sizeof l);
  ruv_handle_set_data(RUV_HANDLE(client), &l);
  /* unconnected: an address is needed */
  ASSERT_EQ(ruv_udp_send(client, &b, 1, NULL, sendlog_cb, NULL), RUV_EDESTADDRREQ);
  ASSERT_EQ(ruv_udp_try_send(client, &b, 1, NULL), RUV_EDESTADDRREQ);
  ASSERT_EQ(ruv_udp_getpeername(client, (struct sockaddr *)&peer, &len), RUV_ENOTCONN);
  ASSERT_EQ(ruv_udp_connect(client, NULL), RUV_ENOTCONN);
  ASSERT_EQ(ruv_udp_connect(client, (struct sockaddr *)&v6), RUV_EINVAL); /* other family */
  /* connected: no address, or EISCONN */
  ASSERT_EQ(ruv_udp_connect(client, (struct sockaddr *)&saddr), 0);
  ASSERT_EQ(ruv_udp_connect(client, (struct sockaddr *)&saddr), RUV_EISCONN);
  ASSERT_EQ(ruv_udp_getpeername(client, (struct sockaddr *)&peer, &len), 0);
  ASSERT_EQ(addr_port(&peer), addr_port(&saddr));
  len = 4;
  ASSERT_EQ(ruv_udp_getpeername(client, (struct sockaddr *)&peer, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_send(client, &b, 1, (struct sockaddr *)&saddr, sendlog_cb, NULL),
            RUV_EISCONN);
  ASSERT_EQ(ruv_udp_try_send(client, &b, 1, (struct sockaddr *)&saddr), RUV_EISCONN);
  ASSERT_EQ(l.n, 0); /* no callback for a refused send */
  ASSERT_EQ(ruv_udp_send(client, &b, 1, NULL, sendlog_cb, (void *)7), 0);
  ASSERT_EQ(ruv_udp_try_send(client, &b, 1, NULL), 2);
  while (sin.count < 2 || l.n < 1) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(l.log[0], 7);
  ASSERT_EQ(l.status[0], 0);
  /* disconnect: back to needing an address */
  ASSERT_EQ(ruv_udp_connect(client, NULL), 0);
  len = (int)sizeof peer;
  ASSERT_EQ(ruv_udp_getpeername(client, (struct sockaddr *)&peer, &len), RUV_ENOTCONN);
  ASSERT_EQ(ruv_udp_try_send(client, &b, 1, NULL), RUV_EDESTADDRREQ);
  ASSERT_EQ(ruv_udp_try_send(client, &b, 1, (struct sockaddr *)&saddr), 2);
  while (sin.count < 3) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  finish_loop(loop);
}

TEST_CASE(arguments_and_state_errors) {
  ruv_loop_t *loop = make_loop();
  ruv_udp_t *u = make_udp(loop, AF_UNSPEC), *v4 = make_udp(loop, AF_INET), *out = NULL;
  struct sockaddr_storage a4 = loopback(AF_INET, 0), a6 = loopback(AF_INET6, 0), name;
  int len = (int)sizeof name, fd, sv[2];
  ruv_buf_t b = {"x", 1};
  ASSERT_EQ(ruv_udp_new(loop, AF_UNIX, &out), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_new(loop, AF_INET, NULL), RUV_EINVAL);
  ASSERT_NULL(out);
  ASSERT_EQ(ruv_udp_getsockname(u, (struct sockaddr *)&name, &len), RUV_EBADF);
  ASSERT_EQ(ruv_udp_set_ttl(u, 64), RUV_EBADF);
  ASSERT_EQ(ruv_udp_bind(u, NULL, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_bind(u, (struct sockaddr *)&a4, 8), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_bind(u, (struct sockaddr *)&a4, RUV_UDP_IPV6ONLY), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_bind(v4, (struct sockaddr *)&a6, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_bind(u, (struct sockaddr *)&a6, RUV_UDP_IPV6ONLY | RUV_UDP_REUSEADDR), 0);
  ASSERT_EQ(ruv_udp_bind(u, (struct sockaddr *)&a6, 0), RUV_EINVAL); /* already bound */
  ASSERT_EQ(ruv_udp_send(u, NULL, 1, (struct sockaddr *)&a6, NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_send(u, &b, 0, (struct sockaddr *)&a6, NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_send(u, &b, 1, (struct sockaddr *)&a4, NULL, NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_recv_start(u, NULL), RUV_EINVAL);
  /* open: a TCP socket is refused, a held descriptor is EEXIST, the caller keeps both */
  fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(ruv_udp_open(make_udp(loop, AF_UNSPEC), fd), RUV_EINVAL);
  ASSERT(fd_is_open(fd));
  close(fd);
  ASSERT_EQ(ruv_udp_open(make_udp(loop, AF_UNSPEC), fileno_or_die(v4)), RUV_EEXIST);
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
  ASSERT_EQ(ruv_udp_open(make_udp(loop, AF_UNSPEC), sv[0]), RUV_EAFNOSUPPORT);
  close(sv[0]);
  close(sv[1]);
  fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_EQ(ruv_udp_open(v4, fd), RUV_EBUSY);
  out = make_udp(loop, AF_UNSPEC);
  ASSERT_EQ(ruv_udp_open(out, fd), 0);
  ASSERT_EQ(fileno_or_die(out), fd);
  finish_loop(loop);
  ASSERT(!fd_is_open(fd));
}

TEST_CASE(socket_options_and_loopback_membership) {
  ruv_loop_t *loop = make_loop();
  struct sockaddr_storage at;
  ruv_udp_t *u = bound_udp(loop, AF_INET, NULL, &at), *u6 = make_udp(loop, AF_INET6);
  int fd = fileno_or_die(u);
  ASSERT_EQ(ruv_udp_set_ttl(u, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_set_ttl(u, 256), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_set_ttl(u, 17), 0);
  ASSERT_EQ(sockopt_int(fd, IPPROTO_IP, IP_TTL), 17);
  ASSERT_EQ(ruv_udp_set_broadcast(u, 1), 0);
  ASSERT_EQ(sockopt_int(fd, SOL_SOCKET, SO_BROADCAST), 1);
  ASSERT_EQ(ruv_udp_set_broadcast(u, 0), 0);
  ASSERT_EQ(sockopt_int(fd, SOL_SOCKET, SO_BROADCAST), 0);
  ASSERT_EQ(ruv_udp_set_multicast_ttl(u, 256), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_set_multicast_ttl(u, 3), 0);
  ASSERT_EQ(sockopt_int(fd, IPPROTO_IP, IP_MULTICAST_TTL), 3);
  ASSERT_EQ(ruv_udp_set_multicast_loop(u, 0), 0);
  ASSERT_EQ(sockopt_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP), 0);
  ASSERT_EQ(ruv_udp_set_multicast_interface(u, "127.0.0.1"), 0);
  ASSERT_EQ(ruv_udp_set_multicast_interface(u, NULL), 0);
  ASSERT_EQ(ruv_udp_set_multicast_interface(u, "::1"), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_set_multicast_interface(u, "nonsense"), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_set_ttl(u6, 9), 0);
  ASSERT_EQ(sockopt_int(fileno_or_die(u6), IPPROTO_IPV6, IPV6_UNICAST_HOPS), 9);
  /* membership on the loopback interface: join, leave, and leaving again fails */
  ASSERT_EQ(ruv_udp_set_membership(u, "224.0.0.251", "127.0.0.1", 1), 0);
  ASSERT_EQ(ruv_udp_set_membership(u, "224.0.0.251", "127.0.0.1", 0), 0);
  ASSERT_EQ(ruv_udp_set_membership(u, "224.0.0.251", "127.0.0.1", 0), RUV_EADDRNOTAVAIL);
  ASSERT_EQ(ruv_udp_set_membership(u, "224.0.0.251", "127.0.0.1", 2), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_set_membership(u, NULL, "127.0.0.1", 1), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_set_membership(u, "not an ip", NULL, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_udp_set_membership(u, "ff02::1", NULL, 1), RUV_EINVAL); /* other family */
  finish_loop(loop);
}

TEST_MAIN(TEST_ENTRY(echo_v4), TEST_ENTRY(echo_v6),
          TEST_ENTRY(send_callbacks_deferred_in_order_then_close),
          TEST_ENTRY(zero_byte_datagrams_arrive_with_an_address),
          TEST_ENTRY(connected_and_unconnected_destinations),
          TEST_ENTRY(arguments_and_state_errors), TEST_ENTRY(socket_options_and_loopback_membership))
