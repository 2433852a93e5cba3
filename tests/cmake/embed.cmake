# build.embed: cmake/embed.cmake stops with a message naming the set and the glob when a
# glob matches no file (an empty ui/ once built a binary without its dashboard), writes
# nothing then, and still embeds a set that matches.
# -DSOURCE_DIR=the source tree -DWORK_DIR=a scratch directory of the build tree
set(embed ${SOURCE_DIR}/cmake/embed.cmake)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

# Runs embed.cmake on pattern; out: its exit code, and stdout + stderr.
function(embed pattern out_file code_var text_var)
    execute_process(
        COMMAND ${CMAKE_COMMAND} -DSET=ui "-DPATTERN=${pattern}" -DSYMBOL=ui_files
                -DHEADER=embedded.h -DPREFIX= -DOUT=${out_file} -P ${embed}
        RESULT_VARIABLE code OUTPUT_VARIABLE text ERROR_VARIABLE text)
    # CMake wraps its messages: one space for each run of white space.
    string(REGEX REPLACE "[ \t\r\n]+" " " text "${text}")
    set(${code_var} "${code}" PARENT_SCOPE)
    set(${text_var} "${text}" PARENT_SCOPE)
endfunction()

# Checks the condition given after what (if() arguments).
function(expect what)
    if(${ARGN})
        message(STATUS "ok: ${what}")
    else()
        message(SEND_ERROR "FAILED: ${what}")
    endif()
endfunction()

# 1. A glob that matches nothing.
embed("/nonexistent/*.html" ${WORK_DIR}/none.c code text)
message(STATUS "an empty set says: ${text}")
string(FIND "${text}" "the embedded set 'ui' (ui_files) is empty: no file matches /nonexistent/*.html" at)
expect("an empty set fails" NOT code EQUAL 0)
expect("the message names the set and the glob" NOT at EQUAL -1)
expect("nothing is written" NOT EXISTS ${WORK_DIR}/none.c)

# 2. Several globs, one of which matches nothing: that one is named.
embed("${SOURCE_DIR}/ui/*.html|/nonexistent/*.py" ${WORK_DIR}/half.c code text)
string(FIND "${text}" "no file matches /nonexistent/*.py" at)
expect("a set with one empty glob fails" NOT code EQUAL 0)
expect("the message names the empty glob" NOT at EQUAL -1)
expect("nothing is written for it" NOT EXISTS ${WORK_DIR}/half.c)

# 3. The real set still embeds.
embed("${SOURCE_DIR}/ui/*.html" ${WORK_DIR}/ui.c code text)
expect("the dashboard set embeds" code EQUAL 0 AND EXISTS ${WORK_DIR}/ui.c)
if(EXISTS ${WORK_DIR}/ui.c)
    file(READ ${WORK_DIR}/ui.c generated)
    string(REGEX MATCH "const int ui_files_count = ([0-9]+);" count "${generated}")
    expect("it holds at least one file (${count})" CMAKE_MATCH_1 GREATER 0)
endif()
