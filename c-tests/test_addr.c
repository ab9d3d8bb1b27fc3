/* test_addr.c - addresses: ruv_ip4_addr/ruv_ip6_addr/ruv_ip_name,
 * getsockname/getpeername (v4, v6, namelen in/out), family before/after bind,
 * bind mismatch errors, IPV6ONLY and dual stack, bind errors. */
#include "helpers.h"

#include <net/if.h>

TEST_CASE(ip4_addr_parses) {
  struct sockaddr_in a;
  memset(&a, 0xAB, sizeof a);
  ASSERT_EQ(ruv_ip4_addr("127.0.0.1", 8080, &a), 0);
  ASSERT_EQ(a.sin_family, AF_INET);
  ASSERT_EQ(ntohs(a.sin_port), 8080);
  ASSERT_EQ(a.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  ASSERT_EQ(ruv_ip4_addr("0.0.0.0", 0, &a), 0);
  ASSERT_EQ(a.sin_addr.s_addr, htonl(INADDR_ANY));
  ASSERT_EQ(a.sin_port, 0);
  ASSERT_EQ(ruv_ip4_addr("255.255.255.255", 65535, &a), 0);
  ASSERT_EQ(a.sin_addr.s_addr, 0xffffffffu);
  ASSERT_EQ(ntohs(a.sin_port), 65535);
  ASSERT_EQ(ruv_ip4_addr("10.1.2.3", 1, &a), 0);
  ASSERT_EQ(ntohl(a.sin_addr.s_addr), 0x0a010203u);
}

TEST_CASE(ip4_addr_rejects_invalid_strings) {
  static const char *bad[] = {"",        "256.0.0.1", "1.2.3",    "1.2.3.4.5",
                              "abc",     "::1",       "1.2.3.4 ", " 1.2.3.4",
                              "1.2.3.-1", "127.0.0.1:80", "localhost"};
  size_t i;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct sockaddr_in a, before;
    memset(&a, 0xAB, sizeof a);
    before = a;
    ASSERT_MSG(ruv_ip4_addr(bad[i], 80, &a) == RUV_EINVAL,
               "ruv_ip4_addr(\"%s\") accepted", bad[i]);
    ASSERT_EQ(memcmp(&a, &before, sizeof a), 0); /* out untouched */
  }
}

TEST_CASE(ip6_addr_parses_with_scope) {
  struct sockaddr_in6 a;
  unsigned lo = if_nametoindex("lo");
  memset(&a, 0xAB, sizeof a);
  ASSERT_EQ(ruv_ip6_addr("::1", 9, &a), 0);
  ASSERT_EQ(a.sin6_family, AF_INET6);
  ASSERT_EQ(ntohs(a.sin6_port), 9);
  ASSERT_EQ(memcmp(&a.sin6_addr, &in6addr_loopback, 16), 0);
  ASSERT_EQ(a.sin6_flowinfo, 0);
  ASSERT_EQ(a.sin6_scope_id, 0);
  ASSERT_EQ(ruv_ip6_addr("::", 0, &a), 0);
  ASSERT_EQ(memcmp(&a.sin6_addr, &in6addr_any, 16), 0);
  ASSERT_EQ(ruv_ip6_addr("2001:db8::1", 443, &a), 0);
  ASSERT_EQ(a.sin6_addr.s6_addr[0], 0x20);
  ASSERT_EQ(a.sin6_addr.s6_addr[1], 0x01);
  ASSERT_EQ(a.sin6_addr.s6_addr[15], 0x01);
  ASSERT_EQ(ruv_ip6_addr("::ffff:127.0.0.1", 1, &a), 0);
  ASSERT_EQ(a.sin6_addr.s6_addr[10], 0xff);
  ASSERT_EQ(a.sin6_addr.s6_addr[12], 127);
  ASSERT_GT(lo, 0);
  ASSERT_EQ(ruv_ip6_addr("fe80::1%lo", 7, &a), 0);
  ASSERT_EQ(a.sin6_scope_id, lo);
  ASSERT_EQ(a.sin6_addr.s6_addr[0], 0xfe);
  ASSERT_EQ(a.sin6_addr.s6_addr[1], 0x80);
  ASSERT_EQ(ntohs(a.sin6_port), 7);
}

