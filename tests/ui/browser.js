/*
 * ctest ui.browser: the web dashboard (ui/index.html, served at /_mock/ui) in headless
 * Chromium against the real binary. For each of four servers (real clock, manual clock,
 * --auth strict, --admin-token), each on --port 0, it drives the QA loop through the
 * page as a person would: publish and stop a mapping, trigger, poll to Success, resolve
 * a request, add fault rules and see them fire (a transport fault on a POST among them),
 * read the journal, grade a bad client in the Report section. It asserts the exact texts where the page shows server data, and
 * the layout at 1400 px and 400 px wide (the manual-clock loop runs at 400 px). Checks
 * that pin a bug the page had when it was first driven in a browser say which ("[bug N]"):
 *
 *   1 manual-clock buttons shown in real-clock mode    5 no token field (--auth strict)
 *   2 a reset POST shown as the browser's retry        6 messages never expire, shift rows
 *   3 "Delete tenant" said the journal goes            7 Resolve column cut off at 1400 px
 *   4 section titles under the sticky header           8 destructive buttons unconfirmed
 *
 * Usage: node tests/ui/browser.js [PATH/TO/campaign-mock] [SCREENSHOT_DIR]
 * (or CAMPAIGN_MOCK_BIN; CAMPAIGN_MOCK_SOURCE names the source tree, default ../..;
 * CHROMIUM the browser, default /usr/bin/chromium). Needs playwright-core, pinned in
 * package-lock.json: npm ci --prefix tests/ui. Prints one line per check, the
 * screenshots' paths and "N passed, N failed"; exit status 0 when every check passed.
 */
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (e) {
  console.error('ui.browser: cannot load playwright-core from ' + path.join(__dirname, 'node_modules') +
    ' (' + (e.code || e.message) + ').\nInstall it with: npm ci --prefix tests/ui');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const bin = process.argv[2] || process.env.CAMPAIGN_MOCK_BIN;
if (!bin) {
  console.error('usage: node tests/ui/browser.js PATH/TO/campaign-mock [SCREENSHOT_DIR] (or CAMPAIGN_MOCK_BIN)');
  process.exit(2);
}
const source = process.env.CAMPAIGN_MOCK_SOURCE || path.join(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-ui-'));
const shots = path.resolve(process.argv[3] || path.join(os.tmpdir(), 'cm-ui-screenshots'));
fs.mkdirSync(shots, { recursive: true });
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(browserPath)) {
  console.error('ui.browser: no browser at ' + browserPath + ': install Debian\'s chromium (apt-get install -y chromium), or name one in CHROMIUM');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

/* How long a wait for the page may take before its check fails. The page refreshes
 * every 2 s and answers within milliseconds; 5 s leaves room on a loaded machine. */
const WAIT_MS = 5000;
const ADMIN_TOKEN = 'qa-s3cret';
const INGEST = '/campaign/dataIngestion/xdmIngestion/';
const FIRST_DRAWN_BATCH = 'e220a8397b1dcdaf6e789e6aa1b965f4'; /* seed 0 (README) */

let passed = 0, failed = 0;
const started = Date.now();
function check(cond, what) {
  if (cond) {
    passed++;
    console.log('ok   ' + what);
  } else {
    failed++;
    console.log('FAIL ' + what);
  }
  return !!cond;
}
function eq(got, want, what) {
  return check(got === want, what + (got === want ? '' : '\n       got:  ' + JSON.stringify(got) + '\n       want: ' + JSON.stringify(want)));
}
/* Runs a group of steps; an exception (an element missing, a timeout) fails the group
 * and the run goes on with the next one. */
async function step(what, fn) {
  try {
    await fn();
  } catch (e) {
    check(false, what + ': ' + String(e && e.message ? e.message : e).split('\n')[0]);
  }
}

/* --- the server ------------------------------------------------------------------ */

/* Servers still running when the test ends early are killed with it. */
const servers = new Set();
process.on('exit', () => { for (const c of servers) c.kill('SIGKILL'); });

async function startServer(name, args) {
  const portFile = path.join(tmp, name + '.port');
  const log = fs.openSync(path.join(tmp, name + '.log'), 'w');
  const child = spawn(bin, ['--port', '0', '--port-file', portFile, '--log-level', 'warn'].concat(args),
    { stdio: ['ignore', 'ignore', log] });
  servers.add(child);
  let exited = null;
  child.on('exit', (code) => { exited = code; servers.delete(child); });
  for (let i = 0; i < 200; i++) { /* 10 s; it is ready in milliseconds */
    if (fs.existsSync(portFile)) {
      const port = fs.readFileSync(portFile, 'utf8').split('\n')[0].trim();
      if (port) return { child, base: 'http://127.0.0.1:' + port };
    }
    if (exited !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('campaign-mock ' + args.join(' ') + ' did not start: ' + fs.readFileSync(path.join(tmp, name + '.log'), 'utf8'));
}
async function stopServer(srv) {
  const done = new Promise((r) => srv.child.on('exit', r));
  srv.child.kill('SIGTERM');
  await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
}

/* The control API from the test itself, to know what the page should show. */
async function control(m, method, p, body) {
  const headers = m.admin ? { 'X-Mock-Admin-Token': ADMIN_TOKEN } : {};
  const res = await fetch(m.base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return res.json();
}

/* --- the page -------------------------------------------------------------------- */

/* Waits until fn() (run in the page) is truthy; false after WAIT_MS. */
async function until(page, fn, arg, ms) {
  try {
    await page.waitForFunction(fn, arg, { timeout: ms || WAIT_MS, polling: 50 });
    return true;
  } catch (e) {
    return false;
  }
}
const textOf = (page, sel) => page.evaluate((s) => { const n = document.querySelector(s); return n ? n.textContent : null; }, sel);
const row = (page, tbody, key) => page.locator('#' + tbody + ' > [data-key="' + key + '"]');
const cell = (tbody, key, label) => '#' + tbody + ' > [data-key="' + key + '"] > [data-label="' + label + '"]';
async function cellIs(page, tbody, key, label, want) {
  return until(page, (a) => { const n = document.querySelector(a.sel); return n && n.textContent === a.want; },
    { sel: cell(tbody, key, label), want });
}
async function waitText(page, sel, want) {
  const ok = await until(page, (a) => { const n = document.querySelector(a.sel); return n && n.textContent === a.want; }, { sel, want });
  return ok ? want : textOf(page, sel);
}
/* A message of the page (a toast) containing text; its text, or null. */
async function toastWith(page, text) {
  const ok = await until(page, (t) => Array.from(document.querySelectorAll('#toasts > *')).some((n) => n.textContent.includes(t)), text);
  return ok ? page.evaluate((t) => Array.from(document.querySelectorAll('#toasts > *')).find((n) => n.textContent.includes(t)).textContent, text) : null;
}

/* Every window.confirm is recorded and answered with m.answer ('accept' or 'dismiss'). */
async function confirmed(m, answer, action) {
  m.dialogs.length = 0;
  m.answer = answer;
  await action();
  /* Up to 2 s: the journal's Clear asks the server for the count first. */
  for (let i = 0; i < 40 && !m.dialogs.length; i++) await new Promise((r) => setTimeout(r, 50));
  m.answer = 'dismiss';
  return m.dialogs.length ? m.dialogs[0] : null;
}

async function openPage(ctx, m) {
  const page = await ctx.newPage();
  page.setDefaultTimeout(WAIT_MS);
  m.page = page;
  m.dialogs = [];
  m.answer = 'dismiss';
  m.errors = [];
  m.external = [];
  page.on('pageerror', (e) => m.errors.push(e.message));
  page.on('dialog', (d) => {
    m.dialogs.push(d.message());
    (m.answer === 'accept' ? d.accept() : d.dismiss()).catch(() => {});
  });
  page.on('request', (r) => { if (!r.url().startsWith(m.base)) m.external.push(r.url()); });
  await page.setViewportSize(m.viewport);
  await page.goto(m.base + '/_mock/ui');
  await page.waitForSelector('body[data-ready="1"]');
  return page;
}

async function shot(m, name) {
  const file = path.join(shots, m.name + '-' + name + '.png');
  await m.page.screenshot({ path: file, fullPage: true });
  m.shots.push(file);
}

/* Picks tenant and mapping in the Adobe call helper and presses a button; the body shown. */
async function call(m, mapping, button, tenant) {
  const page = m.page;
  await page.selectOption('#call-tenant', tenant || 'acme');
  await page.selectOption('#call-mapping', mapping);
  const before = await page.evaluate(() => document.getElementById('call-out').textContent);
  await page.click(button);
  await until(page, (b) => { const t = document.getElementById('call-out').textContent; return t !== b && !t.includes('(waiting for the reply...)'); }, before);
  return textOf(page, '#call-body');
}

/* --- the QA loop, the same in every mode ------------------------------------------ */

const submitted = (id, m) => '{"requestId": ' + id + ', "info": "Ingestion request submitted successfully for the Mapping ID: ' + m + '", "status": "Success"}';
const inProgress = (id, m) => '{"batchId": "", "info": "Mapping Id: ' + m + '.", "numRecords": 0, "requestId": ' + id + ', "status": "In Progress"}';

async function qaLoop(m) {
  const page = m.page;
  const tag = '[' + m.name + '] ';

  await step(tag + 'publish and stop a mapping', async () => {
    await row(page, 'mappings-body', 'XDM10').getByRole('button', { name: 'publish XDM10', exact: true }).click();
    check(await cellIs(page, 'mappings-body', 'XDM10', 'Publication', 'Published') &&
      await cellIs(page, 'mappings-body', 'XDM10', 'Execution', 'Started'), tag + 'publish: XDM10 Published, Started');
    check(await toastWith(page, 'XDM10: published and started.'), tag + 'publish: message "XDM10: published and started."');
    await row(page, 'mappings-body', 'XDM10').getByRole('button', { name: 'stop XDM10', exact: true }).click();
    check(await cellIs(page, 'mappings-body', 'XDM10', 'Execution', 'Stopped'), tag + 'stop: XDM10 Stopped');
    eq(await textOf(page, cell('mappings-body', 'XDM10', 'Publication')), 'Published', tag + 'stop: XDM10 still Published');
  });

  await step(tag + 'trigger, then poll to Success', async () => {
    eq(await call(m, 'XDM44', '#call-trigger'), submitted(3520, 'XDM44'), tag + 'trigger XDM44: the body as sent');
    eq(await page.inputValue('#call-request'), '3520', tag + 'trigger: requestId filled in');
    check((await textOf(page, '#call-out')).includes('HTTP 200 OK\n'), tag + 'trigger: status line HTTP 200 OK');
    eq(await call(m, 'XDM44', '#call-poll'), inProgress(3520, 'XDM44'), tag + 'first poll: In Progress');
    eq(await call(m, 'XDM44', '#call-poll'),
      '{"batchId": "", "info": "Mapping Id: XDM44. ", "numRecords": 15, "requestId": 3520, "status": "Success"}', tag + 'second poll: Success, 15 records');
    check(await cellIs(page, 'requests-body', '3520', 'Status', 'Success') &&
      await cellIs(page, 'requests-body', '3520', 'Result', '15 records'), tag + 'requests table: 3520 Success, 15 records');
    eq(await textOf(page, cell('requests-body', '3520', 'Polls')), '1', tag + 'requests table: 3520 answered In Progress once');
  });

  await step(tag + 'resolve a request', async () => {
    eq(await call(m, 'XDM98', '#call-trigger'), submitted(3521, 'XDM98'), tag + 'trigger XDM98 (hangs)');
    check(await cellIs(page, 'requests-body', '3521', 'Status', 'In Progress'), tag + 'requests table: 3521 In Progress');
    await page.selectOption('#res-3521', 'failed-upload');
    await row(page, 'requests-body', '3521').getByRole('button', { name: 'Resolve request 3521' }).click();
    check(await toastWith(page, 'Request 3521 resolved: Failed.'), tag + 'resolve: message "Request 3521 resolved: Failed."');
    check(await cellIs(page, 'requests-body', '3521', 'Status', 'Failed') &&
      await cellIs(page, 'requests-body', '3521', 'Result', 'batch ' + FIRST_DRAWN_BATCH), tag + 'requests table: 3521 Failed, drawn batch id');
    eq(await call(m, 'XDM98', '#call-poll'), '{"batchId": "' + FIRST_DRAWN_BATCH +
      '", "info": "Mapping Id: XDM98. ACP-880096 Sync Job failed to upload. Please check the error in the Platform UI.", "numRecords": 0, "requestId": 3521, "status": "Failed"}',
    tag + 'poll after resolve: Failed ACP-880096');
  });

  await step(tag + 'a gateway fault fires', async () => {
    await page.selectOption('#fault-preset', '429050');
    await page.selectOption('#fault-endpoint', 'ingest.status');
    await page.fill('#fault-times', '1');
    await page.click('#fault-form button[type="submit"]');
    check(await toastWith(page, 'Rule fault-1 added.'), tag + 'fault-1 added: message');
    check(await cellIs(page, 'faults-body', 'fault-1', 'Action', '{"error":"429050"}'), tag + 'faults table: fault-1 {"error":"429050"}');
    eq(await call(m, 'XDM98', '#call-poll'), '{"error_code":"429050","message":"Too many requests"}', tag + 'poll under fault-1: the 429 body');
    const out = await textOf(page, '#call-out');
    check(out.includes('HTTP 429 Too Many Requests\n') && out.includes('retry-after: 1\n'), tag + 'poll under fault-1: HTTP 429 with Retry-After: 1');
    check(await cellIs(page, 'faults-body', 'fault-1', 'Hits', '1') && await cellIs(page, 'faults-body', 'fault-1', 'Remaining', '0'),
      tag + 'faults table: fault-1 hits 1, remaining 0');
  });

  await step(tag + 'a transport fault on a POST [bug 2]', async () => {
    const kind = m.transport;
    await page.selectOption('#fault-preset', kind);
    await page.selectOption('#fault-endpoint', 'ingest.trigger');
    await page.fill('#fault-times', '1');
    await page.click('#fault-form button[type="submit"]');
    check(await cellIs(page, 'faults-body', 'fault-2', 'Action', '{"transport":"' + kind + '"}'), tag + 'faults table: fault-2 {"transport":"' + kind + '"}');
    await call(m, 'XDM95', '#call-trigger');
    const msg = await textOf(page, '#call-msg');
    const j = await control(m, 'GET', '/_mock/journal?mapping=XDM95&method=POST');
    const attempts = j.entries.map((e) => e.status);
    /* Chromium resends a request that met a reset or empty reply on a reused connection:
     * then the journal holds the fault and the resent call, answered 200. */
    const resent = attempts.length === 2 && attempts[0] === 0 && attempts[1] === 200;
    check(resent || (attempts.length === 1 && attempts[0] === 0), tag + 'journal: the POST met fault-2' +
      (resent ? ', and the browser resent it (request 3522 is the resent one\'s)' : ', and was not resent') + ': statuses ' + JSON.stringify(attempts));
    check(msg && msg.startsWith('transport fault: ' + kind + ' (rule fault-2)'), tag + 'POST under fault-2: shown as "transport fault: ' + kind + ' (rule fault-2)" [bug 2]: ' + JSON.stringify(msg));
    const out = await textOf(page, '#call-out');
    check(out.includes('Attempt 1: transport fault: ' + kind + ' (rule fault-2), no HTTP reply'), tag + 'call output: attempt 1 met the fault, no HTTP reply [bug 2]');
    if (resent) {
      check(msg.includes('(HTTP 200, below; request 3522 is its doing)'), tag + 'the resent POST\'s answer is named as such [bug 2]');
    }
    check(await cellIs(page, 'faults-body', 'fault-2', 'Hits', '1'), tag + 'faults table: fault-2 hits 1');
  });

  await step(tag + 'read the journal', async () => {
    check(await until(page, () => Array.from(document.querySelectorAll('#journal-list > li')).some((li) => li.textContent.includes('0 (no reply)') && li.textContent.includes('fault fault-2'))),
      tag + 'journal: the faulted POST listed, "0 (no reply)", "fault fault-2"');
    await page.fill('#j-status', '429');
    await page.press('#j-status', 'Enter');
    check(await until(page, () => document.querySelectorAll('#journal-list > li').length === 1), tag + 'journal filter status 429: one entry');
    const e = (await control(m, 'GET', '/_mock/journal?status=429')).entries[0];
    const li = page.locator('#journal-list > li').first();
    eq(await li.locator('summary .path').textContent(), '/acme' + INGEST + 'XDM98/ingest?requestId=3521', tag + 'journal entry: path and query');
    /* A fault answers before the handler: the entry names no request. */
    eq(e.requestId, null, tag + 'journal: the 429 entry names no request (the fault answered first)');
    eq(await li.locator('summary').textContent(), '#' + e.id + e.serverTime + 'GET/acme' + INGEST + 'XDM98/ingest?requestId=3521429fault fault-1ingest.status \u00b7 acme \u00b7 XDM98' + e.durationMs + ' ms',
      tag + 'journal entry: summary as the server has it');
    await li.locator('summary').click();
    const opened = await li.textContent();
    check(opened.includes('Authorization: Bearer ' + m.token) && opened.includes('X-Api-Key: ' + m.key), tag + 'journal entry: the Authorization and X-Api-Key sent');
    check(opened.includes('Response body{"error_code":"429050","message":"Too many requests"}'), tag + 'journal entry: the response body');
    await page.fill('#j-status', '');
    await page.press('#j-status', 'Enter');
    check(await until(page, () => document.querySelectorAll('#journal-list > li').length > 1), tag + 'journal filter cleared');
  });
  m.next = await nextId(m);
}

/* The next request id: 3522 unless the browser resent the faulted POST, which then
 * made 3522. Read from the server, not guessed. */
async function nextId(m) {
  const r = await control(m, 'GET', '/_mock/tenants/acme/requests');
  return 1 + Math.max(3519, ...r.requests.map((x) => x.requestId));
}

/* --- the modes ------------------------------------------------------------------- */

/* Real clock: the clock buttons hidden; messages, layout, confirmations. */
async function realClock(m) {
  const page = m.page;
  await step('[real] clock', async () => {
    check(await waitText(page, '#clock-mode', 'real'), '[real] clock badge "real"');
    eq(await page.locator('#clock-manual').isVisible(), false, '[real] manual-clock buttons hidden [bug 1]');
    eq(await page.locator('button[data-advance="60000"]').isVisible(), false, '[real] "+1 min" hidden [bug 1]');
  });

  await step('[real] messages [bug 6]', async () => {
    const top = () => page.evaluate(() => document.getElementById('mappings').getBoundingClientRect().top + window.scrollY);
    const before = await top();
    await row(page, 'mappings-body', 'XDM97').getByRole('button', { name: 'start XDM97', exact: true }).click();
    const seen = await toastWith(page, 'XDM97: started.');
    check(seen, '[real] message "XDM97: started."');
    eq(await top(), before, '[real] the message moves no row of the mappings table [bug 6]');
    await page.mouse.move(1, 1);
    check(seen && await until(page, () => !Array.from(document.querySelectorAll('#toasts > *')).some((n) => n.textContent.includes('XDM97: started.')), null, 7000),
      '[real] the message is gone within 7 s [bug 6]');
    await row(page, 'mappings-body', 'XDM97').getByRole('button', { name: 'stop XDM97', exact: true }).click();
    check(await cellIs(page, 'mappings-body', 'XDM97', 'Execution', 'Stopped'), '[real] XDM97 stopped again');
  });

  await step('[real] Campaign buttons, records, script validation', async () => {
    await row(page, 'mappings-body', 'XDM10').getByRole('button', { name: 'start XDM10', exact: true }).click();
    const t = await toastWith(page, 'is not published');
    eq(t, 'XDM Mapping ID: XDM10 is not published: publish it before starting it (conflict, HTTP 409)\u00d7', '[real] start on a draft: the server\'s 409 message');
    await page.locator('#toasts > [role="alert"]').filter({ hasText: 'is not published' }).getByRole('button', { name: 'Dismiss this message' }).click();
    check(await until(page, () => !document.getElementById('toasts').textContent.includes('is not published')), '[real] a message closed with its button');
    await page.fill('#rec-XDM10', '7');
    await row(page, 'mappings-body', 'XDM10').getByRole('button', { name: 'Add records to XDM10' }).click();
    check(await toastWith(page, 'XDM10: 7 changed records.'), '[real] + records: message');
    check(await cellIs(page, 'mappings-body', 'XDM10', 'Changed records', '7'), '[real] + records: XDM10 has 7 changed records');
    await row(page, 'mappings-body', 'XDM10').getByRole('button', { name: 'Edit the script of XDM10' }).click();
    check(await until(page, () => document.getElementById('script-text').value.includes('defaultOutcome')), '[real] script editor loaded');
    await page.fill('#script-text', '{"script": [{"outcome": "bogus"}]}');
    await page.click('#script-save');
    check(await toastWith(page, 'body: script[0].outcome: unknown outcome "bogus" (one of success, failed-fetch, failed-upload, aborted, hang)'),
      '[real] script validation: the server\'s problem listed');
    await page.click('#script-close');
  });

  await step('[real] server strings are text, never markup', async () => {
    const evil = '<img src=x onerror="window.__xss=1">';
    await control(m, 'PUT', '/_mock/tenants/acme/mappings/XSS1', { label: evil });
    check(await cellIs(page, 'mappings-body', 'XSS1', 'Label', evil), '[real] a label with markup shown as text');
    eq(await page.locator('#mappings-body img').count(), 0, '[real] no element made from a label');
    eq(await page.evaluate(() => window.__xss), undefined, '[real] no script ran');
  });

  await qaLoop(m);

  await step('[real] the Resolve column at 1400 px [bug 7]', async () => {
    eq(await call(m, 'XDM97', '#call-trigger'), submitted(m.next, 'XDM97'), '[real] trigger XDM97: a request In Progress beside a Failed one');
    check(await cellIs(page, 'requests-body', String(m.next), 'Status', 'In Progress'), '[real] requests table: ' + m.next + ' In Progress');
    const fit = await page.evaluate((id) => {
      const scroller = document.getElementById('requests').parentNode;
      const b = document.querySelector('#requests-body button[aria-label="Resolve request ' + id + '"]');
      const s = document.getElementById('res-' + id);
      const box = scroller.getBoundingClientRect();
      return { overflow: scroller.scrollWidth - scroller.clientWidth, right: Math.max(b.getBoundingClientRect().right, s.getBoundingClientRect().right),
        boxRight: box.right, viewport: window.innerWidth };
    }, m.next);
    check(fit.overflow <= 0, '[real] the requests table fits its box (' + fit.overflow + ' px over) [bug 7]');
    check(fit.right <= fit.boxRight && fit.right <= fit.viewport, '[real] the Resolve select and button fully visible (right edge ' +
      Math.round(fit.right) + ' px, box ' + Math.round(fit.boxRight) + ') [bug 7]');
  });

  await realReport(m);

  await step('[real] nav links [bug 4]', async () => {
    for (const [id, title] of [['tenants', 'tenants-h'], ['tenant', 'tenant-h'], ['adobe', 'adobe-h'], ['faults', 'faults-h'], ['report', 'report-h'], ['journal', 'journal-h']]) {
      await page.click('nav a[href="#' + id + '"]');
      await until(page, () => true, null, 10);
      const r = await page.evaluate((t) => ({ title: document.getElementById(t).getBoundingClientRect().top,
        header: document.querySelector('header').getBoundingClientRect().bottom }), title);
      check(r.title >= r.header, '[real] nav "#' + id + '": its title below the sticky header (title at ' + Math.round(r.title) + ' px, header ends at ' + Math.round(r.header) + ') [bug 4]');
    }
    await page.evaluate(() => window.scrollTo(0, 0));
  });

  await step('[real] Reload fixtures asks first [bug 8]', async () => {
    const reqs = (await control(m, 'GET', '/_mock/tenants/acme/requests')).requests.length;
    await page.click('#refresh');
    await until(page, (n) => document.querySelectorAll('#requests-body > tr').length === n, reqs);
    const text = await confirmed(m, 'dismiss', () => page.click('#reload'));
    eq(text, 'Reload the fixture files from disk?\n\nGoes: every tenant (1 now) with its mappings, scripts and requests, and every fault rule (2 now), ' +
      'replaced by what the files declare (fault counters start again); request ids start again at requestIdStart, the random generator at --seed.\n' +
      'Stays: the journal, the manual clock, the IMS tokens already issued.\nIf the files do not validate, nothing changes.', '[real] Reload fixtures: the confirmation [bug 8]');
    await new Promise((r) => setTimeout(r, 300));
    eq((await control(m, 'GET', '/_mock/tenants/acme/requests')).requests.length, reqs, '[real] Reload dismissed: the ' + reqs + ' requests are still there [bug 8]');
    eq((await control(m, 'GET', '/_mock/faults')).faults.length, 2, '[real] Reload dismissed: the 2 fault rules are still there [bug 8]');
  });

  await step('[real] deleting fault rules asks first [bug 8]', async () => {
    let text = await confirmed(m, 'accept', () => row(page, 'faults-body', 'fault-1').getByRole('button', { name: 'Delete rule fault-1' }).click());
    eq(text, 'Delete fault rule fault-1 ({"error":"429050"}, 1 hit) with its counters?', '[real] Delete fault-1: the confirmation [bug 8]');
    check(await until(page, () => !document.querySelector('#faults-body [data-key="fault-1"]')), '[real] fault-1 deleted');
    text = await confirmed(m, 'accept', () => page.click('#faults-clear'));
    eq(text, 'Delete all 1 fault rule (fault-2) with their counters?\n\nThe rules of the fixture files come back with Reload fixtures.', '[real] Delete all faults: the confirmation [bug 8]');
    check(await toastWith(page, '1 rules deleted.'), '[real] faults deleted: message');
    check(await until(page, () => document.querySelector('#faults-body').textContent === 'No fault rules.'), '[real] faults table: "No fault rules."');
  });

  await step('[real] Reset tenant asks first [bug 8]', async () => {
    const reqs = (await control(m, 'GET', '/_mock/tenants/acme/requests')).requests.length;
    const want = 'Reset tenant acme to the state its fixture (or the template) gave it?\n\nGoes: its ' + reqs + ' requests, and every change to its mappings since they were loaded ' +
      '(scripts, changed records, publication, execution; mappings added since are removed, deleted ones come back).\n' +
      'Stays: the journal, the fault rules, the other tenants; request ids are not reused.';
    eq(await confirmed(m, 'dismiss', () => page.click('#tenant-reset')), want, '[real] Reset tenant: the confirmation [bug 8]');
    await new Promise((r) => setTimeout(r, 300));
    eq((await control(m, 'GET', '/_mock/tenants/acme/requests')).requests.length, reqs, '[real] Reset tenant dismissed: nothing removed [bug 8]');
    eq(await confirmed(m, 'accept', () => page.click('#tenant-reset')), want, '[real] Reset tenant again: the same confirmation');
    check(await toastWith(page, 'Tenant acme is back to its fixture state.'), '[real] tenant reset: message');
    check(await until(page, () => document.querySelector('#requests-body').textContent === 'No requests.'), '[real] requests table: "No requests."');
    check(await cellIs(page, 'mappings-body', 'XDM10', 'Publication', 'Draft'), '[real] XDM10 back to Draft');
  });

  await step('[real] Delete tenant says what goes [bug 3]', async () => {
    await page.fill('#tenant-name', 'qa-1');
    await page.click('#tenant-open button[type="submit"]');
    check(await until(page, () => document.querySelector('#tenant-list [data-key="qa-1"]') && document.querySelector('#mappings-body [data-key="XDM1"]')),
      '[real] tenant qa-1 opened from the template');
    eq(await call(m, 'XDM1', '#call-trigger', 'qa-1'), submitted(m.next + 1, 'XDM1'), '[real] trigger qa-1/XDM1');
    check(await until(page, () => document.querySelectorAll('#requests-body > tr[data-key]:not([data-key=""])').length === 1), '[real] qa-1: one request listed');
    const text = await confirmed(m, 'accept', () => page.click('#tenant-delete'));
    eq(text, 'Delete tenant qa-1?\n\nGoes: its 1 mapping with their scripts, and its 1 request.\nStays: its journal entries, and the fault rules (those naming qa-1 too).\n' +
      'The next use of the name creates it again as a fresh copy of the template "*" (a tenant of the fixture files comes back as they declare it only with Reload fixtures).',
    '[real] Delete tenant: the confirmation says what goes and that the journal stays [bug 3]');
    check(await until(page, () => !document.querySelector('#tenant-list [data-key="qa-1"]')), '[real] qa-1 deleted');
    eq((await control(m, 'GET', '/_mock/journal/count?tenant=qa-1')).count, 1, '[real] qa-1\'s journal entry stays, as the confirmation says');
  });

  await step('[real] Clear journal asks first [bug 8]', async () => {
    const n = (await control(m, 'GET', '/_mock/journal/count')).count;
    const text = await confirmed(m, 'accept', () => page.click('#journal-clear'));
    eq(text, 'Delete all ' + n + ' journal entries (every tenant and the IMS calls: the filters do not apply)?\n\nThe count of entries evicted by --journal-max stays.',
      '[real] Clear journal: the confirmation [bug 8]');
    check(await toastWith(page, n + ' entries cleared.'), '[real] journal cleared: message');
    check(await until(page, () => document.querySelectorAll('#journal-list > li').length === 0), '[real] journal list empty');
  });

  await step('[real] Reload fixtures: problems, then a good reload [bug 8]', async () => {
    fs.writeFileSync(m.fixture, '{"tenants": {"acme": {"mappings": [{"id": 5}]}}}');
    await confirmed(m, 'accept', () => page.click('#reload'));
    const bad = await toastWith(page, 'the fixtures are invalid; the running state is kept');
    check(bad && bad.includes('tenants.acme.mappings[0].id'), '[real] invalid fixtures: the problems listed: ' + JSON.stringify(bad));
    fs.writeFileSync(m.fixture, fs.readFileSync(path.join(source, 'fixtures', 'acs-docs.json')));
    const text = await confirmed(m, 'accept', () => page.click('#reload'));
    check(text && text.startsWith('Reload the fixture files from disk?'), '[real] Reload asks again');
    check(await toastWith(page, 'Fixtures reloaded (1 tenants).'), '[real] "Fixtures reloaded (1 tenants)."');
  });
}

/* Manual clock, driven at 400 px: the clock buttons, time-based steps. */
async function manualClock(m) {
  const page = m.page;
  await step('[manual] clock', async () => {
    check(await waitText(page, '#clock-mode', 'manual'), '[manual] clock badge "manual"');
    eq(await page.locator('#clock-manual').isVisible(), true, '[manual] manual-clock buttons shown');
    eq(await textOf(page, '#clock-now'), '2025-01-01T00:00:00.000Z', '[manual] the clock starts at 2025-01-01');
    await page.click('button[data-advance="60000"]');
    check(await toastWith(page, 'Clock moved to 2025-01-01T00:01:00.000Z'), '[manual] +1 min: message');
    eq(await waitText(page, '#clock-now', '2025-01-01T00:01:00.000Z'), '2025-01-01T00:01:00.000Z', '[manual] +1 min');
    await page.fill('#clock-set', 'garbage');
    await page.click('#clock-set-btn');
    check(await toastWith(page, 'set: must be a UTC time'), '[manual] Set garbage: the server\'s message');
    await page.fill('#clock-set', '2025-01-01T00:00:00.000Z');
    await page.click('#clock-set-btn');
    eq(await waitText(page, '#clock-now', '2025-01-01T00:00:00.000Z'), '2025-01-01T00:00:00.000Z', '[manual] Set back to 00:00');
  });

  await qaLoop(m);

  await step('[manual] a step due after one minute of server clock', async () => {
    await row(page, 'mappings-body', 'XDM97').getByRole('button', { name: 'Edit the script of XDM97' }).click();
    check(await until(page, () => document.getElementById('script-text').value.includes('defaultOutcome')), '[manual] script editor loaded');
    await page.fill('#script-text', '{"script": [{"outcome": "aborted", "afterMs": 60000}]}');
    await page.click('#script-save');
    check(await toastWith(page, 'Script of XDM97 saved.'), '[manual] script saved: message');
    check(await cellIs(page, 'mappings-body', 'XDM97', 'Remaining script', 'aborted, after 60000 msthen: aborted, after 1 poll'), '[manual] mappings table: the remaining script');
    const id = m.next;
    eq(await call(m, 'XDM97', '#call-trigger'), submitted(id, 'XDM97'), '[manual] trigger XDM97');
    eq(await call(m, 'XDM97', '#call-poll'), inProgress(id, 'XDM97'), '[manual] poll: In Progress while the clock stands');
    eq(await textOf(page, cell('requests-body', String(id), 'Created')), '2025-01-01T00:00:00.000Z', '[manual] requests table: created on the server clock');
    await page.click('button[data-advance="60000"]');
    eq(await waitText(page, '#clock-now', '2025-01-01T00:01:00.000Z'), '2025-01-01T00:01:00.000Z', '[manual] +1 min');
    eq(await call(m, 'XDM97', '#call-poll'), '{"batchId": "", "info": "Mapping Id: XDM97. Ingestion request aborted due to some issue with data ingestion service. Please submit a new request", "numRecords": 0, "requestId": ' + id + ', "status": "Aborted"}',
      '[manual] poll after +1 min: Aborted');
    check(await cellIs(page, 'requests-body', String(id), 'Resolved', '2025-01-01T00:01:00.000Z'), '[manual] requests table: resolved at 00:01');
    const newest = page.locator('#journal-list > li').first();
    check(await until(page, () => { const s = document.querySelector('#journal-list > li summary'); return s && s.textContent.includes('2025-01-01T00:01:00.000Z'); }),
      '[manual] journal: the newest entry at 00:01 of server clock');
    check((await newest.textContent()).includes('/acme' + INGEST + 'XDM97/ingest?requestId=' + id), '[manual] journal: the newest entry is the poll');
  });
  await truncateAndHang(m);
  await manualReport(m);
}

/* The other transport faults: a body cut short, and no reply until cancelled. */
async function truncateAndHang(m) {
  const page = m.page;
  await step('[' + m.name + '] truncate and hang', async () => {
    await page.fill('#fault-json', '[{"id": "cut", "match": {"endpoint": "ingest.status"}, "action": {"transport": "truncate"}, "times": 1}, ' +
      '{"id": "stall", "match": {"endpoint": "ingest.status"}, "action": {"transport": "hang"}, "times": 1}]');
    await page.click('#fault-form button[type="submit"]');
    check(await cellIs(page, 'faults-body', 'stall', 'Action', '{"transport":"hang"}'), '[' + m.name + '] rules cut and stall added');
    await page.fill('#call-request', '3521');
    await call(m, 'XDM98', '#call-poll');
    const cut = await textOf(page, '#call-msg');
    check(cut && cut.startsWith('transport fault: truncate (rule cut): the body did not arrive whole'), '[' + m.name + '] truncate: shown as such: ' + JSON.stringify(cut));
    const out = await textOf(page, '#call-out');
    check(out.includes('HTTP 200 OK\n'), '[' + m.name + '] truncate: the status line that came: ' + JSON.stringify(out));
    await page.click('#call-poll');
    check(await until(page, () => !document.getElementById('call-cancel').disabled), '[' + m.name + '] hang: Cancel enabled while waiting');
    await page.click('#call-cancel');
    check(await until(page, () => document.getElementById('call-msg').textContent.startsWith('transport fault: hang (rule stall): no reply, cancelled.')),
      '[' + m.name + '] hang, cancelled: shown as such: ' + JSON.stringify(await textOf(page, '#call-msg')));
  });
}

/* --auth strict: a token from the emulated IMS through the page, then one typed in. */
async function strictAuth(m) {
  const page = m.page;
  await step('[strict] the default token is refused [bug 5]', async () => {
    eq(await call(m, 'XDM44', '#call-trigger'), '{"error_code":"401013","message":"Oauth token is not valid"}', '[strict] trigger with "Bearer ui": 401013');
    const msg = await textOf(page, '#call-msg');
    check(msg && msg.startsWith('The gateway refused the call (401013): the token is unknown to this server'), '[strict] the refusal explained, with X-Mock-Reason [bug 5]: ' + JSON.stringify(msg));
  });
  await step('[strict] a token from the emulated IMS [bug 5]', async () => {
    await page.click('#ims summary');
    await page.fill('#ims-client-id', 'qa-client');
    await page.fill('#ims-client-secret', 'wrong');
    await page.click('#ims-get');
    check(await toastWith(page, 'IMS: HTTP 401 invalid_client: invalid client_secret parameter'), '[strict] wrong secret: the IMS error');
    await page.fill('#ims-client-secret', 'qa-secret');
    await page.click('#ims-get');
    check(await toastWith(page, 'IMS token for qa-client (expires in 86399 s of server clock): token and X-Api-Key filled in.'), '[strict] Get token: message');
    const issued = (await control(m, 'GET', '/_mock/journal?limit=1')).entries[0];
    const token = JSON.parse(issued.responseBody).access_token;
    eq(await page.inputValue('#call-token'), token, '[strict] the token field holds the token IMS issued [bug 5]');
    eq(await page.inputValue('#call-key'), 'qa-client', '[strict] the X-Api-Key field holds the client id [bug 5]');
    eq(await textOf(page, '#call-headers'), 'Authorization: Bearer ' + token + '\nX-Api-Key: qa-client', '[strict] the headers each call sends, shown [bug 5]');
    m.token = token;
    m.key = 'qa-client';
  });
  await qaLoop(m);
  await step('[strict] a token typed in (a fixture client\'s accessTokens) [bug 5]', async () => {
    await page.fill('#call-token', 'ci-token');
    await page.fill('#call-key', 'wrong-key');
    eq(await call(m, 'XDM96', '#call-trigger'), '{"error_code":"403003","message":"Api Key is invalid"}', '[strict] typed token, wrong key: 403003');
    await page.fill('#call-key', 'ci-client');
    eq(await textOf(page, '#call-headers'), 'Authorization: Bearer ci-token\nX-Api-Key: ci-client', '[strict] the headers shown follow the fields [bug 5]');
    eq(await call(m, 'XDM96', '#call-trigger'), submitted(m.next, 'XDM96'), '[strict] typed token and client id: the trigger passes [bug 5]');
    check((await textOf(page, '#call-out')).includes('Authorization: Bearer ci-token\nX-Api-Key: ci-client\n'), '[strict] the call output shows the headers sent');
  });
}

/* --admin-token: the page asks for it and sends it. */
async function adminToken(m) {
  const page = m.page;
  await step('[admin] the token is asked for', async () => {
    check(await until(page, () => document.getElementById('tenants-load').textContent !== '') &&
      await page.locator('#tenant-list > li').count() === 0, '[admin] tenants not listed without the token');
    const t = await textOf(page, '#tenants-load');
    check(t.startsWith('this server requires the header X-Mock-Admin-Token (see --admin-token) (admin_token_required, HTTP 401)'),
      '[admin] the server\'s message, its code and a hint: ' + JSON.stringify(t));
    const rt = await textOf(page, '#report-load');
    check(rt.startsWith('this server requires the header X-Mock-Admin-Token (see --admin-token) (admin_token_required, HTTP 401)') &&
      await page.locator('#report-result').isHidden(), '[admin] the report too asks for the token, and shows no report: ' + JSON.stringify(rt));
    eq(await page.getAttribute('#token', 'type'), 'password', '[admin] the admin token field is a password field');
    await page.fill('#token', 'wrong');
    await page.press('#token', 'Enter');
    check(await until(page, () => document.getElementById('tenants-load').textContent.startsWith('the X-Mock-Admin-Token header does not match --admin-token')),
      '[admin] a wrong token: the server\'s message');
    await page.fill('#token', ADMIN_TOKEN);
    await page.press('#token', 'Enter');
    check(await until(page, () => document.querySelector('#tenant-list [data-key="acme"]') && document.querySelector('#mappings-body [data-key="XDM44"]')),
      '[admin] with the token: tenants and mappings listed');
    eq(await page.evaluate(() => sessionStorage.getItem('cm.token')), ADMIN_TOKEN, '[admin] the token kept for the session');
    eq(await textOf(page, '#tenants-load'), '', '[admin] the error gone');
    check(await until(page, () => document.getElementById('report-load').textContent === '' && !document.getElementById('report-result').hidden),
      '[admin] the report read once the token is entered: ' + JSON.stringify(await textOf(page, '#report-load')));
  });
  await qaLoop(m);
  await step('[admin] the report, read with the token', async () => {
    await page.click('#report-refresh');
    const want = await control(m, 'GET', '/_mock/report?tenant=acme');
    eq(await waitText(page, '#report-entries', String(want.window.entries)), String(want.window.entries), '[admin] report: the entries of the server\'s report');
    eq(await textOf(page, '#report-coverage-count'), want.coverage.seen + ' of 26 seen', '[admin] report: the coverage of the server\'s report');
  });
  await step('[admin] the admin token stays out of the emulated calls', async () => {
    const j = await control(m, 'GET', '/_mock/journal');
    check(j.entries.length > 5 && !JSON.stringify(j).includes(ADMIN_TOKEN), '[admin] no journal entry holds the admin token');
  });
}

/* --- the report ------------------------------------------------------------------- */

const unauthorized = '{"error_code":"401013","message":"Oauth token is not valid"}';
/* The rows of a table body, by key, and the rules checked marked fail. */
const keysOf = (page, tbody) => page.evaluate((t) => Array.from(document.querySelectorAll('#' + t + ' > tr')).map((r) => r.dataset.key), tbody);
const failing = (page) => page.evaluate(() => Array.from(document.querySelectorAll('#report-rules > li'))
  .filter((li) => li.firstElementChild.textContent === 'fail').map((li) => li.children[1].textContent + ' ' + li.children[2].textContent));

/* Real clock: a new window, a bad client through the Adobe call panel (a trigger never
 * polled, a trigger without headers), its grade, the entries' links, the tenant and
 * since parameters, a new window again. */
async function realReport(m) {
  const page = m.page;
  let last = 0;
  await step('[real] report: Start a new window', async () => {
    await page.click('nav a[href="#report"]');
    last = (await control(m, 'GET', '/_mock/journal?limit=1')).entries[0].id;
    await page.fill('#report-since', '1');
    await page.click('#report-mark');
    check(await toastWith(page, 'New window: the report covers the calls after journal entry #' + last +
      '. (The "After entry" field, 1, was emptied: the window starts at the mark.)'), '[real] report: Start a new window: message with the mark #' + last);
    eq(await page.inputValue('#report-since'), '', '[real] report: the "After entry" field emptied by the mark');
    eq(await waitText(page, '#report-since-used', 'after entry #' + last), 'after entry #' + last, '[real] report re-read after the mark: window after entry #' + last);
    eq(await textOf(page, '#report-entries'), '0', '[real] report after the mark: entries 0');
    eq(await textOf(page, '#report-range'), '\u2014', '[real] report after the mark: no range');
    eq(await textOf(page, '#report-tenant-used'), 'acme', '[real] report: of the tenant selected in the page');
    eq(await textOf(page, '#report-coverage-count'), '0 of 26 seen', '[real] report after the mark: "0 of 26 seen"');
    eq(await textOf(page, '#report-findings-body'), 'No findings.', '[real] report after the mark: "No findings."');
    eq(await textOf(page, '#report-rules-count'), '(12 of 12 pass)', '[real] report after the mark: 12 of 12 rules pass');
    eq(await page.locator('#report-incomplete').isVisible(), false, '[real] report: no eviction warning');
  });

  await step('[real] report: a bad client graded', async () => {
    const id = await nextId(m);
    eq(await call(m, 'XDM44', '#call-trigger'), submitted(id, 'XDM44'), '[real] bad client: trigger XDM44 (never polled)');
    m.next = id;
    await page.fill('#call-token', '');
    await page.fill('#call-key', '');
    eq(await call(m, 'XDM44', '#call-trigger'), unauthorized, '[real] bad client: trigger XDM44 without headers: 401013');
    await page.fill('#call-token', m.token);
    await page.fill('#call-key', m.key);
    const [e1, e2] = (await control(m, 'GET', '/_mock/journal?limit=2')).entries.map((e) => e.id);
    eq(e1, last + 1, '[real] bad client: its two calls are the journal entries after the mark');
    eq(await textOf(page, '#report-entries'), '0', '[real] the report is not re-read by itself (Refresh)');
    await page.click('#report-refresh');
    eq(await waitText(page, '#report-coverage-count', '2 of 26 seen'), '2 of 26 seen', '[real] report: coverage "2 of 26 seen"');
    eq(await textOf(page, '#report-entries'), '2', '[real] report: window of 2 entries');
    eq(await textOf(page, '#report-range'), '#' + e1 + ' to #' + e2, '[real] report: range #' + e1 + ' to #' + e2);
    eq((await keysOf(page, 'report-coverage-body')).length, 26, '[real] report: the 26 answers listed');
    eq(await page.locator('#report-coverage-body > tr.unseen').count(), 24, '[real] report: the 24 answers not seen highlighted');
    eq(await textOf(page, cell('report-coverage-body', 'trigger.submitted', 'Seen')), '1', '[real] coverage: trigger.submitted seen 1');
    eq(await textOf(page, cell('report-coverage-body', 'trigger.submitted', 'First entry')), '#' + e1, '[real] coverage: trigger.submitted first entry #' + e1);
    eq(await textOf(page, cell('report-coverage-body', 'gateway.401013', 'Seen')), '1', '[real] coverage: gateway.401013 seen 1');
    eq(await textOf(page, cell('report-coverage-body', 'gateway.401013', 'First entry')), '#' + e2, '[real] coverage: gateway.401013 first entry #' + e2);
    eq(await textOf(page, cell('report-coverage-body', 'gateway.401013', 'Description')), '401 401013 Oauth token is not valid', '[real] coverage: the description of gateway.401013');
    eq(await textOf(page, cell('report-coverage-body', 'status.success', 'Seen')), 'not seen', '[real] coverage: status.success "not seen"');
    eq(await page.locator('#report-coverage-body > [data-key="status.success"]').getAttribute('class'), 'unseen', '[real] coverage: status.success highlighted');
    eq(JSON.stringify(await keysOf(page, 'report-findings-body')), '["abandoned-request","missing-auth-headers"]', '[real] findings: abandoned-request, missing-auth-headers');
    const finding = async (rule, label) => textOf(page, cell('report-findings-body', rule, label));
    eq([await finding('abandoned-request', 'Severity'), await finding('abandoned-request', 'Rule'), await finding('abandoned-request', 'Message'),
      await finding('abandoned-request', 'Count'), await finding('abandoned-request', 'Entries')].join(' | '),
    'warning | abandoned-request | a request triggered and never polled to Success, Failed or Aborted (its outcome is never known: a failed ingestion goes unseen) | 1 | #' + e1,
    '[real] finding abandoned-request: warning, its message, 1, entry #' + e1);
    eq([await finding('missing-auth-headers', 'Severity'), await finding('missing-auth-headers', 'Rule'), await finding('missing-auth-headers', 'Message'),
      await finding('missing-auth-headers', 'Count'), await finding('missing-auth-headers', 'Entries')].join(' | '),
    'error | missing-auth-headers | calls without Authorization: Bearer <token> or without X-Api-Key | 1 | #' + e2,
    '[real] finding missing-auth-headers: error, its message, 1, entry #' + e2);
    eq(await textOf(page, '#report-summary'), '(1 error, 1 warning)', '[real] findings: "(1 error, 1 warning)"');
    eq(await textOf(page, '#report-rules-count'), '(10 of 12 pass)', '[real] rules checked: 10 of 12 pass');
    eq(JSON.stringify(await failing(page)), '["abandoned-request warning","missing-auth-headers error"]', '[real] rules checked: the two that fired marked fail');
    const want = await control(m, 'GET', '/_mock/report?tenant=acme');
    eq(JSON.stringify(await keysOf(page, 'report-coverage-body')), JSON.stringify(want.coverage.answers.map((a) => a.answer)), '[real] coverage: the server\'s answers, in its order');
    const fit = await page.evaluate(() => ({ page: document.documentElement.scrollWidth,
      scrollers: Array.from(document.querySelectorAll('#report .scroll')).map((n) => n.scrollWidth - n.clientWidth),
      right: document.getElementById('report').getBoundingClientRect().right }));
    check(fit.page <= 1400 && fit.right <= 1400 && fit.scrollers.every((o) => o <= 0), '[real] report at 1400 px: no horizontal overflow ' + JSON.stringify(fit));
    await shot(m, 'report-1400');
  });

  await step('[real] report: an entry id opens the journal entry', async () => {
    const id = (await control(m, 'GET', '/_mock/journal?limit=1')).entries[0].id;
    await page.fill('#j-status', '200');
    await page.press('#j-status', 'Enter');
    check(await until(page, (n) => !document.querySelector('#journal-list > li[data-key="' + n + '"]'), id), '[real] journal filtered on 200: entry #' + id + ' (the 401) not listed');
    await page.locator(cell('report-findings-body', 'missing-auth-headers', 'Entries') + ' a').click();
    check(await until(page, (n) => { const li = document.querySelector('#journal-list > li[data-key="' + n + '"]'); return li && li.querySelector('details').open; }, id),
      '[real] entry link #' + id + ': the journal filter cleared, the entry opened');
    eq(await page.inputValue('#j-status'), '', '[real] entry link: the status filter emptied');
    const r = await page.evaluate((n) => { const li = document.querySelector('#journal-list > li[data-key="' + n + '"]');
      return { text: li.querySelector('summary').textContent, top: li.getBoundingClientRect().top, header: document.querySelector('header').getBoundingClientRect().bottom,
        view: window.innerHeight, lost: document.getElementById('toasts').textContent.includes('is not among') }; }, id);
    check(r.text.includes('/acme' + INGEST + 'XDM44/ingest') && r.text.includes('401'), '[real] entry link: the entry is the 401 trigger');
    check(r.top >= r.header - 1 && r.top < r.view - 20, '[real] entry link: the entry scrolled into view, below the sticky header (' + Math.round(r.top) + ' px, header ends at ' +
      Math.round(r.header) + ', window ' + r.view + ')');
    eq(r.lost, false, '[real] entry link: no "not among the 50 newest" message');
    await page.click('nav a[href="#report"]');
  });

  await step('[real] report: tenant and since', async () => {
    const [e1, e2] = (await control(m, 'GET', '/_mock/journal?limit=2')).entries.map((e) => e.id);
    await page.selectOption('#report-tenant', 'all');
    eq(await waitText(page, '#report-tenant-used', 'all tenants'), 'all tenants', '[real] report of all tenants');
    eq(await textOf(page, '#report-entries'), '2', '[real] report of all tenants: the same 2 entries');
    await page.selectOption('#report-tenant', 'selected');
    eq(await waitText(page, '#report-tenant-used', 'acme'), 'acme', '[real] report of the selected tenant again');
    await page.fill('#report-since', String(e1));
    await page.press('#report-since', 'Enter');
    eq(await waitText(page, '#report-since-used', 'after entry #' + e1), 'after entry #' + e1, '[real] report since #' + e1);
    eq(await textOf(page, '#report-range'), '#' + e2 + ' to #' + e2, '[real] report since #' + e1 + ': entry #' + e2 + ' alone');
    eq(JSON.stringify(await keysOf(page, 'report-findings-body')), '["missing-auth-headers"]', '[real] report since #' + e1 + ': missing-auth-headers alone');
    eq(await textOf(page, '#report-coverage-count'), '1 of 26 seen', '[real] report since #' + e1 + ': "1 of 26 seen"');
  });

  await step('[real] report: Start a new window again', async () => {
    const mark = (await control(m, 'GET', '/_mock/journal?limit=1')).entries[0].id;
    await page.click('#report-mark');
    check(await toastWith(page, 'New window: the report covers the calls after journal entry #' + mark + '.'), '[real] report: a new window at #' + mark);
    eq(await waitText(page, '#report-since-used', 'after entry #' + mark), 'after entry #' + mark, '[real] report re-read: window after entry #' + mark);
    eq(await textOf(page, '#report-entries'), '0', '[real] report after the new window: entries 0');
    eq(await textOf(page, '#report-findings-body'), 'No findings.', '[real] report after the new window: "No findings."');
    eq(await textOf(page, '#report-coverage-count'), '0 of 26 seen', '[real] report after the new window: "0 of 26 seen"');
    eq(JSON.stringify(await failing(page)), '[]', '[real] report after the new window: every rule passes');
  });
}

/* Manual clock, at 400 px: the report of the QA loop with pollIntervalMs, a refused
 * since, and an incomplete window with markup in its texts (a crafted answer). */
async function manualReport(m) {
  const page = m.page;
  await step('[manual] report at 400 px', async () => {
    await page.click('nav a[href="#report"]');
    await page.fill('#report-poll', '600000');
    const want = await control(m, 'GET', '/_mock/report?tenant=acme&pollIntervalMs=600000');
    await page.click('#report-refresh');
    const seen = want.coverage.seen + ' of 26 seen';
    eq(await waitText(page, '#report-coverage-count', seen), seen, '[manual] report: coverage as the server counts it (' + seen + ')');
    eq(await textOf(page, '#report-entries'), String(want.window.entries), '[manual] report: entries as the server counts them');
    const rules = want.findings.map((f) => f.rule);
    check(rules.includes('poll-too-fast'), '[manual] pollIntervalMs=600000: the polls of the QA loop are too fast: ' + JSON.stringify(rules));
    eq(JSON.stringify(await keysOf(page, 'report-findings-body')), JSON.stringify(rules), '[manual] report: the server\'s findings, in its order');
    for (const f of want.findings) {
      eq(await textOf(page, cell('report-findings-body', f.rule, 'Entries')), f.entries.map((e) => '#' + e).join('') +
        (f.count > f.entries.length ? '(the first ' + f.entries.length + ')' : ''), '[manual] finding ' + f.rule + ': its entries');
    }
  });
  await step('[manual] report: a refused since', async () => {
    await page.fill('#report-since', 'x');
    await page.click('#report-refresh');
    check(await until(page, () => document.getElementById('report-load').textContent.startsWith('since: "x" is not a journal entry id (0 or more) (invalid_field, HTTP 400)')),
      '[manual] since "x": the server\'s message: ' + JSON.stringify(await textOf(page, '#report-load')));
    eq(await page.locator('#report-result').isHidden(), true, '[manual] since "x": the last report hidden, not passed off as current');
    await page.fill('#report-since', '');
    await page.click('#report-refresh');
    check(await until(page, () => document.getElementById('report-load').textContent === '' && !document.getElementById('report-result').hidden), '[manual] since emptied: the report back');
  });
  await step('[manual] report: an incomplete window, server text as text', async () => {
    const evil = '<img src=x onerror="window.__xss=1">';
    const doc = await control(m, 'GET', '/_mock/report?tenant=acme');
    doc.window.complete = false;
    doc.window.completeFrom = 7;
    doc.coverage.answers[0].description = evil;
    doc.findings = [{ rule: 'x<b>y</b>', severity: 'error', message: evil, count: 25, entries: Array.from({ length: 20 }, (_, i) => i + 7) }];
    const only = (u) => u.pathname === '/_mock/report';
    await page.route(only, (r) => r.fulfill({ status: 200, contentType: 'application/json;charset=utf-8', body: JSON.stringify(doc) }));
    try {
      await page.click('#report-refresh');
      eq(await waitText(page, '#report-incomplete', 'Incomplete window: entries before 7 were evicted by the journal\'s cap (--journal-max, --journal-max-bytes); ' +
        'coverage and findings count only the entries from 7 on.'), 'Incomplete window: entries before 7 were evicted by the journal\'s cap (--journal-max, --journal-max-bytes); ' +
        'coverage and findings count only the entries from 7 on.', '[manual] window.complete false: the warning "entries before 7 were evicted"');
      eq(await page.locator('#report-incomplete').isVisible(), true, '[manual] the eviction warning visible');
      eq(await textOf(page, cell('report-findings-body', 'x<b>y</b>', 'Message')), evil, '[manual] a finding\'s message with markup shown as text');
      eq(await textOf(page, cell('report-coverage-body', doc.coverage.answers[0].answer, 'Description')), evil, '[manual] a description with markup shown as text');
      check((await textOf(page, cell('report-findings-body', 'x<b>y</b>', 'Entries'))).endsWith('#26(the first 20)'), '[manual] 25 entries, 20 listed: "(the first 20)"');
      eq(await page.locator('#report img, #report b').count(), 0, '[manual] no element made from the report');
      eq(await page.evaluate(() => window.__xss), undefined, '[manual] no script ran');
      await narrow(m, 'report, incomplete window');
    } finally {
      await page.unroute(only);
    }
    await page.click('#report-refresh');
    check(await until(page, () => document.getElementById('report-incomplete').hidden), '[manual] the real report again: no warning');
  });
}

/* Nothing wider than the window: the page, its tables, its text blocks. */
async function narrow(m, what) {
  const tag = '[' + m.name + '] 400 px' + (what ? ' (' + what + ')' : '');
  await step(tag + ' wide', async () => {
    await m.page.setViewportSize({ width: 400, height: 900 });
    await until(m.page, () => true, null, 10);
    const o = await m.page.evaluate(() => {
      const wide = [];
      for (const n of document.querySelectorAll('body *')) {
        const r = n.getBoundingClientRect();
        if (r.width && (r.right > window.innerWidth + 0.5 || r.left < -0.5)) {
          let clipped = false;
          for (let p = n.parentElement; p && p !== document.body; p = p.parentElement) {
            const s = getComputedStyle(p);
            if ((s.overflowX !== 'visible') && p.getBoundingClientRect().right <= window.innerWidth + 0.5) { clipped = true; break; }
          }
          if (!clipped) wide.push((n.id ? '#' + n.id : n.tagName.toLowerCase() + (n.className ? '.' + String(n.className).split(' ')[0] : '')) + ' ' + Math.round(r.right));
        }
      }
      const scrollers = Array.from(document.querySelectorAll('.scroll, pre')).filter((n) => n.scrollWidth > n.clientWidth + 1)
        .map((n) => (n.id || n.firstElementChild && n.firstElementChild.id || n.tagName) + ' ' + n.scrollWidth + '>' + n.clientWidth);
      return { page: document.documentElement.scrollWidth, wide: wide.slice(0, 8), scrollers };
    });
    check(o.page <= 400, tag + ': no page-wide horizontal scroll (' + o.page + ' px)');
    check(o.wide.length === 0, tag + ': no element past the right edge' + (o.wide.length ? ': ' + o.wide.join(', ') : ''));
    check(o.scrollers.length === 0, tag + ': no table or text block scrolls sideways' + (o.scrollers.length ? ': ' + o.scrollers.join(', ') : ''));
  });
  await shot(m, what ? '400-report' : '400');
}

async function runMode(ctx, m) {
  m.shots = [];
  m.token = m.token || 'ui';
  m.key = m.key || 'ui';
  m.fixture = path.join(tmp, m.name + '-fixtures.json');
  fs.copyFileSync(path.join(source, 'fixtures', 'acs-docs.json'), m.fixture);
  const srv = await startServer(m.name, ['--fixtures', m.fixture].concat(m.args));
  m.base = srv.base;
  try {
    await openPage(ctx, m);
    await m.run(m);
    if (m.viewport.width === 1400) await shot(m, '1400');
    await narrow(m);
    if (m.viewport.width !== 1400) {
      await m.page.setViewportSize({ width: 1400, height: 900 });
      await shot(m, '1400');
    }
    check(m.errors.length === 0, '[' + m.name + '] no script error in the page' + (m.errors.length ? ': ' + m.errors.join('; ') : ''));
    check(m.external.length === 0, '[' + m.name + '] no request to elsewhere' + (m.external.length ? ': ' + m.external.join(' ') : ''));
    await m.page.close();
  } finally {
    await stopServer(srv);
  }
}

async function main() {
  const client = path.join(tmp, 'clients.json');
  fs.writeFileSync(client, JSON.stringify({
    clients: [
      { clientId: 'qa-client', clientSecret: 'qa-secret', orgId: 'QA1@AdobeOrg', tenants: ['acme'], roles: ['sql'] },
      { clientId: 'ci-client', clientSecret: 'ci-secret', orgId: 'QA1@AdobeOrg', tenants: ['*'], roles: ['sql'], accessTokens: ['ci-token'] },
    ],
  }));
  const modes = [
    { name: 'real', args: [], viewport: { width: 1400, height: 900 }, transport: 'reset', run: realClock },
    { name: 'manual', args: ['--clock', 'manual'], viewport: { width: 400, height: 900 }, transport: 'empty', run: manualClock },
    { name: 'strict', args: ['--auth', 'strict', '--fixtures', client], viewport: { width: 1400, height: 900 }, transport: 'reset', run: strictAuth },
    { name: 'admin', args: ['--admin-token', ADMIN_TOKEN], viewport: { width: 1400, height: 900 }, transport: 'reset', admin: true, run: adminToken },
  ];
  /* A fresh profile; the flags keep Chromium from calling out (refused on a closed
   * network) and from using QUIC. */
  const profile = fs.mkdtempSync(path.join(tmp, 'profile-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: browserPath, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const all = [];
  try {
    for (const m of modes) {
      const t0 = Date.now();
      await runMode(ctx, m);
      all.push(...m.shots);
      console.log('# mode ' + m.name + ': ' + ((Date.now() - t0) / 1000).toFixed(1) + ' s');
    }
  } finally {
    await ctx.close();
  }
  console.log('screenshots:\n  ' + all.join('\n  '));
  if (failed) console.log('server logs and fixtures kept in ' + tmp);
  else fs.rmSync(tmp, { recursive: true, force: true });
  console.log(passed + ' passed, ' + failed + ' failed (' + ((Date.now() - started) / 1000).toFixed(1) + ' s)');
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  console.log(passed + ' passed, ' + (failed + 1) + ' failed');
  process.exit(1);
});
