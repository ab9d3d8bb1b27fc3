/* poll_uv N — poll_ruv.c with libuv's uv_poll_t (level-triggered epoll). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <uv.h>

static long count, n;

static void on_ready(uv_poll_t *p, int status, int events) {
  if (status != 0 || events != UV_READABLE) abort();
  if (++count == n) uv_close((uv_handle_t *)p, NULL);
}

int main(int argc, char **argv) {
  uv_loop_t loop;
  uv_poll_t p;
  uint64_t one = 1;
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  n = argc > 1 ? atol(argv[1]) : 1000;
  if (fd < 0 || write(fd, &one, sizeof one) != sizeof one) return 1;
  if (uv_loop_init(&loop) || uv_poll_init(&loop, &p, fd) ||
      uv_poll_start(&p, UV_READABLE, on_ready))
    return 1;
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  printf("poll_uv: %ld callbacks\n", count);
  return count != n;
}
