// clients.node: the Node client against one campaign-mock started for the whole suite
// (--auth strict --clock manual, the bundled fixtures plus this suite's IMS client),
// its tests running concurrently, each on a fresh tenant of its own. The start/stop
// tests start servers of their own. Bodies the README documents are compared whole.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { CampaignMockError, headerOf, ROUTES, start } from 'campaign-mock-client';

const here = dirname(fileURLToPath(import.meta.url));
const CLIENTS_FIXTURE = join(here, 'fixtures', 'clients.json');
const CLIENT_ID = 'suite-client';
const CLIENT_SECRET = 'suite-secret';
// The template mapping of the bundled fixtures, as every fresh tenant has it.
const TEMPLATE_XDM1 = {
  id: 'XDM1',
  label: 'Template mapping',
  targetingDimension: 'profile',
  dataset: '5da558abd538ed18ae122625',
  published: true,
  started: false,
  changedRecords: 10,
  defaultOutcome: { outcome: 'success', afterPolls: 1 },
  script: [],
};
const NO_REQUESTS = { 'In Progress': 0, Success: 0, Failed: 0, Aborted: 0 };

const submitted = (id, mapping) =>
  `{"requestId": ${id}, "info": "Ingestion request submitted successfully for the Mapping ID: ${mapping}", "status": "Success"}`;
const inProgress = (id, mapping) =>
  `{"batchId": "", "info": "Mapping Id: ${mapping}.", "numRecords": 0, "requestId": ${id}, "status": "In Progress"}`;
const success = (id, mapping, n) =>
  `{"batchId": "", "info": "Mapping Id: ${mapping}. ", "numRecords": ${n}, "requestId": ${id}, "status": "Success"}`;

// Two tests meet here: each resolves once both have arrived, so what they check
// afterwards ran while the other's tenant had its state too. A bound tells a suite
// whose tests do not run concurrently.
function rendezvous(parties, timeoutMs = 10000) {
  let arrived = 0;
  let release;
  const all = new Promise((resolve) => {
    release = resolve;
  });
  return () => {
    arrived += 1;
    if (arrived === parties) release();
    let timer;
    const bound = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`only ${arrived} of ${parties} tests arrived: not run concurrently`)), timeoutMs);
    });
    return Promise.race([all, bound]).finally(() => clearTimeout(timer));
  };
}

function serverVersion() {
  // "campaign-mock 0.1.0 (commit)": the version health reports.
  const out = execFileSync(process.env.CAMPAIGN_MOCK_BIN ?? 'campaign-mock', ['--version'], { encoding: 'utf8' });
  return out.split(' ')[1].trim();
}

