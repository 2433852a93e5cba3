// Checks the OpenAPI document (schema/openapi.yaml) and every response the HTTP tests
// received (the JSON lines tests/http/harness.c appends to $CAMPAIGN_MOCK_RESPONSE_LOG)
// against it: path template, method, status, content type, body schema, and for
// Adobe's documented bodies the exact layout and member order. Prints
// "N passed, N failed" and exits 1 on any failure.
//
// Usage: node validate.mjs --spec schema/openapi.yaml --responses DIR [--fixtures PATH]...
//        node validate.mjs --spec schema/openapi.yaml          (the document only)
// --fixtures: fixture files or directories whose fault rules the tests load; their
// custom statuses may answer through an operation's x-fault-custom response.

import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

// The npm packages are installed by `make deps` (npm ci --prefix tests/openapi); a
// missing install must fail loudly, not look like a validation result.
let Validator, Ajv2020, addFormats, YAML;
try {
  ({ Validator } = await import("@seriousme/openapi-schema-validator"));
  ({ default: Ajv2020 } = await import("ajv/dist/2020.js"));
  ({ default: addFormats } = await import("ajv-formats"));
  YAML = await import("yaml");
} catch (e) {
  console.error(
    `openapi validation: cannot load the npm packages from ${join(here, "node_modules")} ` +
      `(${e.code || e.message}).\nInstall them with: npm ci --prefix tests/openapi ` +
      "(part of `make deps`).",
  );
  console.log("0 passed, 1 failed");
  process.exit(1);
}

function usage(msg) {
  console.error(`${msg}\nusage: node validate.mjs --spec FILE [--responses DIR] [--fixtures PATH]...`);
  process.exit(2);
}

const args = process.argv.slice(2);
let specPath = null;
let responsesDir = null;
const fixturePaths = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--spec") specPath = args[++i];
  else if (args[i] === "--responses") responsesDir = args[++i];
  else if (args[i] === "--fixtures") fixturePaths.push(args[++i]);
  else usage(`unknown argument ${args[i]}`);
}
if (!specPath) usage("--spec is required");

let passed = 0;
let failed = 0;
const failures = [];
function fail(what) {
  failed++;
  failures.push(what);
}

// --- the document ---------------------------------------------------------------------

let spec;
try {
  spec = YAML.parse(readFileSync(specPath, "utf8"), { uniqueKeys: true });
} catch (e) {
  console.error(`${specPath}: not valid YAML: ${e.message}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

const docCheck = await new Validator().validate(structuredClone(spec));
if (!docCheck.valid) {
  fail(`${specPath}: not a valid OpenAPI document:\n${JSON.stringify(docCheck.errors, null, 2)}`);
} else {
  passed++;
}

// Schemas are compiled by Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) in
// strict mode, so that a misspelled keyword in the document is an error, not a no-op.
const ROOT = "urn:campaign-mock:openapi";
const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true });
addFormats(ajv);
ajv.addKeyword({ keyword: "example" });

function rewriteRefs(node) {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node && typeof node === "object") {
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string" && v.startsWith("#/components/schemas/"))
        out[k] = `${ROOT}#/$defs/${v.slice("#/components/schemas/".length)}`;
      else out[k] = rewriteRefs(v);
    }
    return out;
  }
  return node;
}

try {
  ajv.addSchema({ $id: ROOT, $defs: rewriteRefs(spec.components?.schemas ?? {}) });
} catch (e) {
  fail(`${specPath}: components.schemas: ${e.message}`);
}

function resolve(obj) {
  // One level of $ref to components (responses, headers, parameters).
  while (obj && typeof obj.$ref === "string" && obj.$ref.startsWith("#/")) {
    let target = spec;
    for (const part of obj.$ref.slice(2).split("/")) target = target?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
    if (!target) throw new Error(`unresolved $ref ${obj.$ref}`);
    obj = target;
  }
  return obj;
}

const compiled = new Map(); // media type object -> validate function
function validatorFor(media, where) {
  if (compiled.has(media)) return compiled.get(media);
  let fn = null;
  try {
    fn = ajv.compile(rewriteRefs(media.schema ?? {}));
  } catch (e) {
    fail(`${specPath}: ${where}: schema does not compile: ${e.message}`);
    fn = () => true;
  }
  compiled.set(media, fn);
  return fn;
}

