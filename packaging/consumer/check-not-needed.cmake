# cmake -DREADELF=readelf -DFILE=<executable> -P check-not-needed.cmake
# Fails if FILE has a NEEDED entry for libruv.so*.
execute_process(COMMAND "${READELF}" -d "${FILE}" OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "readelf -d ${FILE} failed")
endif()
if(out MATCHES "NEEDED[^\n]*libruv\\.so")
  message(FATAL_ERROR "${FILE} needs libruv.so although it was linked statically:\n${out}")
endif()
message(STATUS "${FILE}: no libruv.so dependency")
