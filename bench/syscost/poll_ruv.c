/* poll_ruv N — the cost of one level-triggered repeat in ruv: an eventfd made readable once
 * and never read; a poll handle on it for RUV_READABLE; the callback counts and closes the
 * handle at N. Every iteration then repeats the callback (ruv: epoll_wait + the re-arm). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ruv.h"

static long count, n;

static void on_ready(ruv_poll_t *p, int status, int events) {
  if (status != 0 || events != RUV_READABLE) abort();
  if (++count == n) ruv_close(RUV_HANDLE(p), NULL);
}

int main(int argc, char **argv) {
  ruv_loop_t *loop;
  ruv_poll_t *p;
  uint64_t one = 1;
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  n = argc > 1 ? atol(argv[1]) : 1000;
  if (fd < 0 || write(fd, &one, sizeof one) != sizeof one) return 1;
  if (ruv_loop_new(&loop) || ruv_poll_new(loop, fd, &p) ||
      ruv_poll_start(p, RUV_READABLE, on_ready))
    return 1;
  ruv_run(loop, RUV_RUN_DEFAULT);
  ruv_loop_close(loop);
  printf("poll_ruv: %ld callbacks\n", count);
  return count != n;
}