TEST_CASE(ip6_addr_rejects_invalid_strings) {
  static const char *bad[] = {"",    ":::",      "1::2::3", "12345::1",
                              "::g", "1.2.3.4",  "abc",     "[::1]",
                              "::1 ", "fe80::zz%lo"};
  size_t i;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct sockaddr_in6 a, before;
    memset(&a, 0xAB, sizeof a);
    before = a;
    ASSERT_MSG(ruv_ip6_addr(bad[i], 80, &a) == RUV_EINVAL,
               "ruv_ip6_addr(\"%s\") accepted", bad[i]);
    ASSERT_EQ(memcmp(&a, &before, sizeof a), 0);
  }
}

TEST_CASE(ip_name_formats_and_checks_size) {
  struct sockaddr_in a4;
  struct sockaddr_in6 a6;
  struct sockaddr_storage un;
  char name[64];
  int r;
  ASSERT_EQ(ruv_ip4_addr("192.168.10.20", 1, &a4), 0);
  ASSERT_EQ(ruv_ip_name((struct sockaddr *)&a4, name, sizeof name), 0);
  ASSERT_STR_EQ(name, "192.168.10.20");
  ASSERT_EQ(ruv_ip6_addr("2001:db8::42", 1, &a6), 0);
  ASSERT_EQ(ruv_ip_name((struct sockaddr *)&a6, name, sizeof name), 0);
  ASSERT_STR_EQ(name, "2001:db8::42");
  ASSERT_EQ(ruv_ip6_addr("::1", 1, &a6), 0);
  ASSERT_EQ(ruv_ip_name((struct sockaddr *)&a6, name, sizeof name), 0);
  ASSERT_STR_EQ(name, "::1");
  /* too small a buffer is an error, not a truncation */
  memset(name, 'Z', sizeof name);
  ASSERT_LT(ruv_ip_name((struct sockaddr *)&a4, name, 4), 0);
  ASSERT_LT(ruv_ip_name((struct sockaddr *)&a4, name, 0), 0);
  memset(&un, 0, sizeof un);
  un.ss_family = AF_UNIX;
  r = ruv_ip_name((struct sockaddr *)&un, name, sizeof name);
  ASSERT_MSG(r == RUV_EINVAL || r == RUV_EAFNOSUPPORT, "ip_name(AF_UNIX)=%d", r);
}

TEST_CASE(getsockname_v4_namelen_in_out) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_INET);
  struct sockaddr_storage ss = loopback(AF_INET, 0), name;
  struct sockaddr_in *sin = (struct sockaddr_in *)&name;
  int len = (int)sizeof name;
  ASSERT_EQ(ruv_tcp_bind(t, (struct sockaddr *)&ss, 0), 0);
  ASSERT_EQ(ruv_tcp_getsockname(t, (struct sockaddr *)&name, &len), 0);
  ASSERT_EQ(len, (int)sizeof(struct sockaddr_in));
  ASSERT_EQ(sin->sin_family, AF_INET);
  ASSERT_EQ(sin->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  ASSERT_GT(ntohs(sin->sin_port), 0);
  /* an exact-size buffer works too */
  len = (int)sizeof(struct sockaddr_in);
  ASSERT_EQ(ruv_tcp_getsockname(t, (struct sockaddr *)&name, &len), 0);
  ASSERT_EQ(len, (int)sizeof(struct sockaddr_in));
  finish_loop(loop);
}

TEST_CASE(getsockname_v6_fields) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_INET6);
  struct sockaddr_storage ss = loopback(AF_INET6, 0), name;
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&name;
  int len = (int)sizeof name;
  ASSERT_EQ(ruv_tcp_bind(t, (struct sockaddr *)&ss, 0), 0);
  memset(&name, 0xAB, sizeof name);
  ASSERT_EQ(ruv_tcp_getsockname(t, (struct sockaddr *)&name, &len), 0);
  ASSERT_EQ(len, (int)sizeof(struct sockaddr_in6));
  ASSERT_EQ(sin6->sin6_family, AF_INET6);
  ASSERT_EQ(memcmp(&sin6->sin6_addr, &in6addr_loopback, 16), 0);
  ASSERT_GT(ntohs(sin6->sin6_port), 0);
  ASSERT_EQ(sin6->sin6_flowinfo, 0);
  ASSERT_EQ(sin6->sin6_scope_id, 0);
  finish_loop(loop);
}

