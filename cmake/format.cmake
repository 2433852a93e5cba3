# Format check (or fix with -DFIX=1) over every C source of the project.
# Ours only: the npm packages the tests install (tests/*/node_modules) hold C sources of
# their own (tree-sitter grammars), which a format fix must never rewrite, nor a check
# fail on.
file(GLOB_RECURSE sources ${SOURCE_DIR}/server/*.c ${SOURCE_DIR}/server/*.h
     ${SOURCE_DIR}/tests/*.c ${SOURCE_DIR}/tests/*.h)
list(FILTER sources EXCLUDE REGEX "/node_modules/")
find_program(CLANG_FORMAT NAMES clang-format clang-format-14 REQUIRED)
if(FIX)
    execute_process(COMMAND ${CLANG_FORMAT} -i ${sources} RESULT_VARIABLE rc)
else()
    execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${sources} RESULT_VARIABLE rc)
endif()
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "format check failed: run `make format`")
endif()
