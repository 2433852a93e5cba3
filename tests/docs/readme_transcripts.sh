#!/usr/bin/env bash
# README transcript test (ctest: docs.readme). Every ```console block of README.md
# whose commands are all `curl ...` or `campaign-mock ...` is replayed against a fresh
# server (the real binary on --port 0), and each command's output must equal the lines
# the README shows under it, byte for byte. So the README cannot drift from the server.
#
# Usage: readme_transcripts.sh CAMPAIGN_MOCK_BIN SOURCE_DIR [README]
#
# Block format:
#   <!-- docs.readme: --clock manual -->   optional, on the line before the fence:
#                                          extra server arguments for this block, or
#                                          "skip" for a block that cannot be replayed
#   ```console
#   $ curl -s http://127.0.0.1:8080/...    a command; a line ending in '\' continues it
#   expected output line(s)
#   ```
# Commands run with bash in SOURCE_DIR; the documented base URL http://127.0.0.1:8080 is
# replaced by the test server's, and `campaign-mock` is the binary under test (first on
# PATH). A block whose server arguments hold `--tls-port 8443` gets a server on a free
# HTTPS port with a CA of its own (CAMPAIGN_MOCK_TLS_DIR, which the commands see too),
# and every ":8443" of its commands becomes that port.
# Blocks holding any other command are not replayed. Set DOCS_README_PRINT=1 to print
# each command's actual output (to refresh the README after a deliberate change).
set -u

bin=${1:?usage: readme_transcripts.sh CAMPAIGN_MOCK_BIN SOURCE_DIR [README]}
src=${2:?usage: readme_transcripts.sh CAMPAIGN_MOCK_BIN SOURCE_DIR [README]}
readme=${3:-$src/README.md}
documented_base=http://127.0.0.1:8080

if ! command -v curl >/dev/null 2>&1; then
    echo "docs.readme: the curl program is missing (apt-get install curl); skipped"
    exit 77
fi
[ -x "$bin" ] || { echo "docs.readme: not executable: $bin"; exit 1; }
[ -r "$readme" ] || { echo "docs.readme: cannot read $readme"; exit 1; }

# The server reads CAMPAIGN_MOCK_* too: the caller's settings must not leak into the
# documented defaults.
while IFS='=' read -r name _; do
    case $name in CAMPAIGN_MOCK_*) unset "$name" ;; esac
done < <(env)

work=$(mktemp -d "${TMPDIR:-/tmp}/docs-readme.XXXXXX")
mkdir "$work/bin"
ln -s "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" "$work/bin/campaign-mock"
documented_tls_port=8443
tls_port=
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then
        kill -KILL "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
blocks=0

# Starts a fresh server with the block's extra arguments; sets base.
server_start() {
    rm -f "$work/port"
    local args=$1
    tls_port=
    if [[ " $args " == *" --tls-port $documented_tls_port "* ]]; then
        args=${args/--tls-port $documented_tls_port/--tls-port 0 --tls-dir $work/tls}
        tls_port=pending
    fi
    # shellcheck disable=SC2086 # extra arguments are split on purpose
    (cd "$src" && exec "$bin" --port 0 --port-file "$work/port" $args) \
        >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    # Bounded wait for the port file: 20 s covers a sanitizer build on a loaded machine.
    for _ in $(seq 1 400); do
        [ -s "$work/port" ] && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.05
    done
    if [ ! -s "$work/port" ]; then
        echo "FAIL: server did not start (args: $1)"
        cat "$work/server.err"
        kill -KILL "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
        server_pid=
        return 1
    fi
    base="http://127.0.0.1:$(head -n 1 "$work/port")"
    [ -n "$tls_port" ] && tls_port=$(sed -n 2p "$work/port")
    return 0
}

# Stops the server; a clean stop exits 0 (under ASan a leak would not).
server_stop() {
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid"
    local rc=$?
    server_pid=
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: server exited with status $rc"
        cat "$work/server.err"
        failed=$((failed + 1))
    fi
}

# Runs one command and compares its output (stdout and stderr) with the expected text.
run_command() {
    local line_no=$1 cmd=$2 expected=$3
    local real=${cmd//"$documented_base"/$base}
    [ -n "$tls_port" ] && real=${real//":$documented_tls_port"/":$tls_port"}
    local actual
    # The trailing 'x' keeps trailing newlines, which $(...) would strip; a command that
    # forgets its final newline then fails, as it would show wrongly in a terminal.
    # timeout bounds a command that would hang (30 s: generous even under ASan).
    actual=$(cd "$src" && PATH=$work/bin:$PATH CAMPAIGN_MOCK_TLS_DIR=$work/tls \
        timeout 30 bash -c "$real" 2>&1; printf x)
    actual=${actual%x}
    if [ "${DOCS_README_PRINT:-0}" = 1 ]; then
        printf '$ %s\n%s' "$cmd" "$actual"
    fi
    if [ "$actual" == "$expected" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: ${readme##*/}:$line_no: $cmd"
        diff <(printf '%s' "$expected") <(printf '%s' "$actual") | sed 's/^/    /'
    fi
}

# Replays one block held in the arrays cmds/lines/outs.
replay_block() {
    local args=$1
    server_start "$args" || { failed=$((failed + 1)); return; }
    local i
    for i in "${!cmds[@]}"; do
        run_command "${lines[$i]}" "${cmds[$i]}" "${outs[$i]}"
    done
    server_stop
}

in_block=0
block_args=
prev=
line_no=0
replayable=1
cmds=()
lines=()
outs=()
pending=
pending_line=0
continuing=0

finish_command() {
    if [ -n "$pending" ]; then
        cmds+=("$pending")
        lines+=("$pending_line")
        outs+=("${current_out}")
    fi
    pending=
    current_out=
}

while IFS= read -r line || [ -n "$line" ]; do
    line_no=$((line_no + 1))
    if [ "$in_block" = 0 ]; then
        if [ "$line" = '```console' ]; then
            in_block=1
            block_args=
            if [[ $prev =~ ^\<!--\ docs\.readme:\ (.*)\ --\>$ ]]; then
                block_args=${BASH_REMATCH[1]}
            fi
            replayable=1
            [ "$block_args" = skip ] && replayable=0
            cmds=()
            lines=()
            outs=()
            pending=
            current_out=
            continuing=0
        fi
        prev=$line
        continue
    fi
    if [ "$line" = '```' ]; then
        finish_command
        in_block=0
        prev=$line
        if [ "$replayable" = 1 ] && [ "${#cmds[@]}" -gt 0 ]; then
            blocks=$((blocks + 1))
            replay_block "$block_args"
        fi
        continue
    fi
    if [ "$continuing" = 1 ]; then
        pending+=$'\n'$line
        [[ $line == *\\ ]] || continuing=0
        continue
    fi
    if [[ $line == '$ '* ]]; then
        finish_command
        pending=${line#'$ '}
        pending_line=$line_no
        case $pending in
        curl\ * | campaign-mock | campaign-mock\ *) ;;
        *) replayable=0 ;;
        esac
        [[ $line == *\\ ]] && continuing=1
        continue
    fi
    if [ -z "$pending" ]; then
        replayable=0 # output before any command: not a transcript
        continue
    fi
    current_out+=$line$'\n'
done <"$readme"

if [ "$blocks" = 0 ]; then
    echo "docs.readme: no replayable console block in $readme"
    failed=$((failed + 1))
fi
echo "$blocks blocks replayed"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
