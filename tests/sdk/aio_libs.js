// sdk.aio_libs: Adobe's own Node libraries, unchanged, on Adobe's real https URLs, against
// campaign-mock's HTTPS listener through preload/node/campaign-mock-preload.js.
//
// The parent (run by ctest, CAMPAIGN_MOCK_BIN and CAMPAIGN_MOCK_SOURCE set) starts the
// server with --tls-port 0 --auth strict in a temporary directory, checks the preload's
// own failures (no port, no CA) in short child processes, then runs this same file with
// --client in a child Node process that has only what a user's shell would have after
// `campaign-mock env`: NODE_OPTIONS=--require <preload>, NODE_EXTRA_CA_CERTS=<dir>/ca.pem,
// CAMPAIGN_MOCK_TLS_PORT. The client runs, with @adobe/aio-lib-ims,
// @adobe/aio-lib-campaign-standard and @adobe/aio-lib-core-networking (tests/sdk/package.json):
// an OAuth server-to-server token (prod and stage IMS), a JWT exchange, a trigger, the
// polls to Success, the same request read with https.get and the global fetch (undici),
// a 429 on the trigger waited out by its Retry-After (by the test, then by
// HttpExponentialBackoff itself), and then checks the mock's journal: every call came in
// on Adobe's host names, in the order and with the statuses expected. It also checks that
// the preload refuses every other name. The server stops with SIGTERM at the end.
//
// Prints one "ok"/"not ok" line per check and "N passed, N failed"; exits 1 on any failure.
"use strict";

