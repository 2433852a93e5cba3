#!/usr/bin/env bash
# Documentation test (ctest: docs.readme). Three checks over the Markdown pages:
#
# 1. Transcripts. Every ```console block of README.md and docs/*.md whose commands are
#    all `curl ...` or `campaign-mock ...` is replayed against a fresh server (the real
#    binary on --port 0), and each command's output must equal the lines the page shows
#    under it, byte for byte. So the pages cannot drift from the server. A console block
#    that cannot be replayed must say so and why (`<!-- docs.readme: skip: REASON -->`);
#    any other block that is not replayed fails the test, so that no transcript is left
#    behind unnoticed. Each page's count is printed ("docs/faults.md: 7 transcripts
#    replayed").
# 2. Links. Every relative Markdown link of README.md, docs/*.md, CONTRIBUTING.md,
#    CHANGELOG.md and clients/*/README.md (`[x](docs/foo.md#anchor)`, `(foo.md)`,
#    `(#anchor)`) must name a file that exists and, with `#anchor`, a heading of that
#    file (GitHub's anchors: lower case, punctuation dropped, spaces as '-').
# 2b. Grades. After its last command each replayed block's server is asked for its
#    report (GET /_mock/report): the findings must be exactly those the block declares
#    (none unless it says `findings: RULE...`), so that no transcript teaches a client
#    habit the report condemns without saying so, and a false positive of the report
#    on our own examples fails here.
# 3. Operations. Every operationId of schema/openapi.yaml is named in docs/control-api.md,
#    the guide that points at the document as its reference, so that every endpoint can
#    be found from the pages.
#
# Every block gets a server of its own, started fresh with the block's arguments and
# stopped after its last command: no state is carried from one block to the next, so a
# block reads the same wherever it stands, and the pages may be split, merged or
# reordered without breaking a transcript. (State within a block, a server used by
# several commands, or a file one command writes and the next reads, is the block's.)
# The pages are replayed in a fixed order, README.md then docs/*.md by name, only so
# that the output reads the same on every run.
#
# Usage: readme_transcripts.sh CAMPAIGN_MOCK_BIN SOURCE_DIR [PAGE...]
#        (PAGE: a path relative to SOURCE_DIR; default README.md and docs/*.md)
#
# Block format:
#   <!-- docs.readme: --clock manual -->   optional, on the line before the fence:
#                                          extra server arguments for this block, or
#                                          "skip: REASON" for a block that cannot be
#                                          replayed; "ARGS; findings: RULE..." or
#                                          "findings: RULE..." for the report's
#                                          findings the block shows on purpose
#   ```console
#   $ curl -s http://127.0.0.1:8080/...    a command; a line ending in '\' continues it
#   expected output line(s)
#   ```
# Commands run with bash in SOURCE_DIR; the documented base URL http://127.0.0.1:8080 is
# replaced by the test server's, and `campaign-mock` is the binary under test (first on
# PATH). A block whose server arguments hold `--tls-port 8443` gets a server on a free
# HTTPS port with a CA of its own (CAMPAIGN_MOCK_TLS_DIR, which the commands see too),
# and every ":8443" of its commands becomes that port.
# Set DOCS_README_PRINT=1 to print each command's actual output (to refresh a page after
# a deliberate change).
set -u