TEST_CASE(getsockname_too_small_namelen_is_einval) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t4 = make_tcp(loop, AF_INET);
  ruv_tcp_t *t6 = make_tcp(loop, AF_INET6);
  struct sockaddr_storage name, before;
  int len;
  memset(&name, 0xAB, sizeof name);
  before = name;
  len = 4;
  ASSERT_EQ(ruv_tcp_getsockname(t4, (struct sockaddr *)&name, &len),
            RUV_EINVAL);
  ASSERT_EQ(len, 4);
  len = (int)sizeof(struct sockaddr_in); /* too small for a v6 address */
  ASSERT_EQ(ruv_tcp_getsockname(t6, (struct sockaddr *)&name, &len),
            RUV_EINVAL);
  ASSERT_EQ(len, (int)sizeof(struct sockaddr_in));
  len = -1;
  ASSERT_EQ(ruv_tcp_getsockname(t4, (struct sockaddr *)&name, &len),
            RUV_EINVAL);
  ASSERT_EQ(memcmp(&name, &before, sizeof name), 0);
  finish_loop(loop);
}

static void check_peernames(int family) {
  ruv_loop_t *loop = make_loop();
  tcp_pair p;
  struct sockaddr_storage cpeer, csock, speer, small;
  int l1 = (int)sizeof cpeer, l2 = (int)sizeof csock, l3 = (int)sizeof speer;
  int l4;
  const socklen_t want = family_len(family);
  make_pair(loop, family, &p);
  ASSERT_EQ(ruv_tcp_getpeername(p.client, (struct sockaddr *)&cpeer, &l1), 0);
  ASSERT_EQ(ruv_tcp_getsockname(p.client, (struct sockaddr *)&csock, &l2), 0);
  ASSERT_EQ(ruv_tcp_getpeername(p.peer, (struct sockaddr *)&speer, &l3), 0);
  ASSERT_EQ(l1, (int)want);
  ASSERT_EQ(l2, (int)want);
  ASSERT_EQ(l3, (int)want);
  ASSERT_EQ(cpeer.ss_family, family);
  ASSERT_EQ(addr_port(&cpeer), p.port);
  ASSERT_EQ(addr_port(&speer), addr_port(&csock));
  if (family == AF_INET6) {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&speer;
    ASSERT_EQ(memcmp(&s6->sin6_addr, &in6addr_loopback, 16), 0);
    ASSERT_EQ(s6->sin6_scope_id, 0);
    ASSERT_EQ(s6->sin6_flowinfo, 0);
  } else {
    ASSERT_EQ(((struct sockaddr_in *)&speer)->sin_addr.s_addr,
              htonl(INADDR_LOOPBACK));
  }
  l4 = (int)want - 1;
  ASSERT_EQ(ruv_tcp_getpeername(p.client, (struct sockaddr *)&small, &l4),
            RUV_EINVAL);
  ASSERT_EQ(l4, (int)want - 1);
  finish_loop(loop);
}

TEST_CASE(getpeername_v4) { check_peernames(AF_INET); }
TEST_CASE(getpeername_v6) { check_peernames(AF_INET6); }

static void dummy_conn_cb(ruv_tcp_t *s, int st) {
  (void)s;
  (void)st;
}

TEST_CASE(getpeername_unconnected_is_enotconn) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_INET);
  int port, len;
  ruv_tcp_t *server = listen_on(loop, AF_INET, dummy_conn_cb, &port);
  struct sockaddr_storage name;
  len = (int)sizeof name;
  ASSERT_EQ(ruv_tcp_getpeername(t, (struct sockaddr *)&name, &len),
            RUV_ENOTCONN);
  ASSERT_EQ(ruv_tcp_getpeername(server, (struct sockaddr *)&name, &len),
            RUV_ENOTCONN);
  ASSERT_EQ(len, (int)sizeof name);
  finish_loop(loop);
}

