/*
 * test.h - a tiny assertion header and case runner for the ruv C tests.
 *
 * One program holds several named cases:
 *
 *     TEST_CASE(loop_new_close) { ... ASSERT_EQ(x, 0); ... }
 *     TEST_MAIN(TEST_ENTRY(loop_new_close), TEST_ENTRY(other))
 *
 * Each case runs in a forked child process with its own alarm(), so an
 * assertion failure, a crash or a hang fails that case only and the others
 * still run.  A failed assertion prints `file:line: message` and exits the
 * child with status 1.  The program prints one line per case and a final
 * summary line `N passed, M failed` and exits non-zero if any case failed.
 *
 * Environment:
 *   RUV_TEST_SCALE=small   cut iteration counts and sizes (used under valgrind)
 *   RUV_TEST_TIMEOUT=sec   per-case alarm (default 60)
 *   RUV_TEST_NOFORK=1      run cases in-process (for gdb); stops at first failure
 * Arguments: case names to run only those; `--list` prints the case names.
 */
#ifndef RUV_C_TEST_H
#define RUV_C_TEST_H

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TEST_FAIL_(...)                                                       \
  do {                                                                        \
    fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                           \
    fprintf(stderr, __VA_ARGS__);                                             \
    fprintf(stderr, "\n");                                                    \
    fflush(stderr);                                                           \
    exit(1);                                                                  \
  } while (0)

