/* rustc's ThreadSanitizer instrumentation calls __tsan_memset/memcpy/memmove, which the libtsan
 * of older GCCs (12) does not export. Linked into sanitized programs only when the C toolchain
 * lacks them (RuvSanitize.cmake checks); the calls are intercepted by TSan like any memset. */
#include <string.h>

void *__tsan_memset(void *dst, int c, size_t n);
void *__tsan_memcpy(void *dst, const void *src, size_t n);
void *__tsan_memmove(void *dst, const void *src, size_t n);

void *__tsan_memset(void *dst, int c, size_t n) { return memset(dst, c, n); }
void *__tsan_memcpy(void *dst, const void *src, size_t n) { return memcpy(dst, src, n); }
void *__tsan_memmove(void *dst, const void *src, size_t n) { return memmove(dst, src, n); }
