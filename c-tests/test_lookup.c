/* test_lookup.c - ruv_getaddrinfo and ruv_getnameinfo (DESIGN §10), on this
 * machine only: numeric hosts, localhost (from /etc/hosts), names in the
 * `invalid.` domain (answered by ruv without a resolver), numeric
 * getnameinfo of 127.0.0.1 and ::1, a running lookup cancelled, the RUV_EAI_*
 * codes, misuse. */
#include "pool_helpers.h"

#include <arpa/inet.h>

typedef struct {
  int calls;
  int status;
  int in_call;
  int n4, n6;    /* addresses of each family */
  int port;      /* the first address's port */
  char first[64];
} addrs_t;

static void addrs_cb(ruv_loop_t *loop, int status, const struct addrinfo *res, void *arg) {
  addrs_t *a = (addrs_t *)arg;
  const struct addrinfo *ai;
  (void)loop;
  ASSERT_EQ(a->in_call, 0);
  a->calls++;
  a->status = status;
  if (status != 0) {
    ASSERT_NULL(res);
    return;
  }
  ASSERT_NOT_NULL(res);
  for (ai = res; ai != NULL; ai = ai->ai_next) {
    char host[64];
    if (ai->ai_family == AF_INET) {
      const struct sockaddr_in *sin = (const struct sockaddr_in *)ai->ai_addr;
      a->n4++;
      inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
      if (ai == res) a->port = ntohs(sin->sin_port);
    } else {
      const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ai->ai_addr;
      ASSERT_EQ(ai->ai_family, AF_INET6);
      a->n6++;
      inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
      if (ai == res) a->port = ntohs(sin6->sin6_port);
    }
    if (ai == res) snprintf(a->first, sizeof a->first, "%s", host);
  }
}

static addrs_t lookup(const char *node, const char *service, const struct addrinfo *hints) {
  ruv_loop_t *loop = make_loop();
  addrs_t a;
  memset(&a, 0, sizeof a);
  a.in_call = 1;
  ASSERT_EQ(ruv_getaddrinfo(loop, node, service, hints, addrs_cb, &a, NULL), 0);
  a.in_call = 0;
  ASSERT_EQ(a.calls, 0);
  ASSERT_EQ(ruv_loop_alive(loop), 1);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(a.calls, 1);
  ASSERT_EQ(ruv_loop_close(loop), 0);
  return a;
}

TEST_CASE(numeric_hosts) {
  struct addrinfo hints;
  addrs_t a;
  pool_setup("4");
  memset(&hints, 0, sizeof hints);
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  hints.ai_socktype = SOCK_STREAM;
  a = lookup("127.0.0.1", "8080", &hints);
  ASSERT_EQ(a.status, 0);
  ASSERT_EQ(a.n4, 1);
  ASSERT_EQ(a.n6, 0);
  ASSERT_EQ(a.port, 8080);
  ASSERT_STR_EQ(a.first, "127.0.0.1");
  a = lookup("::1", "443", &hints);
  ASSERT_EQ(a.status, 0);
  ASSERT_EQ(a.n6, 1);
  ASSERT_STR_EQ(a.first, "::1");
  ASSERT_EQ(a.port, 443);
  /* No hints at all, no service. */
  a = lookup("10.1.2.3", NULL, NULL);
  ASSERT_EQ(a.status, 0);
  ASSERT_GE(a.n4, 1);
  ASSERT_STR_EQ(a.first, "10.1.2.3");
  /* A name where a number is required. */
  a = lookup("localhost", NULL, &hints);
  ASSERT_EQ(a.status, RUV_EAI_NONAME);
  /* A service name where a number is required. */
  a = lookup("127.0.0.1", "http", &hints);
  ASSERT_EQ(a.status, RUV_EAI_NONAME);
}

TEST_CASE(localhost) {
  struct addrinfo hints;
  addrs_t a;
  pool_setup("4");
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_INET;
  a = lookup("localhost", "7000", &hints);
  ASSERT_EQ(a.status, 0);
  ASSERT_GE(a.n4, 1);
  ASSERT_EQ(a.n6, 0);
  ASSERT_EQ(a.port, 7000);
  ASSERT_STR_EQ(a.first, "127.0.0.1");
}

TEST_CASE(invalid_domain_is_noname) {
  addrs_t a;
  pool_setup("4");
  a = lookup("nothing.invalid", "80", NULL);
  ASSERT_EQ(a.status, RUV_EAI_NONAME);
  a = lookup("A.B.INVALID.", NULL, NULL);
  ASSERT_EQ(a.status, RUV_EAI_NONAME);
  ASSERT_STR_EQ(ruv_err_name(RUV_EAI_NONAME), "EAI_NONAME");
}

