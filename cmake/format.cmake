# Format check (or fix with -DFIX=1) over every C source of the project.
file(GLOB_RECURSE sources ${SOURCE_DIR}/server/*.c ${SOURCE_DIR}/server/*.h
     ${SOURCE_DIR}/tests/*.c ${SOURCE_DIR}/tests/*.h)
find_program(CLANG_FORMAT NAMES clang-format clang-format-14 REQUIRED)
if(FIX)
    execute_process(COMMAND ${CLANG_FORMAT} -i ${sources} RESULT_VARIABLE rc)
else()
    execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${sources} RESULT_VARIABLE rc)
endif()
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "format check failed: run `make format`")
endif()
