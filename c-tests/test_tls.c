/*
 * test_tls.c - TLS on ruv streams, both ends ruv on one loop (certificates made by openssl at
 * test time): versions, cipher, ALPN, SNI, queries, certificate failures, client
 * certificates, ordering of the handshake callback, close_notify vs truncation, close during
 * the handshake, big byte-exact transfers. Peers ruv did not write: test_tls_peers.c.
 */
#include "tls_helpers.h"

typedef struct {
  tcp_pair p;
  tls_end c, s;  /* client and server ends */
} tls_pair;

/* Connects a pair and starts TLS on both ends (client reads too). */
static void tls_pair_start(ruv_loop_t *loop, tls_pair *t, ruv_tls_config_t *client,
                           ruv_tls_config_t *server, const char *name) {
  memset(t, 0, sizeof *t);
  make_pair(loop, AF_INET, &t->p);
  tls_begin(&t->s, t->p.peer, server, NULL);
  tls_begin(&t->c, t->p.client, client, name);
}

static void tls_pair_free(tls_pair *t) {
  tls_end_free(&t->c);
  tls_end_free(&t->s);
}

TEST_CASE(tls13_handshake_and_queries) {
  ruv_loop_t *loop = make_loop();
  ruv_tls_config_t *cc = tls_client_config(), *sc = tls_server_config("leaf.pem");
  const char *offer[] = {"h2", "http/1.1"}, *accept[] = {"http/1.1"};
  char buf[64];
  size_t len;
  const unsigned char *der = NULL;
  tls_pair t;

  ASSERT_EQ(ruv_tls_config_set_alpn(cc, offer, 2), 0);
  ASSERT_EQ(ruv_tls_config_set_alpn(sc, accept, 1), 0);
  tls_pair_start(loop, &t, cc, sc, "localhost");
  /* The handshake never completes inside the call. */
  ASSERT_EQ(t.c.hs_calls, 0);
  ASSERT_EQ(ruv_tls_get_version(RUV_STREAM(t.p.client)), RUV_EAGAIN);
  ASSERT_STR_EQ(ruv_tls_get_cipher(RUV_STREAM(t.p.client)), "");
  tls_run_handshakes(loop, &t.c, &t.s);
  ASSERT_EQ(t.c.hs_status, 0);
  ASSERT_EQ(t.s.hs_status, 0);
  ASSERT_EQ(ruv_tls_get_version(RUV_STREAM(t.p.client)), RUV_TLS_1_3);
  ASSERT_EQ(ruv_tls_get_version(RUV_STREAM(t.p.peer)), RUV_TLS_1_3);
  ASSERT_EQ(strncmp(ruv_tls_get_cipher(RUV_STREAM(t.p.client)), "TLS_", 4), 0);
  ASSERT_STR_EQ(ruv_tls_get_cipher(RUV_STREAM(t.p.client)),
                ruv_tls_get_cipher(RUV_STREAM(t.p.peer)));
  len = sizeof buf;
  ASSERT_EQ(ruv_tls_get_alpn(RUV_STREAM(t.p.client), buf, &len), 0);
  ASSERT_EQ(len, 8);
  ASSERT_STR_EQ(buf, "http/1.1");
  len = 3;
  ASSERT_EQ(ruv_tls_get_alpn(RUV_STREAM(t.p.client), buf, &len), RUV_ENOBUFS);
  ASSERT_EQ(len, 9);
  len = sizeof buf;
  ASSERT_EQ(ruv_tls_get_server_name(RUV_STREAM(t.p.peer), buf, &len), 0);
  ASSERT_STR_EQ(buf, "localhost");
  len = sizeof buf;
  ASSERT_EQ(ruv_tls_get_server_name(RUV_STREAM(t.p.client), buf, &len), 0);
  ASSERT_EQ(len, 0);
  ASSERT_EQ(ruv_tls_get_peer_cert(RUV_STREAM(t.p.client), 0, &der, &len), 0);
  ASSERT_NOT_NULL(der);
  ASSERT_GT(len, 100);
  ASSERT_EQ(der[0], 0x30); /* a DER SEQUENCE */
  ASSERT_EQ(ruv_tls_get_peer_cert(RUV_STREAM(t.p.client), 5, &der, &len), RUV_ENOENT);
  ASSERT_EQ(ruv_tls_get_peer_cert(RUV_STREAM(t.p.peer), 0, &der, &len), RUV_ENOENT);
  ASSERT_STR_EQ(ruv_tls_last_error(RUV_STREAM(t.p.client)), "");
  /* TLS is a layer: the handle is still a TCP handle with its options. */
  ASSERT_EQ(ruv_handle_get_type(RUV_HANDLE(t.p.client)), RUV_TCP);
  ASSERT_EQ(ruv_tcp_nodelay(t.p.client, 1), 0);
  /* Queries on streams not in TLS, and on what is not a stream. */
  len = sizeof buf;
  ASSERT_EQ(ruv_tls_get_version(RUV_STREAM(t.p.server)), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_get_alpn(RUV_STREAM(t.p.server), buf, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_get_server_name(RUV_STREAM(t.p.server), buf, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_get_peer_cert(RUV_STREAM(t.p.server), 0, &der, &len), RUV_EINVAL);
  ASSERT_EQ(ruv_tls_get_alpn(RUV_STREAM(t.p.client), NULL, &len), RUV_EINVAL);
  ASSERT_STR_EQ(ruv_tls_get_cipher(RUV_STREAM(t.p.server)), "");
  ASSERT_STR_EQ(ruv_tls_last_error(NULL), "");
  ASSERT_EQ(ruv_tls_get_version(NULL), RUV_EINVAL);
  ruv_tls_config_free(cc);
  ruv_tls_config_free(sc);
  finish_loop(loop);
  tls_pair_free(&t);
}

TEST_CASE(tls12_and_ip_literal_without_sni) {
  ruv_loop_t *loop = make_loop();
  ruv_tls_config_t *cc = tls_client_config(), *sc = tls_server_config("leaf.pem");
  char buf[64];
  size_t len = sizeof buf;
  tls_pair t;

  ASSERT_EQ(ruv_tls_config_set_versions(cc, RUV_TLS_1_2, RUV_TLS_1_2), 0);
  tls_pair_start(loop, &t, cc, sc, "127.0.0.1");
  tls_run_handshakes(loop, &t.c, &t.s);
  ASSERT_EQ(t.c.hs_status, 0);
  ASSERT_EQ(t.s.hs_status, 0);
  ASSERT_EQ(ruv_tls_get_version(RUV_STREAM(t.p.peer)), RUV_TLS_1_2);
  ASSERT_EQ(strncmp(ruv_tls_get_cipher(RUV_STREAM(t.p.client)), "TLS_ECDHE_ECDSA_WITH_", 21), 0);
  /* An IP literal is verified against the IP SAN and not sent as SNI. */
  ASSERT_EQ(ruv_tls_get_server_name(RUV_STREAM(t.p.peer), buf, &len), 0);
  ASSERT_EQ(len, 0);
  ruv_tls_config_free(cc);
  ruv_tls_config_free(sc);
  finish_loop(loop);
  tls_pair_free(&t);
}

/* The client rejects the server's certificate: ECERT on both sides (the server hears of it
 * as a certificate alert), queued writes complete after the handshake callback with its
 * code, later writes get EPIPE. */
static void expect_rejected(const char *cert, const char *name) {
  ruv_loop_t *loop = make_loop();
  ruv_tls_config_t *cc = tls_client_config(), *sc = tls_server_config(cert);
  ruv_buf_t b;
  tls_pair t;

  tls_pair_start(loop, &t, cc, sc, name);
  tls_write_pattern(t.p.client, 1000, 0);
  ASSERT_EQ(ruv_tcp_shutdown(t.p.client, tls_shutdown_cb), 0);
  tls_run_handshakes(loop, &t.c, &t.s);
  while (t.c.shutdown_calls == 0) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(t.c.hs_status, RUV_ECERT);
  ASSERT_EQ(t.s.hs_status, RUV_ECERT);
  ASSERT_NE(strcmp(ruv_tls_last_error(RUV_STREAM(t.p.client)), ""), 0);
  ASSERT_NE(strcmp(ruv_tls_last_error(RUV_STREAM(t.p.peer)), ""), 0);
  ASSERT_EQ(t.c.cb_before_hs, 0);
  ASSERT_EQ(t.c.write_status, RUV_ECERT);
  ASSERT_EQ(t.c.shutdown_status, RUV_ECERT);
  ASSERT_EQ(strncmp(t.c.order, "HWS", 3), 0);
  b.base = "x";
  b.len = 1;
  ASSERT_EQ(ruv_tcp_write(t.p.client, &b, 1, NULL, NULL), RUV_EPIPE);
  ASSERT_EQ(t.c.len + t.s.len, 0);
  ruv_tls_config_free(cc);
  ruv_tls_config_free(sc);
  finish_loop(loop);
  tls_pair_free(&t);
}

TEST_CASE(untrusted_certificate_is_ecert) { expect_rejected("rogue_leaf.pem", "localhost"); }
TEST_CASE(expired_certificate_is_ecert) { expect_rejected("expired.pem", "localhost"); }
TEST_CASE(wrong_name_is_ecert) { expect_rejected("leaf.pem", "wrong.test"); }

TEST_CASE(client_certificate_required) {
  ruv_loop_t *loop = make_loop();
  ruv_tls_config_t *cc = tls_client_config(), *sc = tls_server_config("leaf.pem");
  size_t ca_len, cert_len, key_len;
  char *ca = tls_read("ca.pem", &ca_len), *cert = tls_read("client.pem", &cert_len);
  char *key = tls_read("client.key", &key_len);
  const unsigned char *der;
  size_t len;
  tls_pair t;

  ASSERT_EQ(ruv_tls_config_require_client_cert(sc, ca, ca_len), 0);
  ASSERT_EQ(ruv_tls_config_set_client_cert(cc, cert, cert_len, key, key_len), 0);
  tls_pair_start(loop, &t, cc, sc, "localhost");
  tls_run_handshakes(loop, &t.c, &t.s);
  ASSERT_EQ(t.c.hs_status, 0);
  ASSERT_EQ(t.s.hs_status, 0);
  ASSERT_EQ(ruv_tls_get_peer_cert(RUV_STREAM(t.p.peer), 0, &der, &len), 0);
  ASSERT_GT(len, 100);
  ruv_tls_config_free(cc);
  ruv_tls_config_free(sc);
  finish_loop(loop);
  tls_pair_free(&t);
  free(ca);
  free(cert);
  free(key);
}

TEST_CASE(client_certificate_missing_is_ecert) {
  ruv_loop_t *loop = make_loop();
  ruv_tls_config_t *cc = tls_client_config(), *sc = tls_server_config("leaf.pem");
  size_t ca_len;
  char *ca = tls_read("ca.pem", &ca_len);
  tls_pair t;

  ASSERT_EQ(ruv_tls_config_require_client_cert(sc, ca, ca_len), 0);
  tls_pair_start(loop, &t, cc, sc, "localhost");
  tls_run_handshakes(loop, &t.c, &t.s);
  ASSERT_EQ(t.s.hs_status, RUV_ECERT);
  ASSERT_NE(strcmp(ruv_tls_last_error(RUV_STREAM(t.p.peer)), ""), 0);
  /* TLS 1.3: the client finished first and hears of the rejection as an alert. */
  ASSERT_EQ(t.c.hs_status, 0);
  {
    volatile int *ended = &t.c.read_end;
    uint64_t deadline = test_now_ms() + 10000;
    while (*ended == 0 && test_now_ms() < deadline) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  }
  ASSERT_EQ(t.c.read_end, RUV_ECERT);
  ASSERT_NE(strcmp(ruv_tls_last_error(RUV_STREAM(t.p.client)), ""), 0);
  ruv_tls_config_free(cc);
  ruv_tls_config_free(sc);
  finish_loop(loop);
  tls_pair_free(&t);
  free(ca);
}

/* Writes and a shutdown issued before the handshake: sent after it, in order, then
 * close_notify, read by the peer as RUV_EOF; the write queue counts plaintext. */
TEST_CASE(writes_and_shutdown_before_handshake_then_eof) {
  ruv_loop_t *loop = make_loop();
  ruv_tls_config_t *cc = tls_client_config(), *sc = tls_server_config("leaf.pem");
  ruv_buf_t b;
  tls_pair t;

  tls_pair_start(loop, &t, cc, sc, "localhost");
  tls_write_pattern(t.p.client, 100000, 0);
  tls_write_pattern(t.p.client, 1, 100000);
  tls_write_pattern(t.p.client, 0, 100001);
  tls_write_pattern(t.p.client, 200000, 100001);
  ASSERT_EQ(ruv_tcp_write_queue_size(t.p.client), 300001);
  b.base = "x";
  b.len = 1;
  ASSERT_EQ(ruv_tcp_try_write(t.p.client, &b, 1), RUV_EAGAIN);
  ASSERT_EQ(ruv_tcp_shutdown(t.p.client, tls_shutdown_cb), 0);
  while (t.s.read_end == 0 || t.c.shutdown_calls == 0) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_STR_EQ(t.c.order, "HWWWWS");
  ASSERT_EQ(t.c.write_status, 0);
  ASSERT_EQ(t.c.shutdown_status, 0);
  ASSERT_EQ(t.s.read_end, RUV_EOF);
  ASSERT_EQ(t.s.data_before_hs, 0);
  ASSERT_EQ(t.s.len, 300001);
  ASSERT_EQ(pattern_check(t.s.data, t.s.len, 0), t.s.len);
  ASSERT_EQ(ruv_tcp_write_queue_size(t.p.client), 0);
  /* The other direction is still open: the server answers and shuts down too. */
  tls_write_pattern(t.p.peer, 5000, 7);
  ASSERT_EQ(ruv_tcp_shutdown(t.p.peer, tls_shutdown_cb), 0);
  while (t.c.read_end == 0) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(t.c.read_end, RUV_EOF);
  ASSERT_EQ(t.c.len, 5000);
  ASSERT_EQ(pattern_check(t.c.data, t.c.len, 7), t.c.len);
  ruv_tls_config_free(cc);
  ruv_tls_config_free(sc);
  finish_loop(loop);
  tls_pair_free(&t);
}

/* A peer that closes without close_notify is a truncation: RUV_ECONNRESET, not RUV_EOF. */
TEST_CASE(truncation_is_econnreset) {
  ruv_loop_t *loop = make_loop();
  ruv_tls_config_t *cc = tls_client_config(), *sc = tls_server_config("leaf.pem");
  tls_pair t;

  tls_pair_start(loop, &t, cc, sc, "localhost");
  tls_run_handshakes(loop, &t.c, &t.s);
  tls_write_pattern(t.p.peer, 10, 0);
  while (t.c.len < 10) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(t.p.peer), tls_close_cb), 0);
  while (t.c.read_end == 0) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(t.c.read_end, RUV_ECONNRESET);
  ASSERT_NE(strcmp(ruv_tls_last_error(RUV_STREAM(t.p.client)), ""), 0);
  ruv_tls_config_free(cc);
  ruv_tls_config_free(sc);
  finish_loop(loop);
  tls_pair_free(&t);
}

