# RuvProjectTests.cmake — ctest tests beyond the C programs:
#   rust_tests    `cargo test` in the profile of this build
#   python_tests  python/run_tests.sh <build>/pyenv, only if that script exists (configure time)
#   header_fresh  fails when regenerating include/ruv.h (cargo build) changes it vs git

add_test(NAME rust_tests
  COMMAND "${RUV_CARGO_EXECUTABLE}" test ${RUV_CARGO_PROFILE_FLAGS}
          --manifest-path "${PROJECT_SOURCE_DIR}/Cargo.toml"
          --target-dir "${RUV_CARGO_TARGET_DIR}" ${_ruv_cargo_extra}
  WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}")
set_tests_properties(rust_tests PROPERTIES LABELS rust TIMEOUT 1800)

set(_ruv_py_runner "${PROJECT_SOURCE_DIR}/python/run_tests.sh")
if(EXISTS "${_ruv_py_runner}")
  set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               "${_ruv_py_runner}")
elseif(EXISTS "${PROJECT_SOURCE_DIR}/python")
  # re-configure when files appear in python/ (the runner script)
  set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               "${PROJECT_SOURCE_DIR}/python")
endif()
if(EXISTS "${_ruv_py_runner}")
  add_test(NAME python_tests
    COMMAND bash "${_ruv_py_runner}" "${PROJECT_BINARY_DIR}/pyenv"
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}")
  set_tests_properties(python_tests PROPERTIES
    LABELS python
    TIMEOUT 1800
    ENVIRONMENT "RUV_LIBRARY=${RUV_STAGED_SHARED};RUV_LIB_DIR=${RUV_LIB_DIR};RUV_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()

add_test(NAME header_fresh
  COMMAND bash "${PROJECT_SOURCE_DIR}/scripts/check-header-fresh.sh"
  WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}")
set_tests_properties(header_fresh PROPERTIES
  LABELS rust
  TIMEOUT 1800
  SKIP_RETURN_CODE 77
  ENVIRONMENT "CARGO=${RUV_CARGO_EXECUTABLE};RUV_CARGO_PROFILE=${RUV_CARGO_PROFILE};RUV_CARGO_TARGET_DIR=${RUV_CARGO_TARGET_DIR}")