usage="usage: readme_transcripts.sh CAMPAIGN_MOCK_BIN SOURCE_DIR [PAGE...]"
bin=${1:?$usage}
src=${2:?$usage}
shift 2
pages=("$@")
if [ "${#pages[@]}" = 0 ]; then
    pages=(README.md)
    while IFS= read -r page; do
        pages+=("docs/${page##*/}")
    done < <(LC_ALL=C ls "$src"/docs/*.md 2>/dev/null)
fi
documented_base=http://127.0.0.1:8080

if ! command -v curl >/dev/null 2>&1; then
    echo "docs.readme: the curl program is missing (apt-get install curl); skipped"
    exit 77
fi
[ -x "$bin" ] || { echo "docs.readme: not executable: $bin"; exit 1; }
for page in "${pages[@]}"; do
    [ -r "$src/$page" ] || { echo "docs.readme: cannot read $src/$page"; exit 1; }
done

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
replayed=0
skipped=0

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
        echo "FAIL: $page:$line_no: $cmd"
        diff <(printf '%s' "$expected") <(printf '%s' "$actual") | sed 's/^/    /'
    fi
}

# The rules of the findings that GET /_mock/report gives for everything the block did,
# sorted and joined by spaces ("" for none); "error: ..." when the report cannot be read.
# A transcript is replayed at machine speed, where the person it shows types over
# seconds: the report is read with a poll interval of 1 ms (each command is a new curl
# process, several ms after the last), so that the speed of the replay is not taken for
# a client that polls too fast. A block that declares poll-too-fast (a burst of polls in
# one curl, `?call=[1-10]`) is read at the default 1 s, which its burst misses whatever
# the machine's speed.
report_findings() {
    local args=$1 interval=$2 token=
    [[ " $args " =~ \ --admin-token\ ([^ ]+)\  ]] && token=${BASH_REMATCH[1]}
    curl -s --max-time 30 ${token:+-H "X-Mock-Admin-Token: $token"} "$base/_mock/report?pollIntervalMs=$interval" |
        python3 -c '
import json, sys
try:
    doc = json.load(sys.stdin)
    print(" ".join(sorted(f["rule"] for f in doc["findings"])))
except Exception as e:
    print("error: %s" % e)
'
}

# Replays one block held in the arrays cmds/lines/outs, at line block_line of page.
# Then grades what it did: the report's findings must be exactly the ones the block
# declares (`findings: RULE...` in its docs.readme marker, after a ';' when it has server
# arguments), none by default. A transcript is what we teach, so a finding it did not
# mean to show is either a bad example or a false positive of the report.
replay_block() {
    local args=$1 expected_findings=
    if [[ $args =~ ^(.*)\;\ findings:\ (.*)$ ]]; then
        args=${BASH_REMATCH[1]}
        expected_findings=$(tr ' ' '\n' <<<"${BASH_REMATCH[2]}" | LC_ALL=C sort | xargs)
    elif [[ $args =~ ^findings:\ (.*)$ ]]; then
        args=
        expected_findings=$(tr ' ' '\n' <<<"${BASH_REMATCH[1]}" | LC_ALL=C sort | xargs)
    fi
    server_start "$args" || { failed=$((failed + 1)); return; }
    local i
    for i in "${!cmds[@]}"; do
        run_command "${lines[$i]}" "${cmds[$i]}" "${outs[$i]}"
    done
    local found
    local interval=1
    [[ " $expected_findings " == *" poll-too-fast "* ]] && interval=1000
    found=$(report_findings "$args" "$interval")
    if [ "${DOCS_README_PRINT:-0}" = 1 ]; then
        echo "# $page:$block_line: report findings: ${found:-(none)}"
    fi
    if [ "$found" == "$expected_findings" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $page:$block_line: the report's findings are \"${found:-none}\"," \
            "the block declares \"${expected_findings:-none}\" (docs.readme: ...; findings: RULE...)"
    fi
    server_stop
}

# Ends the command being read (pending, with its output current_out): into cmds/lines/outs.
# Uses the variables of replay_page.
finish_command() {
    if [ -n "$pending" ]; then
        cmds+=("$pending")
        lines+=("$pending_line")
        outs+=("${current_out}")
    fi
    pending=
    current_out=
}

# Replays every console block of one page (relative to src); counts them. The page is
# read on descriptor 3, so that no command of a block can read it.
replay_page() {
    local page=$1 line prev= line_no=0 in_block=0 block_args= block_line=0 replayable=1 skip=0
    local continuing=0 pending= pending_line=0
    local page_blocks=0 page_replayed=0 page_skipped=0
    cmds=()
    lines=()
    outs=()
    current_out=
    while IFS= read -r line <&3 || [ -n "$line" ]; do
        line_no=$((line_no + 1))
        if [ "$in_block" = 0 ]; then
            if [ "$line" = '```console' ]; then
                in_block=1
                block_args=
                if [[ $prev =~ ^\<!--\ docs\.readme:\ (.*)\ --\>$ ]]; then
                    block_args=${BASH_REMATCH[1]}
                fi
                block_line=$line_no
                replayable=1
                skip=0
                if [[ $block_args == skip:\ ?* ]]; then
                    skip=1
                elif [[ $block_args == skip* ]]; then
                    echo "FAIL: $page:$line_no: a skipped block must say why (docs.readme: skip: REASON)"
                    failed=$((failed + 1))
                    skip=1
                fi
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
            page_blocks=$((page_blocks + 1))
            if [ "$skip" = 1 ]; then
                page_skipped=$((page_skipped + 1))
            elif [ "$replayable" = 1 ] && [ "${#cmds[@]}" -gt 0 ]; then
                page_replayed=$((page_replayed + 1))
                replay_block "$block_args"
            else
                echo "FAIL: $page:$block_line: a console block that is not replayed (a command other than" \
                    "curl or campaign-mock, or no command): make it replayable or mark it" \
                    "<!-- docs.readme: skip: REASON -->"
                failed=$((failed + 1))
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
    done 3<"$src/$page"

    if [ "$in_block" = 1 ]; then
        echo "FAIL: $page:$block_line: a console block that is never closed"
        failed=$((failed + 1))
    fi
    local note=""
    [ "$page_skipped" -gt 0 ] && note=" ($page_skipped marked skip)"
    echo "$page: $page_replayed transcripts replayed$note"
    replayed=$((replayed + page_replayed))
    skipped=$((skipped + page_skipped))
}

for page in "${pages[@]}"; do
    replay_page "$page"
done

# --- links -----------------------------------------------------------------------------

# The anchors of a Markdown file's headings, one a line, as GitHub makes them: lower
# case, every character but letters, digits, ' ', '_' and '-' dropped, spaces as '-',
# and "-1", "-2", ... after a repeated one. Headings inside fenced blocks are not ones.
anchors_of() {
    awk '
        /^(```|~~~)/ { fence = !fence; next }
        fence { next }
        /^##?#?#?#?#? / {
            h = $0
            sub(/^#+ +/, "", h)
            sub(/ +#+ *$/, "", h)
            h = tolower(h)
            gsub(/[^a-z0-9 _-]/, "", h)
            gsub(/ /, "-", h)
            if (h in seen) { seen[h]++; print h "-" seen[h] } else { seen[h] = 0; print h }
        }' "$1"
}

# The links of a Markdown file outside fenced blocks and code spans: "LINE TARGET".
links_of() {
    awk '
        /^(```|~~~)/ { fence = !fence; next }
        fence { next }
        {
            s = $0
            gsub(/`[^`]*`/, "", s)
            while (match(s, /\]\([^) ]+\)/)) {
                print NR " " substr(s, RSTART + 2, RLENGTH - 3)
                s = substr(s, RSTART + RLENGTH)
            }
        }' "$1"
}

# Checks every relative link of the files given (paths under the directory root);
# prints one line per broken link and returns how many there were.
check_links() {
    local root=$1
    shift
    local file line target path anchor dir bad=0
    for file in "$@"; do
        dir=$(dirname "$file")
        while read -r line target; do
            case $target in http:* | https:* | mailto:*) continue ;; esac
            path=${target%%#*}
            anchor=
            [[ $target == *'#'* ]] && anchor=${target#*#}
            if [ -z "$path" ]; then
                path=$file
            else
                path=$dir/$path
            fi
            if [ ! -e "$root/$path" ]; then
                echo "FAIL: $file:$line: link to a missing file: $target"
                bad=$((bad + 1))
            elif [ -n "$anchor" ] && ! anchors_of "$root/$path" | grep -qxF -- "$anchor"; then
                echo "FAIL: $file:$line: link to a missing anchor: $target (no such heading in ${path#./})"
                bad=$((bad + 1))
            fi
        done < <(links_of "$root/$file")
    done
    return "$bad"
}

# The checker must see a broken link: a scratch page with two good links and two bad.
links_selftest() {
    local d=$work/links-selftest
    mkdir -p "$d/sub"
    printf '%s\n' '# Top' '## The "same" heading' '## The "same" heading' >"$d/sub/b.md"
    printf '%s\n' '# A' '[ok](sub/b.md#the-same-heading-1) [ok](#a) `[code](nowhere.md)`' \
        '[bad](sub/b.md#nowhere) [gone](sub/c.md) [web](https://example.com/x.md)' \
        '```' '[fenced](nowhere.md)' '```' >"$d/a.md"
    local out
    out=$(check_links "$d" a.md)
    if [ "$(printf '%s\n' "$out" | grep -c '^FAIL')" != 2 ]; then
        echo "FAIL: the link checker's self-test: expected 2 broken links in a scratch page, got:"
        printf '%s\n' "$out" | sed 's/^/    /'
        return 1
    fi
}

link_files=(README.md CONTRIBUTING.md CHANGELOG.md)
for f in "$src"/docs/*.md "$src"/clients/*/README.md; do
    [ -e "$f" ] && link_files+=("${f#"$src"/}")
done
if ! links_selftest; then
    failed=$((failed + 1))
fi
check_links "$src" "${link_files[@]}"
broken=$?
failed=$((failed + broken))
echo "links: ${#link_files[@]} pages checked, $broken broken"

# Every operation of the OpenAPI document is findable in the control API's guide, which
# names each operationId (in backquotes) beside the section that explains it.
guide=docs/control-api.md
ops=0
for op in $(sed -n 's/^ *operationId: *//p' "$src/schema/openapi.yaml"); do
    ops=$((ops + 1))
    if ! grep -qF -- "\`$op\`" "$src/$guide"; then
        echo "FAIL: $guide does not name the operation $op of schema/openapi.yaml"
        failed=$((failed + 1))
    fi
done
if [ "$ops" = 0 ]; then
    echo "FAIL: no operationId read from schema/openapi.yaml"
    failed=$((failed + 1))
fi
echo "operations: $ops of schema/openapi.yaml looked up in $guide"


if [ "$replayed" = 0 ]; then
    echo "docs.readme: no replayable console block in ${pages[*]}"
    failed=$((failed + 1))
fi
echo "$replayed transcripts replayed in ${#pages[@]} pages, $skipped marked skip"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
