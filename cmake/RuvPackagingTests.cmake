# RuvPackagingTests.cmake — tests of ruv as other projects see it (labels packaging, docs).
# Registered for the top-level build with RUV_BUILD_TESTS and RUV_PACKAGING_TESTS (both ON).
#
#   packaging_exports           nm -D: only ruv_* symbols, exactly the functions of ruv.h; the
#                               soname is libruv.so.MAJOR (readelf -d)
#   packaging_header            ruv.h alone compiles as C99/C11 and C++11/C++17 with -Wall
#                               -Wextra -Wpedantic -Werror; version macros = Cargo.toml's version
#   docs_api_fresh              docs/api.md equals what scripts/gen-api-docs.py makes of ruv.h
#   packaging_add_subdirectory  packaging/consumer through add_subdirectory(<this source tree>)
# With RUV_INSTALL:
#   packaging_install           `cmake --install` into <build>/packaging-test/prefix, checks the
#                               tree, copies it to .../relocated (fixture ruv_installed)
#   packaging_find_package      packaging/consumer with find_package(ruv CONFIG REQUIRED) from
#                               the relocated copy
#   packaging_pkg_config        the consumer programs compiled with `pkg-config --cflags --libs ruv`
#                               and `pkg-config --static`
# Each consumer build makes a C and a C++17 program, shared (ruv::ruv / -lruv) and static
# (ruv::ruv_static / libruv.a), and runs each: an echo round trip over 127.0.0.1 port 0.
# C++ is only used if a C++ compiler exists (check_language); the library never needs one.
# Under CI=true a missing C++ compiler or pkg-config fails the tests instead of skipping parts.
#
# packaging_add_subdirectory passes RUV_SANITIZE on, so its consumers get the sanitizer flags
# through ruv::ruv / ruv::ruv_static like every target of this tree. With `address` in
# RUV_SANITIZE the library itself is ASan-instrumented and every program linking it needs the
# ASan runtime; the installed ruvConfig.cmake and ruv.pc do not carry sanitizer flags (an
# instrumented library is not something to install), so packaging_find_package and
# packaging_pkg_config cannot link against it and are not registered; packaging_install still
# checks the installed tree.

include(CheckLanguage)
check_language(CXX)
if(CMAKE_CXX_COMPILER)
  set(RUV_TEST_CXX "${CMAKE_CXX_COMPILER}")
  set(_ruv_consumer_cxx -DRUV_CONSUMER_CXX=ON "-DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}")
else()
  set(RUV_TEST_CXX "")
  set(_ruv_consumer_cxx -DRUV_CONSUMER_CXX=OFF)
  message(STATUS "ruv: no C++ compiler: the C++ parts of the packaging tests are skipped")
endif()

set(_ruv_pt "${PROJECT_BINARY_DIR}/packaging-test")
set(_ruv_consumer_src "${PROJECT_SOURCE_DIR}/packaging/consumer")
# options every nested CMake consumer gets: same compilers, build type, generator
set(_ruv_consumer_common
  --build-generator "${CMAKE_GENERATOR}"
  --build-makeprogram "${CMAKE_MAKE_PROGRAM}"
  --build-project ruv_consumer
  --build-options "-DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}" ${_ruv_consumer_cxx}
                  "-DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}")

# ---- the shared library's exports and soname ------------------------------------------------
add_test(NAME packaging_exports
  COMMAND bash "${PROJECT_SOURCE_DIR}/scripts/check-exports.sh"
          "${RUV_STAGED_SHARED}" "${RUV_INCLUDE_DIR}/ruv.h" "${RUV_SONAME}")
set_tests_properties(packaging_exports PROPERTIES LABELS packaging TIMEOUT 60)

# ---- header hygiene -------------------------------------------------------------------------
add_test(NAME packaging_header
  COMMAND bash "${PROJECT_SOURCE_DIR}/scripts/check-header.sh"
          "${RUV_INCLUDE_DIR}/ruv.h" "${PROJECT_SOURCE_DIR}/Cargo.toml"
          "${CMAKE_C_COMPILER}" "${RUV_TEST_CXX}")
set_tests_properties(packaging_header PROPERTIES
  LABELS packaging TIMEOUT 120 SKIP_RETURN_CODE 77)

# ---- API reference freshness ------------------------------------------------------------------
find_program(RUV_PYTHON3_EXECUTABLE NAMES python3 python DOC "python3 (docs/api.md check)")
if(RUV_PYTHON3_EXECUTABLE)
  add_test(NAME docs_api_fresh
    COMMAND "${RUV_PYTHON3_EXECUTABLE}" "${PROJECT_SOURCE_DIR}/scripts/gen-api-docs.py" --check
            --header "${RUV_INCLUDE_DIR}/ruv.h" --output "${PROJECT_SOURCE_DIR}/docs/api.md")
  set_tests_properties(docs_api_fresh PROPERTIES LABELS "docs;packaging" TIMEOUT 60)