/* Close during the handshake: the handshake callback gets RUV_ECANCELED, then the queued
 * write, then the close callback, last. */
TEST_CASE(close_during_handshake) {
  ruv_loop_t *loop = make_loop();
  ruv_tls_config_t *cc = tls_client_config(), *sc = tls_server_config("leaf.pem");
  tls_pair t;

  tls_pair_start(loop, &t, cc, sc, "localhost");
  tls_write_pattern(t.p.client, 10, 0);
  ASSERT_EQ(ruv_close(RUV_HANDLE(t.p.client), tls_close_cb), 0);
  while (!t.c.closed || t.s.hs_calls == 0) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_STR_EQ(t.c.order, "HWC");
  ASSERT_EQ(t.c.hs_status, RUV_ECANCELED);
  ASSERT_EQ(t.c.write_status, RUV_ECANCELED);
  ASSERT_LT(t.s.hs_status, 0);
  ruv_tls_config_free(cc);
  ruv_tls_config_free(sc);
  finish_loop(loop);
  tls_pair_free(&t);
}

/* Megabytes both ways at once, byte-exact, in writes of many sizes. */
TEST_CASE(big_transfers_both_ways) {
  ruv_loop_t *loop = make_loop();
  ruv_tls_config_t *cc = tls_client_config(), *sc = tls_server_config("leaf.pem");
  size_t total = (size_t)test_scaled(8 << 20, 512 << 10), off = 0, n = 1;
  tls_pair t;

  tls_pair_start(loop, &t, cc, sc, "localhost");
  while (off < total) {
    if (n > total - off) n = total - off;
    tls_write_pattern(t.p.client, n, off);
    tls_write_pattern(t.p.peer, n, off);
    off += n;
    n = n * 3 + 7;
    if (n > 300000) n = 1;
  }
  {
    uint64_t deadline = test_now_ms() + 60000;
    while ((t.c.len < total || t.s.len < total) && test_now_ms() < deadline)
      ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  }
  ASSERT_EQ(t.s.len, total);
  ASSERT_EQ(t.c.len, total);
  ASSERT_EQ(pattern_check(t.s.data, total, 0), total);
  ASSERT_EQ(pattern_check(t.c.data, total, 0), total);
  while (ruv_tcp_write_queue_size(t.p.client) || ruv_tcp_write_queue_size(t.p.peer))
    ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(t.c.writes_done, t.s.writes_done);
  ASSERT_EQ(t.c.write_status, 0);
  ruv_tls_config_free(cc);
  ruv_tls_config_free(sc);
  finish_loop(loop);
  tls_pair_free(&t);
}

