/* signal_uv N — signal_ruv.c with libuv's uv_signal_t. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <uv.h>

static long count, n;

static void on_signal(uv_signal_t *s, int signum) {
  if (signum != SIGUSR1) abort();
  if (++count == n)
    uv_close((uv_handle_t *)s, NULL);
  else
    kill(getpid(), SIGUSR1);
}

int main(int argc, char **argv) {
  uv_loop_t loop;
  uv_signal_t s;
  n = argc > 1 ? atol(argv[1]) : 1000;
  if (uv_loop_init(&loop) || uv_signal_init(&loop, &s) ||
      uv_signal_start(&s, on_signal, SIGUSR1))
    return 1;
  kill(getpid(), SIGUSR1);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  printf("signal_uv: %ld callbacks\n", count);
  return count != n;
}
