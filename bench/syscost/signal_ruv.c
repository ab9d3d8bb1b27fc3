/* signal_ruv N — the cost of one signal delivery in ruv, from kill() to the callback: a
 * signal handle on SIGUSR1; each callback sends the next kill(getpid(), SIGUSR1) until N
 * callbacks ran. Per delivery: kill, the handler's eventfd write and rt_sigreturn, the
 * loop's epoll_wait. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ruv.h"

static long count, n;

static void on_signal(ruv_signal_t *s, int signum) {
  if (signum != SIGUSR1) abort();
  if (++count == n)
    ruv_close(RUV_HANDLE(s), NULL);
  else
    kill(getpid(), SIGUSR1);
}

int main(int argc, char **argv) {
  ruv_loop_t *loop;
  ruv_signal_t *s;
  n = argc > 1 ? atol(argv[1]) : 1000;
  if (ruv_loop_new(&loop) || ruv_signal_new(loop, &s) ||
      ruv_signal_start(s, on_signal, SIGUSR1))
    return 1;
  kill(getpid(), SIGUSR1);
  ruv_run(loop, RUV_RUN_DEFAULT);
  ruv_loop_close(loop);
  printf("signal_ruv: %ld callbacks\n", count);
  return count != n;
}