TEST_CASE(family_unspec_appears_on_bind) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *a = make_tcp(loop, AF_UNSPEC);
  ruv_tcp_t *b = make_tcp(loop, AF_UNSPEC);
  struct sockaddr_storage s4 = loopback(AF_INET, 0), s6 = loopback(AF_INET6, 0);
  int fam = 777, fd = 777;
  ASSERT_EQ(ruv_tcp_family(a, &fam), RUV_EBADF);
  ASSERT_EQ(ruv_tcp_fileno(a, &fd), RUV_EBADF);
  ASSERT_EQ(fam, 777);
  ASSERT_EQ(fd, 777);
  ASSERT_EQ(ruv_tcp_bind(a, (struct sockaddr *)&s4, 0), 0);
  ASSERT_EQ(ruv_tcp_family(a, &fam), 0);
  ASSERT_EQ(fam, AF_INET);
  ASSERT_EQ(ruv_tcp_fileno(a, &fd), 0);
  ASSERT_EQ(sockopt_int(fd, SOL_SOCKET, SO_DOMAIN), AF_INET);
  ASSERT_EQ(ruv_tcp_bind(b, (struct sockaddr *)&s6, 0), 0);
  ASSERT_EQ(ruv_tcp_family(b, &fam), 0);
  ASSERT_EQ(fam, AF_INET6);
  ASSERT_EQ(sockopt_int(tcp_fd(b), SOL_SOCKET, SO_DOMAIN), AF_INET6);
  finish_loop(loop);
}

TEST_CASE(family_inet_and_inet6_create_socket_at_once) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *a = make_tcp(loop, AF_INET);
  ruv_tcp_t *b = make_tcp(loop, AF_INET6);
  struct sockaddr_storage name;
  int fam = 0, len = (int)sizeof name;
  ASSERT_EQ(ruv_tcp_family(a, &fam), 0);
  ASSERT_EQ(fam, AF_INET);
  ASSERT_EQ(ruv_tcp_family(b, &fam), 0);
  ASSERT_EQ(fam, AF_INET6);
  ASSERT_EQ(sockopt_int(tcp_fd(a), SOL_SOCKET, SO_TYPE), SOCK_STREAM);
  ASSERT_EQ(sockopt_int(tcp_fd(b), SOL_SOCKET, SO_DOMAIN), AF_INET6);
  /* getsockname works before bind: the unspecified address, port 0 */
  ASSERT_EQ(ruv_tcp_getsockname(a, (struct sockaddr *)&name, &len), 0);
  ASSERT_EQ(name.ss_family, AF_INET);
  ASSERT_EQ(addr_port(&name), 0);
  len = (int)sizeof name;
  ASSERT_EQ(ruv_tcp_getsockname(b, (struct sockaddr *)&name, &len), 0);
  ASSERT_EQ(name.ss_family, AF_INET6);
  ASSERT_EQ(len, (int)sizeof(struct sockaddr_in6));
  finish_loop(loop);
}

TEST_CASE(tcp_new_bad_family_is_einval) {
  ruv_loop_t *loop = make_loop();
  static const int bad[] = {AF_UNIX, AF_PACKET, -1, 12345, AF_NETLINK};
  size_t i;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ruv_tcp_t *t = (ruv_tcp_t *)(uintptr_t)0x1234;
    ASSERT_EQ(ruv_tcp_new(loop, bad[i], &t), RUV_EINVAL);
    ASSERT_PTR_EQ(t, (ruv_tcp_t *)(uintptr_t)0x1234);
  }
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  ASSERT_EQ(ruv_loop_close(loop), 0); /* nothing was created */
}