function ajvErrors(fn) {
  return (fn.errors ?? [])
    .slice(0, 8)
    .map((e) => `${e.instancePath || "(body)"} ${e.message}${e.params ? " " + JSON.stringify(e.params) : ""}`)
    .join("; ");
}

// Adobe's layout: one line, ", " between members, ": " after names; compact: no space.
function layoutOf(value, layout) {
  if (layout === "compact") return JSON.stringify(value);
  if (layout === "adobe") {
    if (!value || typeof value !== "object" || Array.isArray(value)) return JSON.stringify(value);
    return "{" + Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${layoutOf(v, layout)}`).join(", ") + "}";
  }
  throw new Error(`unknown x-json-layout ${layout}`);
}

function keyOrderProblem(value, order) {
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const keys = Object.keys(value);
  const expected = order.filter((k) => keys.includes(k));
  const actual = keys.filter((k) => order.includes(k));
  return expected.join(",") === actual.join(",") ? null : `members in order ${actual.join(", ")}; expected ${expected.join(", ")}`;
}

// Every response object of the document, with where it is, for the checks below.
const responseObjects = [];
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
for (const [template, item] of Object.entries(spec.paths ?? {})) {
  for (const m of METHODS) {
    if (!item[m]) continue;
    for (const [status, r] of Object.entries(item[m].responses ?? {}))
      responseObjects.push([`${m.toUpperCase()} ${template} ${status}`, r]);
  }
}
for (const ext of ["x-unrouted-responses", "x-any-request-responses"])
  for (const [status, r] of Object.entries(spec[ext] ?? {})) responseObjects.push([`${ext} ${status}`, r]);

// The document's own examples must satisfy their schemas and member orders.
let examples = 0;
for (const [where, ref] of responseObjects) {
  let r;
  try {
    r = resolve(ref);
  } catch (e) {
    fail(`${specPath}: ${where}: ${e.message}`);
    continue;
  }
  for (const [type, media] of Object.entries(r.content ?? {})) {
    const fn = validatorFor(media, `${where} ${type}`);
    const values = [];
    if ("example" in media) values.push(["example", media.example]);
    for (const [name, ex] of Object.entries(media.examples ?? {})) values.push([`examples.${name}`, resolve(ex).value]);
    for (const [name, value] of values) {
      examples++;
      if (!fn(value)) fail(`${specPath}: ${where} ${type} ${name} does not match its schema: ${ajvErrors(fn)}`);
      const order = media["x-key-order"] && keyOrderProblem(value, media["x-key-order"]);
      if (order) fail(`${specPath}: ${where} ${type} ${name}: ${order}`);
    }
  }
}

// --- routing, as server/http/router.c does it -------------------------------------------

const segmentMax = spec["x-path-segment-max-bytes"] ?? Infinity;
const templates = Object.keys(spec.paths ?? {}).map((t) => ({
  template: t,
  segments: t.split("/").slice(1),
}));

// %XX decoding as the server does it: bytes, then UTF-8.
function decodePath(raw) {
  const bytes = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "%" && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(c, "utf8")) bytes.push(b);
    }
  }
  const buf = Buffer.from(bytes);
  let text;
  let valid = true;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(buf);
  } catch {
    valid = false;
    text = buf.toString("latin1");
  }
  // The server refuses control characters and invalid UTF-8 before routing (404).
  if (/[\x00-\x1f\x7f]/.test(text)) valid = false;
  return { text, valid };
}

// The server splits the path as sent, then decodes each segment: an encoded "/" stays
// inside its segment, and a parameter that holds one matches no route.
function route(path) {
  const { text, valid } = decodePath(path);
  if (!valid || !text.startsWith("/")) return null;
  const segs = path.split("/").slice(1).map((raw) => decodePath(raw).text);
  for (const t of templates) {
    if (t.segments.length !== segs.length) continue;
    let ok = true;
    for (let i = 0; i < segs.length && ok; i++) {
      const p = t.segments[i];
      if (p.startsWith("{") && p.endsWith("}"))
        ok =
          segs[i].length > 0 &&
          !segs[i].includes("/") &&
          Buffer.byteLength(segs[i], "utf8") <= segmentMax;
      else ok = p === segs[i];
    }
    if (ok) return t.template;
  }
  return null;
}

// --- the responses ------------------------------------------------------------------------

function pickResponse(responses, status) {
  const s = String(status);
  return responses?.[s] ?? responses?.[`${s[0]}XX`] ?? null;
}

function pickMedia(content, contentType) {
  if (!content) return null;
  if (contentType !== null && content[contentType]) return [contentType, content[contentType]];
  const base = contentType ? contentType.split(";")[0].trim().toLowerCase() : null;
  if (base && content[`${base.split("/")[0]}/*`]) return [`${base.split("/")[0]}/*`, content[`${base.split("/")[0]}/*`]];
  if (content["*/*"]) return ["*/*", content["*/*"]];
  return null;
}

const exercised = new Map(); // "METHOD template" -> count

// Statuses of the custom fault actions ({"status": N, ...}) this run created: only those
// may answer through an operation's x-fault-custom response. Learnt from the rules the
// control API echoed (POST and GET /_mock/faults) and from fixture files (--fixtures).
const customStatuses = new Set();
function learnRules(rules) {
  for (const r of Array.isArray(rules) ? rules : [])
    if (r && r.action && Number.isInteger(r.action.status)) customStatuses.add(r.action.status);
}
function learnFromEntry(entry) {
  const path = (entry.path ?? "").split("?")[0];
  if (path !== "/_mock/faults" || !/json/i.test(entry.contentType ?? "")) return;
  if (!((entry.method === "POST" && entry.status === 201) || (entry.method === "GET" && entry.status === 200))) return;
  try {
    const v = JSON.parse(entry.body);
    learnRules(Array.isArray(v?.faults) ? v.faults : [v]);
  } catch {
    // a body that is not JSON fails its own check
  }
}

// The problems of one response against one documented response object.
function problemsAgainst(responseRef, entry, source) {
  const problems = [];
  const { method, status, contentType } = entry;
  const response = resolve(responseRef);
  const body = entry.body ?? "";
  if (!response.content) {
    if (body.length) problems.push(`a body where ${source} ${status} documents none`);
    return problems;
  }
  const picked = pickMedia(response.content, contentType);
  if (!picked) {
    problems.push(`Content-Type ${JSON.stringify(contentType)}; documented: ${Object.keys(response.content).join(" | ")}`);
    return problems;
  }
  if (method === "HEAD") {
    if (body.length) problems.push("a body in the answer to HEAD");
    return problems;
  }
  const [type, media] = picked;
  const fn = validatorFor(media, `${source} ${status} ${type}`);
  const isJson = /json/i.test(type);
  let value = body;
  if (entry.invalidUtf8) problems.push("the body is not valid UTF-8");
  if (isJson) {
    try {
      value = JSON.parse(body);
    } catch (e) {
      problems.push(`the body is not JSON (${e.message}): ${JSON.stringify(body.slice(0, 200))}`);
      return problems;
    }
  }
  // "*/*" stands for bodies of any type (a fault rule's own): checked only when the
  // document gives a schema.
  if (type === "*/*" && Object.keys(media.schema ?? {}).length === 0) return problems;
  if (!fn(value)) problems.push(`body does not match the schema: ${ajvErrors(fn)}; body: ${body.slice(0, 300)}`);
  const layout = media["x-json-layout"];
  if (isJson && layout && layoutOf(value, layout) !== body)
    problems.push(`body is not in the ${layout} layout: ${JSON.stringify(body.slice(0, 300))}`);
  const order = media["x-key-order"] && keyOrderProblem(value, media["x-key-order"]);
  if (order) problems.push(order);
  return problems;
}

function checkOne(entry, where) {
  const { method, status } = entry;
  const fullPath = entry.path ?? "/";
  const path = fullPath.split("?")[0];
  const label = `${method} ${fullPath.length > 160 ? fullPath.slice(0, 160) + "..." : fullPath} -> ${status}`;
  let problems = [];

  const template = route(path);
  const op = template ? spec.paths[template][method.toLowerCase()] : null;
  if (op) {
    const source = `${method} ${template}`;
    exercised.set(source, (exercised.get(source) ?? 0) + 1);
    const explicit = pickResponse(op.responses, status) ?? pickResponse(spec["x-any-request-responses"], status);
    const fallback = op.responses?.default ? resolve(op.responses.default) : null;
    const custom = fallback?.["x-fault-custom"] && customStatuses.has(status);
    if (explicit) {
      problems = problemsAgainst(explicit, entry, source);
      if (problems.length && custom) problems = problemsAgainst(fallback, entry, source);
    } else if (fallback && !fallback["x-fault-custom"]) {
      problems = problemsAgainst(fallback, entry, source);
    } else if (custom) {
      problems = problemsAgainst(fallback, entry, source);
    } else {
      problems.push(
        `status ${status} is not documented for ${source} (documented: ${Object.keys(op.responses ?? {}).join(", ")}` +
          (fallback ? `; default only for a custom fault rule's status, and this run made none with ${status})` : ")"),
      );
    }
  } else {
    const source = template ? `${template} (no ${method} operation)` : "(no path template)";
    let ref = pickResponse(spec["x-any-request-responses"], status);
    const expected = template ? "405" : "404";
    if (!ref) ref = String(status) === expected ? spec["x-unrouted-responses"]?.[expected] : null;
    if (ref) problems = problemsAgainst(ref, entry, source);
    else problems.push(`status ${status} for ${source}; expected ${expected}`);
  }
  if (problems.length) fail(`${label}\n    ${problems.join("\n    ")}\n    (${where})`);
  else passed++;
}

function learnFromFixtures(path) {
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) {
    for (const f of readdirSync(path)) learnFromFixtures(join(path, f));
  } else if (path.endsWith(".json")) {
    try {
      learnRules(JSON.parse(readFileSync(path, "utf8")).faults);
    } catch {
      // not a fixture file (or a deliberately broken one): no rules from it
    }
  }
}
for (const f of fixturePaths) learnFromFixtures(f);

