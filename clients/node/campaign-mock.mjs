// campaign-mock for Node test suites: start the emulator on a free port, give each test
// a tenant of its own, drive the control API (/_mock/...) and call the emulated Campaign
// and IMS endpoints. ESM, Node 20, no dependency: child_process for the server, the
// global fetch for HTTP.
//
// Every route this module calls is in ROUTES, the one table below, keyed by the
// operationId of schema/openapi.yaml; the control routes it leaves out are in
// EXCLUDED_ROUTES with their reasons. clients/drift/check_routes.py reads both
// (between the routes:begin and routes:end lines, one entry a line) and fails when
// they and the OpenAPI document disagree.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

// routes:begin
export const ROUTES = Object.freeze({
  triggerIngestion: ['POST', '/{org}/campaign/dataIngestion/xdmIngestion/{mappingId}/ingest'],
  getIngestionStatus: ['GET', '/{org}/campaign/dataIngestion/xdmIngestion/{mappingId}/ingest'],
  imsTokenV3: ['POST', '/ims/token/v3'],
  health: ['GET', '/_mock/health'],
  listTenants: ['GET', '/_mock/tenants'],
  getTenant: ['GET', '/_mock/tenants/{org}'],
  deleteTenant: ['DELETE', '/_mock/tenants/{org}'],
  resetTenant: ['POST', '/_mock/tenants/{org}/reset'],
  listMappings: ['GET', '/_mock/tenants/{org}/mappings'],
  getMapping: ['GET', '/_mock/tenants/{org}/mappings/{mappingId}'],
  putMapping: ['PUT', '/_mock/tenants/{org}/mappings/{mappingId}'],
  deleteMapping: ['DELETE', '/_mock/tenants/{org}/mappings/{mappingId}'],
  publishMapping: ['POST', '/_mock/tenants/{org}/mappings/{mappingId}/publish'],
  unpublishMapping: ['POST', '/_mock/tenants/{org}/mappings/{mappingId}/unpublish'],
  startMapping: ['POST', '/_mock/tenants/{org}/mappings/{mappingId}/start'],
  stopMapping: ['POST', '/_mock/tenants/{org}/mappings/{mappingId}/stop'],
  addChangedRecords: ['POST', '/_mock/tenants/{org}/mappings/{mappingId}/records'],
  getScript: ['GET', '/_mock/tenants/{org}/mappings/{mappingId}/script'],
  replaceScript: ['PUT', '/_mock/tenants/{org}/mappings/{mappingId}/script'],
  appendScript: ['POST', '/_mock/tenants/{org}/mappings/{mappingId}/script'],
  listRequests: ['GET', '/_mock/tenants/{org}/requests'],
  getRequest: ['GET', '/_mock/tenants/{org}/requests/{requestId}'],
  resolveRequest: ['POST', '/_mock/tenants/{org}/requests/{requestId}/resolve'],
  exportSnapshot: ['GET', '/_mock/tenants/{org}/snapshot'],
  restoreSnapshot: ['PUT', '/_mock/tenants/{org}/snapshot'],
  getClock: ['GET', '/_mock/clock'],
  moveClock: ['POST', '/_mock/clock'],
  getJournal: ['GET', '/_mock/journal'],
  clearJournal: ['DELETE', '/_mock/journal'],
  countJournal: ['GET', '/_mock/journal/count'],
  getReport: ['GET', '/_mock/report'],
  markReport: ['POST', '/_mock/report/mark'],
  listFaults: ['GET', '/_mock/faults'],
  addFaults: ['POST', '/_mock/faults'],
  clearFaults: ['DELETE', '/_mock/faults'],
  deleteFault: ['DELETE', '/_mock/faults/{faultId}'],
  reloadFixtures: ['POST', '/_mock/reset'],
  metrics: ['GET', '/_mock/metrics'],
  openapiDocument: ['GET', '/_mock/openapi.yaml'],
});

// The control routes of the OpenAPI document this client deliberately does not call.
export const EXCLUDED_ROUTES = Object.freeze({
  'GET /_mock/ui': 'the dashboard: an HTML page for a person in a browser, not for a test',
  'GET /_mock': 'the index: links for a person (JSON or HTML), nothing a test needs',
  'GET /_mock/': 'the same index, with the trailing slash',
});
// routes:end

