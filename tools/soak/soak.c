/*
 * soak.c - integrity soak for ruv: nothing acknowledged is ever lost or changed.
 *
 * M client connections (default 32) each send a pseudo-random byte stream
 * (seeded PRNG, reproducible with --seed) in writes of random sizes (1 B to
 * 256 KiB), with random pauses in writing and in reading, through an echo
 * server; meanwhile about --reset-percent of the connections are reset
 * (SO_LINGER {1, 0} + close) at a random point and new connections replace
 * every finished one. The server runs on its own loop in a second thread
 * (default) or on the clients' loop (--one-loop).
 *
 * Checks: every byte that comes back is compared with the regenerated stream
 * (byte-exact, so any corruption, loss in the middle, duplication or
 * reordering is a mismatch). A connection that finishes normally (shutdown,
 * EOF back) must have received exactly the bytes its successful write
 * callbacks acknowledged; for a reset connection only the bytes received
 * before the reset are checked (the rest was legitimately in flight).
 *
 * Output:  bytes verified N / connections N / resets N / lost N
 * Exit status 0 only if nothing was lost or corrupted, no unexpected error
 * was reported, and at least one byte was verified.
 *
 * Usage: soak [--seconds N] [--conns M] [--seed S] [--reset-percent P]
 *             [--one-loop] [--quiet] [--self-test]
 * --self-test makes the echo server flip one bit once: the run must then
 * report the loss and exit 1 (a test of the checker itself).
 * RUV_TEST_SCALE=small makes the default duration 3 s.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ruv.h"

#define MAX_CONNS 1024
#define MAX_WRITE (256 * 1024)
#define CLIENT_QUEUE_LIMIT (512 * 1024)        /* client write queue cap */
#define IN_FLIGHT_LIMIT (4L * 1024 * 1024)     /* sent, not yet echoed back */
#define SERVER_QUEUE_LIMIT (2 * 1024 * 1024)   /* server stops reading above */

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      fprintf(stderr, "soak: %s:%d: check failed: %s\n", __FILE__, __LINE__, \
              #cond);                                                        \
      exit(3);                                                               \
    }                                                                        \
  } while (0)

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- the reproducible byte stream of a connection ------------------------ */

static uint64_t mix(uint64_t x) { /* splitmix64 */
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

static uint64_t rnd(uint64_t *s) { /* xorshift64* */
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1DULL;
}

typedef struct {
  uint64_t state, word;
  int left;
} stream;

static void stream_init(stream *s, uint64_t seed) {
  s->state = mix(seed) | 1;
  s->word = 0;
  s->left = 0;
}

static void stream_fill(stream *s, unsigned char *buf, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (s->left == 0) {
      s->word = rnd(&s->state);
      s->left = 8;
    }
    /* whole words at a time when aligned to the word */
    if (s->left == 8 && n - i >= 8) {
      memcpy(buf + i, &s->word, 8);
      i += 8;
      s->left = 0;
      continue;
    }
    buf[i++] = (unsigned char)(s->word >> (8 * (8 - s->left)));
    s->left--;
  }
}

/* ---- statistics ------------------------------------------------------------ */

static struct {
  uint64_t verified;      /* bytes that came back and matched */
  uint64_t acked;         /* bytes acknowledged by write callbacks (status 0) */
  uint64_t lost;          /* acknowledged, connection finished normally, not back */
  uint64_t corrupt;       /* bytes that came back different (from first mismatch) */
  uint64_t connections;   /* finished connections (normal + reset) */
  uint64_t normal;        /* finished normally, fully verified */
  uint64_t resets;
  uint64_t errors;        /* unexpected status codes */
  uint64_t writes;
} S;

static int g_quiet;
static int g_corrupt_once; /* --self-test: the server flips one bit once */

static void unexpected(const char *what, int code) {
  S.errors++;
  if (S.errors <= 20)
    fprintf(stderr, "soak: unexpected %s: %d (%s)\n", what, code, ruv_err_name(code));
}