TEST_CASE(bind_family_mismatch_is_einval) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t4 = make_tcp(loop, AF_INET);
  ruv_tcp_t *t6 = make_tcp(loop, AF_INET6);
  struct sockaddr_storage s4 = loopback(AF_INET, 0), s6 = loopback(AF_INET6, 0);
  struct sockaddr_storage un;
  ASSERT_EQ(ruv_tcp_bind(t4, (struct sockaddr *)&s6, 0), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_bind(t6, (struct sockaddr *)&s4, 0), RUV_EINVAL);
  memset(&un, 0, sizeof un);
  un.ss_family = AF_UNIX;
  ASSERT_EQ(ruv_tcp_bind(t4, (struct sockaddr *)&un, 0), RUV_EINVAL);
  /* still usable with the right family */
  ASSERT_EQ(ruv_tcp_bind(t4, (struct sockaddr *)&s4, 0), 0);
  ASSERT_EQ(ruv_tcp_bind(t6, (struct sockaddr *)&s6, 0), 0);
  finish_loop(loop);
}

TEST_CASE(bind_bad_flags_are_einval) {
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t4 = make_tcp(loop, AF_INET);
  ruv_tcp_t *t6 = make_tcp(loop, AF_INET6);
  ruv_tcp_t *tu = make_tcp(loop, AF_UNSPEC);
  struct sockaddr_storage s4 = loopback(AF_INET, 0), s6 = loopback(AF_INET6, 0);
  int fam = 0;
  ASSERT_EQ(ruv_tcp_bind(t4, (struct sockaddr *)&s4, RUV_TCP_IPV6ONLY),
            RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_bind(tu, (struct sockaddr *)&s4, RUV_TCP_IPV6ONLY),
            RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_family(tu, &fam), RUV_EBADF); /* no socket was made */
  ASSERT_EQ(ruv_tcp_bind(t4, (struct sockaddr *)&s4, 4), RUV_EINVAL); /* 2 is REUSEPORT */
  ASSERT_EQ(ruv_tcp_bind(t6, (struct sockaddr *)&s6, 0x100), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_bind(t6, (struct sockaddr *)&s6, 0xffffffffu), RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_bind(t6, (struct sockaddr *)&s6, RUV_TCP_IPV6ONLY | 4),
            RUV_EINVAL);
  ASSERT_EQ(ruv_tcp_bind(t6, (struct sockaddr *)&s6, RUV_TCP_IPV6ONLY), 0);
  ASSERT_EQ(sockopt_int(tcp_fd(t6), IPPROTO_IPV6, IPV6_V6ONLY), 1);
  finish_loop(loop);
}

static int g_cstatus;
static int g_cdone;
static void status_cb(ruv_tcp_t *t, int status) {
  (void)t;
  g_cstatus = status;
  g_cdone = 1;
}

static int connect_status(ruv_loop_t *loop, int family, int port) {
  ruv_tcp_t *c = make_tcp(loop, AF_UNSPEC);
  struct sockaddr_storage ss = loopback(family, port);
  g_cdone = 0;
  g_cstatus = 12345;
  ASSERT_EQ(ruv_tcp_connect(c, (struct sockaddr *)&ss, status_cb), 0);
  run_until(loop, &g_cdone);
  ASSERT_EQ(ruv_close(RUV_HANDLE(c), NULL), 0);
  return g_cstatus;
}

TEST_CASE(ipv6only_listener_refuses_ipv4_client) {
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  ruv_tcp_t *s = make_tcp(loop, AF_INET6);
  struct sockaddr_storage any6 = make_addr(AF_INET6, "::", 0);
  int port;
  memset(&sctx, 0, sizeof sctx);
  ruv_handle_set_data(RUV_HANDLE(s), &sctx);
  ASSERT_EQ(ruv_tcp_bind(s, (struct sockaddr *)&any6, RUV_TCP_IPV6ONLY), 0);
  ASSERT_EQ(ruv_tcp_listen(s, 16, accept_all_cb), 0);
  port = tcp_port(s);
  ASSERT_EQ(sockopt_int(tcp_fd(s), IPPROTO_IPV6, IPV6_V6ONLY), 1);
  ASSERT_EQ(connect_status(loop, AF_INET, port), RUV_ECONNREFUSED);
  ASSERT_EQ(connect_status(loop, AF_INET6, port), 0);
  finish_loop(loop);
}

