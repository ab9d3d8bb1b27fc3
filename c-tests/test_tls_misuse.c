/*
 * test_tls_misuse.c - TLS refusals and hostile input: config errors (EINVAL, EBUSY, ENOENT),
 * ruv_tls_start on the wrong streams or with the wrong name, a peer that sends garbage
 * (RUV_ETLS, nothing leaked), and 1,000 concurrent handshakes on one loop.
 */
#include "tls_helpers.h"

TEST_CASE(config_errors) {
  ruv_tls_config_t *c = NULL, *s = NULL;
  size_t cert_len, key_len, other_len;
  char *cert, *key, *other;
  const char *alpn[] = {"h2", ""};

  tls_certs();
  cert = tls_read("leaf.pem", &cert_len);
  key = tls_read("leaf.key", &key_len);
  other = tls_read("client.key", &other_len);
  ASSERT_EQ(ruv_tls_config_new_client(NULL), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_config_new_server(cert, cert_len, other, other_len, &s), RUV_EINVAL);
  ASSERT_NULL(s);
  ASSERT_EQ(ruv_tls_config_new_server("junk", 4, key, key_len, &s), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_config_new_server(cert, cert_len, "junk", 4, &s), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_config_new_server(NULL, 0, key, key_len, &s), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_config_new_server_files("/nonexistent/ruv/cert.pem", tls_path("leaf.key"), &s),
            RUV_ENOENT);
  ASSERT_NULL(s);
  ASSERT_EQ(ruv_tls_config_new_server(cert, cert_len, key, key_len, &s), 0);
  ASSERT_EQ(ruv_tls_config_new_client(&c), 0);
  ASSERT_EQ(ruv_tls_config_set_versions(c, 0x0301, RUV_TLS_1_3), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_config_set_versions(c, RUV_TLS_1_3, RUV_TLS_1_2), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_config_set_versions(NULL, RUV_TLS_1_2, RUV_TLS_1_3), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_config_set_roots_pem(c, "junk", 4), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_config_set_roots_file(c, "/nonexistent/ruv/ca.pem"), RUV_ENOENT);
  ASSERT_EQ(ruv_tls_config_set_roots_pem(s, cert, cert_len), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_config_set_client_cert(c, cert, cert_len, other, other_len), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_config_set_client_cert(s, cert, cert_len, key, key_len), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_config_require_client_cert(c, cert, cert_len), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_config_set_alpn(c, alpn, 2), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_config_set_alpn(c, NULL, 1), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_config_set_alpn(c, alpn, 1), 0);
  ASSERT_EQ(ruv_tls_config_set_versions(c, RUV_TLS_1_2, RUV_TLS_1_3), 0);
  ASSERT_EQ(ruv_tls_config_set_resumption(c, 0), 0);
  /* A handle pointer is not a config. */
  {
    ruv_loop_t *loop = make_loop();
    ruv_tcp_t *tcp = make_tcp(loop, AF_INET);
    ASSERT_EQ(ruv_tls_config_set_resumption((ruv_tls_config_t *)tcp, 0), RUV_EINVAL);
    finish_loop(loop);
  }
  ruv_tls_config_free(NULL);
  ruv_tls_config_free(c);
  ruv_tls_config_free(s);
  free(cert);
  free(key);
  free(other);
}

static void ignore_hs(ruv_stream_t *s, int status) {
  (void)s;
  (void)status;
}

TEST_CASE(start_refusals_and_ebusy_after_use) {
  ruv_loop_t *loop = make_loop();
  ruv_tls_config_t *cc = tls_client_config(), *sc = tls_server_config("leaf.pem");
  ruv_tcp_t *fresh = make_tcp(loop, AF_INET);
  tcp_pair p;
  ruv_buf_t b;

  make_pair(loop, AF_INET, &p);
  /* Listener, unconnected handle, NULL, names that do not fit the config. */
  ASSERT_EQ(ruv_tls_start(RUV_STREAM(p.server), sc, NULL, ignore_hs), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_start(RUV_STREAM(fresh), cc, "localhost", ignore_hs), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_start(NULL, cc, "localhost", ignore_hs), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_start(RUV_STREAM(p.client), NULL, "localhost", ignore_hs), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_start(RUV_STREAM(p.client), cc, NULL, ignore_hs), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_start(RUV_STREAM(p.peer), sc, "localhost", ignore_hs), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_start(RUV_STREAM(p.client), cc, "not a name!", ignore_hs), RUV_EINVAL);
  /* Not a stream at all. */
  {
    ruv_timer_t *timer = NULL;
    ASSERT_EQ(ruv_timer_new(loop, &timer), 0);
    ASSERT_EQ(ruv_tls_start((ruv_stream_t *)timer, cc, "localhost", ignore_hs), RUV_EINVAL);
  }
  /* Nothing was frozen by the refusals. */
  ASSERT_EQ(ruv_tls_config_set_resumption(cc, 1), 0);
  ASSERT_EQ(ruv_tls_start(RUV_STREAM(p.client), cc, "localhost", ignore_hs), 0);
  ASSERT_EQ(ruv_tls_start(RUV_STREAM(p.client), cc, "localhost", ignore_hs), RUV_EINVAL);
  /* Used: frozen. */
  ASSERT_EQ(ruv_tls_config_set_resumption(cc, 1), RUV_EBUSY);
  ASSERT_EQ(ruv_tls_config_set_versions(cc, RUV_TLS_1_2, RUV_TLS_1_3), RUV_EBUSY);
  ASSERT_EQ(ruv_tls_config_set_roots_file(cc, tls_path("ca.pem")), RUV_EBUSY);
  /* Freeing a config in use is fine: the stream keeps what it needs. */
  ruv_tls_config_free(cc);
  ASSERT_EQ(ruv_tls_start(RUV_STREAM(p.peer), sc, NULL, ignore_hs), 0);
  ruv_tls_config_free(sc);
  b.base = "hello";
  b.len = 5;
  ASSERT_EQ(ruv_tcp_write(p.client, &b, 1, NULL, NULL), 0);
  /* A stream with plaintext still queued cannot start TLS. */
  {
    tcp_pair q;
    char big[65536];
    make_pair(loop, AF_INET, &q);
    memset(big, 'x', sizeof big);
    b.base = big;
    b.len = sizeof big;
    while (ruv_tcp_write_queue_size(q.client) == 0)
      ASSERT_EQ(ruv_tcp_write(q.client, &b, 1, NULL, NULL), 0);
    cc = tls_client_config();
    ASSERT_EQ(ruv_tls_start(RUV_STREAM(q.client), cc, "localhost", ignore_hs), RUV_EBUSY);
    ruv_tls_config_free(cc);
  }
  finish_loop(loop);
}