typedef struct {
  int calls;
  int status;
  char host[128];
  char service[64];
} names_t;

static void names_cb(ruv_loop_t *loop, int status, const char *host, const char *service,
                     void *arg) {
  names_t *n = (names_t *)arg;
  (void)loop;
  n->calls++;
  n->status = status;
  if (status == 0) {
    ASSERT_NOT_NULL(host);
    ASSERT_NOT_NULL(service);
    snprintf(n->host, sizeof n->host, "%s", host);
    snprintf(n->service, sizeof n->service, "%s", service);
  } else {
    ASSERT_NULL(host);
    ASSERT_NULL(service);
  }
}

static names_t name_of(const char *ip, int port, int flags) {
  ruv_loop_t *loop = make_loop();
  struct sockaddr_storage ss = make_addr(strchr(ip, ':') ? AF_INET6 : AF_INET, ip, port);
  names_t n;
  memset(&n, 0, sizeof n);
  ASSERT_EQ(ruv_getnameinfo(loop, (const struct sockaddr *)&ss, flags, names_cb, &n, NULL), 0);
  ASSERT_EQ(n.calls, 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(n.calls, 1);
  ASSERT_EQ(ruv_loop_close(loop), 0);
  return n;
}

TEST_CASE(getnameinfo_of_loopback) {
  names_t n;
  pool_setup("4");
  n = name_of("127.0.0.1", 8080, NI_NUMERICHOST | NI_NUMERICSERV);
  ASSERT_EQ(n.status, 0);
  ASSERT_STR_EQ(n.host, "127.0.0.1");
  ASSERT_STR_EQ(n.service, "8080");
  n = name_of("::1", 22, NI_NUMERICHOST | NI_NUMERICSERV);
  ASSERT_EQ(n.status, 0);
  ASSERT_STR_EQ(n.host, "::1");
  ASSERT_STR_EQ(n.service, "22");
}

static void noop_work(void *arg) { (void)arg; }

static void flag_after(ruv_loop_t *loop, int status, void *arg) {
  (void)loop;
  ASSERT_EQ(status, 0);
  *(int *)arg = 1;
}

TEST_CASE(cancel_running_lookup_frees_its_result_unseen) {
  ruv_loop_t *loop;
  ruv_req_t *hung, *queued;
  addrs_t a, b;
  int work_done = 0;
  pool_setup("2"); /* lookups get one of the two threads */
  loop = make_loop();
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  ASSERT_EQ(ruv_getaddrinfo(loop, HANG_NAME, NULL, NULL, addrs_cb, &a, &hung), 0);
  ASSERT_EQ(ruv_getaddrinfo(loop, "127.0.0.1", NULL, NULL, addrs_cb, &b, &queued), 0);
  /* Threads take the first job they may run: once this work item has run, the hung
   * lookup runs and the second lookup waits for the lookup thread. */
  ASSERT_EQ(ruv_queue_work(loop, noop_work, flag_after, &work_done, NULL), 0);
  run_until_count(loop, &work_done, 1);
  ASSERT_EQ(a.calls + b.calls, 0);
  b.in_call = 1;
  ASSERT_EQ(ruv_cancel(queued), 0);
  b.in_call = 0;
  ASSERT_EQ(ruv_run(loop, RUV_RUN_ONCE), 1);
  ASSERT_EQ(b.calls, 1);
  ASSERT_EQ(b.status, RUV_EAI_CANCELED);
  /* The hung one is running: it is abandoned. */
  a.in_call = 1;
  ASSERT_EQ(ruv_cancel(hung), 0);
  a.in_call = 0;
  ASSERT_EQ(ruv_cancel(hung), RUV_EBUSY);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(a.calls, 1);
  ASSERT_EQ(a.status, RUV_EAI_CANCELED);
  ASSERT_EQ(ruv_cancel(hung), RUV_EINVAL);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_CASE(eai_codes_have_libuv_values) {
  ASSERT_EQ(RUV_EAI_ADDRFAMILY, -3000);
  ASSERT_EQ(RUV_EAI_AGAIN, -3001);
  ASSERT_EQ(RUV_EAI_BADFLAGS, -3002);
  ASSERT_EQ(RUV_EAI_CANCELED, -3003);
  ASSERT_EQ(RUV_EAI_FAIL, -3004);
  ASSERT_EQ(RUV_EAI_FAMILY, -3005);
  ASSERT_EQ(RUV_EAI_MEMORY, -3006);
  ASSERT_EQ(RUV_EAI_NODATA, -3007);
  ASSERT_EQ(RUV_EAI_NONAME, -3008);
  ASSERT_EQ(RUV_EAI_OVERFLOW, -3009);
  ASSERT_EQ(RUV_EAI_SERVICE, -3010);
  ASSERT_EQ(RUV_EAI_SOCKTYPE, -3011);
  ASSERT_EQ(RUV_EAI_BADHINTS, -3013);
  ASSERT_EQ(RUV_EAI_PROTOCOL, -3014);
  ASSERT_STR_EQ(ruv_err_name(RUV_EAI_CANCELED), "EAI_CANCELED");
  ASSERT(strlen(ruv_strerror(RUV_EAI_AGAIN)) > 0);
}

TEST_CASE(misuse) {
  ruv_loop_t *loop;
  struct addrinfo hints;
  struct sockaddr_storage ss;
  ruv_req_t *req = (ruv_req_t *)0x1;
  addrs_t a;
  names_t n;
  pool_setup("4");
  loop = make_loop();
  memset(&a, 0, sizeof a);
  ASSERT_EQ(ruv_getaddrinfo(NULL, "localhost", NULL, NULL, addrs_cb, &a, &req), RUV_EINVAL);
  ASSERT_EQ(ruv_getaddrinfo(loop, "localhost", NULL, NULL, NULL, &a, &req), RUV_EINVAL);
  ASSERT_EQ(ruv_getaddrinfo(loop, NULL, NULL, NULL, addrs_cb, &a, &req), RUV_EINVAL);
  memset(&hints, 0, sizeof hints);
  hints.ai_family = 12345;
  ASSERT_EQ(ruv_getaddrinfo(loop, "localhost", NULL, &hints, addrs_cb, &a, &req), RUV_EAI_FAMILY);
  memset(&hints, 0, sizeof hints);
  hints.ai_next = &hints;
  ASSERT_EQ(ruv_getaddrinfo(loop, "localhost", NULL, &hints, addrs_cb, &a, &req),
            RUV_EAI_BADHINTS);
  memset(&hints, 0, sizeof hints);
  hints.ai_addrlen = 16;
  ASSERT_EQ(ruv_getaddrinfo(loop, "localhost", NULL, &hints, addrs_cb, &a, &req),
            RUV_EAI_BADHINTS);
  memset(&n, 0, sizeof n);
  ss = make_addr(AF_INET, "127.0.0.1", 1);
  ASSERT_EQ(ruv_getnameinfo(NULL, (struct sockaddr *)&ss, 0, names_cb, &n, &req), RUV_EINVAL);
  ASSERT_EQ(ruv_getnameinfo(loop, NULL, 0, names_cb, &n, &req), RUV_EINVAL);
  ASSERT_EQ(ruv_getnameinfo(loop, (struct sockaddr *)&ss, 0, NULL, &n, &req), RUV_EINVAL);
  ss.ss_family = AF_UNIX;
  ASSERT_EQ(ruv_getnameinfo(loop, (struct sockaddr *)&ss, 0, names_cb, &n, &req), RUV_EINVAL);
  ASSERT_PTR_EQ(req, (ruv_req_t *)0x1); /* out-param untouched on every error */
  ASSERT_EQ(a.calls + n.calls, 0);
  ASSERT_EQ(ruv_loop_alive(loop), 0);
  /* A bad flag is the resolver's error, through the callback. */
  memset(&hints, 0, sizeof hints);
  hints.ai_flags = 0x7fff0000;
  ASSERT_EQ(ruv_getaddrinfo(loop, "127.0.0.1", NULL, &hints, addrs_cb, &a, NULL), 0);
  ASSERT_EQ(ruv_run(loop, RUV_RUN_DEFAULT), 0);
  ASSERT_EQ(a.calls, 1);
  ASSERT_EQ(a.status, RUV_EAI_BADFLAGS);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_MAIN(TEST_ENTRY(numeric_hosts), TEST_ENTRY(localhost), TEST_ENTRY(invalid_domain_is_noname),
          TEST_ENTRY(getnameinfo_of_loopback),
          TEST_ENTRY(cancel_running_lookup_frees_its_result_unseen),
          TEST_ENTRY(eai_codes_have_libuv_values), TEST_ENTRY(misuse))
