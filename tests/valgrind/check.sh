#!/bin/sh
# Reads every memcheck log that tests/valgrind/campaign-mock-memcheck left in LOG_DIR
# (one per server process of the http tests) and fails unless each process that ran
# to its end had 0 errors and nothing definitely, indirectly or possibly lost. Run by
# ctest as memcheck.check, after the last http test (fixture memcheck_logs).
#   tests/valgrind/check.sh LOG_DIR
# A log without memcheck's closing ERROR SUMMARY is a process killed with SIGKILL (the
# restart test does so on purpose): it has no leak report, is counted and named, and
# does not fail the check. One whose process is still running does: a test left a
# server behind, so it was never checked.
set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 LOG_DIR" >&2
    exit 2
fi
dir=$1

total=0 clean=0 killed=0 running=0 bad=0
errors=0 definite=0 indirect=0 possible=0
killed_list="" running_list="" bad_report=""
for log in "$dir"/*.log; do
    [ -e "$log" ] || continue
    total=$((total + 1))
    name=${log##*/}
    # The line memcheck closes with, the three leak kinds in bytes (0 when there is no
    # LEAK SUMMARY: "All heap blocks were freed"), and the signal the server died of
    # (0: it exited; SIGKILL leaves no line, and the harness's SIGTERM is handled).
    summary=$(awk '
        / ERROR SUMMARY: / { for (i = 1; i <= NF; i++) if ($i == "SUMMARY:") e = $(i + 1); done = 1 }
        / Process terminating with default action of signal / { s = $9 }
        / definitely lost: / { d = $4 }
        / indirectly lost: / { n = $4 }
        / possibly lost: / { p = $4 }
        END {
            gsub(",", "", d); gsub(",", "", n); gsub(",", "", p)
            printf "%s %s %d %d %d %d\n", done ? "done" : "open", e + 0, d, n, p, s
        }' "$log")
    set -- $summary
    command=$(sed -n 's/^==[0-9]*== Command: //p' "$log" | head -n 1)
    # The first error memcheck reported, up to the blank line that ends it (its
    # headline is one of memcheck's error kinds, or a leak record).
    first=$(awk '
        /^==[0-9]+== (Invalid |Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap|Argument .* of function|Process terminating|[0-9,]+ (\([0-9,]+ direct, [0-9,]+ indirect\) )?bytes in [0-9,]+ blocks are)/ { shown = 1 }
        shown && /^==[0-9]+== *$/ { exit }
        shown && n++ < 25 { print "    " $0 }
        ' "$log")
    if [ "$1" = open ] && [ -z "$first" ]; then
        pid=${name%.log}
        pid=${pid##*.}
        if grep -qs memcheck "/proc/$pid/cmdline"; then
            running=$((running + 1))
            running_list="$running_list
  $name: $command"
        else
            killed=$((killed + 1))
            killed_list="$killed_list
  $name: $command"
        fi
        continue
    fi
    if [ "$1" = open ]; then
        # Killed, but memcheck had already reported an error: that one counts.
        set -- open 1 0 0 0 0
    fi
    errors=$((errors + $2))
    definite=$((definite + $3))
    indirect=$((indirect + $4))
    possible=$((possible + $5))
    if [ "$2" -eq 0 ] && [ "$3" -eq 0 ] && [ "$4" -eq 0 ] && [ "$5" -eq 0 ] && [ "$6" -eq 0 ]; then
        clean=$((clean + 1))
        continue
    fi
    bad=$((bad + 1))
    if [ "$1" = open ]; then
        counts="killed before memcheck's summary, after reporting the error below"
    else
        counts="$2 errors (leaks included); lost: $3 bytes definitely, $4 indirectly, $5 possibly"
    fi
    if [ "$6" -ne 0 ]; then
        counts="$counts; died of signal $6"
    fi
    bad_report="$bad_report
FAIL $log
  $command
  $counts
  first report:
$first"
done

echo "memcheck: $total campaign-mock processes: $clean clean, $bad with errors, leaks or a fatal signal," \
    "$killed killed with SIGKILL (no leak report), $running still running"
echo "memcheck: $errors errors (leaks included); lost: $definite bytes definitely," \
    "$indirect indirectly, $possible possibly"
if [ "$killed" -gt 0 ]; then
    echo "killed with SIGKILL, not checked for leaks:$killed_list"
fi
if [ "$running" -gt 0 ]; then
    echo "still running, never checked (a test did not stop its server):$running_list"
fi
if [ "$bad" -gt 0 ]; then
    echo "$bad_report"
fi
if [ "$total" -eq 0 ]; then
    echo "no memcheck log in $dir: did the http tests run the server under valgrind?"
    exit 1
fi
[ "$bad" -eq 0 ] && [ "$running" -eq 0 ]
