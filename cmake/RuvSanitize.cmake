# RuvSanitize.cmake — the C/C++ side of -DRUV_SANITIZE=<list> (e.g. address,undefined).
#
# Defines
#   ruv_sanitize_flags   INTERFACE library (alias ruv::sanitize_flags): compile and link options
#                        -fsanitize=${RUV_SANITIZE} -fno-sanitize-recover=all
#                        -fno-omit-frame-pointer, empty without RUV_SANITIZE. RuvCargo.cmake puts
#                        it in the link interface of ruv::ruv and ruv::ruv_static, so every C/C++
#                        target that links ruv — tests, examples, tools/soak, a project that
#                        add_subdirectory()s ruv — is built with the same sanitizers. An ASan-
#                        instrumented libruv (see RuvCargo.cmake) needs the ASan runtime in the
#                        program that links it; this is what brings it.
#   RUV_SANITIZE_ENV     environment for running sanitized programs (ctest ENVIRONMENT): leak
#                        detection on, stop at the first report, UBSan stack traces.
#
# With `thread` (ThreadSanitizer; not combinable with `address`), programs also get
# cmake/tsan_mem_shim.c when the C toolchain's libtsan lacks the __tsan_mem* entry points that
# rustc's instrumentation calls.
#
# This is the only place the sanitizer flags are written; no target sets them itself.

add_library(ruv_sanitize_flags INTERFACE)
add_library(ruv::sanitize_flags ALIAS ruv_sanitize_flags)
set(RUV_SANITIZE_ENV "")
if(RUV_SANITIZE)
  set(_ruv_san_flags -fsanitize=${RUV_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(ruv_sanitize_flags INTERFACE
    "$<$<COMPILE_LANGUAGE:C,CXX>:${_ruv_san_flags}>")
  target_link_options(ruv_sanitize_flags INTERFACE ${_ruv_san_flags})
  set(RUV_SANITIZE_ENV
      "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1"
      "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"
      "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=${CMAKE_CURRENT_LIST_DIR}/tsan.supp")
  if(RUV_SANITIZE MATCHES "(^|,)thread(,|$)")
    include(CheckCSourceCompiles)
    set(CMAKE_REQUIRED_FLAGS "-fsanitize=thread")
    set(CMAKE_REQUIRED_LINK_OPTIONS "-fsanitize=thread")
    check_c_source_compiles(
      "#include <stddef.h>\nvoid *__tsan_memset(void *, int, size_t);\n
       int main(void) { char b[4]; return __tsan_memset(b, 0, 4) == 0; }"
      RUV_LIBTSAN_HAS_MEMSET)
    unset(CMAKE_REQUIRED_FLAGS)
    unset(CMAKE_REQUIRED_LINK_OPTIONS)
    if(NOT RUV_LIBTSAN_HAS_MEMSET)
      target_sources(ruv_sanitize_flags INTERFACE "${CMAKE_CURRENT_LIST_DIR}/tsan_mem_shim.c")
    endif()
  endif()
  message(STATUS "ruv: C/C++ targets linking ruv are built with ${_ruv_san_flags}")
  unset(_ruv_san_flags)
endif()
