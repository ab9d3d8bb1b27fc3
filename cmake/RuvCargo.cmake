# RuvCargo.cmake — build the Rust crate with cargo and expose it as imported targets.
#
# Defines
#   ruv_cargo            custom target: runs `cargo build` (cargo decides what to rebuild) and
#                        stages the outputs into <build>/lib
#   ruv::ruv             IMPORTED SHARED: <build>/lib/libruv.so.X.Y.Z (soname libruv.so.X)
#   ruv::ruv_static      IMPORTED STATIC: <build>/lib/libruv.a plus its native dependencies
#   Both carry ruv::sanitize_flags (cmake/RuvSanitize.cmake) in their link interface: with
#   -DRUV_SANITIZE every target that links either one is built with the sanitizers.
# Variables (for tests, examples and the packaging code of issue 6)
#   RUV_CARGO_EXECUTABLE, RUV_CARGO_PROFILE (dev|release), RUV_CARGO_PROFILE_FLAGS,
#   RUV_CARGO_TARGET_DIR, RUV_CARGO_OUT_DIR (target/debug|target/release),
#   RUV_CARGO_BASE_TARGET_DIR (the target dir as configured, before a RUV_SANITIZE suffix: what a
#   nested ruv build with the same RUV_SANITIZE must be given to share this build's cargo output),
#   RUV_INCLUDE_DIR, RUV_LIB_DIR, RUV_SONAME, RUV_STAGED_SHARED, RUV_STAGED_STATIC,
#   RUV_NATIVE_STATIC_LIBS (list of library names for Libs.private / static linking)

find_program(RUV_CARGO_EXECUTABLE cargo
             HINTS "$ENV{CARGO_HOME}/bin" "$ENV{HOME}/.cargo/bin"
             DOC "cargo, the Rust build tool")
if(NOT RUV_CARGO_EXECUTABLE)
  message(FATAL_ERROR "cargo not found: install Rust (rustup) or set RUV_CARGO_EXECUTABLE")
endif()

set(RUV_CARGO_TARGET_DIR "${CMAKE_CURRENT_SOURCE_DIR}/target" CACHE PATH
    "cargo's target directory (shared by cargo and CMake builds)")
set(RUV_CARGO_FLAGS "" CACHE STRING "Extra flags for cargo build/test, e.g. --locked")

# Debug -> dev, anything else (Release, RelWithDebInfo, MinSizeRel) -> release.
if(NOT CMAKE_BUILD_TYPE OR CMAKE_BUILD_TYPE STREQUAL "Debug")
  set(RUV_CARGO_PROFILE dev)
  set(RUV_CARGO_PROFILE_FLAGS "")
  set(RUV_CARGO_OUT_DIR "${RUV_CARGO_TARGET_DIR}/debug")
else()
  set(RUV_CARGO_PROFILE release)
  set(RUV_CARGO_PROFILE_FLAGS --release)
  set(RUV_CARGO_OUT_DIR "${RUV_CARGO_TARGET_DIR}/release")
endif()
separate_arguments(_ruv_cargo_extra UNIX_COMMAND "${RUV_CARGO_FLAGS}")

