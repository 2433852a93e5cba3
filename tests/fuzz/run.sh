#!/bin/sh
# Runs libFuzzer binaries for a while each (`make fuzz` calls this after building them).
#   tests/fuzz/run.sh BUILD_DIR SECONDS TARGET...
# Each target fuzz_TARGET in BUILD_DIR/tests/fuzz runs for SECONDS on a scratch copy of
# tests/fuzz/corpus/TARGET, so the committed corpus does not fill with generated inputs
# (what the fuzzer found is dropped with the copy). A crash, leak, timeout or OOM
# reproducer is kept in BUILD_DIR/fuzz-artifacts/TARGET/, outside the corpus, and shown
# in hex with the fuzzer's report: whether it becomes a seed is a decision, not a side
# effect. Prints each target's executions; fails when any target did not end cleanly.
# FUZZ_JOBS=N (default 1) runs N fuzzing processes per target at once (libFuzzer's
# -fork=N, which restarts them as they finish and merges what they find): the count
# printed is then the sum over all of them.
set -u

if [ $# -lt 3 ]; then
    echo "usage: $0 BUILD_DIR SECONDS TARGET..." >&2
    exit 2
fi
build=$1
secs=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)

case $secs in
'' | *[!0-9]*)
    echo "SECONDS must be a whole number of seconds, not '$secs'" >&2
    exit 2
    ;;
esac
jobs=${FUZZ_JOBS:-1}
case $jobs in
'' | *[!0-9]* | 0)
    echo "FUZZ_JOBS must be a whole number of processes, at least 1, not '$jobs'" >&2
    exit 2
    ;;
esac
fork=""
[ "$jobs" -gt 1 ] && fork=-fork=$jobs

scratch=$(mktemp -d "${TMPDIR:-/tmp}/cm-fuzz-XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM

failed=""
summary=""
for t in "$@"; do
    bin=$build/tests/fuzz/fuzz_$t
    seeds=$src/corpus/$t
    art=$build/fuzz-artifacts/$t
    if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
        echo "fuzz_$t: no binary $bin or no corpus $seeds" >&2
        failed="$failed $t"
        summary="$summary
  fuzz_$t	not run"
        continue
    fi
    work=$scratch/$t
    mkdir -p "$work/corpus" "$art"
    cp "$seeds"/* "$work/corpus/"
    n_seeds=$(find "$work/corpus" -type f | wc -l)
    dict=""
    [ -f "$src/$t.dict" ] && dict=-dict=$src/$t.dict
    # Artifacts of this run only: older ones in $art were reported by their own run.
    find "$art" -type f | sort >"$work/before"
    echo "fuzz_$t: $secs s on a copy of $n_seeds seeds${fork:+, $jobs processes}"
    # -timeout: one input for more than 10 s is a hang (the targets are pure parsers,
    # well under a second per input). -print_final_stats gives the execution count.
    "$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$art/" ${fork:+"$fork"} ${dict:+"$dict"} "$work/corpus" >"$work/log" 2>&1
    rc=$?
    if [ -n "$fork" ]; then
        # The parent's progress lines carry the running total of all processes:
        # "#162774: cov: 6527 ft: 6839 corp: 653 exec/s 787 ...".
        execs=$(sed -n 's/^#\([0-9]*\): cov:.*/\1/p' "$work/log" | tail -n 1)
    else
        execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$work/log" | tail -n 1)
    fi
    if [ -z "$execs" ]; then
        execs=$(sed -n 's/^#\([0-9]*\)[[:space:]]*DONE.*/\1/p' "$work/log" | tail -n 1)
    fi
    n_corpus=$(find "$work/corpus" -type f | wc -l)
    find "$art" -type f | sort >"$work/after"
    crashed=$(comm -13 "$work/before" "$work/after" |
        grep -E '/(crash|leak|timeout|oom)-[^/]*$' | tr '\n' ' ')
    if [ $rc -ne 0 ] || [ -n "$crashed" ]; then
        failed="$failed $t"
        echo "fuzz_$t: FAILED (exit $rc) after ${execs:-?} executions; the fuzzer's report:"
        # From the first line of the sanitizer's or the target's own report on.
        report=$(awk '/^==[0-9]+==|runtime error|^fuzz_[a-z_]+: /{p=1} p' "$work/log" | head -n 80)
        if [ -n "$report" ]; then
            echo "$report"
        else
            tail -n 40 "$work/log"
        fi
        for f in $crashed; do
            echo "  reproducer $f ($(wc -c <"$f") bytes), hex:"
            od -An -tx1 -v "$f" | head -n 32 | sed 's/^/   /'
            echo "  replay: $build/tests/fuzz/fuzz_$t $f"
        done
        summary="$summary
  fuzz_$t	${execs:-?} executions	FAILED: ${crashed:-exit $rc}"
    else
        echo "fuzz_$t: ${execs:-?} executions, corpus $n_seeds -> $n_corpus (copy dropped)"
        summary="$summary
  fuzz_$t	${execs:-?} executions	ok"
    fi
done

echo "fuzz summary ($secs s each):$summary"
if [ -n "$failed" ]; then
    echo "fuzz: failed:$failed (reproducers in $build/fuzz-artifacts/; not added to the corpus)"
    exit 1
fi
