# build.format: cmake/format.cmake formats the project's C sources and nothing else. In
# a scratch tree it must fix an unformatted server file, leave an unformatted C file
# under tests/*/node_modules (an npm package's, as tests/sdk installs) byte for byte,
# and then check clean although that file is still unformatted.
# cmake -DSOURCE_DIR=... -DWORK_DIR=... -P tests/cmake/format.cmake
set(tree ${WORK_DIR}/tree)
file(REMOVE_RECURSE ${tree})
file(MAKE_DIRECTORY ${tree}/server ${tree}/tests/sdk/node_modules/pkg/src)
file(COPY ${SOURCE_DIR}/.clang-format DESTINATION ${tree})
set(ugly "int   f( int x ){return x;}\n")
file(WRITE ${tree}/server/ours.c "${ugly}")
file(WRITE ${tree}/tests/sdk/node_modules/pkg/src/theirs.c "${ugly}")

execute_process(COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${tree} -DFIX=1
                        -P ${SOURCE_DIR}/cmake/format.cmake RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "format fix failed (${rc})")
endif()
file(READ ${tree}/server/ours.c ours)
if(ours STREQUAL ugly)
    message(FATAL_ERROR "server/ours.c was not formatted")
endif()
file(READ ${tree}/tests/sdk/node_modules/pkg/src/theirs.c theirs)
if(NOT theirs STREQUAL ugly)
    message(FATAL_ERROR "a file under node_modules was rewritten: ${theirs}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${tree}
                        -P ${SOURCE_DIR}/cmake/format.cmake RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "format check failed on a file under node_modules")
endif()
file(REMOVE_RECURSE ${tree})
message(STATUS "format: ours fixed, node_modules left alone, check clean")