# -DRUV_SANITIZE=address[,undefined] or thread: with `address` or `thread`, the Rust library is
# instrumented too (rustc -Zsanitizer=address|thread, allowed on the stable toolchain by
# RUSTC_BOOTSTRAP=1; the prebuilt std is not instrumented, which -Cunsafe-allow-abi-mismatch
# accepts for thread: ruv's own atomics and the generics it instantiates are) and built
# for the explicit host target in its own target dir, so build scripts stay uninstrumented and
# ordinary builds are untouched. The ASan runtime comes from the C/C++ programs that link ruv,
# all built with ruv::sanitize_flags (RuvSanitize.cmake). Rust has no UBSan; `undefined`
# applies to the C side only.
include(RuvSanitize)
set(RUV_CARGO_BASE_TARGET_DIR "${RUV_CARGO_TARGET_DIR}")
set(_ruv_cargo_env "")
if(RUV_SANITIZE MATCHES "(^|,)(address|thread)(,|$)")
  set(_ruv_rust_san "${CMAKE_MATCH_2}")
  execute_process(COMMAND rustc -vV OUTPUT_VARIABLE _ruv_rustc_vv)
  if(NOT _ruv_rustc_vv MATCHES "host: ([^\r\n]+)")
    message(FATAL_ERROR "RUV_SANITIZE: cannot find the host triple in `rustc -vV`")
  endif()
  set(_ruv_host "${CMAKE_MATCH_1}")
  get_filename_component(_ruv_profile_dir "${RUV_CARGO_OUT_DIR}" NAME)
  list(APPEND _ruv_cargo_extra --target "${_ruv_host}")
  set(_ruv_rustflags "-Zsanitizer=${_ruv_rust_san}")
  if(_ruv_rust_san STREQUAL "thread")
    string(APPEND _ruv_rustflags " -Cunsafe-allow-abi-mismatch=sanitizer")
    set(RUV_CARGO_TARGET_DIR "${RUV_CARGO_BASE_TARGET_DIR}/sanitize-thread")
  else()
    set(RUV_CARGO_TARGET_DIR "${RUV_CARGO_BASE_TARGET_DIR}/sanitize")
  endif()
  set(RUV_CARGO_OUT_DIR "${RUV_CARGO_TARGET_DIR}/${_ruv_host}/${_ruv_profile_dir}")
  set(_ruv_cargo_env "${CMAKE_COMMAND}" -E env RUSTC_BOOTSTRAP=1 "RUSTFLAGS=${_ruv_rustflags}")
  message(STATUS "ruv: Rust library built with ${_ruv_rustflags} for ${_ruv_host}")
endif()

set(RUV_INCLUDE_DIR "${CMAKE_CURRENT_SOURCE_DIR}/include")
set(RUV_LIB_DIR "${PROJECT_BINARY_DIR}/lib")
set(RUV_SONAME "libruv.so.${PROJECT_VERSION_MAJOR}")
set(RUV_STAGED_SHARED "${RUV_LIB_DIR}/libruv.so.${PROJECT_VERSION}")
set(RUV_STAGED_STATIC "${RUV_LIB_DIR}/libruv.a")
# What a Rust staticlib needs from the system (`rustc --print native-static-libs`), probed once
# with the toolchain cargo uses (a tiny staticlib links the same std as libruv.a; ruv's own
# dependencies add nothing beyond libc). Used by ruv::ruv_static, ruv.pc's Libs.private and the
# installed CMake package. -lc is left out (every C/C++ driver adds it). Override with
# -DRUV_NATIVE_STATIC_LIBS="gcc_s;pthread;...".
if(NOT DEFINED RUV_NATIVE_STATIC_LIBS)
  set(_ruv_nsl "gcc_s;util;rt;pthread;m;dl")   # rustc's answer on Linux/glibc, as a fallback
  get_filename_component(_ruv_cargo_bin "${RUV_CARGO_EXECUTABLE}" DIRECTORY)
  find_program(RUV_RUSTC_EXECUTABLE rustc HINTS "${_ruv_cargo_bin}" DOC "rustc (native libs probe)")
  if(RUV_RUSTC_EXECUTABLE)
    set(_ruv_probe_dir "${CMAKE_CURRENT_BINARY_DIR}/CMakeFiles/ruv-native-libs-probe")
    file(MAKE_DIRECTORY "${_ruv_probe_dir}")
    file(WRITE "${_ruv_probe_dir}/probe.rs" "#[no_mangle]\npub extern \"C\" fn ruv_probe() {}\n")
    execute_process(
      COMMAND "${RUV_RUSTC_EXECUTABLE}" --crate-type staticlib --crate-name ruv_probe
              --print native-static-libs -o "${_ruv_probe_dir}/libruv_probe.a"
              "${_ruv_probe_dir}/probe.rs"
      WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"   # honours a rust-toolchain file
      RESULT_VARIABLE _ruv_probe_rc OUTPUT_VARIABLE _ruv_probe_out ERROR_VARIABLE _ruv_probe_out)
    if(_ruv_probe_rc EQUAL 0 AND _ruv_probe_out MATCHES "native-static-libs: ([^\r\n]*)")
      string(REGEX MATCHALL "-l[^ \t]+" _ruv_flags "${CMAKE_MATCH_1}")
      set(_ruv_nsl "")
      foreach(_f IN LISTS _ruv_flags)
        string(SUBSTRING "${_f}" 2 -1 _lib)
        if(NOT _lib STREQUAL "c" AND NOT _lib IN_LIST _ruv_nsl)
          list(APPEND _ruv_nsl "${_lib}")
        endif()
      endforeach()
    endif()
  endif()
  set(RUV_NATIVE_STATIC_LIBS "${_ruv_nsl}" CACHE STRING
      "System libraries libruv.a needs (rustc --print native-static-libs, without c)")
  message(STATUS "ruv: libruv.a needs ${RUV_NATIVE_STATIC_LIBS}")