TEST_CASE(dual_stack_listener_accepts_ipv4_client) {
  ruv_loop_t *loop = make_loop();
  server_ctx sctx;
  ruv_tcp_t *s = make_tcp(loop, AF_INET6);
  struct sockaddr_storage any6 = make_addr(AF_INET6, "::", 0), peer;
  int port, len = (int)sizeof peer;
  struct sockaddr_in6 *p6 = (struct sockaddr_in6 *)&peer;
  char name[64];
  memset(&sctx, 0, sizeof sctx);
  ruv_handle_set_data(RUV_HANDLE(s), &sctx);
  ASSERT_EQ(ruv_tcp_bind(s, (struct sockaddr *)&any6, 0), 0);
  ASSERT_EQ(ruv_tcp_listen(s, 16, accept_all_cb), 0);
  port = tcp_port(s);
  ASSERT_EQ(sockopt_int(tcp_fd(s), IPPROTO_IPV6, IPV6_V6ONLY), 0);
  ASSERT_EQ(connect_status(loop, AF_INET, port), 0);
  run_until(loop, &sctx.count);
  ASSERT_EQ(ruv_tcp_getpeername(sctx.last, (struct sockaddr *)&peer, &len), 0);
  ASSERT_EQ(peer.ss_family, AF_INET6);
  ASSERT(IN6_IS_ADDR_V4MAPPED(&p6->sin6_addr));
  ASSERT_EQ(ruv_ip_name((struct sockaddr *)&peer, name, sizeof name), 0);
  ASSERT_STR_EQ(name, "::ffff:127.0.0.1");
  finish_loop(loop);
}

TEST_CASE(bind_errors_are_reported_by_bind) {
  ruv_loop_t *loop = make_loop();
  int port;
  ruv_tcp_t *a = listen_on(loop, AF_INET, dummy_conn_cb, &port);
  ruv_tcp_t *b = make_tcp(loop, AF_INET);
  ruv_tcp_t *c = make_tcp(loop, AF_INET);
  struct sockaddr_storage same = loopback(AF_INET, port);
  struct sockaddr_storage foreign = make_addr(AF_INET, "192.0.2.1", 0);
  struct sockaddr_storage any = loopback(AF_INET, 0);
  (void)a;
  ASSERT_EQ(ruv_tcp_bind(b, (struct sockaddr *)&same, 0), RUV_EADDRINUSE);
  ASSERT_EQ(ruv_tcp_bind(c, (struct sockaddr *)&foreign, 0), RUV_EADDRNOTAVAIL);
  ASSERT_EQ(ruv_tcp_bind(b, (struct sockaddr *)&any, 0), 0);
  ASSERT_EQ(ruv_tcp_bind(b, (struct sockaddr *)&any, 0), RUV_EINVAL); /* twice */
  ASSERT_EQ(sockopt_int(tcp_fd(b), SOL_SOCKET, SO_REUSEADDR), 1);
  finish_loop(loop);
}

TEST_MAIN(TEST_ENTRY(ip4_addr_parses), TEST_ENTRY(ip4_addr_rejects_invalid_strings),
          TEST_ENTRY(ip6_addr_parses_with_scope),
          TEST_ENTRY(ip6_addr_rejects_invalid_strings),
          TEST_ENTRY(ip_name_formats_and_checks_size),
          TEST_ENTRY(getsockname_v4_namelen_in_out),
          TEST_ENTRY(getsockname_v6_fields),
          TEST_ENTRY(getsockname_too_small_namelen_is_einval),
          TEST_ENTRY(getpeername_v4), TEST_ENTRY(getpeername_v6),
          TEST_ENTRY(getpeername_unconnected_is_enotconn),
          TEST_ENTRY(family_unspec_appears_on_bind),
          TEST_ENTRY(family_inet_and_inet6_create_socket_at_once),
          TEST_ENTRY(tcp_new_bad_family_is_einval),
          TEST_ENTRY(bind_family_mismatch_is_einval),
          TEST_ENTRY(bind_bad_flags_are_einval),
          TEST_ENTRY(ipv6only_listener_refuses_ipv4_client),
          TEST_ENTRY(dual_stack_listener_accepts_ipv4_client),
          TEST_ENTRY(bind_errors_are_reported_by_bind))
