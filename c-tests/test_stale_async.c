/*
 * test_stale_async.c - ruv_async_send from other threads on a stale async
 * pointer (DESIGN §11): RUV_EINVAL after the close callback, after the loop is
 * closed, and while new async handles keep taking the freed storage; a stale
 * send never wakes or calls back a newer handle.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "stale.h"

static atomic_int g_new_cb;
static void new_async_cb(ruv_async_t *a) {
  (void)a;
  atomic_fetch_add(&g_new_cb, 1);
}

typedef struct {
  ruv_async_t *target;
  long sends;
  atomic_int stop;
  atomic_long einval;
  atomic_long other;
} sender_t;

/* Sends `sends` times, or until told to stop when sends is 0. */
static void *sender(void *arg) {
  sender_t *s = arg;
  for (long i = 0; s->sends == 0 ? !atomic_load(&s->stop) : i < s->sends; i++) {
    int rc = ruv_async_send(s->target);
    if (rc == RUV_EINVAL)
      atomic_fetch_add(&s->einval, 1);
    else
      atomic_fetch_add(&s->other, 1);
  }
  return NULL;
}

static void send_from_thread(ruv_async_t *a, long n) {
  sender_t s = {.target = a, .sends = n};
  pthread_t th;
  ASSERT_EQ(pthread_create(&th, NULL, sender, &s), 0);
  ASSERT_EQ(pthread_join(th, NULL), 0);
  ASSERT_EQ(atomic_load(&s.einval), n);
  ASSERT_EQ(atomic_load(&s.other), 0);
}

static ruv_async_t *closed_async(ruv_loop_t *loop) {
  ruv_handle_t *h = (ruv_handle_t *)make_async(loop, new_async_cb);
  ASSERT_EQ(ruv_async_send((ruv_async_t *)h), 0);
  stale_close_all(loop, &h, 1);
  return (ruv_async_t *)h;
}

TEST_CASE(send_after_close_from_another_thread) {
  ruv_loop_t *loop = make_loop();
  atomic_store(&g_new_cb, 0);
  ruv_async_t *old = closed_async(loop);
  ASSERT_EQ(atomic_load(&g_new_cb), 0); /* closed before its callback could run */
  send_from_thread(old, 1000);
  /* New async handles take the storage; stale sends reach none of them. */
  ruv_async_t *fresh[4];
  for (int i = 0; i < 4; i++) fresh[i] = make_async(loop, new_async_cb);
  send_from_thread(old, test_scaled(100000, 2000));
  ASSERT_EQ(ruv_run(loop, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(atomic_load(&g_new_cb), 0);
  ASSERT_EQ(ruv_backend_timeout(loop), -1); /* nothing pending, no wakeup either */
  /* The fresh handles still work. */
  ASSERT_EQ(ruv_async_send(fresh[2]), 0);
  while (atomic_load(&g_new_cb) == 0) ruv_run(loop, RUV_RUN_ONCE);
  ASSERT_EQ(atomic_load(&g_new_cb), 1);
  stale_close_all(loop, (ruv_handle_t **)fresh, 4);
  send_from_thread(fresh[2], 100);
  ASSERT_EQ(ruv_loop_close(loop), 0);
}

TEST_CASE(send_after_loop_close_from_another_thread) {
  ruv_loop_t *loop = make_loop();
  ruv_async_t *old = closed_async(loop);
  ASSERT_EQ(ruv_loop_close(loop), 0);
  send_from_thread(old, 1000);
  /* A new loop with async handles, maybe in the same storage. */
  ruv_loop_t *l2 = make_loop();
  atomic_store(&g_new_cb, 0);
  ruv_async_t *a2 = make_async(l2, new_async_cb);
  send_from_thread(old, 1000);
  ASSERT_EQ(ruv_run(l2, RUV_RUN_NOWAIT), 1);
  ASSERT_EQ(atomic_load(&g_new_cb), 0);
  ruv_handle_t *h = (ruv_handle_t *)a2;
  stale_close_all(l2, &h, 1);
  ASSERT_EQ(ruv_loop_close(l2), 0);
  send_from_thread(old, 100);
  send_from_thread(a2, 100);
}

/*
 * Threads keep sending on stale pointers while this thread creates and closes
 * async handles (and whole loops) that reuse the storage: every stale send is
 * RUV_EINVAL and no new handle ever gets a callback it was not sent.
 */
TEST_CASE(stale_sends_race_storage_reuse) {
  atomic_store(&g_new_cb, 0);
  ruv_loop_t *loop = make_loop();
  ruv_async_t *stale[2] = {closed_async(loop), closed_async(loop)};
  ASSERT_EQ(ruv_loop_close(loop), 0);
  sender_t s[2] = {{.target = stale[0]}, {.target = stale[1]}};
  pthread_t th[2];
  for (int i = 0; i < 2; i++) ASSERT_EQ(pthread_create(&th[i], NULL, sender, &s[i]), 0);
  long rounds = test_scaled(2000, 100);
  for (long r = 0; r < rounds; r++) {
    ruv_loop_t *l = make_loop();
    ruv_handle_t *h[8];
    for (int i = 0; i < 8; i++) h[i] = (ruv_handle_t *)make_async(l, new_async_cb);
    ASSERT_EQ(ruv_run(l, RUV_RUN_NOWAIT), 1);
    stale_close_all(l, h, 8);
    ASSERT_EQ(ruv_loop_close(l), 0);
  }
  for (int i = 0; i < 2; i++) {
    atomic_store(&s[i].stop, 1);
    ASSERT_EQ(pthread_join(th[i], NULL), 0);
    ASSERT_GT(atomic_load(&s[i].einval), 0);
    ASSERT_EQ(atomic_load(&s[i].other), 0);
  }
  ASSERT_EQ(atomic_load(&g_new_cb), 0);
}

TEST_MAIN(TEST_ENTRY(send_after_close_from_another_thread),
          TEST_ENTRY(send_after_loop_close_from_another_thread),
          TEST_ENTRY(stale_sends_race_storage_reuse))
