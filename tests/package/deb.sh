#!/bin/sh
# Package test (ctest: package.deb). Builds the .deb with CPack from this build, checks
# its metadata and its exact file list, unpacks it into a scratch root (dpkg -x, no
# system change) and runs the campaign-mock found there: --version, check of the
# installed fixtures, a server that a probe finds healthy and whose dashboard is served,
# and a man page that documents every option --help lists.
#   tests/package/deb.sh BUILD_DIR
set -u
build=${1:?usage: deb.sh BUILD_DIR}
work=$(mktemp -d "${TMPDIR:-/tmp}/cm-deb-XXXXXX") || exit 1
pid=
cleanup() {
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
failed=0
fail() {
    echo "FAIL: $*"
    failed=$((failed + 1))
}

if ! (cd "$build" && cpack -G DEB -B "$work/pkg") >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log"
    fail "cpack"
    exit 1
fi
deb=$(ls "$work"/pkg/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { fail "no .deb made"; exit 1; }
echo "package: ${deb##*/}"

[ "$(dpkg-deb -f "$deb" Package)" = campaign-mock ] || fail "Package: $(dpkg-deb -f "$deb" Package)"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libmicrohttpd12 libgnutls30 libsqlite3-0 libcjson1; do
    case ", $depends" in *", $lib "* | *", $lib,"* | *", $lib") ;; *) fail "Depends lacks $lib" ;; esac
done

# Every file, exactly: a file added or lost is a decision, written here.
dpkg-deb -c "$deb" | awk '{print $6}' | grep -v '/$' | sort >"$work/files"
cat >"$work/expected" <<'LIST'
./usr/bin/campaign-mock
./usr/share/campaign-mock/fixtures.schema.json
./usr/share/campaign-mock/fixtures/acs-docs.json
./usr/share/campaign-mock/openapi.yaml
./usr/share/campaign-mock/preload/campaign-mock-preload.js
./usr/share/campaign-mock/preload/sitecustomize.py
./usr/share/doc/campaign-mock/CHANGELOG.md
./usr/share/doc/campaign-mock/CONTRIBUTING.md
./usr/share/doc/campaign-mock/README.md
./usr/share/doc/campaign-mock/copyright
./usr/share/doc/campaign-mock/docs/architecture.md
./usr/share/doc/campaign-mock/docs/configuration.md
./usr/share/doc/campaign-mock/docs/control-api.md
./usr/share/doc/campaign-mock/docs/docker.md
./usr/share/doc/campaign-mock/docs/faults.md
./usr/share/doc/campaign-mock/docs/fidelity.md
./usr/share/doc/campaign-mock/docs/fixtures.md
./usr/share/doc/campaign-mock/docs/hacking.md
./usr/share/doc/campaign-mock/docs/real-clients.md
./usr/share/doc/campaign-mock/docs/recipes.md
./usr/share/doc/campaign-mock/docs/report.md
./usr/share/doc/campaign-mock/docs/responses.md
./usr/share/doc/campaign-mock/docs/test-helpers.md
./usr/share/doc/campaign-mock/docs/testing.md
./usr/share/man/man1/campaign-mock.1.gz
LIST
if ! diff "$work/expected" "$work/files" >"$work/diff"; then
    fail "the package's files differ from the list (- expected, + found):"
    sed 's/^/    /' "$work/diff"
fi

dpkg -x "$deb" "$work/root" || { fail "dpkg -x"; exit 1; }
bin=$work/root/usr/bin/campaign-mock
out=$("$bin" --version 2>&1)
case $out in "campaign-mock "[0-9]*.[0-9]*.[0-9]*" ("*")") echo "$out" ;; *) fail "--version: $out" ;; esac
out=$("$bin" check "$work/root/usr/share/campaign-mock/fixtures" 2>&1)
[ "$out" = ok ] || fail "check of the installed fixtures: $out"

"$bin" --port 0 --port-file "$work/port" --fixtures "$work/root/usr/share/campaign-mock/fixtures" \
    >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
    [ -s "$work/port" ] && break
    sleep 0.05
done
port=$(head -n 1 "$work/port" 2>/dev/null)
if [ -z "$port" ]; then
    fail "the installed server did not start"
    cat "$work/server.log"
else
    "$bin" probe "http://127.0.0.1:$port" || fail "probe of the installed server"
    code=$(curl -s -o "$work/ui.html" -w '%{http_code}' "http://127.0.0.1:$port/_mock/ui")
    [ "$code" = 200 ] && grep -q '<title>' "$work/ui.html" || fail "dashboard: HTTP $code"
    kill -TERM "$pid"
    wait "$pid" || fail "the installed server exited $?"
fi
pid=

# The man page names every option of --help, and man renders it (when man is there).
page=$work/root/usr/share/man/man1/campaign-mock.1.gz
for opt in $("$bin" --help | sed -n 's/^  \(--[a-z-]*\).*/\1/p'); do
    roff=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
    zcat "$page" | grep -q "^\\\\fB$roff" || fail "the man page lacks $opt"
done
if command -v man >/dev/null 2>&1; then
    warnings=$(MANWIDTH=80 man -l "$page" 2>&1 >/dev/null)
    [ -z "$warnings" ] || fail "man -l: $warnings"
fi

if [ "$failed" -gt 0 ]; then
    echo "package.deb: $failed failed"
    exit 1
fi
echo "package.deb: ok ($(wc -l <"$work/files") files)"
