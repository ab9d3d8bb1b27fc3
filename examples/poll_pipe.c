/*
 * poll_pipe — watch a descriptor ruv does not own with a poll handle, and stop cleanly on
 * SIGINT / SIGTERM with signal handles.
 *
 *   poll_pipe [COUNT [INTERVAL_MS]]
 *
 * A producer thread writes COUNT lines ("line 1", "line 2", ...) into a pipe, INTERVAL_MS apart
 * (default 20 lines, 1 ms), then closes its end; COUNT 0 writes until a signal stops the
 * program. The loop watches the read end with RUV_READABLE | RUV_DISCONNECT. ruv never reads
 * the pipe: the callback does, at most 16 bytes per call, so a longer burst takes several
 * callbacks — the poll handle is level-triggered and calls back every iteration while the pipe
 * stays readable. At end of stream the program closes its handles and prints a summary; on
 * SIGINT or SIGTERM the signal callback (run by the loop, not in the signal handler) does the
 * same, and ruv restores the signals' previous dispositions when their handles close.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ruv.h"

#define CHECK(call)                                                           \
  do {                                                                        \
    int rc_ = (call);                                                         \
    if (rc_ < 0) {                                                            \
      fprintf(stderr, "%s: %s\n", #call, ruv_strerror(rc_));                  \
      exit(1);                                                                \
    }                                                                         \
  } while (0)

typedef struct {
  int fd;          /* the pipe's write end (the producer's) */
  long count;      /* 0: until told to stop */
  long interval_ms;
  int stop;        /* set by the main thread (atomically) once the loop is done */
} producer;

static int stopped(producer *p) { return __atomic_load_n(&p->stop, __ATOMIC_SEQ_CST); }

static void sleep_ms(long ms) {
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000L;
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static void *produce(void *arg) {
  producer *p = (producer *)arg;
  long i;
  for (i = 1; (p->count == 0 || i <= p->count) && !stopped(p); i++) {
    char line[64];
    int n = snprintf(line, sizeof line, "line %ld\n", i);
    int off = 0;
    while (off < n && !stopped(p)) {
      ssize_t w = write(p->fd, line + off, (size_t)(n - off));
      if (w > 0) {
        off += (int)w;
      } else if (w < 0 && errno == EAGAIN) {
        sleep_ms(1); /* the pipe is full: the reader is behind */
      } else if (w < 0 && errno != EINTR) {
        return NULL;
      }
    }
    if (p->interval_ms > 0) sleep_ms(p->interval_ms);
  }
  close(p->fd); /* the reader sees end of stream */
  return NULL;
}

/* The reading side: what the loop's callbacks share. */
typedef struct {
  ruv_poll_t *poll;
  ruv_signal_t *sigint, *sigterm;
  int fd;
  long lines;
  long callbacks;
  const char *why;
} reader;

static reader rd;

static void finish(const char *why) {
  if (rd.why) return;
  rd.why = why;
  ruv_close(RUV_HANDLE(rd.poll), NULL);
  ruv_close(RUV_HANDLE(rd.sigint), NULL);
  ruv_close(RUV_HANDLE(rd.sigterm), NULL);
}

static void on_readable(ruv_poll_t *poll, int status, int events) {
  char buf[16];
  ssize_t n;
  (void)poll;
  rd.callbacks++;
  if (status < 0) {
    fprintf(stderr, "poll: %s\n", ruv_strerror(status));
    finish("error");
    return;
  }
  if (!(events & (RUV_READABLE | RUV_DISCONNECT))) return;
  n = read(rd.fd, buf, sizeof buf); /* a small read: the rest comes in the next callbacks */
  if (n > 0) {
    ssize_t i;
    fwrite(buf, 1, (size_t)n, stdout);
    for (i = 0; i < n; i++) rd.lines += buf[i] == '\n';
  } else if (n == 0) {
    finish("end of stream");
  } else if (errno != EAGAIN && errno != EINTR) {
    perror("read");
    finish("error");
  }
}

static void on_signal(ruv_signal_t *sig, int signum) {
  (void)sig;
  fprintf(stderr, "poll_pipe: %s received, stopping\n", signum == SIGINT ? "SIGINT" : "SIGTERM");
  finish(signum == SIGINT ? "SIGINT" : "SIGTERM");
}

int main(int argc, char **argv) {
  ruv_loop_t *loop;
  producer prod;
  pthread_t thread;
  int fds[2];

  memset(&prod, 0, sizeof prod);
  prod.count = argc > 1 ? strtol(argv[1], NULL, 10) : 20;
  prod.interval_ms = argc > 2 ? strtol(argv[2], NULL, 10) : 1;
  if (prod.count < 0 || prod.interval_ms < 0) {
    fprintf(stderr, "usage: %s [COUNT [INTERVAL_MS]]\n", argv[0]);
    return 2;
  }
  if (pipe(fds) != 0 || fcntl(fds[0], F_SETFL, O_NONBLOCK) != 0 ||
      fcntl(fds[1], F_SETFL, O_NONBLOCK) != 0) {
    perror("pipe");
    return 1;
  }
  signal(SIGPIPE, SIG_IGN); /* the producer may outlive the read end after a signal */
  setvbuf(stdout, NULL, _IOLBF, 0);

  CHECK(ruv_loop_new(&loop));
  rd.fd = fds[0];
  CHECK(ruv_poll_new(loop, rd.fd, &rd.poll));
  CHECK(ruv_poll_start(rd.poll, RUV_READABLE | RUV_DISCONNECT, on_readable));
  CHECK(ruv_signal_new(loop, &rd.sigint));
  CHECK(ruv_signal_new(loop, &rd.sigterm));
  CHECK(ruv_signal_start(rd.sigint, on_signal, SIGINT));
  CHECK(ruv_signal_start(rd.sigterm, on_signal, SIGTERM));

  prod.fd = fds[1];
  if (pthread_create(&thread, NULL, produce, &prod) != 0) {
    fprintf(stderr, "pthread_create failed\n");
    return 1;
  }
  fprintf(stderr, "poll_pipe: pid %ld, reading a pipe (SIGINT or SIGTERM stops)\n",
          (long)getpid());

  CHECK(ruv_run(loop, RUV_RUN_DEFAULT)); /* returns once every handle is closed */

  __atomic_store_n(&prod.stop, 1, __ATOMIC_SEQ_CST);
  pthread_join(thread, NULL);
  close(fds[0]); /* the poll handle never closes it: the descriptor is ours */
  CHECK(ruv_loop_close(loop));
  printf("poll_pipe: %ld lines in %ld callbacks, stopped by %s\n", rd.lines, rd.callbacks,
         rd.why ? rd.why : "nothing");
  return rd.why && strcmp(rd.why, "error") == 0;
}
