/* bench/be_ruv.h — what the two files of the ruv back-end share (be_ruv.c: loop, TCP,
 * timers, async; be_ruv_pipe_udp.c: pipes and UDP, with the stream API). */
#ifndef BENCH_BE_RUV_H
#define BENCH_BE_RUV_H

#include "ruv.h"
#include "adapter.h"

#ifndef BL_RUV_STREAMS
#define BL_RUV_STREAMS 0
#endif

struct bl_loop {
  ruv_loop_t *loop;
  bl_callbacks cb;
  ruv_handle_t *listener; /* a TCP or pipe handle */
  int pipes;              /* this loop's connections are pipes (the stream API) */
};

extern _Thread_local bl_loop *g_loop;

/* the close callback of every connection and of the listener */
void be_ruv_on_close(ruv_handle_t *h);

#if BL_RUV_STREAMS
int be_ruv_stream_read_start(bl_conn *c);
int be_ruv_stream_write(bl_conn *c, const ruv_buf_t *b, int want_cb);
int be_ruv_stream_shutdown(bl_conn *c);
#endif

#endif