describe('campaign-mock Node client', { concurrency: true }, () => {
  let mock;
  let auth;

  before(async () => {
    mock = await start({ auth: 'strict', clock: 'manual', fixtures: ['bundled', CLIENTS_FIXTURE] });
    auth = { token: await mock.token(CLIENT_ID, CLIENT_SECRET), apiKey: CLIENT_ID };
  });

  after(async () => {
    if (mock) assert.equal(await mock.stop(), 0);
  });

  it('start() gives the base URLs of one port, and health answers', async () => {
    const base = `http://127.0.0.1:${mock.port}`;
    assert.equal(mock.campaignBaseUrl, base);
    assert.equal(mock.imsBaseUrl, base);
    assert.equal(mock.controlUrl, `${base}/_mock`);
    assert.deepEqual(await mock.health(), { status: 'ready', version: serverVersion() });
  });

  it('start and stop: a second server, its own state, exit status 0 and the port file gone', async () => {
    // The variable of a shell set up by `campaign-mock env` is not inherited (an
    // invalid port there would stop the server with status 2).
    process.env.CAMPAIGN_MOCK_TLS_PORT = 'not-a-port';
    let other;
    try {
      other = await start({ clock: 'manual' });
    } finally {
      delete process.env.CAMPAIGN_MOCK_TLS_PORT;
    }
    try {
      assert.notEqual(other.port, mock.port);
      const t = other.tenant('test-a');
      const r = await t.trigger('XDM1');
      assert.equal(r.text, submitted(3520, 'XDM1'));
      assert.equal(await other.markReport(), 1);
      const empty = (await other.report()).window;
      assert.deepEqual([empty.since, empty.entries], [1, 0]);
      assert.equal(await other.journalCount(), 1);
      assert.equal(await other.clearJournal(), 1);
      assert.equal(await other.journalCount(), 0);
      assert.deepEqual(await other.reload(), { status: 'reloaded', tenants: 1 });
      assert.deepEqual(await t.requests(), { requests: [], total: 0 });
    } finally {
      assert.equal(await other.stop(), 0);
      assert.equal(await other.stop(), 0, 'stop() twice gives the same status');
      assert.equal(existsSync(other.portFile), false);
      assert.throws(() => process.kill(other.pid, 0), { code: 'ESRCH' });
    }
    await assert.rejects(other.health(), (err) => !(err instanceof CampaignMockError) && /GET \/_mock\/health/.test(err.message));
  });

  it('start() that fails says why, with the server output', async () => {
    await assert.rejects(start({ fixtures: ['/nonexistent/fixture.json'] }), (err) => {
      assert.match(err.message, /exited with status 1 before it was ready/);
      assert.match(err.message, /campaign-mock: \/nonexistent\/fixture.json: cannot read: No such file or directory/);
      return true;
    });
    await assert.rejects(start({ bin: '/nonexistent/campaign-mock' }), /cannot run \/nonexistent\/campaign-mock/);
    // A server that never listens: the bounded wait gives up, kills it, and says so.
    const dir = mkdtempSync(join(tmpdir(), 'campaign-mock-test-'));
    const silent = join(dir, 'silent');
    writeFileSync(silent, '#!/bin/sh\necho "never listens"\nexec sleep 30\n', { mode: 0o755 });
    try {
      await assert.rejects(start({ bin: silent, startTimeoutMs: 300 }), (err) => {
        assert.match(err.message, /wrote no port file within 300 ms/);
        assert.match(err.message, /never listens/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The two isolation tests run side by side, meeting after both have triggered.
  const isolation = rendezvous(2);
  const ids = {};

  it('tenant isolation: tenant A scripts a failure and sees its own request only', async () => {
    const a = mock.tenant();
    assert.deepEqual(await a.putScript('XDM1', [{ outcome: 'failed-fetch' }]), {
      script: [{ outcome: 'failed-fetch' }],
      defaultOutcome: { outcome: 'success', afterPolls: 1 },
    });
    const r = await a.trigger('XDM1', auth);
    ids.a = r.body.requestId;
    assert.equal(r.text, submitted(ids.a, 'XDM1'));
    await isolation();
    assert.deepEqual((await a.requests()).requests.map((q) => q.requestId), [ids.a]);
    const done = await a.poll('XDM1', ids.a, auth);
    assert.equal(done.text, `{"batchId": "", "info": "Mapping Id: XDM1. ACP-880056 Failed to fetch the record from the database.", "numRecords": 0, "requestId": ${ids.a}, "status": "Failed"}`);
    assert.equal(await a.journalCount(), 2);
    await assert.rejects(a.request(ids.b), { status: 404, error_code: 'unknown_request', message: `no request ${ids.b} in tenant ${a.name}` });
  });

  it('tenant isolation: tenant B keeps the template default and sees its own request only', async () => {
    const b = mock.tenant();
    const r = await b.trigger('XDM1', auth);
    ids.b = r.body.requestId;
    assert.equal(r.text, submitted(ids.b, 'XDM1'));
    await isolation();
    assert.notEqual(ids.a, ids.b);
    assert.deepEqual((await b.requests()).requests.map((q) => q.requestId), [ids.b]);
    const done = await b.poll('XDM1', ids.b, auth);
    assert.equal(done.text, success(ids.b, 'XDM1', 10));
    assert.equal(done.polls, 2);
    assert.equal(await b.journalCount(), 3);
    const foreign = await b.status('XDM1', ids.a, auth);
    assert.equal(foreign.status, 404);
    assert.equal(foreign.text, `{"code":404,"error_code":"unknown_request","message":"requestId ${ids.a} is not an ingestion request of XDM Mapping ID: XDM1 in organization ${b.name}"}`);
  });

  it('manual clock: a step due after 15 minutes, the clock advanced, polled to Success', async () => {
    const t = mock.tenant();
    const step = { outcome: 'success', numRecords: 500, afterMs: 900000 };
    assert.deepEqual(await t.putScript('XDM1', [step]), { script: [step], defaultOutcome: { outcome: 'success', afterPolls: 1 } });
    const r = await t.trigger('XDM1', auth);
    const id = r.body.requestId;
    assert.equal(r.text, submitted(id, 'XDM1'));
    assert.equal((await t.status('XDM1', id, auth)).text, inProgress(id, 'XDM1'));
    const before = await mock.clock.get();
    assert.equal(before.mode, 'manual');
    const moved = await mock.clock.advance(900000);
    assert.deepEqual(moved, { mode: 'manual', nowMs: before.nowMs + 900000, now: new Date(before.nowMs + 900000).toISOString() });
    const done = await t.poll('XDM1', id, auth);
    assert.equal(done.text, success(id, 'XDM1', 500));
    assert.equal(done.polls, 1);
    const set = await mock.clock.set(new Date(moved.nowMs + 1000));
    assert.equal(set.nowMs, moved.nowMs + 1000);
  });

  it('faults: a 429 on this tenant fires with Retry-After, is counted, then removed', async () => {
    const t = mock.tenant();
    const id = `busy-${t.name}`;
    const rule = await t.addFault({ id, match: { endpoint: 'ingest.trigger' }, action: { error: '429050' } });
    assert.deepEqual(rule, {
      id,
      match: { endpoint: 'ingest.trigger', tenant: t.name },
      action: { error: '429050' },
      hits: 0,
      seen: 0,
      remaining: null,
      createdMs: rule.createdMs,
    });
    const busy = await t.trigger('XDM1', auth);
    assert.equal(busy.status, 429);
    assert.equal(busy.text, '{"error_code":"429050","message":"Too many requests"}');
    assert.equal(busy.headers.get('retry-after'), '1');
    const listed = (await mock.faults.list()).find((f) => f.id === id);
    assert.equal(listed.hits, 1);
    assert.equal(listed.seen, 1);
    const [entry] = await t.journal({ status: 429 });
    assert.equal(entry.fault, id);
    assert.deepEqual(await t.requests(), { requests: [], total: 0 }, 'a gateway error never reaches the handler');
    assert.equal(await mock.faults.remove(id), id);
    const ok = await t.trigger('XDM1', auth);
    assert.equal(ok.status, 200);
    assert.equal(ok.text, submitted(ok.body.requestId, 'XDM1'));
    await assert.rejects(mock.faults.remove(id), { status: 404, error_code: 'unknown_fault', message: `no fault rule "${id}"` });
  });

  it('journal filters show what the client sent: headers, query, bodies', async () => {
    const t = mock.tenant();
    const r = await t.trigger('XDM1', { ...auth, headers: { 'X-Trace-Id': 'trace-7' } });
    const id = r.body.requestId;
    const polled = await t.status('XDM1', id, auth);
    const denied = await t.trigger('XDM1', { token: null, apiKey: CLIENT_ID });
    assert.equal(denied.status, 401);
    assert.equal(denied.text, '{"error_code":"401013","message":"Oauth token is not valid"}');
    assert.equal(await t.journalCount(), 3);
    assert.equal(await t.journalCount({ method: 'POST', status: 200 }), 1);
    assert.equal(await t.journalCount({ status: 401 }), 1);
    assert.equal(await mock.journalCount({ tenant: t.name, mapping: 'XDM2' }), 0);
    const [post] = await t.journal({ method: 'POST', status: 200 });
    assert.equal(post.endpoint, 'ingest.trigger');
    assert.equal(post.path, `/${t.name}/campaign/dataIngestion/xdmIngestion/XDM1/ingest`);
    assert.equal(post.requestId, id);
    assert.equal(headerOf(post, 'authorization'), `Bearer ${auth.token}`);
    assert.equal(headerOf(post, 'X-Api-Key'), CLIENT_ID);
    assert.equal(headerOf(post, 'x-trace-id'), 'trace-7');
    assert.equal(post.responseBody, r.text);
    const [get] = await t.journal({ mapping: 'XDM1', method: 'GET' });
    assert.equal(get.endpoint, 'ingest.status');
    assert.deepEqual(get.query, { requestId: String(id) });
    assert.equal(get.requestBody, '');
    assert.equal(get.responseBody, polled.text);
    assert.equal(get.fault, null);
    await assert.rejects(t.journal({ tennant: 'x' }), /getJournal: unknown filter "tennant"/);
    await assert.rejects(t.requests({ state: 'Failed' }), /listRequests: unknown filter "state"/);
    const newest = await t.journal({ limit: 1 });
    assert.equal(newest.length, 1);
    assert.equal(newest[0].status, 401);
    assert.equal(headerOf(newest[0], 'Authorization'), undefined);
  });

  it('snapshot and restore: export, reset, restore, export gives the same document', async () => {
    const t = mock.tenant();
    const id = (await t.trigger('XDM1', auth)).body.requestId;
    const s1 = await t.snapshot();
    const created = s1.requests[0]?.createdMs;
    assert.deepEqual(s1, {
      mappings: [TEMPLATE_XDM1],
      requests: [{
        requestId: id,
        mapping: 'XDM1',
        status: 'In Progress',
        step: { outcome: 'success', afterPolls: 1 },
        createdMs: created,
        createdAt: new Date(created).toISOString(),
        polls: 0,
        numRecords: 0,
        batchId: '',
        resolvedMs: null,
        resolvedAt: null,
      }],
    });
    await t.reset();
    assert.deepEqual(await t.requests(), { requests: [], total: 0 });
    assert.deepEqual(await t.restore(s1), s1);
    assert.deepEqual(await t.snapshot(), s1);
    assert.equal((await t.poll('XDM1', id, auth)).text, success(id, 'XDM1', 10));
    const other = mock.tenant();
    await assert.rejects(other.restore(s1), {
      status: 409,
      error_code: 'conflict',
      message: `requests[0].requestId: ${id} belongs to tenant ${t.name}`,
    });
  });

  it('control errors become CampaignMockError with status, error_code and message', async () => {
    const t = mock.tenant();
    const err = await t.getMapping('XDM60').catch((e) => e);
    assert.ok(err instanceof CampaignMockError);
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'CampaignMockError');
    assert.equal(err.status, 404);
    assert.equal(err.error_code, 'unknown_mapping');
    assert.equal(err.message, `unknown mapping "XDM60" in tenant ${t.name}`);
    assert.equal(err.method, 'GET');
    assert.equal(err.path, `/_mock/tenants/${t.name}/mappings/XDM60`);
    await assert.rejects(t.putMapping('XDM1', { publised: true, changedRecords: -1 }), {
      status: 400,
      error_code: 'invalid_field',
      message: 'body: publised: unknown field',
      problems: ['body: publised: unknown field', 'body: changedRecords: must be between 0 and 9007199254740992'],
    });
    await assert.rejects(mock.clock.advance(-1), {
      status: 400,
      error_code: 'invalid_field',
      message: 'advanceMs: must be between 0 and 316224000000',
    });
    await t.unpublish('XDM1');
    await assert.rejects(t.start('XDM1'), {
      status: 409,
      error_code: 'conflict',
      message: 'XDM Mapping ID: XDM1 is not published: publish it before starting it',
    });
    assert.deepEqual(await t.delete(), { deleted: t.name });
    await assert.rejects(t.delete(), { status: 404, error_code: 'unknown_tenant', message: `unknown tenant "${t.name}"` });
  });

  it('strict auth: token() from the emulated IMS opens the gateway; a wrong one does not', async () => {
    const t = mock.tenant();
    await assert.rejects(mock.token(CLIENT_ID, 'wrong'), {
      name: 'CampaignMockError',
      status: 401,
      error_code: 'invalid_client',
      message: 'invalid client_secret parameter',
    });
    const token = await mock.token(CLIENT_ID, CLIENT_SECRET);
    assert.match(token, /^eyJ/);
    const madeUp = await t.trigger('XDM1', { token: 'made-up', apiKey: CLIENT_ID });
    assert.equal(madeUp.status, 401);
    assert.equal(madeUp.text, '{"error_code":"401013","message":"Oauth token is not valid"}');
    const wrongKey = await t.trigger('XDM1', { token, apiKey: 'some-other-key' });
    assert.equal(wrongKey.status, 403);
    assert.equal(wrongKey.text, '{"error_code":"403003","message":"Api Key is invalid"}');
    const ok = await t.trigger('XDM1', { token, apiKey: CLIENT_ID });
    assert.equal(ok.status, 200);
    assert.equal(ok.text, submitted(ok.body.requestId, 'XDM1'));
    const fixed = await t.status('XDM1', ok.body.requestId, { token: 'suite-fixed-token', apiKey: CLIENT_ID });
    assert.equal(fixed.text, inProgress(ok.body.requestId, 'XDM1'));
  });

  it('mapping operations: put, publish, stop, records, scripts, requests paged, resolve, delete', async () => {
    const t = mock.tenant();
    const put = await t.putMapping('XDM60', { label: 'Orders to AEP', changedRecords: 3, script: [{ outcome: 'aborted' }] });
    assert.deepEqual(put, {
      id: 'XDM60', label: 'Orders to AEP', targetingDimension: 'profile', dataset: '', published: true, started: false,
      changedRecords: 3, defaultOutcome: { outcome: 'success', afterPolls: 1 }, script: [{ outcome: 'aborted' }],
      publication: 'Published', execution: 'Stopped', inProgressRequestId: null, requestCounts: NO_REQUESTS,
    });
    assert.deepEqual((await t.mappings()).map((m) => m.id), ['XDM1', 'XDM60']);
    assert.equal((await t.publish('XDM60')).execution, 'Started');
    const started = await t.trigger('XDM60', auth);
    assert.equal(started.text, '{"info": "Unable to submit data ingestion request, XDM Mapping ID: XDM60 is not stopped", "status": "Failed"}');
    await t.start('XDM60');
    assert.equal((await t.stop('XDM60')).execution, 'Stopped');
    assert.equal((await t.records('XDM60', 25)).changedRecords, 28);
    const aborted = (await t.trigger('XDM60', auth)).body.requestId;
    assert.equal((await t.poll('XDM60', aborted, auth)).body.status, 'Aborted');
    assert.deepEqual(await t.getScript('XDM60'), { script: [], defaultOutcome: { outcome: 'success', afterPolls: 1 } });
    assert.deepEqual(await t.appendScript('XDM60', [{ outcome: 'hang' }, { outcome: 'hang' }]), {
      script: [{ outcome: 'hang' }, { outcome: 'hang' }],
      defaultOutcome: { outcome: 'success', afterPolls: 1 },
    });
    const hung = [];
    for (let i = 0; i < 2; i += 1) {
      const id = (await t.trigger('XDM60', auth)).body.requestId;
      hung.push(id);
      assert.equal((await t.request(id)).status, 'In Progress');
      const resolved = await t.resolve(id, { outcome: 'success', numRecords: 42 });
      assert.equal(resolved.status, 'Success');
      assert.equal(resolved.numRecords, 42);
    }
    await assert.rejects(t.resolve(hung[0], { outcome: 'success' }), {
      status: 409, error_code: 'conflict', message: `request ${hung[0]} is already Success`,
    });
    const page = await t.requests({ mapping: 'XDM60', limit: 2 });
    assert.deepEqual(page.requests.map((q) => q.requestId), [aborted, hung[0]]);
    assert.equal(page.next, hung[0]);
    assert.deepEqual((await t.allRequests({ mapping: 'XDM60', limit: 1 })).map((q) => q.requestId), [aborted, ...hung]);
    assert.deepEqual((await t.requests({ status: 'Aborted' })).requests.map((q) => q.requestId), [aborted]);
    assert.deepEqual((await t.getMapping('XDM60')).requestCounts, { 'In Progress': 0, Success: 2, Failed: 0, Aborted: 1 });
    assert.deepEqual(await t.deleteMapping('XDM60'), { deleted: 'XDM60' });
    assert.deepEqual(await t.get(), { name: t.name, mappings: [{
      ...TEMPLATE_XDM1, publication: 'Published', execution: 'Stopped', inProgressRequestId: null, requestCounts: NO_REQUESTS,
    }] });
  });

  it('report: coverage of the answers this tenant received, and findings', async () => {
    const t = mock.tenant();
    const id = (await t.trigger('XDM1', auth)).body.requestId;
    await t.poll('XDM1', id, auth); // two polls in a row: within a minute of each other
    const report = await t.report({ since: 0, pollIntervalMs: 60000 });
    assert.equal(report.window.tenant, t.name);
    const seen = Object.fromEntries(report.coverage.answers.map((a) => [a.answer, a.seen]));
    assert.deepEqual([seen['trigger.submitted'], seen['status.in-progress'], seen['status.success']], [1, 1, 1]);
    assert.equal(seen['status.aborted'], 0);
    const fast = report.findings.find((f) => f.rule === 'poll-too-fast');
    assert.equal(fast?.severity, 'warning');
    assert.ok(report.rulesChecked.some((r) => r.rule === 'abandoned-request'));
  });

  it('tenants, metrics and the route table', async () => {
    const t = mock.tenant();
    await t.get();
    const list = await mock.tenants();
    assert.equal(list.template, true);
    assert.ok(list.tenants.some((x) => x.name === t.name && x.mappings === 1));
    const metrics = await mock.metrics();
    assert.match(metrics, /^# HELP campaign_mock_requests_total /);
    assert.match(metrics, /campaign_mock_requests_total\{endpoint="ims.token",status="200"\} \d+/);
    assert.match(await mock.openapi(), /^# The HTTP interface of campaign-mock/);
    for (const [method, path] of Object.values(ROUTES)) {
      assert.match(method, /^(GET|POST|PUT|DELETE)$/);
      assert.match(path, /^\//);
    }
  });
});
