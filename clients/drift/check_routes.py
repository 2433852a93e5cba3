#!/usr/bin/env python3
"""clients.drift: the client helpers' route tables agree with schema/openapi.yaml.

For each helper (Node, Python, Java) it reads the one table of routes the helper
calls and the helper's list of control routes it leaves out (each with its reason),
and fails when:
  - a control route of the OpenAPI document (a path that is /_mock or under /_mock/,
    with one of its methods) is neither in the table nor in the exclusion list;
  - a table entry (method + path template) is not an operation of the document;
  - a table entry named after an operation (Node and Python key their tables by
    operationId) carries another operation's name;
  - an entry is in the table twice; an exclusion has no reason, is not an operation
    of the document (stale), or contradicts the table (excluded and present).

Where the tables are:
  node    clients/node/campaign-mock.mjs, between the lines "// routes:begin" and
          "// routes:end", one entry a line: ROUTES entries  name: ['METHOD', '/path'],
          and EXCLUDED_ROUTES entries  'METHOD /path': 'reason',
  python  clients/python/campaign_mock: the dicts ROUTES and EXCLUDED_ROUTES, imported
  java    clients/java/src/main/java/io/campaignmock/Routes.java: every string
          literal "METHOD /path"; those between "// BEGIN EXCLUDED ROUTES" and
          "// END EXCLUDED ROUTES" are exclusions, each followed by its reason literal

The Java client may not be part of the build: when Routes.java does not exist, the
Java check is reported "not present" and passes only with CLIENTS_JAVA=off in the
environment (clients/drift/CMakeLists.txt sets it when clients/java has no
CMakeLists.txt); otherwise it fails. A Routes.java that exists is always checked.

The OpenAPI document is read with a small line-based parser (no YAML library): path
keys at two spaces of indentation under the top-level "paths:", methods at four,
operationId at six. A self-test runs first on a small document and deliberately
drifted tables, so a parser or a check that stopped seeing problems fails too.

It also keeps the documentation's copies of the "Your first test" examples (which ctest
runs) equal to the files: a fenced block of a page (README.md or docs/*.md, today
docs/test-helpers.md) right after a line
"<!-- clients.drift: clients/node/examples/first.test.mjs -->" must hold that file's
text exactly. An example that no such line names is reported and skipped.

Prints one line per problem, one line per check, then "N passed, N failed[, N
skipped]"; exit status 1 on any failure.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

Route = Tuple[str, str]  # (METHOD, path template)
# (name or None, method, path, where: a line number or a key, for the messages)
Entry = Tuple[Optional[str], str, str, str]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
PATH_LINE = re.compile(r"""^  (["']?)(/[^"']*)\1:\s*(#.*)?$""")
METHOD_LINE = re.compile(r"^    (%s):\s*(#.*)?$" % "|".join(HTTP_METHODS))
OPERATION_LINE = re.compile(r"""^      operationId:\s*["']?([A-Za-z0-9_.-]+)["']?\s*(#.*)?$""")
NODE_ENTRY = re.compile(r"""^\s*(\w+):\s*\[\s*(["'])([A-Z]+)\2\s*,\s*(["'])(/[^"']*)\4\s*\],?\s*(//.*)?$""")
NODE_EXCLUDED = re.compile(r"""^\s*(["'])([A-Z]+) (/[^"'\s]*)\1\s*:\s*(["'])(.*)\4,?\s*(//.*)?$""")
NODE_OPEN = re.compile(r"^\s*export\s+const\s+(ROUTES|EXCLUDED_ROUTES)\s*=\s*Object\.freeze\(\{\s*$")
NODE_FRAME = re.compile(r"^\s*(\}\);?|//.*)?\s*$")
JAVA_LITERAL = re.compile(r'"(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS|TRACE) (/[^"\s]*)"')
JAVA_EXCLUDED = re.compile(r'"(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS|TRACE) (/[^"\s]*)"\s*,\s*"((?:[^"\\]|\\.)*)"')


def is_control(path: str) -> bool:
    return path == "/_mock" or path.startswith("/_mock/")


def parse_openapi(text: str) -> Dict[Route, Optional[str]]:
    """(METHOD, path) -> operationId (None when the operation has none)."""
    routes: Dict[Route, Optional[str]] = {}
    in_paths = False
    path: Optional[str] = None
    current: Optional[Route] = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            in_paths = re.match(r"^paths:\s*(#.*)?$", line) is not None
            path = current = None
            continue
        if not in_paths:
            continue
        m = PATH_LINE.match(line)
        if m:
            path, current = m.group(2), None
            continue
        if re.match(r"^  \S", line):  # another key at path level: not a path
            path = current = None
            continue
        m = METHOD_LINE.match(line)
        if m and path is not None:
            current = (m.group(1).upper(), path)
            routes[current] = None
            continue
        if re.match(r"^    \S", line):  # parameters, summary, ...: not an operation
            current = None
            continue
        m = OPERATION_LINE.match(line)
        if m and current is not None:
            routes[current] = m.group(1)
    return routes


def node_table(text: str) -> Tuple[List[Entry], Dict[Route, str], List[str]]:
    """The ROUTES and EXCLUDED_ROUTES entries between the routes:begin and routes:end
    lines, and the problems."""
    lines = text.splitlines()
    begins = [i for i, l in enumerate(lines) if l.strip() == "// routes:begin"]
    ends = [i for i, l in enumerate(lines) if l.strip() == "// routes:end"]
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        return [], {}, ["the file needs exactly one '// routes:begin' line and one '// routes:end' line after it"]
    entries: List[Entry] = []
    excluded: Dict[Route, str] = {}
    problems: List[str] = []
    table: Optional[str] = None
    for i in range(begins[0] + 1, ends[0]):
        line = lines[i]
        opening = NODE_OPEN.match(line)
        if opening:
            table = opening.group(1)
            continue
        m = NODE_ENTRY.match(line)
        if m and table == "ROUTES":
            entries.append((m.group(1), m.group(3), m.group(5), "line %d" % (i + 1)))
            continue
        m = NODE_EXCLUDED.match(line)
        if m and table == "EXCLUDED_ROUTES":
            excluded[(m.group(2), m.group(3))] = m.group(5)
            continue
        if not NODE_FRAME.match(line):
            problems.append("line %d: not an entry of ROUTES (name: ['METHOD', '/path'],) or of EXCLUDED_ROUTES "
                            "('METHOD /path': 'reason',): %s" % (i + 1, line.strip()))
    return entries, excluded, problems


def python_table(package_dir: str) -> Tuple[List[Entry], Dict[Route, str], List[str]]:
    sys.path.insert(0, package_dir)
    try:
        module = importlib.import_module("campaign_mock")
    except Exception as err:  # the check reports it, whatever it is
        return [], {}, ["cannot import campaign_mock from %s: %s" % (package_dir, err)]
    finally:
        sys.path.remove(package_dir)
    table = getattr(module, "ROUTES", None)
    excluded = getattr(module, "EXCLUDED_ROUTES", {})
    if not isinstance(table, dict) or not isinstance(excluded, dict):
        return [], {}, ["campaign_mock.ROUTES and campaign_mock.EXCLUDED_ROUTES must be dicts"]
    entries: List[Entry] = []
    problems: List[str] = []
    for name, route in table.items():
        if (not isinstance(route, tuple) or len(route) != 2
                or not all(isinstance(x, str) for x in route)):
            problems.append("ROUTES[%r]: not a (method, path) tuple: %r" % (name, route))
            continue
        entries.append((name, route[0], route[1], "ROUTES[%r]" % name))
    out: Dict[Route, str] = {}
    for route, reason in excluded.items():
        if (not isinstance(route, tuple) or len(route) != 2 or not isinstance(reason, str)):
            problems.append("EXCLUDED_ROUTES[%r]: not (method, path): reason" % (route,))
            continue
        out[(route[0], route[1])] = reason
    return entries, out, problems


def java_table(text: str) -> Tuple[List[Entry], Dict[Route, str], List[str]]:
    """Route literals outside the EXCLUDED block are entries; inside it, each route
    literal followed by a reason literal is an exclusion."""
    lines = text.splitlines()
    begins = [i for i, l in enumerate(lines) if l.strip() == "// BEGIN EXCLUDED ROUTES"]
    ends = [i for i, l in enumerate(lines) if l.strip() == "// END EXCLUDED ROUTES"]
    problems: List[str] = []
    block = range(0)
    if begins or ends:
        if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
            return [], {}, ["the file needs one '// BEGIN EXCLUDED ROUTES' line and one '// END EXCLUDED ROUTES' after it"]
        block = range(begins[0] + 1, ends[0])
    entries: List[Entry] = []
    for i, line in enumerate(lines):
        if i in block:
            continue
        for m in JAVA_LITERAL.finditer(line):
            entries.append((None, m.group(1), m.group(2), "line %d" % (i + 1)))
    excluded: Dict[Route, str] = {}
    block_text = "\n".join(lines[i] for i in block)
    for m in JAVA_EXCLUDED.finditer(block_text):
        excluded[(m.group(1), m.group(2))] = m.group(3)
    literals = len(JAVA_LITERAL.findall(block_text))
    if literals != len(excluded):
        problems.append("EXCLUDED ROUTES: %d route literals, %d of them followed by a reason" % (literals, len(excluded)))
    if not entries:
        problems.append('no route literal ("METHOD /path") found')
    return entries, excluded, problems


def check(entries: Sequence[Entry], excluded: Dict[Route, str],
          spec: Dict[Route, Optional[str]]) -> List[str]:
    """The problems of one helper's table against the document."""
    problems: List[str] = []
    seen: Dict[Route, str] = {}
    for name, method, path, where in entries:
        route = (method, path)
        if route in seen:
            problems.append("%s: %s %s is in the table twice (also %s)" % (where, method, path, seen[route]))
            continue
        seen[route] = where
        if route not in spec:
            problems.append("%s: %s %s is not an operation of the OpenAPI document" % (where, method, path))
        elif name is not None and spec[route] is not None and name != spec[route]:
            problems.append("%s: %s %s is named %s; its operationId is %s" % (where, method, path, name, spec[route]))
    for route, op in sorted(spec.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if is_control(route[1]) and route not in seen and route not in excluded:
            problems.append("missing: %s %s (%s) is neither in the table nor excluded" % (route[0], route[1], op))
    for route, reason in sorted(excluded.items()):
        if not reason.strip():
            problems.append("exclusion without a reason: %s %s" % route)
        if route not in spec:
            problems.append("stale exclusion: %s %s is not an operation of the OpenAPI document" % route)
        elif route in seen:
            problems.append("excluded but in the table (%s): %s %s" % (seen[route], route[0], route[1]))
    return problems


SELFTEST_SPEC = """\
openapi: 3.1.0
paths:
  /{org}/ingest:
    post:
      operationId: trigger
  /_mock/health:
    get:
      tags: [control]
      operationId: health
  "/_mock/tenants/{org}":
    parameters:
      - $ref: "#/components/parameters/org"
    get:
      operationId: getTenant
    delete:
      summary: no operationId here
  /_mock/ui:
    get:
      operationId: dashboard
components:
  schemas:
    Thing:
      get:
        operationId: notARoute
"""


def selftest() -> List[str]:
    """What the parser and the checks must find on a small document; [] when all is well."""
    failures: List[str] = []
    spec = parse_openapi(SELFTEST_SPEC)
    want = {("POST", "/{org}/ingest"): "trigger", ("GET", "/_mock/health"): "health",
            ("GET", "/_mock/tenants/{org}"): "getTenant", ("DELETE", "/_mock/tenants/{org}"): None,
            ("GET", "/_mock/ui"): "dashboard"}
    if spec != want:
        failures.append("parse_openapi: %r, expected %r" % (spec, want))
    excluded = {("GET", "/_mock/ui"): "the dashboard"}
    good: List[Entry] = [("health", "GET", "/_mock/health", "a"), ("getTenant", "GET", "/_mock/tenants/{org}", "b"),
                         (None, "DELETE", "/_mock/tenants/{org}", "c"), ("trigger", "POST", "/{org}/ingest", "d")]
    if check(good, excluded, spec):
        failures.append("check() on a good table: %r" % check(good, excluded, spec))
    drifted: List[Entry] = [("health", "GET", "/_mock/health", "a"), ("health", "GET", "/_mock/health", "b"),
                            ("tenant", "GET", "/_mock/tenants/{org}", "c"), (None, "PUT", "/_mock/clock", "d"),
                            (None, "GET", "/_mock/ui", "e")]
    found = check(drifted, {**excluded, ("GET", "/_mock/gone"): "stale", ("POST", "/{org}/ingest"): " "}, spec)
    for needle in ("in the table twice", "its operationId is getTenant", "PUT /_mock/clock is not an operation",
                   "missing: DELETE /_mock/tenants/{org}", "stale exclusion: GET /_mock/gone",
                   "excluded but in the table (e): GET /_mock/ui", "without a reason: POST /{org}/ingest"):
        if not any(needle in p for p in found):
            failures.append("check() on a drifted table did not report %r: %r" % (needle, found))
    node, node_excluded, problems = node_table(
        "x\n// routes:begin\nexport const ROUTES = Object.freeze({\n"
        "  health: ['GET', '/_mock/health'],\n  // a comment\n"
        "  getTenant: [\"GET\", \"/_mock/tenants/{org}\"]\n  broken: 'GET /x',\n});\n"
        "export const EXCLUDED_ROUTES = Object.freeze({\n  'GET /_mock/ui': 'the dashboard',\n"
        "  ui2: ['GET', '/_mock/ui2'],\n});\n// routes:end\n")
    if [e[:3] for e in node] != [("health", "GET", "/_mock/health"), ("getTenant", "GET", "/_mock/tenants/{org}")] \
            or node_excluded != {("GET", "/_mock/ui"): "the dashboard"} \
            or len(problems) != 2 or "line 7" not in problems[0] or "line 11" not in problems[1]:
        failures.append("node_table: %r %r %r" % (node, node_excluded, problems))
    copies, problems = readme_copies("x\n<!-- clients.drift: a.js -->\n```js\nline 1\n\nline 3\n```\n"
                                     "<!-- clients.drift: b.py -->\nno fence\n")
    if copies != {"a.js": "line 1\n\nline 3\n"} or len(problems) != 1:
        failures.append("readme_copies: %r %r" % (copies, problems))
    java, java_excluded, problems = java_table(
        'String a = "POST /_mock/tenants/{org}/reset"; String b = "not a route";\n'
        '// BEGIN EXCLUDED ROUTES\nList.of(List.of("GET /_mock/ui",\n  "the dashboard"), List.of("GET /x"));\n'
        '// END EXCLUDED ROUTES\n')
    if [e[1:3] for e in java] != [("POST", "/_mock/tenants/{org}/reset")] \
            or java_excluded != {("GET", "/_mock/ui"): "the dashboard"} or len(problems) != 1:
        failures.append("java_table: %r %r %r" % (java, java_excluded, problems))
    return failures


# The "Your first test" files the documentation shows whole.
EXAMPLES = ("clients/node/examples/first.test.mjs", "clients/python/examples/test_first.py")
README_MARKER = re.compile(r"^<!-- clients\.drift: (\S+) -->$")


def readme_copies(text: str) -> Tuple[Dict[str, str], List[str]]:
    """path -> the text of the fenced block after its marker line, and the problems."""
    lines = text.splitlines()
    copies: Dict[str, str] = {}
    problems: List[str] = []
    for i, line in enumerate(lines):
        m = README_MARKER.match(line)
        if not m:
            continue
        if i + 1 >= len(lines) or not lines[i + 1].startswith("```"):
            problems.append("line %d: the marker of %s is not followed by a fenced block" % (i + 1, m.group(1)))
            continue
        end = next((j for j in range(i + 2, len(lines)) if lines[j] == "```"), None)
        if end is None:
            problems.append("line %d: the block of %s is not closed" % (i + 2, m.group(1)))
            continue
        copies[m.group(1)] = "\n".join(lines[i + 2:end]) + "\n"
    return copies, problems


def doc_pages(root: str) -> List[str]:
    """The pages that may show an example: README.md, then docs/*.md by name."""
    docs = os.path.join(root, "docs")
    names = sorted(n for n in os.listdir(docs) if n.endswith(".md")) if os.path.isdir(docs) else []
    return ["README.md"] + ["docs/" + n for n in names]


def check_readme(root: str) -> Tuple[List[str], List[str]]:
    """(problems, examples not shown) of the pages' copies of EXAMPLES."""
    problems: List[str] = []
    shown = set()
    for page in doc_pages(root):
        copies, page_problems = readme_copies(read(os.path.join(root, page)))
        problems.extend("%s: %s" % (page, p) for p in page_problems)
        for path in sorted(copies):
            if path not in EXAMPLES:
                problems.append("%s shows %s, which is not one of the examples %s" % (page, path, ", ".join(EXAMPLES)))
                continue
            shown.add(path)
            want = read(os.path.join(root, path))
            if copies[path] != want:
                got_lines, want_lines = copies[path].splitlines(), want.splitlines()
                n = next((k for k in range(max(len(got_lines), len(want_lines)))
                          if k >= len(got_lines) or k >= len(want_lines) or got_lines[k] != want_lines[k]), 0)
                problems.append("%s's copy of %s differs from the file at its line %d: %r, the file has %r"
                                % (page, path, n + 1, got_lines[n] if n < len(got_lines) else "(end)",
                                   want_lines[n] if n < len(want_lines) else "(end)"))
    return problems, [p for p in EXAMPLES if p not in shown]


def read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def main(argv: Optional[Iterable[str]] = None) -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(here)),
                        help="the repository (default: two levels above this file)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    root = args.root
    passed = failed = skipped = 0

    failures = selftest()
    for f in failures:
        print("  selftest: " + f)
    print("selftest: %s" % ("FAIL" if failures else "ok"))
    if failures:
        failed += 1
    else:
        passed += 1

    spec_path = os.path.join(root, "schema", "openapi.yaml")
    spec = parse_openapi(read(spec_path))
    control = sorted(r for r in spec if is_control(r[1]))
    # The parser must see the document, not an empty or half-read one.
    if spec.get(("GET", "/_mock/health")) != "health" or len(control) < 10:
        print("openapi: FAIL: %s: only %d control routes parsed (GET /_mock/health: %r)"
              % (spec_path, len(control), spec.get(("GET", "/_mock/health"))))
        print("%d passed, %d failed" % (passed, failed + 1))
        return 1
    print("openapi: %d operations, %d of them control routes (%s)" % (len(spec), len(control), spec_path))

    java_path = os.path.join(root, "clients", "java", "src", "main", "java", "io", "campaignmock", "Routes.java")
    helpers = [
        ("node", os.path.join(root, "clients", "node", "campaign-mock.mjs"), node_table),
        ("python", os.path.join(root, "clients", "python"), None),
        ("java", java_path, java_table),
    ]
    for helper, path, reader in helpers:
        if helper == "java" and not os.path.exists(path):
            if os.environ.get("CLIENTS_JAVA", "").lower() == "off":
                print("java: not present (%s), and CLIENTS_JAVA=off says the Java client is not built: skipped"
                      % os.path.relpath(path, root))
                skipped += 1
            else:
                print("java: FAIL: %s is not present; set CLIENTS_JAVA=off when the Java client is not built"
                      % os.path.relpath(path, root))
                failed += 1
            continue
        if reader is None:
            entries, excluded, problems = python_table(path)
        elif not os.path.exists(path):
            entries, excluded, problems = [], {}, ["%s is not present" % path]
        else:
            entries, excluded, problems = reader(read(path))
        problems += check(entries, excluded, spec)
        for p in problems:
            print("  %s: %s" % (helper, p))
        covered = sum(1 for e in entries if (e[1], e[2]) in spec and is_control(e[2]))
        summary = "%d entries, %d of the %d control routes, %d excluded" % (len(entries), covered, len(control),
                                                                           len(excluded))
        if problems:
            print("%s: FAIL (%s; %d problems)" % (helper, summary, len(problems)))
            failed += 1
        else:
            print("%s: ok (%s)" % (helper, summary))
            passed += 1

    problems, unshown = check_readme(root)
    for p in problems:
        print("  readme: " + p)
    for path in unshown:
        print("  readme: %s is not shown (no '<!-- clients.drift: %s -->' line before a fenced block)" % (path, path))
    if problems:
        print("readme: FAIL (%d problems)" % len(problems))
        failed += 1
    elif len(unshown) == len(EXAMPLES):
        print("readme: no example shown in README.md or docs/*.md: skipped")
        skipped += 1
    else:
        print("readme: ok (%d of %d examples shown, equal to their files)" % (len(EXAMPLES) - len(unshown),
                                                                           len(EXAMPLES)))
        passed += 1

    print("%d passed, %d failed" % (passed, failed) + (", %d skipped" % skipped if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