#define ASSERT(cond)                                                          \
  do {                                                                        \
    if (!(cond)) TEST_FAIL_("assertion failed: %s", #cond);                   \
  } while (0)

#define ASSERT_MSG(cond, ...)                                                 \
  do {                                                                        \
    if (!(cond)) TEST_FAIL_(__VA_ARGS__);                                     \
  } while (0)

#define ASSERT_CMP_(a, op, b)                                                 \
  do {                                                                        \
    long long a_ = (long long)(a);                                            \
    long long b_ = (long long)(b);                                            \
    if (!(a_ op b_))                                                          \
      TEST_FAIL_("assertion failed: %s %s %s (%lld vs %lld)", #a, #op, #b,    \
                 a_, b_);                                                     \
  } while (0)

#define ASSERT_EQ(a, b) ASSERT_CMP_(a, ==, b)
#define ASSERT_NE(a, b) ASSERT_CMP_(a, !=, b)
#define ASSERT_LT(a, b) ASSERT_CMP_(a, <, b)
#define ASSERT_LE(a, b) ASSERT_CMP_(a, <=, b)
#define ASSERT_GT(a, b) ASSERT_CMP_(a, >, b)
#define ASSERT_GE(a, b) ASSERT_CMP_(a, >=, b)

#define ASSERT_PTR_EQ(a, b)                                                   \
  do {                                                                        \
    const void *a_ = (const void *)(a);                                       \
    const void *b_ = (const void *)(b);                                       \
    if (a_ != b_)                                                             \
      TEST_FAIL_("assertion failed: %s == %s (%p vs %p)", #a, #b, a_, b_);    \
  } while (0)

#define ASSERT_NOT_NULL(p) ASSERT_MSG((p) != NULL, "%s is NULL", #p)
#define ASSERT_NULL(p) ASSERT_MSG((p) == NULL, "%s is not NULL", #p)

#define ASSERT_STR_EQ(a, b)                                                   \
  do {                                                                        \
    const char *a_ = (a);                                                     \
    const char *b_ = (b);                                                     \
    if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)                      \
      TEST_FAIL_("assertion failed: %s == %s (\"%s\" vs \"%s\")", #a, #b,     \
                 a_ ? a_ : "(null)", b_ ? b_ : "(null)");                     \
  } while (0)

/* Boolean queries called with NULL may answer 0 or RUV_EINVAL, never 1. */
#define ASSERT_FALSE_OR(v, err)                                               \
  do {                                                                        \
    long long v_ = (long long)(v);                                            \
    if (v_ != 0 && v_ != (long long)(err))                                    \
      TEST_FAIL_("assertion failed: %s is 0 or %s (got %lld)", #v, #err, v_); \
  } while (0)

typedef void (*test_fn)(void);
typedef struct {
  const char *name;
  test_fn fn;
} test_entry;

#define TEST_CASE(name) static void test_##name(void)
#define TEST_ENTRY(name) { #name, test_##name }

/* RUV_TEST_SCALE=small: cut counts and sizes, never skip. */
static inline int test_small(void) {
  const char *s = getenv("RUV_TEST_SCALE");
  return s != NULL && strcmp(s, "small") == 0;
}

static inline long test_scaled(long full, long small) {
  return test_small() ? small : full;
}

static inline uint64_t test_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static inline void test_sleep_ms(long ms) {
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000L;
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static inline unsigned test_timeout(void) {
  const char *s = getenv("RUV_TEST_TIMEOUT");
  long v = s ? strtol(s, NULL, 10) : 0;
  return v > 0 ? (unsigned)v : 60u;
}

static inline int test_selected(const char *name, int argc, char **argv) {
  int i, any = 0;
  for (i = 1; i < argc; i++) {
    if (argv[i][0] == '-') continue;
    any = 1;
    if (strcmp(argv[i], name) == 0) return 1;
  }
  return !any;
}

static inline int test_run_all(const char *prog, const test_entry *tests,
                               size_t ntests, int argc, char **argv) {
  size_t i;
  int passed = 0, failed = 0, i_arg;
  int nofork = getenv("RUV_TEST_NOFORK") != NULL;
  unsigned timeout = test_timeout();

  for (i_arg = 1; i_arg < argc; i_arg++) {
    if (strcmp(argv[i_arg], "--list") == 0) {
      for (i = 0; i < ntests; i++) printf("%s\n", tests[i].name);
      return 0;
    }
  }

  for (i = 0; i < ntests; i++) {
    const test_entry *t = &tests[i];
    uint64_t t0;
    int ok = 0;
    char why[96] = "";
    pid_t pid;
    int status = 0;

    if (!test_selected(t->name, argc, argv)) continue;
    fflush(stdout);
    fflush(stderr);
    t0 = test_now_ms();
    if (nofork) {
      alarm(timeout);
      t->fn();
      alarm(0);
      ok = 1;
    } else {
      pid = fork();
      if (pid < 0) {
        perror("fork");
        return 2;
      }
      if (pid == 0) {
        signal(SIGALRM, SIG_DFL);
        alarm(timeout);
        t->fn();
        fflush(stdout);
        fflush(stderr);
        exit(0);
      }
      while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
          perror("waitpid");
          return 2;
        }
      }
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        ok = 1;
      } else if (WIFEXITED(status)) {
        snprintf(why, sizeof why, "exit status %d", WEXITSTATUS(status));
      } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
        snprintf(why, sizeof why, "timed out after %us", timeout);
      } else if (WIFSIGNALED(status)) {
        snprintf(why, sizeof why, "killed by signal %d (%s)",
                 WTERMSIG(status), strsignal(WTERMSIG(status)));
      }
    }
    if (ok) {
      passed++;
      printf("ok   %s.%s (%llu ms)\n", prog, t->name,
             (unsigned long long)(test_now_ms() - t0));
    } else {
      failed++;
      printf("FAIL %s.%s: %s\n", prog, t->name, why);
    }
    fflush(stdout);
  }
  printf("%s: %d passed, %d failed\n", prog, passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}

#define TEST_MAIN(...)                                                        \
  int main(int argc, char **argv) {                                           \
    static const test_entry tests_[] = {__VA_ARGS__};                         \
    const char *prog_ = strrchr(argv[0], '/');                                \
    prog_ = prog_ ? prog_ + 1 : argv[0];                                      \
    return test_run_all(prog_, tests_, sizeof tests_ / sizeof tests_[0],      \
                        argc, argv);                                          \
  }

#endif /* RUV_C_TEST_H */
