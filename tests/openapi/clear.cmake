# ctest setup step of the response log (fixture http_responses): an empty directory
# before the HTTP tests run, so the validator sees this run's responses only.
# Usage: cmake -DDIR=<build>/responses -P clear.cmake
if(NOT DIR)
    message(FATAL_ERROR "clear.cmake: DIR is not set")
endif()
file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}")
