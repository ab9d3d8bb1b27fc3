# RuvTests.cmake — helpers to build C test programs and register them with ctest.
#
# ruv_c_program(<name> SOURCES <files...> [STATIC])
#   An executable in strict C99 with -Wall -Wextra -Werror, linked to ruv::ruv (or
#   ruv::ruv_static with STATIC), rebuilt after the cargo build.
# ruv_add_c_test(<name> SOURCES <files...> [STATIC])
#   ruv_c_program + add_test(<name>) (label `c`) and, with -DRUV_MEMCHECK=ON,
#   add_test(<name>_memcheck) under valgrind (label `memcheck`, RUV_TEST_SCALE=small).
# ruv_add_memcheck_test(<name> <command...>)
#   Registers <name>_memcheck running <command> under valgrind (only with RUV_MEMCHECK).

find_package(Threads REQUIRED)

if(RUV_MEMCHECK)
  find_program(RUV_VALGRIND_EXECUTABLE valgrind)
  if(NOT RUV_VALGRIND_EXECUTABLE)
    message(FATAL_ERROR "RUV_MEMCHECK=ON needs valgrind (apt-get install valgrind)")
  endif()
  set(RUV_VALGRIND_COMMAND "${RUV_VALGRIND_EXECUTABLE}" --error-exitcode=1 --leak-check=full
      --errors-for-leak-kinds=definite --show-leak-kinds=definite --num-callers=30)
  if(EXISTS "${PROJECT_SOURCE_DIR}/cmake/valgrind.supp")
    list(APPEND RUV_VALGRIND_COMMAND "--suppressions=${PROJECT_SOURCE_DIR}/cmake/valgrind.supp")
  endif()
endif()

# -DRUV_SANITIZE=address,undefined builds every test program with these sanitizers (fatal on
# the first report) and runs it with leak detection; see RuvCargo.cmake for the Rust side.
if(RUV_SANITIZE)
  set(RUV_SANITIZE_FLAGS -fsanitize=${RUV_SANITIZE} -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
  set(RUV_SANITIZE_ENV
      "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1"
      "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1")
endif()

function(ruv_c_program name)
  cmake_parse_arguments(P "STATIC" "" "SOURCES" ${ARGN})
  add_executable(${name} ${P_SOURCES})
  if(RUV_SANITIZE)
    target_compile_options(${name} PRIVATE ${RUV_SANITIZE_FLAGS})
    target_link_options(${name} PRIVATE ${RUV_SANITIZE_FLAGS})
  endif()
  set_target_properties(${name} PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  target_compile_definitions(${name} PRIVATE _GNU_SOURCE)
  target_compile_options(${name} PRIVATE ${RUV_C_WARNINGS})
  if(P_STATIC)
    target_link_libraries(${name} PRIVATE ruv::ruv_static Threads::Threads)
  else()
    target_link_libraries(${name} PRIVATE ruv::ruv Threads::Threads)
  endif()
  add_dependencies(${name} ruv_cargo)
endfunction()

function(ruv_add_memcheck_test name)
  if(RUV_MEMCHECK)
    add_test(NAME ${name}_memcheck COMMAND ${RUV_VALGRIND_COMMAND} ${ARGN})
    set_tests_properties(${name}_memcheck PROPERTIES
      LABELS memcheck
      ENVIRONMENT "RUV_TEST_SCALE=small;RUV_TEST_TIMEOUT=120"
      TIMEOUT 1800)
  endif()
endfunction()

function(ruv_add_c_test name)
  ruv_c_program(${name} ${ARGN})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS c TIMEOUT 600)
  if(RUV_SANITIZE)
    set_property(TEST ${name} APPEND PROPERTY ENVIRONMENT ${RUV_SANITIZE_ENV})
  endif()
  ruv_add_memcheck_test(${name} $<TARGET_FILE:${name}>)
endfunction()
