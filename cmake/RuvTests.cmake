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

# -DRUV_SANITIZE: the programs get the sanitizer flags through ruv::ruv / ruv::ruv_static
# (cmake/RuvSanitize.cmake) and run with RUV_SANITIZE_ENV (leak detection, fatal first report).

function(ruv_c_program name)
  cmake_parse_arguments(P "STATIC" "" "SOURCES" ${ARGN})
  add_executable(${name} ${P_SOURCES})
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