/* ---- echo server ------------------------------------------------------------- */

typedef struct {
  ruv_tcp_t *tcp;
  int paused; /* reading stopped for backpressure */
  int eof;
} echo_conn;

static void srv_close_cb(ruv_handle_t *h) {
  free(ruv_handle_get_data(h));
}

static void srv_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data);

static void srv_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  echo_conn *c = (echo_conn *)ruv_handle_get_data(RUV_HANDLE(tcp));
  (void)arg;
  if (status != 0) return; /* the client reset: the read side closes us */
  if (c->paused && !c->eof && ruv_tcp_write_queue_size(tcp) < SERVER_QUEUE_LIMIT / 2) {
    c->paused = 0;
    if (ruv_tcp_start_read(tcp, srv_read_cb) != 0) c->paused = 1;
  }
}

static void srv_shutdown_cb(ruv_tcp_t *tcp, int status) {
  (void)status;
  if (!ruv_is_closing(RUV_HANDLE(tcp))) ruv_close(RUV_HANDLE(tcp), srv_close_cb);
}

static void srv_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  echo_conn *c = (echo_conn *)ruv_handle_get_data(RUV_HANDLE(tcp));
  if (nread > 0) {
    ruv_buf_t b;
    int rc;
    b.base = data;
    b.len = (size_t)nread;
    if (g_corrupt_once && nread > 100) {
      static char flipped[65536];
      size_t k = (size_t)nread < sizeof flipped ? (size_t)nread : sizeof flipped;
      memcpy(flipped, data, k);
      flipped[k / 2] ^= 0x10;
      b.base = flipped;
      b.len = k;
      g_corrupt_once = 0;
      if (k < (size_t)nread) {
        ruv_buf_t bs[2];
        bs[0] = b;
        bs[1].base = data + k;
        bs[1].len = (size_t)nread - k;
        rc = ruv_tcp_write(tcp, bs, 2, srv_write_cb, NULL);
        goto written;
      }
    }
    rc = ruv_tcp_write(tcp, &b, 1, srv_write_cb, NULL);
  written:
    if (rc != 0) {
      if (rc != RUV_EPIPE) unexpected("server write", rc);
      ruv_close(RUV_HANDLE(tcp), srv_close_cb);
      return;
    }
    if (ruv_tcp_write_queue_size(tcp) > SERVER_QUEUE_LIMIT) {
      c->paused = 1;
      ruv_tcp_stop_read(tcp);
    }
    return;
  }
  if (nread == RUV_EOF) {
    c->eof = 1;
    if (ruv_tcp_shutdown(tcp, srv_shutdown_cb) != 0) ruv_close(RUV_HANDLE(tcp), srv_close_cb);
    return;
  }
  if (nread != RUV_ECONNRESET && nread != RUV_EPIPE) unexpected("server read", (int)nread);
  ruv_close(RUV_HANDLE(tcp), srv_close_cb);
}

static void srv_connection_cb(ruv_tcp_t *server, int status) {
  ruv_tcp_t *t;
  echo_conn *c;
  if (status != 0) {
    unexpected("connection status", status);
    return;
  }
  CHECK(ruv_tcp_new(ruv_handle_get_loop(RUV_HANDLE(server)), AF_UNSPEC, &t) == 0);
  CHECK(ruv_tcp_accept(server, t) == 0);
  c = (echo_conn *)calloc(1, sizeof *c);
  CHECK(c != NULL);
  c->tcp = t;
  ruv_handle_set_data(RUV_HANDLE(t), c);
  CHECK(ruv_tcp_start_read(t, srv_read_cb) == 0);
}

/* ---- clients ------------------------------------------------------------------ */

typedef enum { C_IDLE, C_CONNECTING, C_RUNNING, C_SHUTTING, C_CLOSING } cstate;