/* A peer that sends something that is not TLS: RUV_ETLS in the handshake callback. */
TEST_CASE(garbage_peer_is_etls) {
  ruv_loop_t *loop = make_loop();
  ruv_tls_config_t *sc = tls_server_config("leaf.pem"), *cc = tls_client_config();
  static const char junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n\x16\x03\x01\xff\xff garbage";
  tls_end s, c;
  server_ctx ctx;
  int port, fd, lfd, cfd;

  memset(&s, 0, sizeof s);
  memset(&c, 0, sizeof c);
  memset(&ctx, 0, sizeof ctx);
  /* A ruv server hears garbage from a raw client. */
  serve(loop, AF_INET, &ctx, &port);
  fd = raw_connect(AF_INET, port);
  while (ctx.count == 0) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  tls_begin(&s, ctx.last, sc, NULL);
  ASSERT_EQ(send(fd, junk, sizeof junk - 1, MSG_NOSIGNAL), (ssize_t)(sizeof junk - 1));
  while (s.hs_calls == 0) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(s.hs_status, RUV_ETLS);
  ASSERT_NE(strcmp(ruv_tls_last_error(RUV_STREAM(ctx.last)), ""), 0);
  while (s.read_end == 0) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(s.read_end, RUV_ETLS);
  close(fd);
  /* A ruv client hears garbage from a raw server. */
  lfd = raw_listen(AF_INET, &port);
  {
    ruv_tcp_t *client = tls_connect_client(loop, port);
    cfd = accept(lfd, NULL, NULL);
    ASSERT_GE(cfd, 0);
    tls_begin(&c, client, cc, "localhost");
    ASSERT_EQ(send(cfd, junk, sizeof junk - 1, MSG_NOSIGNAL), (ssize_t)(sizeof junk - 1));
    while (c.hs_calls == 0) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
    ASSERT_EQ(c.hs_status, RUV_ETLS);
    close(cfd);
  }
  close(lfd);
  ruv_tls_config_free(sc);
  ruv_tls_config_free(cc);
  finish_loop(loop);
  tls_end_free(&s);
  tls_end_free(&c);
}

/* 1,000 concurrent handshakes on one loop (both ends ruv), each then exchanging a byte. */
typedef struct {
  tls_end c, s;
} many_pair;

TEST_CASE(thousand_concurrent_handshakes) {
  ruv_loop_t *loop = make_loop();
  ruv_tls_config_t *cc = tls_client_config(), *sc = tls_server_config("leaf.pem");
  long n = test_scaled(1000, 40), i, done = 0;
  many_pair *pairs = (many_pair *)calloc((size_t)n, sizeof *pairs);
  server_ctx ctx;
  ruv_tcp_t *server;
  int port;
  uint64_t deadline = test_now_ms() + 120000;

  ASSERT_NOT_NULL(pairs);
  memset(&ctx, 0, sizeof ctx);
  server = serve(loop, AF_INET, &ctx, &port);
  ASSERT_EQ(ruv_tcp_listen(server, 2048, accept_all_cb), 0);
  for (i = 0; i < n; i++) {
    ruv_tcp_t *client = tls_connect_client(loop, port);
    while (ctx.count <= i) ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
    tls_begin(&pairs[i].s, ctx.last, sc, NULL);
    tls_begin(&pairs[i].c, client, cc, "localhost");
    tls_write_pattern(client, 1, (uint64_t)i);
  }
  while (done < n && test_now_ms() < deadline) {
    ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
    for (done = 0, i = 0; i < n; i++) done += pairs[i].s.len == 1 && pairs[i].c.hs_calls == 1;
  }
  ASSERT_EQ(done, n);
  for (i = 0; i < n; i++) {
    ASSERT_EQ(pairs[i].c.hs_status, 0);
    ASSERT_EQ(pairs[i].s.hs_status, 0);
    ASSERT_EQ((unsigned char)pairs[i].s.data[0], pattern_byte((uint64_t)i));
  }
  ruv_tls_config_free(cc);
  ruv_tls_config_free(sc);
  for (i = 0; i < n; i++) {
    ASSERT_EQ(ruv_close(RUV_HANDLE(pairs[i].c.tcp), NULL), 0);
    ASSERT_EQ(ruv_close(RUV_HANDLE(pairs[i].s.tcp), NULL), 0);
  }
  finish_loop(loop);
  for (i = 0; i < n; i++) {
    tls_end_free(&pairs[i].c);
    tls_end_free(&pairs[i].s);
  }
  free(pairs);
}

TEST_MAIN(TEST_ENTRY(config_errors), TEST_ENTRY(start_refusals_and_ebusy_after_use),
          TEST_ENTRY(garbage_peer_is_etls), TEST_ENTRY(thousand_concurrent_handshakes))