/* SSLKEYLOGFILE set when a config is made: its streams write NSS key-log lines there. */
TEST_CASE(sslkeylogfile) {
  ruv_loop_t *loop;
  ruv_tls_config_t *cc, *sc;
  char *log;
  size_t len;
  tls_pair t;

  tls_certs();
  ASSERT_EQ(setenv("SSLKEYLOGFILE", tls_path("keys.log"), 1), 0);
  loop = make_loop();
  cc = tls_client_config();
  sc = tls_server_config("leaf.pem");
  ASSERT_EQ(unsetenv("SSLKEYLOGFILE"), 0);
  tls_pair_start(loop, &t, cc, sc, "localhost");
  tls_run_handshakes(loop, &t.c, &t.s);
  ASSERT_EQ(t.c.hs_status, 0);
  log = tls_read("keys.log", &len);
  ASSERT_NOT_NULL(strstr(log, "CLIENT_TRAFFIC_SECRET_0 "));
  ASSERT_NOT_NULL(strstr(log, "SERVER_HANDSHAKE_TRAFFIC_SECRET "));
  free(log);
  ruv_tls_config_free(cc);
  ruv_tls_config_free(sc);
  finish_loop(loop);
  tls_pair_free(&t);
}

static int drains;
static void count_drain(ruv_tcp_t *tcp) {
  (void)tcp;
  drains++;
}

