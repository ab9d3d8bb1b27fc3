/* bench/harness.c — command line, process layout and measurement shared by
 * all workloads and back-ends.
 *
 *   bench-<backend> <workload> [options]
 *
 * --role both (default): fork; the parent is the server, the child the client
 *   (same back-end unless --client-bin names another bench binary, which the
 *   child then execs).  The server listens on 127.0.0.1 port 0 and passes the
 *   port to the client through a pipe; the client returns its result line
 *   through a second pipe; the parent prints one merged line:
 *     workload=.. backend=.. client_backend=.. s_<key>=.. c_<key>=..
 * --role server: print "port=N" as soon as listening, then the s_ line.
 * --role client --port N: run the client side only, print the c_ line.
 *
 * --pin same (default): server and client are both pinned to CPU 0, so every
 *   row is CPU-bound and measures the work done per operation (library +
 *   kernel, both sides) rather than the machine's cross-CPU wake-up latency,
 *   which on a small VM is large and erratic.  --pin split puts the client on
 *   CPU 1; --pin none leaves placement to the scheduler.
 *
 * Workloads without a client side (timers, churn, asyncpummel) are one process:
 *   --role both runs them without forking, pinned to CPU 0 unless --pin none; a
 *   helper thread they start (async-pummel's sender) goes to CPU 1 with --pin split.
 *   A back-end that lacks the handles they need exits with status 77 (n/a).
 *
 * Every process raises RLIMIT_NOFILE, arms alarm(--timeout) so that nothing
 * runs unbounded, and reports its own getrusage() CPU time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static const workload *const WORKLOADS[] = {
  &wl_pingpong, &wl_pump, &wl_pound, &wl_writebatch, &wl_idle,
  &wl_timers, &wl_timerchurn, &wl_asyncpummel,
};
#define NWORKLOADS (sizeof(WORKLOADS) / sizeof(WORKLOADS[0]))

static int g_port_fd = -1;   /* server -> client (both) or -1 (print to stdout) */
static int g_pin = 1;        /* 0 none, 1 same CPU (default), 2 split */
static const char *g_workload = "?";

void res_add(bench_result *r, const char *key, const char *fmt, ...) {
  va_list ap;
  size_t room = sizeof(r->text) - r->len;
  int n = snprintf(r->text + r->len, room, "%s%s=", r->len ? " " : "", key);
  if (n < 0 || (size_t)n >= room) return;
  r->len += (size_t)n;
  room -= (size_t)n;
  va_start(ap, fmt);
  n = vsnprintf(r->text + r->len, room, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= room) return;
  r->len += (size_t)n;
}

double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

long bench_rss_bytes(void) {
  long size = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return -1;
  if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
  fclose(f);
  return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

void bench_die(const char *what, int err) {
  fprintf(stderr, "bench(%s, pid %d): %s failed: %d (%s)\n", bl_backend_name(),
          (int)getpid(), what, err, err < 0 && err > -4095 ? strerror(-err) : "");
  exit(3);
}

void bench_unsupported(const char *what) {
  printf("workload=%s backend=%s unsupported=%s\n", g_workload, bl_backend_name(), what);
  fflush(stdout);
  fprintf(stderr, "bench(%s): %s: not available in this back-end (n/a)\n", bl_backend_name(), what);
  exit(BENCH_UNSUPPORTED);
}

static double ru_seconds(int who) {
  struct rusage ru;
  if (getrusage(who, &ru)) return -1;
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

double bench_cpu_seconds(void) { return ru_seconds(RUSAGE_SELF); }
double bench_thread_cpu_seconds(void) { return ru_seconds(RUSAGE_THREAD); }

void bench_port_ready(int port) {
  if (g_port_fd >= 0) {
    if (write(g_port_fd, &port, sizeof port) != (ssize_t)sizeof port) bench_die("write(port)", -errno);
    close(g_port_fd);
    g_port_fd = -1;
  } else {
    printf("port=%d\n", port);
    fflush(stdout);
  }
}

static void add_rusage(bench_result *r, double t0) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  res_add(r, "cpu_user", "%.4f", ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6);
  res_add(r, "cpu_sys", "%.4f", ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6);
  res_add(r, "maxrss_kb", "%ld", ru.ru_maxrss);
  res_add(r, "wall", "%.4f", bench_now() - t0);
}

/* prefix every key of r->text with p ("s_" / "c_") into out */
static void prefixed(const char *text, const char *p, char *out, size_t cap) {
  size_t o = 0;
  int at_key = 1;
  for (const char *s = text; *s && o + 4 < cap; s++) {
    if (at_key) {
      for (const char *q = p; *q; q++) out[o++] = *q;
      at_key = 0;
    }
    out[o++] = *s;
    if (*s == ' ') at_key = 1;
  }
  out[o] = 0;
}

static void pin_to_cpu(int cpu) {
  cpu_set_t set;
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 2) return;
  CPU_ZERO(&set);
  CPU_SET(cpu % n, &set);
  sched_setaffinity(0, sizeof set, &set);
}

