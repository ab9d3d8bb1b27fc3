/*
 * consumer.c — a C program built against an installed (or add_subdirectory'd) ruv by the
 * packaging tests: one loop, a listener on 127.0.0.1 port 0, a client that sends a message,
 * the server echoes it, the client checks it and closes everything. Exit 0 on success.
 *
 * CONSUMER_KIND (how it was built) and CONSUMER_EXPECT_VERSION (the version the build system
 * found) come from the build; the header's macros and the library's version must agree.
 */
#define _POSIX_C_SOURCE 200809L
#include <ruv.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CONSUMER_KIND
#define CONSUMER_KIND "unknown"
#endif

#define STR2(x) #x
#define STR(x) STR2(x)

static const char message[] = "hello from a C consumer of ruv";
static char received[sizeof message];
static size_t received_len;
static int handles_closed;

#define CHECK(expr)                                                                  \
  do {                                                                               \
    int check_r_ = (expr);                                                           \
    if (check_r_ < 0) {                                                              \
      fprintf(stderr, "%s:%d: %s -> %s\n", __FILE__, __LINE__, #expr,                \
              ruv_err_name(check_r_));                                               \
      exit(1);                                                                       \
    }                                                                                \
  } while (0)

static void on_closed(ruv_handle_t *handle) {
  (void)handle;
  handles_closed++;
}

/* server side: echo everything, close on EOF */
static void server_read(ruv_tcp_t *conn, ssize_t nread, const char *data) {
  ruv_buf_t buf;
  if (nread < 0) {
    CHECK(ruv_close(RUV_HANDLE(conn), on_closed));
    return;
  }
  buf.base = data;
  buf.len = (size_t)nread;
  CHECK(ruv_tcp_write(conn, &buf, 1, NULL, NULL));
}

static void on_connection(ruv_tcp_t *server, int status) {
  ruv_tcp_t *conn;
  CHECK(status);
  CHECK(ruv_tcp_new(ruv_handle_get_loop(RUV_HANDLE(server)), AF_UNSPEC, &conn));
  CHECK(ruv_tcp_accept(server, conn));
  CHECK(ruv_tcp_start_read(conn, server_read));
  CHECK(ruv_close(RUV_HANDLE(server), on_closed)); /* one connection is all we need */
}

/* client side: send, read the echo back, close */
static void client_read(ruv_tcp_t *client, ssize_t nread, const char *data) {
  if (nread < 0) {
    fprintf(stderr, "client read: %s\n", ruv_err_name((int)nread));
    exit(1);
  }
  if ((size_t)nread > sizeof received - received_len) {
    fprintf(stderr, "client read: too much data\n");
    exit(1);
  }
  memcpy(received + received_len, data, (size_t)nread);
  received_len += (size_t)nread;
  if (received_len == sizeof message) CHECK(ruv_close(RUV_HANDLE(client), on_closed));
}

static void on_connect(ruv_tcp_t *client, int status) {
  ruv_buf_t buf;
  CHECK(status);
  buf.base = message;
  buf.len = sizeof message;
  CHECK(ruv_tcp_write(client, &buf, 1, NULL, NULL));
  CHECK(ruv_tcp_start_read(client, client_read));
}

int main(void) {
  ruv_loop_t *loop;
  ruv_tcp_t *server, *client;
  struct sockaddr_in addr;
  struct sockaddr_storage bound;
  int namelen = (int)sizeof bound;
  const char *header_version =
      STR(RUV_VERSION_MAJOR) "." STR(RUV_VERSION_MINOR) "." STR(RUV_VERSION_PATCH);

  alarm(30); /* a hang fails the test */

  if (ruv_version() != (unsigned)RUV_VERSION_HEX ||
      strcmp(ruv_version_string(), header_version) != 0) {
    fprintf(stderr, "library %s (0x%x) does not match ruv.h %s\n", ruv_version_string(),
            ruv_version(), header_version);
    return 1;
  }
#ifdef CONSUMER_EXPECT_VERSION
  if (strcmp(CONSUMER_EXPECT_VERSION, header_version) != 0) {
    fprintf(stderr, "build system found ruv %s, ruv.h says %s\n", CONSUMER_EXPECT_VERSION,
            header_version);
    return 1;
  }
#endif

  CHECK(ruv_loop_new(&loop));
  CHECK(ruv_tcp_new(loop, AF_INET, &server));
  CHECK(ruv_ip4_addr("127.0.0.1", 0, &addr));
  CHECK(ruv_tcp_bind(server, (const struct sockaddr *)&addr, 0));
  CHECK(ruv_tcp_listen(server, 0, on_connection));
  CHECK(ruv_tcp_getsockname(server, (struct sockaddr *)&bound, &namelen));

  CHECK(ruv_tcp_new(loop, AF_INET, &client));
  CHECK(ruv_tcp_connect(client, (const struct sockaddr *)&bound, on_connect));
  CHECK(ruv_run(loop, RUV_RUN_DEFAULT));
  CHECK(ruv_loop_close(loop));

  if (handles_closed != 3 || received_len != sizeof message ||
      memcmp(received, message, sizeof message) != 0) {
    fprintf(stderr, "echo round trip failed (%d handles closed, %zu bytes back)\n",
            handles_closed, received_len);
    return 1;
  }
  printf("C consumer (%s): echo round trip over 127.0.0.1:%d ok, ruv %s\n", CONSUMER_KIND,
         ntohs(((struct sockaddr_in *)&bound)->sin_port), ruv_version_string());
  return 0;
}