endif()

# ---- add_subdirectory(<source tree>) ------------------------------------------------------------
# The nested ruv shares cargo's target dir, profile and flags with this build, so its cargo run
# finds everything up to date (cargo's lock serialises it with any other cargo run).
add_test(NAME packaging_add_subdirectory
  COMMAND "${CMAKE_CTEST_COMMAND}"
    --build-and-test "${_ruv_consumer_src}" "${_ruv_pt}/add_subdirectory"
    ${_ruv_consumer_common}
      -DRUV_CONSUMER_MODE=subdir "-DRUV_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
      "-DRUV_CARGO_EXECUTABLE=${RUV_CARGO_EXECUTABLE}"
      "-DRUV_CARGO_TARGET_DIR=${RUV_CARGO_BASE_TARGET_DIR}"
      "-DRUV_SANITIZE=${RUV_SANITIZE}"
      "-DRUV_CARGO_FLAGS=${RUV_CARGO_FLAGS}"
      "-DRUV_NATIVE_STATIC_LIBS=${RUV_NATIVE_STATIC_LIBS}"
    --test-command "${CMAKE_CTEST_COMMAND}" --output-on-failure)
set_tests_properties(packaging_add_subdirectory PROPERTIES LABELS packaging TIMEOUT 600)

if(NOT RUV_INSTALL)
  return()
endif()
if(IS_ABSOLUTE "${RUV_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${RUV_INSTALL_INCLUDEDIR}")
  message(STATUS "ruv: absolute CMAKE_INSTALL_LIBDIR/INCLUDEDIR: the install tests are left out")
  return()
endif()

# ---- install into a temporary prefix, then consume it -----------------------------------------
set(_ruv_prefix "${_ruv_pt}/prefix")
set(_ruv_relocated "${_ruv_pt}/relocated")
add_test(NAME packaging_install
  COMMAND bash "${PROJECT_SOURCE_DIR}/packaging/test-install.sh"
          "${PROJECT_BINARY_DIR}" "${_ruv_prefix}" "${_ruv_relocated}"
          "${RUV_INSTALL_LIBDIR}" "${RUV_INSTALL_INCLUDEDIR}" "${PROJECT_VERSION}" "${RUV_SONAME}"
          "${RUV_INCLUDE_DIR}/ruv.h" $<CONFIG>)
set_tests_properties(packaging_install PROPERTIES
  LABELS packaging TIMEOUT 120 FIXTURES_SETUP ruv_installed)

if(RUV_SANITIZE MATCHES "(^|,)address(,|$)")
  message(STATUS "ruv: RUV_SANITIZE=${RUV_SANITIZE}: packaging_find_package and "
                 "packaging_pkg_config are left out (the installed ASan library needs the ASan "
                 "runtime, which the installed package does not declare)")
  return()
endif()

# find_package from the relocated copy: proves the CMake package does not depend on the
# prefix it was installed into. CMAKE_PREFIX_PATH finds <prefix>/lib/cmake/ruv everywhere;
# <prefix>/lib64 only where the platform uses lib64 (not Debian), so other libdirs get ruv_DIR.
set(_ruv_find_opts "-DCMAKE_PREFIX_PATH=${_ruv_relocated}")
if(NOT RUV_INSTALL_LIBDIR MATCHES "^lib(/|$)")
  list(APPEND _ruv_find_opts "-Druv_DIR=${_ruv_relocated}/${RUV_INSTALL_CMAKEDIR}")
endif()
add_test(NAME packaging_find_package
  COMMAND "${CMAKE_CTEST_COMMAND}"
    --build-and-test "${_ruv_consumer_src}" "${_ruv_pt}/find_package"
    ${_ruv_consumer_common}
      -DRUV_CONSUMER_MODE=package ${_ruv_find_opts}
    --test-command "${CMAKE_CTEST_COMMAND}" --output-on-failure)
set_tests_properties(packaging_find_package PROPERTIES
  LABELS packaging TIMEOUT 300 FIXTURES_REQUIRED ruv_installed)

add_test(NAME packaging_pkg_config
  COMMAND bash "${PROJECT_SOURCE_DIR}/packaging/test-pkg-config.sh"
          "${_ruv_prefix}" "${RUV_INSTALL_LIBDIR}" "${PROJECT_VERSION}" "${_ruv_consumer_src}"
          "${_ruv_pt}/pkg_config" "${CMAKE_C_COMPILER}" "${RUV_TEST_CXX}")
set_tests_properties(packaging_pkg_config PROPERTIES
  LABELS packaging TIMEOUT 300 SKIP_RETURN_CODE 77 FIXTURES_REQUIRED ruv_installed)