// The README's own example scope for the OAuth server-to-server flow.
export const DEFAULT_SCOPE = 'openid,AdobeID,campaign_sdk';

// Bounds that only tell a hang from an answer (a loaded 2-core CI machine, a sanitizer
// build): the wait for the port file, and for the exit after SIGTERM (the server's
// --shutdown-grace is 5 s by default).
const START_TIMEOUT_MS = 20000;
const STOP_TIMEOUT_MS = 15000;
// The server logs a line per request; a suite's worth is kept only as a tail, enough
// for the error of a failed start or a dead server.
const OUTPUT_TAIL_BYTES = 64 * 1024;
// poll(): how many In Progress answers before giving up (the default outcome needs 1).
const DEFAULT_MAX_POLLS = 100;

/**
 * An error answer of the control API (or of IMS, for token()), carrying the status
 * and the body's error_code and message ({"code":S,"error_code":"...","message":"..."};
 * IMS: {"error":"...","error_description":"..."}). `problems` is the body's list of
 * validation problems, when it has one; `body` the whole parsed body.
 */
export class CampaignMockError extends Error {
  constructor({ status, error_code = null, message, body = null, method, path }) {
    super(message);
    this.name = 'CampaignMockError';
    this.status = status;
    this.error_code = error_code;
    this.problems = body && Array.isArray(body.problems) ? body.problems : undefined;
    this.body = body;
    this.method = method;
    this.path = path;
  }
}

/** The value of header `name` (any case) in a journal entry's requestHeaders. */
export function headerOf(entry, name) {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(entry.requestHeaders ?? {})) {
    if (k.toLowerCase() === want) return v;
  }
  return undefined;
}

let tenantCounter = 0;

/** A tenant name no other test of this process (or of another process) uses. */
export function uniqueTenantName(prefix = 't') {
  tenantCounter += 1;
  return `${prefix}-${process.pid}-${tenantCounter}-${randomBytes(3).toString('hex')}`;
}

function findBin(explicit) {
  if (explicit) return explicit;
  if (process.env.CAMPAIGN_MOCK_BIN) return process.env.CAMPAIGN_MOCK_BIN;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'campaign-mock');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error('campaign-mock not found: set CAMPAIGN_MOCK_BIN or put campaign-mock on PATH');
}

function buildArgs(options, portFile) {
  const args = ['--port', '0', '--port-file', portFile];
  const flag = (name, value) => {
    if (value !== undefined && value !== null) args.push(name, String(value));
  };
  flag('--host', options.host);
  flag('--auth', options.auth);
  flag('--clock', options.clock);
  flag('--seed', options.seed);
  flag('--db', options.db);
  flag('--admin-token', options.adminToken);
  flag('--journal-max', options.journalMax);
  flag('--log-level', options.logLevel);
  flag('--tls-port', options.tlsPort);
  const fixtures = options.fixtures === undefined ? [] : [].concat(options.fixtures);
  for (const f of fixtures) flag('--fixtures', f);
  for (const a of options.args ?? []) args.push(String(a));
  return args;
}