void bench_pin_helper_thread(void) {
  if (g_pin == 2) pin_to_cpu(1);
}

static void raise_nofile(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

static void usage(const char *argv0) {
  fprintf(stderr,
          "usage: %s <workload> [--role both|server|client] [--port N]\n"
          "          [--duration S] [--count N] [--conns N] [--size BYTES]\n"
          "          [--timeout S] [--pin same|split|none] [--client-bin PATH]\n"
          "          [--max-ms MS] [--passes N]   (timers, churn)\n"
          "back-end: %s %s\nworkloads:\n",
          argv0, bl_backend_name(), bl_backend_version());
  for (size_t i = 0; i < NWORKLOADS; i++)
    fprintf(stderr, "  %-11s %s\n", WORKLOADS[i]->name, WORKLOADS[i]->help);
  exit(2);
}

int main(int argc, char **argv) {
  const workload *w = NULL;
  const char *role = "both", *client_bin = NULL;
  int pin = 1, result_fd = -1; /* 0 none, 1 same CPU (default), 2 split */
  double timeout = 0;
  bench_opts o;

  if (argc < 2) usage(argv[0]);
  if (strcmp(argv[1], "--version") == 0) {
    printf("%s %s\n", bl_backend_name(), bl_backend_version());
    return 0;
  }
  for (size_t i = 0; i < NWORKLOADS; i++)
    if (strcmp(argv[1], WORKLOADS[i]->name) == 0) w = WORKLOADS[i];
  if (!w) usage(argv[0]);
  g_workload = w->name;
  o = w->defaults;
  o.port = 0;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--no-pin") == 0) { pin = 0; continue; }
    if (!v) usage(argv[0]);
    i++;
    if (strcmp(a, "--pin") == 0) {
      pin = strcmp(v, "none") == 0 ? 0 : strcmp(v, "same") == 0 ? 1 : strcmp(v, "split") == 0 ? 2 : -1;
      if (pin < 0) usage(argv[0]);
      continue;
    }
    if (strcmp(a, "--role") == 0) role = v;
    else if (strcmp(a, "--port") == 0) o.port = atoi(v);
    else if (strcmp(a, "--duration") == 0) o.duration = atof(v);
    else if (strcmp(a, "--count") == 0) o.count = atol(v);
    else if (strcmp(a, "--conns") == 0) o.conns = atoi(v);
    else if (strcmp(a, "--size") == 0) o.size = (size_t)atol(v);
    else if (strcmp(a, "--timeout") == 0) timeout = atof(v);
    else if (strcmp(a, "--client-bin") == 0) client_bin = v;
    else if (strcmp(a, "--result-fd") == 0) result_fd = atoi(v);
    else if (strcmp(a, "--max-ms") == 0) o.max_ms = atol(v);
    else if (strcmp(a, "--passes") == 0) o.passes = atol(v);
    else usage(argv[0]);
  }
  if (timeout <= 0) timeout = 30 + 4 * o.duration;
  g_pin = pin;

  signal(SIGPIPE, SIG_IGN);
  raise_nofile();
  alarm((unsigned)timeout + 1);

  double t0 = bench_now();
  bench_result r = {{0}, 0};
  char line[2048];

  if (!w->client) { /* one process: no fork, no port */
    if (strcmp(role, "both") != 0 && strcmp(role, "server") != 0) usage(argv[0]);
    if (pin) pin_to_cpu(0);
    int rc = w->server(&o, &r);
    add_rusage(&r, t0);
    prefixed(r.text, "s_", line, sizeof line);
    printf("workload=%s backend=%s %s\n", w->name, bl_backend_name(), line);
    return rc ? 1 : 0;
  }
  if (strcmp(role, "server") == 0) {
    if (pin) pin_to_cpu(0);
    int rc = w->server(&o, &r);
    add_rusage(&r, t0);
    prefixed(r.text, "s_", line, sizeof line);
    printf("workload=%s backend=%s %s\n", w->name, bl_backend_name(), line);
    return rc ? 1 : 0;
  }
  if (strcmp(role, "client") == 0) {
    if (pin) pin_to_cpu(pin == 2 ? 1 : 0);
    if (o.port <= 0) usage(argv[0]);
    int rc = w->client(&o, &r);
    add_rusage(&r, t0);
    prefixed(r.text, "c_", line, sizeof line);
    if (result_fd >= 0) {
      dprintf(result_fd, "client_backend=%s %s\n", bl_backend_name(), line);
      close(result_fd);
    } else {
      printf("workload=%s backend=%s %s\n", w->name, bl_backend_name(), line);
    }
    return rc ? 1 : 0;
  }
  if (strcmp(role, "both") != 0) usage(argv[0]);

  int port_pipe[2], res_pipe[2];
  if (pipe(port_pipe) || pipe(res_pipe)) bench_die("pipe", -errno);
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) bench_die("fork", -errno);
  if (pid == 0) {
    int port = 0;
    alarm((unsigned)timeout + 1); /* alarms are not inherited across fork */
    close(port_pipe[1]);
    close(res_pipe[0]);
    if (read(port_pipe[0], &port, sizeof port) != (ssize_t)sizeof port) _exit(4);
    close(port_pipe[0]);
    o.port = port;
    if (client_bin) {
      char sp[16], sd[32], sc[32], sn[16], ss[32], st[32], sf[16];
      const char *spin = pin == 0 ? "none" : pin == 1 ? "same" : "split";
      snprintf(sp, sizeof sp, "%d", port);
      snprintf(sd, sizeof sd, "%.6f", o.duration);
      snprintf(sc, sizeof sc, "%ld", o.count);
      snprintf(sn, sizeof sn, "%d", o.conns);
      snprintf(ss, sizeof ss, "%zu", o.size);
      snprintf(st, sizeof st, "%.3f", timeout);
      snprintf(sf, sizeof sf, "%d", res_pipe[1]);
      char *args[] = {(char *)client_bin, (char *)w->name, "--role", "client", "--port", sp,
                      "--duration", sd, "--count", sc, "--conns", sn, "--size", ss,
                      "--timeout", st, "--result-fd", sf, "--pin", (char *)spin, NULL};
      execv(client_bin, args);
      _exit(5);
    }
    if (pin) pin_to_cpu(pin == 2 ? 1 : 0);
    t0 = bench_now();
    int rc = w->client(&o, &r);
    add_rusage(&r, t0);
    prefixed(r.text, "c_", line, sizeof line);
    dprintf(res_pipe[1], "client_backend=%s %s\n", bl_backend_name(), line);
    _exit(rc ? 1 : 0);
  }
  close(port_pipe[0]);
  close(res_pipe[1]);
  g_port_fd = port_pipe[1];
  if (pin) pin_to_cpu(0);
  int rc = w->server(&o, &r);
  if (g_port_fd >= 0) close(g_port_fd);
  add_rusage(&r, t0);
  prefixed(r.text, "s_", line, sizeof line);

  char cline[2048];
  size_t n = 0;
  ssize_t k;
  while (n + 1 < sizeof cline && (k = read(res_pipe[0], cline + n, sizeof cline - 1 - n)) > 0) n += (size_t)k;
  cline[n] = 0;
  if (n && cline[n - 1] == '\n') cline[n - 1] = 0;
  int status = 0;
  if (rc) kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  int child_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  printf("workload=%s backend=%s %s %s%s\n", w->name, bl_backend_name(), line,
         cline[0] ? cline : "client=failed", child_ok ? "" : " client_status=failed");
  return rc || !child_ok ? 1 : 0;
}
