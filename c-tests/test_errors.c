/* test_errors.c - error codes (= -errno), ruv_err_name / ruv_strerror for
 * every code, unknown codes, version functions vs. the header macros. */
#include "helpers.h"

#include <limits.h>

/* Every RUV_E* the header declares (the errno codes libuv names, and ruv's own). */
#define RUV_TEST_ERRNOS(X)                                                    \
  X(E2BIG) X(EACCES) X(EADDRINUSE) X(EADDRNOTAVAIL) X(EAFNOSUPPORT)           \
  X(EAGAIN) X(EALREADY) X(EBADF) X(EBUSY) X(ECANCELED) X(ECONNABORTED)        \
  X(ECONNREFUSED) X(ECONNRESET) X(EDESTADDRREQ) X(EEXIST) X(EFAULT) X(EFBIG)  \
  X(EHOSTDOWN) X(EHOSTUNREACH) X(EILSEQ) X(EINTR) X(EINVAL) X(EIO)            \
  X(EISCONN) X(EISDIR) X(ELOOP) X(EMFILE) X(EMLINK) X(EMSGSIZE)               \
  X(ENAMETOOLONG) X(ENETDOWN) X(ENETUNREACH) X(ENFILE) X(ENOBUFS)             \
  X(ENODATA) X(ENODEV) X(ENOENT) X(ENOMEM) X(ENONET) X(ENOPROTOOPT)           \
  X(ENOSPC) X(ENOSYS) X(ENOTCONN) X(ENOTDIR) X(ENOTEMPTY) X(ENOTSOCK)         \
  X(ENOTSUP) X(ENOTTY) X(ENXIO) X(EOVERFLOW) X(EPERM) X(EPIPE) X(EPROTO)      \
  X(EPROTONOSUPPORT) X(EPROTOTYPE) X(ERANGE) X(EREMOTEIO) X(EROFS)            \
  X(ESHUTDOWN) X(ESOCKTNOSUPPORT) X(ESPIPE) X(ESRCH) X(ETIMEDOUT)             \
  X(ETXTBSY) X(EUNATCH) X(EXDEV)

typedef struct {
  int code;
  int errnum;
  const char *name;
} code_entry;

#define RUV_TEST_ENTRY(n) {RUV_##n, n, #n},
static const code_entry k_codes[] = {RUV_TEST_ERRNOS(RUV_TEST_ENTRY)};
#define NCODES (sizeof k_codes / sizeof k_codes[0])

TEST_CASE(codes_are_negative_errno) {
  size_t i;
  for (i = 0; i < NCODES; i++)
    ASSERT_MSG(k_codes[i].code == -k_codes[i].errnum,
               "RUV_%s = %d, -%s = %d", k_codes[i].name, k_codes[i].code,
               k_codes[i].name, -k_codes[i].errnum);
  ASSERT_EQ(RUV_EOF, -4095);
  ASSERT_EQ(RUV_EAGAIN, -EAGAIN);
  ASSERT_EQ(RUV_ECANCELED, -ECANCELED);
}

TEST_CASE(err_name_for_every_code) {
  size_t i;
  for (i = 0; i < NCODES; i++) {
    const char *n = ruv_err_name(k_codes[i].code);
    ASSERT_NOT_NULL(n);
    ASSERT_MSG(strcmp(n, k_codes[i].name) == 0, "ruv_err_name(RUV_%s) = \"%s\"",
               k_codes[i].name, n);
  }
  ASSERT_STR_EQ(ruv_err_name(RUV_EOF), "EOF");
}

TEST_CASE(strerror_for_every_code) {
  size_t i;
  const char *unknown = ruv_strerror(-99999);
  ASSERT_NOT_NULL(unknown);
  for (i = 0; i < NCODES; i++) {
    const char *m = ruv_strerror(k_codes[i].code);
    ASSERT_NOT_NULL(m);
    ASSERT_GT(strlen(m), 3);
    ASSERT_MSG(strcmp(m, unknown) != 0, "ruv_strerror(RUV_%s) is the unknown text",
               k_codes[i].name);
    ASSERT_MSG(m[0] != 'E' || strcmp(m, k_codes[i].name) != 0,
               "ruv_strerror(RUV_%s) is just the name", k_codes[i].name);
  }
  ASSERT_NOT_NULL(ruv_strerror(RUV_EOF));
  ASSERT_GT(strlen(ruv_strerror(RUV_EOF)), 3);
  ASSERT_MSG(strcmp(ruv_strerror(RUV_EOF), unknown) != 0,
             "ruv_strerror(RUV_EOF) is the unknown text");
}