function makeTail() {
  let text = '';
  return {
    add(chunk) {
      text += chunk;
      if (text.length > OUTPUT_TAIL_BYTES) text = text.slice(text.length - OUTPUT_TAIL_BYTES);
    },
    get: () => text,
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function connectHost(host) {
  if (!host || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function fillTemplate(template, params) {
  return template.replace(/\{(\w+)\}/g, (_, key) => {
    const value = params[key];
    if (value === undefined || value === null) throw new Error(`${template}: ${key} is missing`);
    return encodeURIComponent(String(value));
  });
}

// encodeURIComponent, not URLSearchParams: a space must go as %20 ("In Progress").
function queryString(query) {
  const parts = [];
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function parseBody(text, contentType) {
  if (text === '' || !/json/i.test(contentType ?? '')) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

// The query parameters each filtered read takes. The server ignores a parameter it
// does not know, so a misspelt filter (`tennant`) would silently read every tenant's
// entries: the client refuses it instead.
const FILTERS = Object.freeze({
  getJournal: ['tenant', 'mapping', 'method', 'status', 'limit'],
  countJournal: ['tenant', 'mapping', 'method', 'status'],
  listRequests: ['mapping', 'status', 'limit', 'after'],
  getReport: ['tenant', 'since', 'pollIntervalMs'],
});

function checkFilters(route, filters) {
  const allowed = FILTERS[route];
  for (const key of Object.keys(filters ?? {})) {
    if (!allowed.includes(key)) throw new TypeError(`${route}: unknown filter "${key}" (one of ${allowed.join(', ')})`);
  }
  return filters;
}

function tenantName(tenant) {
  return typeof tenant === 'string' ? tenant : tenant.name;
}

/**
 * Spawns campaign-mock with --port 0 --port-file and resolves once it listens.
 *
 * options: bin (else $CAMPAIGN_MOCK_BIN, else campaign-mock on PATH); the server's
 * flags auth, clock, seed, db, adminToken, journalMax, logLevel, host, tlsPort, and
 * fixtures (a path or an array: --fixtures each; 'bundled' is the bundled set); args
 * (more flags, as they are); env (added to the inherited environment, which loses
 * CAMPAIGN_MOCK_TLS_PORT); cwd; startTimeoutMs (20000). A server that exits first, or
 * writes no port file in time, rejects with an Error holding its output.
 */
export async function start(options = {}) {
  const bin = findBin(options.bin);
  const dir = mkdtempSync(join(tmpdir(), 'campaign-mock-'));
  const portFile = join(dir, 'port');
  const args = buildArgs(options, portFile);
  const output = makeTail();
  // A shell set up with `eval "$(campaign-mock env)"` exports CAMPAIGN_MOCK_TLS_PORT:
  // inherited, it would make every server of a suite bind that one HTTPS port.
  const env = { ...process.env };
  delete env.CAMPAIGN_MOCK_TLS_PORT;
  const child = spawn(bin, args, {
    cwd: options.cwd,
    env: { ...env, ...(options.env ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.setEncoding('utf8').on('data', (s) => output.add(s));
  child.stderr.setEncoding('utf8').on('data', (s) => output.add(s));
  let spawnError = null;
  child.once('error', (err) => {
    spawnError = err;
  });
  const exited = new Promise((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  let exit = null;
  exited.then((e) => {
    exit = e;
  });
  // A test process that ends without stop() must not leave a server behind.
  const onExit = () => {
    if (exit === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const timeoutMs = options.startTimeoutMs ?? START_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let ports = null;
  for (;;) {
    if (spawnError) {
      process.removeListener('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`cannot run ${bin}: ${spawnError.message}`);
    }
    if (exit !== null) {
      process.removeListener('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
      const how = exit.signal ? `signal ${exit.signal}` : `status ${exit.code}`;
      throw new Error(`campaign-mock exited with ${how} before it was ready (${bin} ${args.join(' ')}):\n${output.get()}`);
    }
    try {
      ports = readFileSync(portFile, 'utf8').trim().split('\n').map(Number);
      break;
    } catch {
      // not written yet: the server renames it into place once it listens
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      process.removeListener('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`campaign-mock wrote no port file within ${timeoutMs} ms (${bin} ${args.join(' ')}):\n${output.get()}`);
    }
    await sleep(10);
  }
  // The server is owned by the suite, not by the event loop: the exit handler above
  // ends it if the suite forgets stop().
  child.unref();
  child.stdout.unref?.();
  child.stderr.unref?.();
  return new CampaignMock({
    child,
    exited,
    exitNow: () => exit,
    onExit,
    dir,
    output,
    port: ports[0],
    tlsPort: ports[1],
    host: connectHost(options.host),
    adminToken: options.adminToken ?? process.env.CAMPAIGN_MOCK_ADMIN_TOKEN,
  });
}

class CampaignMock {
  constructor(s) {
    this._s = s;
    this.pid = s.child.pid;
    this.port = s.port;
    this.tlsPort = s.tlsPort;
    this.portFile = join(s.dir, 'port');
    this.baseUrl = `http://${s.host}:${s.port}`;
    this.campaignBaseUrl = this.baseUrl;
    this.imsBaseUrl = this.baseUrl;
    this.controlUrl = `${this.baseUrl}/_mock`;
    this._stopping = null;
    this.clock = {
      get: () => this.call('getClock'),
      advance: (ms) => this.call('moveClock', { body: { advanceMs: ms } }),
      set: (when) => {
        const iso = when instanceof Date ? when.toISOString()
          : typeof when === 'number' ? new Date(when).toISOString() : when;
        return this.call('moveClock', { body: { set: iso } });
      },
    };
    this.faults = {
      add: (rule) => this.call('addFaults', { body: rule }),
      remove: async (id) => (await this.call('deleteFault', { params: { faultId: id } })).deleted,
      list: async () => (await this.call('listFaults')).faults,
      clear: async () => (await this.call('clearFaults')).deleted,
    };
  }

  /** The server's standard output and error, the last 64 KiB. */
  output() {
    return this._s.output.get();
  }

  /** A handle on a tenant: `name`, or a fresh unique name made from the template `*`. */
  tenant(name) {
    return new Tenant(this, name ?? uniqueTenantName());
  }

  async _fetch(method, path, { query, body, headers = {}, form } = {}) {
    const url = `${this.baseUrl}${path}${queryString(query)}`;
    const init = { method, headers: { ...headers } };
    if (form !== undefined) {
      init.body = new URLSearchParams(form).toString();
      init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
    } else if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers['Content-Type'] ??= 'application/json';
    }
    let res;
    try {
      res = await fetch(url, init);
    } catch (err) {
      const exit = this._s.exitNow();
      const dead = exit ? `; campaign-mock exited with ${exit.signal ?? exit.code}:\n${this.output()}` : '';
      throw new Error(`${method} ${path}: ${err.cause?.message ?? err.message}${dead}`, { cause: err });
    }
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: parseBody(text, res.headers.get('content-type')) };
  }

  /**
   * Calls the route named `name` of ROUTES: `params` fill its path template, `query`
   * and `body` (JSON) are sent. Resolves with the parsed JSON body (text for
   * non-JSON answers); an error status rejects with a CampaignMockError.
   */
  async call(name, { params = {}, query, body } = {}) {
    const route = ROUTES[name];
    if (!route) throw new Error(`no route named ${name}`);
    const [method, template] = route;
    const path = fillTemplate(template, params);
    const headers = this._s.adminToken ? { 'X-Mock-Admin-Token': this._s.adminToken } : {};
    const res = await this._fetch(method, path, { query, body, headers });
    if (res.status >= 400) {
      const b = res.body;
      throw new CampaignMockError({
        status: res.status,
        error_code: b?.error_code ?? null,
        message: b?.message ?? res.text,
        body: b,
        method,
        path,
      });
    }
    return res.body ?? res.text;
  }

  health() {
    return this.call('health');
  }

  tenants() {
    return this.call('listTenants');
  }

  async journal(filters = {}) {
    return (await this.call('getJournal', { query: checkFilters('getJournal', filters) })).entries;
  }

  async journalCount(filters = {}) {
    return (await this.call('countJournal', { query: checkFilters('countJournal', filters) })).count;
  }

  async clearJournal() {
    return (await this.call('clearJournal')).deleted;
  }

  metrics() {
    return this.call('metrics');
  }

  /**
   * GET /_mock/report: the coverage of Adobe's answers and the findings about the
   * client, read off the journal; filters tenant, since (an entry id), pollIntervalMs.
   */
  async report(filters = {}) {
    return this.call('getReport', { query: checkFilters('getReport', filters) });
  }

  /** Starts a new report window; resolves with the entry id it starts after. */
  async markReport() {
    return (await this.call('markReport')).mark;
  }

  /** POST /_mock/reset: every tenant, request and fault rule back to the fixtures. */
  reload() {
    return this.call('reloadFixtures');
  }

  openapi() {
    return this.call('openapiDocument');
  }

  /**
   * An access token from the emulated IMS (/ims/token/v3, client credentials). An IMS
   * error rejects with a CampaignMockError whose error_code is the body's `error`.
   */
  async token(clientId, clientSecret, { scope = DEFAULT_SCOPE } = {}) {
    const [method, path] = ROUTES.imsTokenV3;
    const res = await this._fetch(method, path, {
      form: { client_id: clientId, client_secret: clientSecret, grant_type: 'client_credentials', scope },
    });
    if (res.status !== 200 || typeof res.body?.access_token !== 'string') {
      throw new CampaignMockError({
        status: res.status,
        error_code: res.body?.error ?? null,
        message: res.body?.error_description ?? res.text,
        body: res.body,
        method,
        path,
      });
    }
    return res.body.access_token;
  }

  _authHeaders({ token = 'token', apiKey = 'key', headers = {} } = {}) {
    const h = {};
    if (token !== null) h.Authorization = `Bearer ${token}`;
    if (apiKey !== null) h['X-Api-Key'] = apiKey;
    return { ...h, ...headers };
  }

  /**
   * POST .../xdmIngestion/{mapping}/ingest. Resolves with {status, headers, text,
   * body} whatever the status: the emulated API's answers are the test's to check.
   * `token`/`apiKey` default to "token"/"key" (enough for --auth presence); null
   * sends no header.
   */
  trigger(tenant, mapping, opts = {}) {
    const [method, template] = ROUTES.triggerIngestion;
    const path = fillTemplate(template, { org: tenantName(tenant), mappingId: mapping });
    return this._fetch(method, path, { headers: this._authHeaders(opts) });
  }

  /** One status call, GET .../ingest?requestId=N; the same answer shape as trigger(). */
  status(tenant, mapping, requestId, opts = {}) {
    const [method, template] = ROUTES.getIngestionStatus;
    const path = fillTemplate(template, { org: tenantName(tenant), mappingId: mapping });
    return this._fetch(method, path, { query: { requestId }, headers: this._authHeaders(opts) });
  }

  /**
   * Polls until the request leaves In Progress (or an answer is not 200), and resolves
   * with that last answer, its `polls` set to the number of calls made. Between two
   * In Progress answers it awaits `onPoll(answer, n)` when given, else sleeps
   * `intervalMs` (default 0). Rejects after `maxPolls` In Progress answers.
   */
  async poll(tenant, mapping, requestId, { maxPolls = DEFAULT_MAX_POLLS, intervalMs = 0, onPoll, ...auth } = {}) {
    for (let n = 1; n <= maxPolls; n += 1) {
      const res = await this.status(tenant, mapping, requestId, auth);
      res.polls = n;
      if (res.status !== 200 || res.body?.status !== 'In Progress') return res;
      if (onPoll) await onPoll(res, n);
      else if (intervalMs > 0) await sleep(intervalMs);
    }
    throw new Error(`request ${requestId} of ${tenantName(tenant)}/${mapping} still In Progress after ${maxPolls} polls`);
  }

  /** SIGTERM, then waits for the exit; resolves with the exit status (0: clean). */
  stop({ timeoutMs = STOP_TIMEOUT_MS } = {}) {
    if (this._stopping) return this._stopping;
    const s = this._s;
    this._stopping = (async () => {
      try {
        if (s.exitNow() === null) s.child.kill('SIGTERM');
        let timer;
        const bound = new Promise((resolve) => {
          timer = setTimeout(() => resolve(null), timeoutMs);
        });
        let exit = await Promise.race([s.exited, bound]);
        clearTimeout(timer);
        if (exit === null) {
          s.child.kill('SIGKILL');
          await s.exited;
          throw new Error(`campaign-mock did not exit within ${timeoutMs} ms of SIGTERM; killed:\n${this.output()}`);
        }
        return exit.signal ? null : exit.code;
      } finally {
        process.removeListener('exit', s.onExit);
        rmSync(s.dir, { recursive: true, force: true });
      }
    })();
    return this._stopping;
  }
}

/**
 * One tenant (the {org} of the paths). Made by CampaignMock.tenant(); the server
 * creates it from the template `*` on its first use, control calls included.
 */
class Tenant {
  constructor(mock, name) {
    this.mock = mock;
    this.name = name;
  }

  toString() {
    return this.name;
  }

  toJSON() {
    return this.name;
  }

  _call(name, params = {}, rest = {}) {
    return this.mock.call(name, { params: { org: this.name, ...params }, ...rest });
  }

  get() {
    return this._call('getTenant');
  }

  delete() {
    return this._call('deleteTenant');
  }

  /** Back to the template's (or fixture's) state: mappings as loaded, requests gone. */
  reset() {
    return this._call('resetTenant');
  }

  async mappings() {
    return (await this._call('listMappings')).mappings;
  }

  getMapping(id) {
    return this._call('getMapping', { mappingId: id });
  }

  /** Creates or replaces mapping `id` (fixture form). */
  putMapping(id, mapping = {}) {
    return this._call('putMapping', { mappingId: id }, { body: mapping });
  }

  deleteMapping(id) {
    return this._call('deleteMapping', { mappingId: id });
  }

  publish(id) {
    return this._call('publishMapping', { mappingId: id });
  }

  unpublish(id) {
    return this._call('unpublishMapping', { mappingId: id });
  }

  start(id) {
    return this._call('startMapping', { mappingId: id });
  }

  stop(id) {
    return this._call('stopMapping', { mappingId: id });
  }

  /** Adds `add` changed records to mapping `id`. */
  records(id, add) {
    return this._call('addChangedRecords', { mappingId: id }, { body: { add } });
  }

  getScript(id) {
    return this._call('getScript', { mappingId: id });
  }

  /** Replaces the script: an array of steps, or {script, defaultOutcome}. */
  putScript(id, script) {
    return this._call('replaceScript', { mappingId: id }, { body: script });
  }

  /** Appends one step (an object) or several (an array). */
  appendScript(id, steps) {
    return this._call('appendScript', { mappingId: id }, { body: steps });
  }

  /** One page: {requests, next?}; filters mapping, status, limit, after. */
  async requests(filters = {}) {
    return this._call('listRequests', {}, { query: checkFilters('listRequests', filters) });
  }

  /** Every request matching the filters, following `next` page by page. */
  async allRequests(filters = {}) {
    const all = [];
    let after = filters.after;
    for (;;) {
      const page = await this.requests({ ...filters, after });
      all.push(...page.requests);
      if (page.next === undefined) return all;
      after = page.next;
    }
  }

  request(requestId) {
    return this._call('getRequest', { requestId });
  }

  /** Applies `step` to an In Progress request now (how a hang ends). */
  resolve(requestId, step) {
    return this._call('resolveRequest', { requestId }, { body: step });
  }

  snapshot() {
    return this._call('exportSnapshot');
  }

  restore(snapshot) {
    return this._call('restoreSnapshot', {}, { body: snapshot });
  }

  /** The journal entries of this tenant (other filters: mapping, method, status, limit). */
  journal(filters = {}) {
    return this.mock.journal({ ...filters, tenant: this.name });
  }

  journalCount(filters = {}) {
    return this.mock.journalCount({ ...filters, tenant: this.name });
  }

  /** The report of this tenant's calls (other filters: since, pollIntervalMs). */
  report(filters = {}) {
    return this.mock.report({ ...filters, tenant: this.name });
  }

  /**
   * Adds a fault rule that matches this tenant only (its match.tenant is set), so
   * tests running in parallel do not see each other's faults. Rules are server-wide:
   * remove it with mock.faults.remove(rule.id).
   */
  addFault(rule) {
    return this.mock.faults.add({ ...rule, match: { ...(rule.match ?? {}), tenant: this.name } });
  }

  trigger(mapping, opts) {
    return this.mock.trigger(this, mapping, opts);
  }

  status(mapping, requestId, opts) {
    return this.mock.status(this, mapping, requestId, opts);
  }

  poll(mapping, requestId, opts) {
    return this.mock.poll(this, mapping, requestId, opts);
  }
}

export { CampaignMock, Tenant };