typedef struct {
  int id;
  uint64_t gen;
  ruv_tcp_t *tcp;
  cstate state;
  uint64_t rng;          /* decisions */
  stream tx, rx;         /* the byte stream, for sending and for checking */
  uint64_t to_send;      /* total for this connection */
  uint64_t sent;         /* handed to ruv_tcp_write */
  uint64_t acked;        /* write callbacks with status 0 */
  uint64_t received;     /* came back and matched */
  uint64_t reset_at;     /* reset once this many bytes were sent (0: never) */
  uint64_t next_write_ms;
  uint64_t resume_read_ms; /* 0: reading */
  int eof;
  int bad;               /* a mismatch was seen */
} client;

static client g_clients[MAX_CONNS];
static int g_nconns = 32;
static int g_reset_percent = 10;
static uint64_t g_seed = 1;
static int g_stopping;
static struct sockaddr_storage g_server_addr;
static unsigned char g_txbuf[MAX_WRITE];
static unsigned char g_cmpbuf[65536];

static void cli_start(ruv_loop_t *loop, client *c);
static void cli_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data);

static void cli_finish(client *c, int normal) {
  S.connections++;
  if (normal) {
    if (c->received < c->acked) S.lost += c->acked - c->received;
    if (!c->bad && c->received >= c->acked) S.normal++;
  }
}

static void cli_close_cb(ruv_handle_t *h) {
  client *c = (client *)ruv_handle_get_data(h);
  c->tcp = NULL;
  c->state = C_IDLE;
  if (!g_stopping) cli_start(ruv_handle_get_loop(h), c);
}

static void cli_close(client *c) {
  if (c->state == C_CLOSING) return;
  c->state = C_CLOSING;
  CHECK(ruv_close(RUV_HANDLE(c->tcp), cli_close_cb) == 0);
}