let responses = 0;
if (responsesDir !== null) {
  if (!existsSync(responsesDir)) {
    fail(`${responsesDir}: no such directory: the HTTP tests logged no response (are they built with the harness that logs, and was CAMPAIGN_MOCK_RESPONSE_LOG set?)`);
  } else {
    const files = readdirSync(responsesDir).filter((f) => f.endsWith(".jsonl")).sort();
    const strict = new TextDecoder("utf-8", { fatal: true });
    const lax = new TextDecoder("utf-8");
    const entries = [];
    for (const file of files) {
      const data = readFileSync(join(responsesDir, file));
      let start = 0;
      let lineNo = 0;
      while (start < data.length) {
        let end = data.indexOf(0x0a, start);
        if (end < 0) end = data.length;
        const bytes = data.subarray(start, end);
        start = end + 1;
        lineNo++;
        if (!bytes.length) continue;
        let text;
        let invalidUtf8 = false;
        try {
          text = strict.decode(bytes);
        } catch {
          invalidUtf8 = true;
          text = lax.decode(bytes);
        }
        let entry;
        try {
          entry = JSON.parse(text);
        } catch (e) {
          fail(`${file}:${lineNo}: not a JSON line (${e.message})`);
          continue;
        }
        entry.invalidUtf8 = invalidUtf8;
        entries.push([entry, `${file}:${lineNo}`]);
        learnFromEntry(entry);
      }
    }
    for (const [entry, where] of entries) checkOne(entry, where);
    responses = entries.length;
    if (responses === 0)
      fail(`${responsesDir}: no response logged: run the HTTP tests first (ctest runs them before this test)`);
  }
}

// --- report -------------------------------------------------------------------------------

for (const f of failures) console.log(`FAIL ${f}`);
const ops = [];
for (const [template, item] of Object.entries(spec.paths ?? {}))
  for (const m of METHODS) if (item[m]) ops.push(`${m.toUpperCase()} ${template}`);
const unexercised = ops.filter((o) => !exercised.has(o));
console.log(
  `document: ${examples} examples checked; responses: ${responses} logged, ` +
    `${ops.length - unexercised.length} of ${ops.length} operations exercised`,
);
if (responsesDir !== null && unexercised.length) console.log(`not exercised: ${unexercised.join("; ")}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
