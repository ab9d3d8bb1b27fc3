// consumer.cpp — a C++17 program built against an installed (or add_subdirectory'd) ruv by the
// packaging tests: the same echo round trip as consumer.c over 127.0.0.1 port 0, written the
// way C++ code would use a C callback API (captureless lambdas, user data pointers, RAII).
#include <ruv.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#ifndef CONSUMER_KIND
#define CONSUMER_KIND "unknown"
#endif

namespace {

static_assert(RUV_VERSION_HEX == ((RUV_VERSION_MAJOR << 16) | (RUV_VERSION_MINOR << 8) |
                                  RUV_VERSION_PATCH),
              "version macros agree");

// Callbacks run inside ruv's (Rust) frames: no C++ exception may cross them, so a failure
// is reported and ends the process instead of throwing.
int check(int r, const char *what) {
  if (r < 0) {
    std::fprintf(stderr, "consumer.cpp: %s: %s\n", what, ruv_err_name(r));
    std::exit(1);
  }
  return r;
}

struct LoopDeleter {
  void operator()(ruv_loop_t *loop) const noexcept {
    if (ruv_loop_close(loop) != 0) std::fputs("ruv_loop_close failed\n", stderr);
  }
};
using LoopPtr = std::unique_ptr<ruv_loop_t, LoopDeleter>;

struct Session {
  std::string_view message = "hello from a C++17 consumer of ruv";
  std::string received;
  int closed = 0;
};

Session &session_of(ruv_tcp_t *tcp) {
  return *static_cast<Session *>(ruv_loop_get_data(ruv_handle_get_loop(RUV_HANDLE(tcp))));
}

void close_handle(ruv_tcp_t *tcp) {
  check(ruv_close(RUV_HANDLE(tcp),
                  [](ruv_handle_t *h) {
                    ++static_cast<Session *>(ruv_loop_get_data(ruv_handle_get_loop(h)))->closed;
                  }),
        "ruv_close");
}

}  // namespace

int main() {
  alarm(30);  // a hang fails the test
  try {
    Session session;
    ruv_loop_t *raw_loop = nullptr;
    check(ruv_loop_new(&raw_loop), "ruv_loop_new");
    LoopPtr loop(raw_loop);
    ruv_loop_set_data(loop.get(), &session);

    ruv_tcp_t *server = nullptr;
    check(ruv_tcp_new(loop.get(), AF_INET, &server), "ruv_tcp_new");
    sockaddr_in addr{};
    check(ruv_ip4_addr("127.0.0.1", 0, &addr), "ruv_ip4_addr");
    check(ruv_tcp_bind(server, reinterpret_cast<const sockaddr *>(&addr), 0), "ruv_tcp_bind");
    check(ruv_tcp_listen(server, RUV_DEFAULT_BACKLOG,
                         [](ruv_tcp_t *srv, int status) {
                           check(status, "connection");
                           ruv_tcp_t *conn = nullptr;
                           check(ruv_tcp_new(ruv_handle_get_loop(RUV_HANDLE(srv)), AF_UNSPEC,
                                             &conn),
                                 "ruv_tcp_new");
                           check(ruv_tcp_accept(srv, conn), "ruv_tcp_accept");
                           check(ruv_tcp_start_read(
                                     conn,
                                     [](ruv_tcp_t *c, ssize_t nread, const char *data) {
                                       if (nread < 0) return close_handle(c);  // EOF
                                       const ruv_buf_t buf{data, static_cast<size_t>(nread)};
                                       check(ruv_tcp_write(c, &buf, 1, nullptr, nullptr),
                                             "ruv_tcp_write");
                                     }),
                                 "ruv_tcp_start_read");
                           close_handle(srv);
                         }),
          "ruv_tcp_listen");

    sockaddr_storage bound{};
    int namelen = sizeof bound;
    check(ruv_tcp_getsockname(server, reinterpret_cast<sockaddr *>(&bound), &namelen),
          "ruv_tcp_getsockname");

    ruv_tcp_t *client = nullptr;
    check(ruv_tcp_new(loop.get(), AF_INET, &client), "ruv_tcp_new");
    check(ruv_tcp_connect(
              client, reinterpret_cast<const sockaddr *>(&bound),
              [](ruv_tcp_t *c, int status) {
                check(status, "connect");
                auto &s = session_of(c);
                const ruv_buf_t buf{s.message.data(), s.message.size()};
                check(ruv_tcp_write(c, &buf, 1, nullptr, nullptr), "ruv_tcp_write");
                check(ruv_tcp_start_read(c,
                                         [](ruv_tcp_t *c2, ssize_t nread, const char *data) {
                                           check(static_cast<int>(nread), "client read");
                                           auto &s2 = session_of(c2);
                                           s2.received.append(data, static_cast<size_t>(nread));
                                           if (s2.received.size() >= s2.message.size())
                                             close_handle(c2);
                                         }),
                      "ruv_tcp_start_read");
              }),
          "ruv_tcp_connect");

    check(ruv_run(loop.get(), RUV_RUN_DEFAULT), "ruv_run");
    if (ruv_loop_alive(loop.get()) != 0) throw std::runtime_error("loop still alive");
    loop.reset();

    if (session.received != session.message || session.closed != 3)
      throw std::runtime_error("echo round trip failed: got '" + session.received + "'");
    const auto [port, version] =
        std::pair{ntohs(reinterpret_cast<const sockaddr_in *>(&bound)->sin_port),
                  std::string_view(ruv_version_string())};
#ifdef CONSUMER_EXPECT_VERSION
    if (version != CONSUMER_EXPECT_VERSION)
      throw std::runtime_error("build system found ruv " CONSUMER_EXPECT_VERSION);
#endif
    std::printf("C++17 consumer (%s): echo round trip over 127.0.0.1:%d ok, ruv %.*s\n",
                CONSUMER_KIND, port, static_cast<int>(version.size()), version.data());
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "consumer.cpp: %s\n", e.what());
    return 1;
  }
}