TEST_CASE(strerror_texts_are_distinct_and_stable) {
  size_t i, j;
  char einval[256];
  const char *m = ruv_strerror(RUV_EINVAL);
  ASSERT_NOT_NULL(m);
  ASSERT_LT(strlen(m), sizeof einval);
  strcpy(einval, m);
  for (i = 0; i < NCODES; i++)
    for (j = i + 1; j < NCODES; j++)
      ASSERT_MSG(strcmp(ruv_strerror(k_codes[i].code),
                        ruv_strerror(k_codes[j].code)) != 0,
                 "%s and %s share the text \"%s\"", k_codes[i].name,
                 k_codes[j].name, ruv_strerror(k_codes[i].code));
  for (i = 0; i < NCODES; i++)
    ASSERT_MSG(strcmp(ruv_strerror(RUV_EOF), ruv_strerror(k_codes[i].code)) != 0,
               "EOF and %s share a text", k_codes[i].name);
  /* every other code was described in between: the EINVAL text is unchanged
   * (static text, not a buffer the next call overwrites) */
  ASSERT_STR_EQ(m, einval);
  ASSERT_STR_EQ(ruv_strerror(RUV_EINVAL), einval);
}

TEST_CASE(names_are_distinct) {
  size_t i, j;
  for (i = 0; i < NCODES; i++)
    for (j = i + 1; j < NCODES; j++)
      ASSERT_MSG(strcmp(ruv_err_name(k_codes[i].code),
                        ruv_err_name(k_codes[j].code)) != 0,
                 "%s and %s share a name", k_codes[i].name, k_codes[j].name);
}

TEST_CASE(unknown_codes_give_a_string) {
  static const int odd[] = {1, 0, -99999, 12345, INT_MIN, INT_MAX, -4096, -4000};
  size_t i;
  for (i = 0; i < sizeof odd / sizeof odd[0]; i++) {
    const char *n = ruv_err_name(odd[i]);
    const char *m = ruv_strerror(odd[i]);
    ASSERT_NOT_NULL(n);
    ASSERT_NOT_NULL(m);
    ASSERT_GT(strlen(n), 0);
    ASSERT_GT(strlen(m), 0);
  }
  ASSERT_MSG(strcmp(ruv_err_name(-99999), "EINVAL") != 0 &&
                 strcmp(ruv_err_name(-99999), "EOF") != 0,
             "unknown code named like a known one");
}

TEST_CASE(version_matches_macros) {
  char want[64];
  unsigned v = ruv_version();
  ASSERT_EQ(v, ((unsigned)RUV_VERSION_MAJOR << 16) |
                   ((unsigned)RUV_VERSION_MINOR << 8) |
                   (unsigned)RUV_VERSION_PATCH);
  ASSERT_EQ(v >> 16, RUV_VERSION_MAJOR);
  ASSERT_EQ((v >> 8) & 0xff, RUV_VERSION_MINOR);
  ASSERT_EQ(v & 0xff, RUV_VERSION_PATCH);
  snprintf(want, sizeof want, "%d.%d.%d", RUV_VERSION_MAJOR, RUV_VERSION_MINOR,
           RUV_VERSION_PATCH);
  ASSERT_NOT_NULL(ruv_version_string());
  ASSERT_EQ(strncmp(ruv_version_string(), want, strlen(want)), 0);
  ASSERT_PTR_EQ(ruv_version_string(), ruv_version_string()); /* static */
}

TEST_CASE(errors_reach_callers_as_codes) {
  /* a real failing call maps errno to the matching RUV_E* and name */
  ruv_loop_t *loop = make_loop();
  ruv_tcp_t *t = make_tcp(loop, AF_INET);
  struct sockaddr_storage ss = make_addr(AF_INET, "192.0.2.1", 0);
  int r = ruv_tcp_bind(t, (struct sockaddr *)&ss, 0);
  const char *m;
  ASSERT_EQ(r, -EADDRNOTAVAIL); /* <errno.h>, not ruv.h */
  ASSERT_STR_EQ(ruv_err_name(r), "EADDRNOTAVAIL");
  m = ruv_strerror(r);
  ASSERT_NOT_NULL(m);
  ASSERT_GT(strlen(m), 3);
  ASSERT_MSG(strcmp(m, ruv_strerror(-99999)) != 0, "\"%s\" is the unknown text", m);
  ASSERT_MSG(strcmp(m, ruv_strerror(-EINVAL)) != 0, "\"%s\" is EINVAL's text", m);
  ASSERT_MSG(strcmp(m, "EADDRNOTAVAIL") != 0, "the text is just the name");
  finish_loop(loop);
}

TEST_MAIN(TEST_ENTRY(codes_are_negative_errno),
          TEST_ENTRY(err_name_for_every_code),
          TEST_ENTRY(strerror_for_every_code),
          TEST_ENTRY(strerror_texts_are_distinct_and_stable),
          TEST_ENTRY(names_are_distinct),
          TEST_ENTRY(unknown_codes_give_a_string),
          TEST_ENTRY(version_matches_macros),
          TEST_ENTRY(errors_reach_callers_as_codes))
