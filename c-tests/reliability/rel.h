/*
 * rel.h - helpers of the reliability tests (on top of ../test.h and ../helpers.h).
 */
#ifndef RUV_C_TEST_REL_H
#define RUV_C_TEST_REL_H

#include "../helpers.h"

#include <dirent.h>
#include <sys/resource.h>

/* Descriptors open in this process (entries of /proc/self/fd, minus the one
 * opendir uses). */
static inline int rel_fd_count(void) {
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  int n = 0;
  ASSERT_NOT_NULL(d);
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n - 1;
}

/* Resident set size in KiB (from /proc/self/statm). */
static inline long rel_rss_kib(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long size = 0, resident = 0;
  ASSERT_NOT_NULL(f);
  ASSERT_EQ(fscanf(f, "%ld %ld", &size, &resident), 2);
  fclose(f);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* CPU time (user + system) of this process in ms. */
static inline long rel_cpu_ms(void) {
  struct rusage ru;
  ASSERT_EQ(getrusage(RUSAGE_SELF, &ru), 0);
  return (long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
         (long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

/* Runs the loop for `ms` milliseconds the way an embedding program would:
 * wait on ruv_backend_fd() for at most ruv_backend_timeout() (capped by the
 * time left), then ruv_run(NOWAIT). A loop that does not spin sleeps in poll()
 * and wakes only for real events; a spinning loop has backend_timeout 0 or a
 * backend fd that stays readable, which shows up as many iterations and CPU
 * time. `between` (may be NULL) is called every `every_ms`. */
typedef struct {
  long iterations;
  long busy_iterations; /* iterations that found work pending (timeout 0) */
  long cpu_ms;
} spin_stats;

static inline spin_stats rel_run_for(ruv_loop_t *loop, long ms,
                                     void (*between)(void *), void *arg,
                                     long every_ms) {
  spin_stats st;
  uint64_t start = test_now_ms(), end = start + (uint64_t)ms;
  uint64_t next = start + (uint64_t)every_ms;
  long cpu0 = rel_cpu_ms();
  int bfd = ruv_backend_fd(loop);
  memset(&st, 0, sizeof st);
  ASSERT_GE(bfd, 0);
  for (;;) {
    uint64_t now = test_now_ms();
    long left, t;
    struct pollfd p;
    if (now >= end) break;
    if (between != NULL && now >= next) {
      between(arg);
      next += (uint64_t)every_ms;
    }
    left = (long)(end - now);
    if (between != NULL && (long)(next - now) < left) left = (long)(next - now);
    t = ruv_backend_timeout(loop);
    if (t == 0) st.busy_iterations++;
    if (t < 0 || t > left) t = left;
    p.fd = bfd;
    p.events = POLLIN;
    p.revents = 0;
    if (t > 0) (void)poll(&p, 1, (int)t);
    ASSERT_GE(ruv_run(loop, RUV_RUN_NOWAIT), 0);
    st.iterations++;
  }
  st.cpu_ms = rel_cpu_ms() - cpu0;
  return st;
}

/* Waits up to `ms` for fd to be readable; returns what recv then says:
 * > 0 bytes, 0 for EOF, -errno for an error, -EAGAIN/-ETIMEDOUT if nothing. */
static inline long rel_recv_wait(int fd, char *buf, size_t n, int ms) {
  struct pollfd p;
  ssize_t r;
  p.fd = fd;
  p.events = POLLIN;
  p.revents = 0;
  if (poll(&p, 1, ms) <= 0) return -ETIMEDOUT;
  r = recv(fd, buf, n, MSG_DONTWAIT);
  if (r < 0) return -errno;
  return (long)r;
}

/* Moves fd to a descriptor number >= min (so it survives a lowered
 * RLIMIT_NOFILE and does not take the low numbers accept() will use). */
static inline int rel_fd_high(int fd, int min) {
  int nfd = fcntl(fd, F_DUPFD_CLOEXEC, min);
  ASSERT_GE(nfd, min);
  ASSERT_EQ(close(fd), 0);
  return nfd;
}

/* A connect in progress on a non-blocking raw socket (the handshake completes
 * in the kernel). */
static inline int rel_raw_connect_nb(int family, int port) {
  struct sockaddr_storage ss = loopback(family, port);
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int r;
  ASSERT_GE(fd, 0);
  r = connect(fd, (struct sockaddr *)&ss, family_len(family));
  ASSERT_MSG(r == 0 || errno == EINPROGRESS, "connect: %s", strerror(errno));
  return fd;
}

/* A raw listener whose accept queue is full and never accepted: a new connect
 * to it stays in SYN_SENT (the SYN is dropped), i.e. a ruv connect to its port
 * stays "connecting" for seconds. The filler sockets are returned in fill[]. */
static inline int rel_stuck_listener(int *port, int fill[4]) {
  struct sockaddr_storage ss = loopback(AF_INET, 0);
  socklen_t len = sizeof ss;
  int fd = socket(AF_INET, SOCK_STREAM, 0), i;
  ASSERT_GE(fd, 0);
  ASSERT_EQ(bind(fd, (struct sockaddr *)&ss, sizeof(struct sockaddr_in)), 0);
  ASSERT_EQ(listen(fd, 0), 0);
  ASSERT_EQ(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
  *port = addr_port(&ss);
  for (i = 0; i < 4; i++) fill[i] = rel_raw_connect_nb(AF_INET, *port);
  test_sleep_ms(50);
  return fd;
}

/* ---- a seeded PRNG (xorshift64*) ---------------------------------------- */
static inline uint64_t rel_rand(uint64_t *s) {
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1DULL;
}

#endif /* RUV_C_TEST_REL_H */