endif()

file(MAKE_DIRECTORY "${RUV_LIB_DIR}")

set(_ruv_cargo_cmd ${_ruv_cargo_env} "${RUV_CARGO_EXECUTABLE}" build --profile ${RUV_CARGO_PROFILE}
    --manifest-path "${CMAKE_CURRENT_SOURCE_DIR}/Cargo.toml"
    --target-dir "${RUV_CARGO_TARGET_DIR}" ${_ruv_cargo_extra})

# Always runs; cargo itself decides whether anything changed. copy_if_different keeps the staged
# files' timestamps when the library did not change, so nothing relinks needlessly.
add_custom_target(ruv_cargo ALL
  COMMAND ${_ruv_cargo_cmd}
  COMMAND "${CMAKE_COMMAND}" -E copy_if_different
          "${RUV_CARGO_OUT_DIR}/libruv.so" "${RUV_STAGED_SHARED}"
  COMMAND "${CMAKE_COMMAND}" -E create_symlink
          "libruv.so.${PROJECT_VERSION}" "${RUV_LIB_DIR}/${RUV_SONAME}"
  COMMAND "${CMAKE_COMMAND}" -E create_symlink "${RUV_SONAME}" "${RUV_LIB_DIR}/libruv.so"
  COMMAND "${CMAKE_COMMAND}" -E copy_if_different
          "${RUV_CARGO_OUT_DIR}/libruv.a" "${RUV_STAGED_STATIC}"
  BYPRODUCTS "${RUV_CARGO_OUT_DIR}/libruv.so" "${RUV_CARGO_OUT_DIR}/libruv.a"
             "${RUV_STAGED_SHARED}" "${RUV_STAGED_STATIC}"
             "${RUV_LIB_DIR}/${RUV_SONAME}" "${RUV_LIB_DIR}/libruv.so"
  WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
  COMMENT "cargo build --profile ${RUV_CARGO_PROFILE} (libruv.so, libruv.a, include/ruv.h)"
  USES_TERMINAL
  VERBATIM)

add_library(ruv::ruv SHARED IMPORTED GLOBAL)
set_target_properties(ruv::ruv PROPERTIES
  IMPORTED_LOCATION "${RUV_STAGED_SHARED}"
  IMPORTED_SONAME "${RUV_SONAME}"
  INTERFACE_INCLUDE_DIRECTORIES "${RUV_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES ruv::sanitize_flags)
add_dependencies(ruv::ruv ruv_cargo)

add_library(ruv::ruv_static STATIC IMPORTED GLOBAL)
set_target_properties(ruv::ruv_static PROPERTIES
  IMPORTED_LOCATION "${RUV_STAGED_STATIC}"
  IMPORTED_LINK_INTERFACE_LANGUAGES C
  INTERFACE_INCLUDE_DIRECTORIES "${RUV_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES "${RUV_NATIVE_STATIC_LIBS};ruv::sanitize_flags")
add_dependencies(ruv::ruv_static ruv_cargo)