const { spawn, spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const dns = require("node:dns");
const fs = require("node:fs");
const https = require("node:https");
const os = require("node:os");
const path = require("node:path");

const NAME = "sdk.aio_libs";
const HERE = __dirname;

// The IMS client of tests/docs/clients.json, with the SQL role, tenant acme only.
const CLIENT_ID = "my-client-id";
const CLIENT_SECRET = "my-client-secret";
const ORG_ID = "ABC123@AdobeOrg";
const TECH_ACCOUNT = "60C00F1F3513C211E07EC7C0@techacct.adobe.com";
const SCOPES = ["AdobeID", "openid", "read_organizations", "campaign_sdk"];

const IMS_HOST = "ims-na1.adobelogin.com";
const IMS_STAGE_HOST = "ims-na1-stg1.adobelogin.com";
const API_HOST = "mc.adobe.io";
// A name the server's certificate gets through --tls-host and the client sends to the
// mock through CAMPAIGN_MOCK_TLS_HOST; and one the client sends but the certificate
// lacks, whose certificate check must then fail.
const EXTRA_HOST = "campaign.example.test";
const UNCERTIFIED_HOST = "uncertified.example.test";
const TRIGGER_URL = `https://${API_HOST}/acme/campaign/dataIngestion/xdmIngestion/XDM44/ingest`;

// Bounds that only tell a hang from an answer: ten times what a sanitizer build needs.
const SERVER_READY_MS = 20000;
const CLIENT_MS = 60000;
// Polls of one ingestion request before giving up: XDM44 answers In Progress once.
const MAX_POLLS = 10;
const POLL_INTERVAL_MS = 20;

let passed = 0;
let failed = 0;

function report(ok, what, detail) {
  if (ok) {
    passed++;
    console.log(`ok - ${what}`);
  } else {
    failed++;
    console.log(`not ok - ${what}${detail ? `\n    ${String(detail).replace(/\n/g, "\n    ")}` : ""}`);
  }
  return ok;
}

function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

function expectEqual(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------
// The client: runs in the child process, with the preload loaded.
// ---------------------------------------------------------------------------------------

async function client() {
  const control = process.env.CAMPAIGN_MOCK_CONTROL_URL; // the mock's plain-HTTP port
  const ims = require("@adobe/aio-lib-ims");
  const campaignStandard = require("@adobe/aio-lib-campaign-standard");
  const { createFetch, HttpExponentialBackoff, parseRetryAfterHeader } = require("@adobe/aio-lib-core-networking");
  const nodeFetch = createFetch(); // node-fetch, as aio-lib-core-networking gives it

  // Control calls go to 127.0.0.1, a local address the preload lets through.
  async function controlCall(method, route, body) {
    const res = await fetch(`${control}${route}`, {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
    return JSON.parse(text);
  }

  const checks = [];
  const check = (what, fn) => checks.push({ what, fn });
  const state = {};

  check("the preload refuses a name that is not Adobe's (global fetch, node-fetch, dns)", async () => {
    const prefix = "campaign-mock preload: refusing example.com";
    const undiciErr = await fetch("https://example.com/").then(() => null, (e) => e);
    if (!undiciErr || !undiciErr.cause || !undiciErr.cause.message.startsWith(prefix)) {
      throw new Error(`fetch(https://example.com/): expected a cause starting "${prefix}", got ${undiciErr && (undiciErr.cause || undiciErr).message}`);
    }
    const nodeFetchErr = await nodeFetch("https://example.com/").then(() => null, (e) => e);
    if (!nodeFetchErr || !nodeFetchErr.message.includes(prefix) || nodeFetchErr.code !== "ENOTFOUND") {
      throw new Error(`node-fetch https://example.com/: expected ENOTFOUND "${prefix}...", got ${nodeFetchErr && `${nodeFetchErr.code} ${nodeFetchErr.message}`}`);
    }
    const lookupErr = await dns.promises.lookup("example.com").then(() => null, (e) => e);
    if (!lookupErr || !lookupErr.message.startsWith(prefix)) {
      throw new Error(`dns.promises.lookup(example.com): expected "${prefix}...", got ${lookupErr && lookupErr.message}`);
    }
    const plainErr = await fetch(`http://${API_HOST}/`).then(() => null, (e) => e);
    const plainPrefix = `campaign-mock preload: refusing ${API_HOST}: port 80 is not 443`;
    if (!plainErr || !plainErr.cause || !plainErr.cause.message.startsWith(plainPrefix)) {
      throw new Error(`fetch(http://${API_HOST}/): expected "${plainPrefix}...", got ${plainErr && (plainErr.cause || plainErr).message}`);
    }
    const address = await dns.promises.lookup(API_HOST);
    expectEqual(address.address, "127.0.0.1", `dns.promises.lookup(${API_HOST})`);
  });

  function oauthContext(env) {
    return {
      env,
      client_id: CLIENT_ID,
      client_secrets: [CLIENT_SECRET],
      technical_account_email: TECH_ACCOUNT,
      technical_account_id: TECH_ACCOUNT,
      scopes: SCOPES,
      ims_org_id: ORG_ID,
    };
  }

  function expectImsToken(token, what, scope) {
    if (typeof token !== "string" || token.split(".").length !== 3) {
      throw new Error(`${what}: expected a JWT access token, got ${JSON.stringify(token)}`);
    }
    const data = ims.getTokenData(token);
    expectEqual(data.type, "access_token", `${what}: token type`);
    expectEqual(data.client_id, CLIENT_ID, `${what}: token client_id`);
    expectEqual(data.scope, scope, `${what}: token scope`);
  }

  check("aio-lib-ims OAuth server-to-server getToken() (POST /ims/token/v2), kept in its context", async () => {
    await ims.context.set("campaign-mock-oauth", oauthContext("prod"));
    state.oauthToken = await ims.getToken("campaign-mock-oauth");
    expectImsToken(state.oauthToken, "getToken", SCOPES.join(","));
    // aio-lib-ims computes the expiry from the token's created_at and expires_in claims
    // and keeps a token valid for 10 more minutes: the second call must not reach IMS.
    const stored = (await ims.context.get("campaign-mock-oauth")).data.access_token;
    expectEqual(stored.token, state.oauthToken, "the token kept in the context");
    const again = await ims.getToken("campaign-mock-oauth");
    expectEqual(again, state.oauthToken, "a second getToken()");
  });

  check("aio-lib-ims OAuth server-to-server on the stage IMS (ims-na1-stg1.adobelogin.com)", async () => {
    await ims.context.set("campaign-mock-oauth-stage", oauthContext("stage"));
    const token = await ims.getToken("campaign-mock-oauth-stage");
    expectImsToken(token, "getToken (stage)", SCOPES.join(","));
  });

  check("aio-lib-ims JWT exchange (POST /ims/exchange/jwt) with a fresh RSA key", async () => {
    const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    await ims.context.set("campaign-mock-jwt", {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      technical_account_id: TECH_ACCOUNT,
      meta_scopes: ["ent_campaign_sdk"],
      ims_org_id: ORG_ID,
      private_key: privateKey.export({ type: "pkcs8", format: "pem" }),
    });
    state.jwtToken = await ims.getToken("campaign-mock-jwt");
    expectImsToken(state.jwtToken, "JWT exchange", "ent_campaign_sdk");
    expectEqual(ims.getTokenData(state.jwtToken).expires_in, "86399992", "JWT exchange: expires_in");
  });

  check("aio-lib-ims JWT exchange on the stage IMS (aud and metascope name ims-na1-stg1)", async () => {
    const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    await ims.context.set("campaign-mock-jwt-stage", {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      technical_account_id: TECH_ACCOUNT,
      meta_scopes: ["ent_campaign_sdk"],
      ims_org_id: ORG_ID,
      private_key: privateKey.export({ type: "pkcs8", format: "pem" }),
      env: "stage",
    });
    const token = await ims.getToken("campaign-mock-jwt-stage");
    expectImsToken(token, "JWT exchange (stage)", "ent_campaign_sdk");
  });

  const submitted = (id) =>
    `{"requestId": ${id}, "info": "Ingestion request submitted successfully for the Mapping ID: XDM44", "status": "Success"}`;
  const inProgress = (id) =>
    `{"batchId": "", "info": "Mapping Id: XDM44.", "numRecords": 0, "requestId": ${id}, "status": "In Progress"}`;
  const success = (id) =>
    `{"batchId": "", "info": "Mapping Id: XDM44. ", "numRecords": 15, "requestId": ${id}, "status": "Success"}`;

  async function expectResponse(res, status, body, what) {
    const text = await res.text();
    expectEqual(res.status, status, `${what}: status`);
    expectEqual(text, body, `${what}: body`);
    return text;
  }

  check("aio-lib-campaign-standard postDataToUrl() triggers XDM44: submitted, then already in progress", async () => {
    state.campaign = await campaignStandard.init("acme", CLIENT_ID, state.oauthToken);
    await expectResponse(await state.campaign.postDataToUrl(TRIGGER_URL), 200, submitted(3520), "first trigger");
    await expectResponse(
      await state.campaign.postDataToUrl(TRIGGER_URL),
      200,
      '{"requestId": 3520, "info": "Ingestion request already in progress for the Mapping ID: XDM44", "status": "In Progress"}',
      "second trigger",
    );
  });

  // Polls with aio-lib-core-networking's HttpExponentialBackoff until the request leaves
  // In Progress; returns the bodies seen.
  async function pollToEnd(requestId, token) {
    const backoff = new HttpExponentialBackoff();
    const bodies = [];
    for (let i = 0; i < MAX_POLLS; i++) {
      const res = await backoff.exponentialBackoff(
        `${TRIGGER_URL}?requestId=${requestId}`,
        { method: "GET", headers: { Authorization: `Bearer ${token}`, "X-Api-Key": CLIENT_ID } },
        { maxRetries: 3, initialDelayInMillis: 100 },
      );
      const text = await res.text();
      expectEqual(res.status, 200, `poll ${i + 1} of request ${requestId}: status`);
      bodies.push(text);
      if (JSON.parse(text).status !== "In Progress") return bodies;
      await sleep(POLL_INTERVAL_MS);
    }
    throw new Error(`request ${requestId} still In Progress after ${MAX_POLLS} polls: ${bodies.join(" | ")}`);
  }

  check("HttpExponentialBackoff polls request 3520 to Success (15 records), with the JWT token", async () => {
    const bodies = await pollToEnd(3520, state.jwtToken);
    expectEqual(bodies.join("\n"), [inProgress(3520), success(3520)].join("\n"), "the polls' bodies");
  });

  check("node's https.get and the global fetch (undici) read request 3520 on mc.adobe.io, over verified TLS", async () => {
    const url = `${TRIGGER_URL}?requestId=3520`;
    const headers = { Authorization: `Bearer ${state.jwtToken}`, "X-Api-Key": CLIENT_ID };
    const got = await new Promise((resolve, reject) => {
      https.get(url, { headers }, (res) => {
        // Read now: once the body ends, the agent takes the socket back.
        const { remotePort, servername, authorized } = res.socket;
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode, body, socket: { remotePort, servername, authorized } }));
      }).on("error", reject);
    });
    expectEqual(got.status, 200, "https.get: status");
    expectEqual(got.body, success(3520), "https.get: body");
    const socket = got.socket;
    expectEqual(socket.remotePort, Number(process.env.CAMPAIGN_MOCK_TLS_PORT), "https.get: the port connected to");
    expectEqual(socket.servername, API_HOST, "https.get: the TLS server name (SNI)");
    expectEqual(socket.authorized, true, "https.get: the certificate verified");
    await expectResponse(await fetch(url, { headers }), 200, success(3520), "fetch");
  });

  check("a 429 on the trigger: Retry-After waited out, then submitted and polled to Success", async () => {
    await controlCall("POST", "/_mock/faults", {
      id: "sdk-busy-trigger",
      match: { method: "POST", endpoint: "ingest.trigger", tenant: "acme", mapping: "XDM44" },
      action: { error: "429050" },
      times: 1,
    });
    const busy = await state.campaign.postDataToUrl(TRIGGER_URL);
    const retryAfter = busy.headers.get("retry-after");
    await expectResponse(busy, 429, '{"error_code":"429050","message":"Too many requests"}', "busy trigger");
    expectEqual(retryAfter, "1", "busy trigger: Retry-After");
    await sleep(parseRetryAfterHeader(retryAfter));
    await expectResponse(await state.campaign.postDataToUrl(TRIGGER_URL), 200, submitted(3521), "trigger after the wait");
    const bodies = await pollToEnd(3521, state.oauthToken);
    expectEqual(bodies.join("\n"), [inProgress(3521), success(3521)].join("\n"), "the polls' bodies");
  });

  // Not on IMS: aio-lib-ims 8.1.2 builds its form-data body once, and its retry (the same
  // HttpExponentialBackoff) re-sends that consumed stream, so after a 429 or 5xx from IMS
  // its getToken() never settles (node-fetch issue 1743). A Campaign call has no body.
  check("a 429 on the trigger waited out by HttpExponentialBackoff itself (Retry-After: 1)", async () => {
    await controlCall("POST", "/_mock/faults", {
      id: "sdk-busy-backoff",
      match: { method: "POST", endpoint: "ingest.trigger", tenant: "acme", mapping: "XDM44" },
      action: { error: "429050" },
      times: 1,
    });
    const start = performance.now();
    const res = await new HttpExponentialBackoff().exponentialBackoff(
      TRIGGER_URL,
      { method: "POST", headers: { Authorization: `Bearer ${state.oauthToken}`, "X-Api-Key": CLIENT_ID } },
      { maxRetries: 3, initialDelayInMillis: 100 },
    );
    const waited = performance.now() - start;
    await expectResponse(res, 200, submitted(3522), "trigger through HttpExponentialBackoff");
    // Its own first delay would be 100 ms; Retry-After: 1 makes it a second.
    if (waited < 990) throw new Error(`the trigger took ${Math.round(waited)} ms: Retry-After (1 s) was not waited out`);
    const rule = (await controlCall("GET", "/_mock/faults")).faults.find((f) => f.id === "sdk-busy-backoff");
    expectEqual(rule && rule.hits, 1, "hits of the fault sdk-busy-backoff");
  });

  check(`CAMPAIGN_MOCK_TLS_HOST: ${EXTRA_HOST} (in the certificate) reaches the mock, ${UNCERTIFIED_HOST} fails the certificate check`, async () => {
    const url = `https://${EXTRA_HOST}/acme/campaign/dataIngestion/xdmIngestion/XDM44/ingest?requestId=3521`;
    const headers = { Authorization: `Bearer ${state.oauthToken}`, "X-Api-Key": CLIENT_ID };
    await expectResponse(await fetch(url, { headers }), 200, success(3521), `GET on ${EXTRA_HOST}`);
    const err = await fetch(`https://${UNCERTIFIED_HOST}/`).then(() => null, (e) => e);
    expectEqual(err && err.cause && err.cause.code, "ERR_TLS_CERT_ALTNAME_INVALID", `fetch(https://${UNCERTIFIED_HOST}/): error code`);
  });

  check("the journal: every call on Adobe's names, in order, with the statuses expected", async () => {
    const { entries } = await controlCall("GET", "/_mock/journal");
    const seen = entries.map((e) => {
      const hostHeader = Object.keys(e.requestHeaders).find((h) => h.toLowerCase() === "host");
      return `${e.requestHeaders[hostHeader]} ${e.method} ${e.path} ${e.status}`;
    });
    const trigger = "/acme/campaign/dataIngestion/xdmIngestion/XDM44/ingest";
    const expected = [
      `${IMS_HOST} POST /ims/token/v2 200`,
      `${IMS_STAGE_HOST} POST /ims/token/v2 200`,
      `${IMS_HOST} POST /ims/exchange/jwt 200`,
      `${IMS_STAGE_HOST} POST /ims/exchange/jwt 200`,
      `${API_HOST} POST ${trigger} 200`,
      `${API_HOST} POST ${trigger} 200`,
      `${API_HOST} GET ${trigger} 200`,
      `${API_HOST} GET ${trigger} 200`,
      `${API_HOST} GET ${trigger} 200`,
      `${API_HOST} GET ${trigger} 200`,
      `${API_HOST} POST ${trigger} 429`,
      `${API_HOST} POST ${trigger} 200`,
      `${API_HOST} GET ${trigger} 200`,
      `${API_HOST} GET ${trigger} 200`,
      `${API_HOST} POST ${trigger} 429`,
      `${API_HOST} POST ${trigger} 200`,
      `${EXTRA_HOST} GET ${trigger} 200`,
    ];
    expectEqual(seen.join("\n"), expected.join("\n"), "journal (host method path status)");
    const v2 = entries[0];
    const contentType = Object.entries(v2.requestHeaders).find(([h]) => h.toLowerCase() === "content-type")[1];
    if (!contentType.startsWith("multipart/form-data")) throw new Error(`/ims/token/v2 Content-Type: ${contentType}`);
    if (!v2.requestBody.includes(`name="org_id"\r\n\r\n${ORG_ID}\r\n`)) throw new Error("/ims/token/v2 body: no org_id field");
  });

  for (const { what, fn } of checks) {
    try {
      await fn();
      report(true, what);
    } catch (e) {
      report(false, what, e && e.stack ? e.stack : e);
      break; // each check builds on the ones before it
    }
  }
  finish();
}

// ---------------------------------------------------------------------------------------
// The parent: starts the server, checks the preload's failures, runs the client.
// ---------------------------------------------------------------------------------------

function fatal(message) {
  report(false, message);
  finish();
}

async function waitFor(what, bound, test) {
  const deadline = Date.now() + bound;
  for (;;) {
    const value = test();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${bound} ms`);
    await sleep(20);
  }
}

function startServer(bin, source, dir) {
  const args = [
    "--port", "0", "--tls-port", "0",
    "--tls-dir", path.join(dir, "tls"),
    "--tls-host", EXTRA_HOST,
    "--port-file", path.join(dir, "port"),
    "--auth", "strict",
    "--fixtures", path.join(source, "fixtures", "acs-docs.json"),
    "--fixtures", path.join(source, "tests", "docs", "clients.json"),
  ];
  // The server's environment is its options' twin: none of ours may leak into it.
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("CAMPAIGN_MOCK_")) delete env[k];
  const child = spawn(bin, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  const server = { child, stdout: "", stderr: "", exit: null };
  child.stdout.on("data", (d) => (server.stdout += d));
  child.stderr.on("data", (d) => (server.stderr += d));
  child.on("exit", (code, signal) => (server.exit = { code, signal }));
  child.on("error", (e) => (server.exit = { code: null, signal: null, error: e }));
  return server;
}

async function stopServer(server) {
  if (server.exit) return server.exit;
  server.child.kill("SIGTERM");
  return waitFor("the server's exit after SIGTERM", SERVER_READY_MS, () => server.exit);
}

// Runs a short Node script with the preload and the given environment.
function preloadRun(preload, env, script) {
  return spawnSync(process.execPath, ["-e", script], {
    env: { PATH: process.env.PATH, NODE_OPTIONS: `--require ${JSON.stringify(preload)}`, ...env },
    encoding: "utf8",
    timeout: CLIENT_MS,
  });
}

async function parent() {
  const bin = process.env.CAMPAIGN_MOCK_BIN;
  const source = process.env.CAMPAIGN_MOCK_SOURCE || path.resolve(HERE, "..", "..");
  if (!bin) fatal("CAMPAIGN_MOCK_BIN is not set (ctest sets it to the server binary)");
  const preload = path.join(source, "preload", "node", "campaign-mock-preload.js");
  for (const pkg of ["@adobe/aio-lib-ims", "@adobe/aio-lib-campaign-standard", "@adobe/aio-lib-core-networking"]) {
    try {
      require.resolve(pkg);
    } catch (e) {
      fatal(`${pkg} is not installed in ${path.join(HERE, "node_modules")}: run npm ci --prefix tests/sdk (make test does)`);
    }
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "campaign-mock-sdk-"));
  const server = startServer(bin, source, dir);
  let ports;
  try {
    ports = await waitFor("the port file's two lines", SERVER_READY_MS, () => {
      if (server.exit) throw new Error(`the server exited (${JSON.stringify(server.exit)}):\n${server.stderr}`);
      let text;
      try {
        text = fs.readFileSync(path.join(dir, "port"), "utf8");
      } catch (e) {
        return null;
      }
      const lines = text.split("\n").filter((l) => l !== "");
      return lines.length === 2 ? { http: Number(lines[0]), https: Number(lines[1]) } : null;
    });
    await waitFor("the two ready lines on stdout", SERVER_READY_MS, () =>
      server.stdout.includes(`campaign-mock listening on https://127.0.0.1:${ports.https}\n`) &&
      server.stdout.includes(`campaign-mock listening on http://127.0.0.1:${ports.http}\n`));
    report(true, `server ready: http ${ports.http}, https ${ports.https}`);
  } catch (e) {
    await stopServer(server).catch(() => {});
    fatal(`server start: ${e.message}`);
  }
  const ca = path.join(dir, "tls", "ca.pem");
  const tlsPort = String(ports.https);

  const noPort = preloadRun(preload, { NODE_EXTRA_CA_CERTS: ca }, "console.log('ran unpatched')");
  report(
    noPort.status === 2 && noPort.stdout === "" &&
      /^campaign-mock preload: CAMPAIGN_MOCK_TLS_PORT is not set: [^\n]*\n$/.test(noPort.stderr),
    "the preload without CAMPAIGN_MOCK_TLS_PORT stops the process with one line naming it",
    `status ${noPort.status}, stdout ${JSON.stringify(noPort.stdout)}, stderr ${JSON.stringify(noPort.stderr)}`,
  );

  const noCa = preloadRun(preload, { CAMPAIGN_MOCK_TLS_PORT: tlsPort },
    `fetch("https://${API_HOST}/").then(() => console.log("no error"), (e) => console.log(e.cause && e.cause.code))`);
  report(
    noCa.status === 0 && noCa.stdout === "UNABLE_TO_VERIFY_LEAF_SIGNATURE\n",
    "without NODE_EXTRA_CA_CERTS the mock's certificate is refused (verification stays on)",
    `status ${noCa.status}, stdout ${JSON.stringify(noCa.stdout)}, stderr ${JSON.stringify(noCa.stderr)}`,
  );

  // The client's environment: only what `campaign-mock env` gives, plus a home and an aio
  // config file of its own (aio-lib-ims keeps its contexts and tokens there), and no proxy.
  const home = path.join(dir, "home");
  fs.mkdirSync(home);
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    AIO_CONFIG_FILE: path.join(home, "aio-config.json"),
    CAMPAIGN_MOCK_TLS_PORT: tlsPort,
    CAMPAIGN_MOCK_TLS_HOST: `${EXTRA_HOST},${UNCERTIFIED_HOST}`,
    CAMPAIGN_MOCK_CONTROL_URL: `http://127.0.0.1:${ports.http}`,
    NODE_EXTRA_CA_CERTS: ca,
    NODE_OPTIONS: `--require ${JSON.stringify(preload)}`,
  };
  const clientRun = spawn(process.execPath, [__filename, "--client"], { cwd: home, env, stdio: ["ignore", "inherit", "inherit"] });
  let killed = false;
  const watchdog = setTimeout(() => {
    killed = true;
    clientRun.kill("SIGKILL");
  }, CLIENT_MS);
  const clientExit = await new Promise((resolve) => clientRun.on("exit", (code, signal) => resolve({ code, signal })));
  clearTimeout(watchdog);
  report(
    clientExit.code === 0,
    "the client flows (child process, above)",
    killed ? `killed: still running after ${CLIENT_MS} ms` : `exit ${JSON.stringify(clientExit)}`,
  );

  const exit = await stopServer(server).catch((e) => ({ error: e.message }));
  report(exit.code === 0, "the server stops with status 0 on SIGTERM", `exit ${JSON.stringify(exit)}`);
  if (failed > 0) console.log(`server stderr:\n${server.stderr}`);
  else fs.rmSync(dir, { recursive: true, force: true });
  finish();
}

if (process.argv[2] === "--client") {
  client().catch((e) => fatal(`client: ${e && e.stack ? e.stack : e}`));
} else {
  parent().catch((e) => fatal(`parent: ${e && e.stack ? e.stack : e}`));
}