/* The write limit and the watermarks judge the plaintext queued (here before the handshake,
 * when nothing can go out): a write past the limit is refused whole; the drain callback runs
 * once the encrypted records went out, after the handshake callback. */
TEST_CASE(write_limit_and_watermarks_count_plaintext) {
  ruv_loop_t *loop = make_loop();
  ruv_tls_config_t *cc = tls_client_config(), *sc = tls_server_config("leaf.pem");
  tls_pair t;

  tls_pair_start(loop, &t, cc, sc, "localhost");
  ASSERT_EQ(ruv_tcp_set_write_limit(t.p.client, 100000), 0);
  ASSERT_EQ(ruv_tcp_set_watermarks(t.p.client, 0, 50000, count_drain), 0);
  tls_write_pattern(t.p.client, 60000, 0);
  ASSERT_EQ(ruv_tcp_write_queue_size(t.p.client), 60000);
  {
    char big[50000];
    ruv_buf_t b;
    b.base = big;
    b.len = sizeof big;
    memset(big, 0, sizeof big);
    ASSERT_EQ(ruv_tcp_write(t.p.client, &b, 1, NULL, NULL), RUV_ENOBUFS);
  }
  ASSERT_EQ(ruv_tcp_write_queue_size(t.p.client), 60000);
  tls_write_pattern(t.p.client, 40000, 60000);
  ASSERT_EQ(drains, 0);
  while (t.s.len < 100000) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  while (drains == 0) ASSERT_GE(ruv_run(loop, RUV_RUN_ONCE), 0);
  ASSERT_EQ(drains, 1);
  ASSERT_EQ(t.c.writes_done, 2);
  ASSERT_EQ(t.c.order[0], 'H');
  ASSERT_EQ(ruv_tcp_write_queue_size(t.p.client), 0);
  ASSERT_EQ(pattern_check(t.s.data, t.s.len, 0), t.s.len);
  ruv_tls_config_free(cc);
  ruv_tls_config_free(sc);
  finish_loop(loop);
  tls_pair_free(&t);
}

TEST_MAIN(TEST_ENTRY(tls13_handshake_and_queries), TEST_ENTRY(write_limit_and_watermarks_count_plaintext), TEST_ENTRY(sslkeylogfile), TEST_ENTRY(tls12_and_ip_literal_without_sni),
          TEST_ENTRY(untrusted_certificate_is_ecert), TEST_ENTRY(expired_certificate_is_ecert),
          TEST_ENTRY(wrong_name_is_ecert), TEST_ENTRY(client_certificate_required),
          TEST_ENTRY(client_certificate_missing_is_ecert),
          TEST_ENTRY(writes_and_shutdown_before_handshake_then_eof),
          TEST_ENTRY(truncation_is_econnreset), TEST_ENTRY(close_during_handshake),
          TEST_ENTRY(big_transfers_both_ways))