static void cli_reset(client *c) {
  int fd;
  struct linger lg;
  if (ruv_tcp_fileno(c->tcp, &fd) == 0) {
    lg.l_onoff = 1;
    lg.l_linger = 0;
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  S.resets++;
  cli_finish(c, 0);
  cli_close(c);
}

static void cli_write_cb(ruv_tcp_t *tcp, int status, void *arg) {
  client *c = (client *)ruv_handle_get_data(RUV_HANDLE(tcp));
  if (status == 0) {
    c->acked += (uint64_t)(uintptr_t)arg;
    S.acked += (uint64_t)(uintptr_t)arg;
  } else if (status != RUV_ECANCELED || c->state != C_CLOSING) {
    unexpected("client write status", status);
  }
}

static void cli_shutdown_cb(ruv_tcp_t *tcp, int status) {
  client *c = (client *)ruv_handle_get_data(RUV_HANDLE(tcp));
  if (status != 0 && !(status == RUV_ECANCELED && c->state == C_CLOSING))
    unexpected("client shutdown status", status);
}

static void cli_connect_cb(ruv_tcp_t *tcp, int status) {
  client *c = (client *)ruv_handle_get_data(RUV_HANDLE(tcp));
  if (status != 0) {
    if (status != RUV_ECANCELED) unexpected("connect status", status);
    if (c->state != C_CLOSING) cli_close(c);
    return;
  }
  c->state = C_RUNNING;
  CHECK(ruv_tcp_start_read(tcp, cli_read_cb) == 0);
}

static void cli_read_cb(ruv_tcp_t *tcp, ssize_t nread, const char *data) {
  client *c = (client *)ruv_handle_get_data(RUV_HANDLE(tcp));
  if (nread > 0) {
    size_t off = 0;
    while (off < (size_t)nread) {
      size_t k = (size_t)nread - off;
      if (k > sizeof g_cmpbuf) k = sizeof g_cmpbuf;
      stream_fill(&c->rx, g_cmpbuf, k);
      if (!c->bad && memcmp(g_cmpbuf, data + off, k) != 0) {
        size_t i = 0;
        while (g_cmpbuf[i] == (unsigned char)data[off + i]) i++;
        fprintf(stderr, "soak: conn %d gen %llu: mismatch at byte %llu\n", c->id,
                (unsigned long long)c->gen, (unsigned long long)(c->received + i));
        c->bad = 1;
        S.verified += i;
        c->received += i;
        S.corrupt += (uint64_t)nread - off - i;
        return;
      }
      if (c->bad) {
        S.corrupt += k;
      } else {
        S.verified += k;
        c->received += k;
      }
      off += k;
    }
    if (c->received > c->sent) {
      fprintf(stderr, "soak: conn %d: more bytes back than sent\n", c->id);
      c->bad = 1;
      S.corrupt++;
    }
    return;
  }
  if (nread == RUV_EOF && c->state == C_SHUTTING) {
    c->eof = 1;
    cli_finish(c, 1);
    cli_close(c);
    return;
  }
  unexpected("client read", (int)nread);
  cli_finish(c, 1);
  cli_close(c);
}

static void cli_start(ruv_loop_t *loop, client *c) {
  int rc;
  c->gen++;
  c->sent = c->acked = c->received = 0;
  c->eof = c->bad = 0;
  c->resume_read_ms = 0;
  c->rng = mix(g_seed ^ mix((uint64_t)c->id * 1000003u + c->gen)) | 1;
  stream_init(&c->tx, c->rng ^ 0xabcdef);
  stream_init(&c->rx, c->rng ^ 0xabcdef);
  /* 64 KiB .. 32 MiB per connection, log-uniform-ish */
  c->to_send = (64u * 1024u) << (rnd(&c->rng) % 10);
  c->to_send += rnd(&c->rng) % c->to_send;
  c->reset_at = (rnd(&c->rng) % 100) < (uint64_t)g_reset_percent
                    ? 1 + rnd(&c->rng) % c->to_send
                    : 0;
  c->next_write_ms = 0;
  CHECK(ruv_tcp_new(loop, AF_UNSPEC, &c->tcp) == 0);
  ruv_handle_set_data(RUV_HANDLE(c->tcp), c);
  c->state = C_CONNECTING;
  rc = ruv_tcp_connect(c->tcp, (struct sockaddr *)&g_server_addr, cli_connect_cb);
  if (rc != 0) {
    unexpected("connect", rc);
    cli_close(c);
  }
}

/* One step of a running client: maybe pause/resume reading, write a random
 * chunk, reset or finish. Returns the time of its next step. */
static uint64_t cli_step(client *c, uint64_t now) {
  uint64_t r;
  if (c->state != C_RUNNING) return now + 50;
  if (c->resume_read_ms != 0 && now >= c->resume_read_ms) {
    c->resume_read_ms = 0;
    CHECK(ruv_tcp_start_read(c->tcp, cli_read_cb) == 0);
  }
  if (now < c->next_write_ms) return c->next_write_ms;
  if (c->reset_at != 0 && c->sent >= c->reset_at) {
    cli_reset(c);
    return now + 50;
  }
  if (g_stopping || c->sent >= c->to_send) {
    if (c->resume_read_ms != 0) {
      c->resume_read_ms = 0;
      CHECK(ruv_tcp_start_read(c->tcp, cli_read_cb) == 0);
    }
    c->state = C_SHUTTING;
    CHECK(ruv_tcp_shutdown(c->tcp, cli_shutdown_cb) == 0);
    return now + 50;
  }
  if (ruv_tcp_write_queue_size(c->tcp) > CLIENT_QUEUE_LIMIT ||
      (int64_t)(c->sent - c->received) > IN_FLIGHT_LIMIT)
    return now + 1;
  {
    size_t n;
    ruv_buf_t b;
    int rc;
    r = rnd(&c->rng);
    /* sizes 1 B .. 256 KiB, small ones as likely as large ones */
    n = (size_t)1 + (size_t)(rnd(&c->rng) % ((size_t)1 << (1 + r % 18)));
    if (n > MAX_WRITE) n = MAX_WRITE;
    if (n > c->to_send - c->sent) n = (size_t)(c->to_send - c->sent);
    stream_fill(&c->tx, g_txbuf, n);
    b.base = (const char *)g_txbuf;
    b.len = n;
    rc = ruv_tcp_write(c->tcp, &b, 1, cli_write_cb, (void *)(uintptr_t)n);
    if (rc != 0) {
      unexpected("client write", rc);
      cli_finish(c, 0);
      cli_close(c);
      return now + 50;
    }
    c->sent += n;
    S.writes++;
  }
  /* random pauses: writing (1 in 8 writes, up to 20 ms), reading (1 in 32) */
  r = rnd(&c->rng);
  if (r % 8 == 0) c->next_write_ms = now + (r >> 8) % 21;
  if (r % 32 == 1 && c->resume_read_ms == 0) {
    CHECK(ruv_tcp_stop_read(c->tcp) == 0);
    c->resume_read_ms = now + 1 + (r >> 16) % 20;
  }
  return c->next_write_ms > now ? c->next_write_ms : now;
}

/* ---- loops and threads --------------------------------------------------------- */

static volatile int g_server_stop;

static void close_walk_cb(ruv_handle_t *h, void *arg) {
  (void)arg;
  if (!ruv_is_closing(h)) ruv_close(h, ruv_handle_get_data(h) ? srv_close_cb : NULL);
}

static void server_close_all(ruv_loop_t *loop) {
  ruv_walk(loop, close_walk_cb, NULL);
}

/* Waits on the loop's backend fd up to `ms`, then runs it once (NOWAIT). */
static void run_slice(ruv_loop_t *loop, int ms) {
  struct pollfd p;
  int t = ruv_backend_timeout(loop);
  if (t < 0 || t > ms) t = ms;
  p.fd = ruv_backend_fd(loop);
  p.events = POLLIN;
  p.revents = 0;
  if (t > 0) (void)poll(&p, 1, t);
  CHECK(ruv_run(loop, RUV_RUN_NOWAIT) >= 0);
}

static void *server_thread(void *arg) {
  ruv_loop_t *loop = (ruv_loop_t *)arg;
  while (!__atomic_load_n(&g_server_stop, __ATOMIC_ACQUIRE)) run_slice(loop, 20);
  server_close_all(loop);
  CHECK(ruv_run(loop, RUV_RUN_DEFAULT) == 0);
  CHECK(ruv_loop_close(loop) == 0);
  return NULL;
}

static ruv_tcp_t *start_server(ruv_loop_t *loop) {
  ruv_tcp_t *srv;
  struct sockaddr_in sin;
  int len = (int)sizeof g_server_addr;
  CHECK(ruv_tcp_new(loop, AF_INET, &srv) == 0);
  CHECK(ruv_ip4_addr("127.0.0.1", 0, &sin) == 0);
  CHECK(ruv_tcp_bind(srv, (struct sockaddr *)&sin, 0) == 0);
  CHECK(ruv_tcp_listen(srv, 1024, srv_connection_cb) == 0);
  CHECK(ruv_tcp_getsockname(srv, (struct sockaddr *)&g_server_addr, &len) == 0);
  return srv;
}

int main(int argc, char **argv) {
  double seconds = -1;
  int one_loop = 0, i;
  const char *scale = getenv("RUV_TEST_SCALE");
  ruv_loop_t *cloop, *sloop;
  pthread_t th;
  uint64_t start, end, next_report;

  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = atof(argv[++i]);
    } else if (strcmp(argv[i], "--conns") == 0 && i + 1 < argc) {
      g_nconns = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
      g_seed = strtoull(argv[++i], NULL, 0);
    } else if (strcmp(argv[i], "--reset-percent") == 0 && i + 1 < argc) {
      g_reset_percent = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--one-loop") == 0) {
      one_loop = 1;
    } else if (strcmp(argv[i], "--quiet") == 0) {
      g_quiet = 1;
    } else if (strcmp(argv[i], "--self-test") == 0) {
      g_corrupt_once = 1; /* proves the checker: must end with lost > 0 */
    } else {
      fprintf(stderr,
              "usage: %s [--seconds N] [--conns M] [--seed S] [--reset-percent P]"
              " [--one-loop] [--quiet] [--self-test]\n",
              argv[0]);
      return 2;
    }
  }
  if (seconds < 0) seconds = (scale != NULL && strcmp(scale, "small") == 0) ? 3 : 10;
  if (scale != NULL && strcmp(scale, "small") == 0 && seconds > 3) seconds = 3;
  if (g_nconns < 1) g_nconns = 1;
  if (g_nconns > MAX_CONNS) g_nconns = MAX_CONNS;

  CHECK(ruv_loop_new(&cloop) == 0);
  if (one_loop) {
    sloop = cloop;
  } else {
    CHECK(ruv_loop_new(&sloop) == 0);
  }
  start_server(sloop);
  if (!one_loop) CHECK(pthread_create(&th, NULL, server_thread, sloop) == 0);

  printf("soak: %.1f s, %d connections, seed %llu, %d%% resets, %s\n", seconds, g_nconns,
         (unsigned long long)g_seed, g_reset_percent,
         one_loop ? "one loop" : "server loop in a second thread");
  fflush(stdout);
  for (i = 0; i < g_nconns; i++) {
    g_clients[i].id = i;
    cli_start(cloop, &g_clients[i]);
  }
  start = now_ms();
  end = start + (uint64_t)(seconds * 1000);
  next_report = start + 10000;
  for (;;) {
    uint64_t now = now_ms(), next = now + 20;
    int active = 0;
    if (!g_stopping && now >= end) g_stopping = 1;
    for (i = 0; i < g_nconns; i++) {
      client *c = &g_clients[i];
      uint64_t t;
      if (c->state != C_IDLE) active++;
      t = cli_step(c, now);
      if (t < next) next = t;
    }
    if (g_stopping && active == 0) break;
    if (g_stopping && now > end + 30000) {
      fprintf(stderr, "soak: connections did not finish within 30 s after the end\n");
      S.errors++;
      break;
    }
    if (!g_quiet && now >= next_report) {
      printf("  %llu s: %llu bytes verified, %llu connections\n",
             (unsigned long long)((now - start) / 1000), (unsigned long long)S.verified,
             (unsigned long long)S.connections);
      fflush(stdout);
      next_report += 10000;
    }
    run_slice(cloop, next > now ? (int)(next - now) : 0);
    if (one_loop) CHECK(ruv_run(cloop, RUV_RUN_NOWAIT) >= 0);
  }
  /* close what is left (only after a timeout) and free both loops */
  for (i = 0; i < g_nconns; i++)
    if (g_clients[i].tcp != NULL && g_clients[i].state != C_CLOSING) cli_close(&g_clients[i]);
  if (one_loop) server_close_all(cloop);
  CHECK(ruv_run(cloop, RUV_RUN_DEFAULT) == 0);
  if (!one_loop) {
    __atomic_store_n(&g_server_stop, 1, __ATOMIC_RELEASE);
    CHECK(pthread_join(th, NULL) == 0);
  }
  CHECK(ruv_loop_close(cloop) == 0);

  printf("soak: %.1f s, %llu writes, %llu bytes acknowledged\n",
         (double)(now_ms() - start) / 1000.0, (unsigned long long)S.writes,
         (unsigned long long)S.acked);
  printf("bytes verified %llu\n", (unsigned long long)S.verified);
  printf("connections %llu\n", (unsigned long long)S.connections);
  printf("resets %llu\n", (unsigned long long)S.resets);
  printf("lost %llu\n", (unsigned long long)(S.lost + S.corrupt));
  if (S.errors) printf("errors %llu\n", (unsigned long long)S.errors);
  return (S.lost == 0 && S.corrupt == 0 && S.errors == 0 && S.verified > 0) ? 0 : 1;
}
