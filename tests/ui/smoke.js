/*
 * Smoke test of the web dashboard (ui/index.html) in headless Chromium: presses its
 * buttons against a real campaign-mock and checks what the page shows. For local use
 * only, not run by ctest (CI machines have no Chromium). Needs playwright-core, kept
 * outside the repository:
 *
 *   npm install --prefix /tmp/pw playwright-core
 *   NODE_PATH=/tmp/pw/node_modules node tests/ui/smoke.js build/campaign-mock [OUTDIR]
 *
 * CHROMIUM (default /usr/bin/chromium) names the browser. Screenshots go to OUTDIR
 * (default: a new temporary directory). Exit status 0 when every check passed.
 */
'use strict';
const { chromium } = require('playwright-core');
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const bin = process.argv[2];
if (!bin) {
  console.error('usage: node tests/ui/smoke.js PATH/TO/campaign-mock [OUTDIR]');
  process.exit(2);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-ui-'));
const out = process.argv[3] || dir;
const fixture = path.join(dir, 'fixtures.json');
const goodFixture = fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'acs-docs.json'), 'utf8');
fs.writeFileSync(fixture, goodFixture);
const TOKEN = 's3cret';

let passed = 0, failed = 0;
function check(cond, what) {
  if (cond) passed++;
  else { failed++; console.error('check failed: ' + what); }
}

async function startServer() {
  const portFile = path.join(dir, 'port');
  const child = spawn(bin, ['--port', '0', '--port-file', portFile, '--clock', 'manual',
    '--fixtures', fixture, '--admin-token', TOKEN],
  { stdio: ['ignore', 'ignore', fs.openSync(path.join(dir, 'server.log'), 'w')] });
  for (let i = 0; i < 100; i++) { /* up to 10 s */
    if (fs.existsSync(portFile) && fs.readFileSync(portFile, 'utf8').trim()) {
      return { child, base: 'http://127.0.0.1:' + fs.readFileSync(portFile, 'utf8').trim() };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('the server did not start');
}

/* Waits until fn() (run in the page) is truthy; false after 5 s. */
async function until(page, fn, arg) {
  try {
    await page.waitForFunction(fn, arg, { timeout: 5000 });
    return true;
  } catch (e) {
    return false;
  }
}
const text = (page, sel) => page.locator(sel).first().innerText();
const row = (page, tbody, key) => page.locator('#' + tbody + ' > [data-key="' + key + '"]');

async function main() {
  const { child, base } = await startServer();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => d.accept());
  const external = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) external.push(r.url()); });

  try {
    await page.goto(base + '/_mock/ui');
    await page.waitForSelector('body[data-ready="1"]');

    // Without the token: health still answers, the rest says what to do.
    check(/v\d/.test(await text(page, '#version')), 'version shown');
    check((await text(page, '#tenants-load')).includes('admin_token_required'), 'token error shown');

    // Token kept in sessionStorage and sent from then on.
    await page.fill('#token', TOKEN);
    await page.press('#token', 'Tab');
    check(await until(page, () => document.querySelector('#tenant-list [data-key="acme"]')), 'tenants listed with the token');
    check(await page.evaluate(() => sessionStorage.getItem('cm.token')) === TOKEN, 'token in sessionStorage');
    check(await until(page, () => document.querySelector('#mappings-body [data-key="XDM44"]')), 'acme selected, mappings shown');

    // Clock.
    await page.click('button[data-advance="60000"]');
    check(await until(page, () => document.getElementById('clock-now').textContent === '2025-01-01T00:01:00.000Z'), 'clock +1 min');
    await page.fill('#clock-set', '2025-01-01T00:30:00.000Z');
    await page.click('#clock-set-btn');
    check(await until(page, () => document.getElementById('clock-now').textContent === '2025-01-01T00:30:00.000Z'), 'clock set');
    await page.fill('#clock-set', 'garbage');
    await page.click('#clock-set-btn');
    check(await until(page, () => document.getElementById('top-msg').textContent.includes('set: must be a UTC time')), 'clock set error shown');

    // Campaign buttons.
    await row(page, 'mappings-body', 'XDM10').getByRole('button', { name: 'start XDM10', exact: true }).click();
    check(await until(page, () => document.getElementById('tenant-msg').textContent.includes('is not published')), 'start on a draft: 409 message');
    await row(page, 'mappings-body', 'XDM10').getByRole('button', { name: 'publish XDM10', exact: true }).click();
    check(await until(page, () => /Published.*Started/.test(document.querySelector('#mappings-body [data-key="XDM10"]').textContent)), 'publish');
    await row(page, 'mappings-body', 'XDM10').getByRole('button', { name: 'stop XDM10', exact: true }).click();
    check(await until(page, () => /Published.*Stopped/.test(document.querySelector('#mappings-body [data-key="XDM10"]').textContent)), 'stop');
    await page.fill('#rec-XDM10', '7');
    await row(page, 'mappings-body', 'XDM10').getByRole('button', { name: 'Add records to XDM10' }).click();
    check(await until(page, () => document.querySelector('#mappings-body [data-key="XDM10"] td.n').textContent === '7'), '+ records');

    // Script editor: validation errors as returned, then a good script.
    await row(page, 'mappings-body', 'XDM10').getByRole('button', { name: 'Edit the script of XDM10' }).click();
    check(await until(page, () => document.getElementById('script-text').value.includes('defaultOutcome')), 'script loaded');
    await page.fill('#script-text', '{"script": [{"outcome": "bogus"}]}');
    await page.click('#script-save');
    check(await until(page, () => document.getElementById('script-msg').textContent.includes('unknown outcome')), 'script validation error shown');
    await page.fill('#script-text', '{"script": [{"outcome": "hang"}]}');
    await page.click('#script-save');
    check(await until(page, () => document.querySelector('#mappings-body [data-key="XDM10"] td.script').textContent.includes('hang')), 'script saved and shown');

    // Adobe call: trigger, poll.
    await page.selectOption('#call-tenant', 'acme');
    await page.selectOption('#call-mapping', 'XDM10');
    await page.click('#call-trigger');
    check(await until(page, () => document.getElementById('call-body').textContent.includes('submitted successfully for the Mapping ID: XDM10')), 'trigger body shown');
    const id = await page.inputValue('#call-request');
    check(/^\d+$/.test(id), 'requestId filled in: ' + id);
    await page.click('#call-poll');
    check(await until(page, () => document.getElementById('call-body').textContent.includes('"status": "In Progress"')), 'poll body shown');
    check((await text(page, '#call-out')).includes('HTTP 200'), 'status line shown');

    // Requests: resolve the hang.
    check(await until(page, (k) => document.querySelector('#requests-body [data-key="' + k + '"]'), id), 'request listed');
    await page.selectOption('#res-' + id, 'failed-upload');
    await row(page, 'requests-body', id).getByRole('button', { name: 'Resolve request ' + id }).click();
    check(await until(page, (k) => /Failed.*batch [0-9a-f]{32}/.test(document.querySelector('#requests-body [data-key="' + k + '"]').textContent), id), 'resolved as failed-upload');

    // Faults: a preset, a gateway answer seen through the helper, a refused rule, delete.
    await page.selectOption('#fault-preset', '429050');
    await page.selectOption('#fault-endpoint', 'ingest.status');
    await page.click('#fault-form button[type="submit"]');
    check(await until(page, () => document.querySelector('#faults-body [data-key="fault-1"]')), 'fault added');
    await page.click('#call-poll');
    check(await until(page, () => document.getElementById('call-out').textContent.includes('HTTP 429')), '429 through the helper');
    check((await text(page, '#call-body')).includes('"error_code":"429050"'), '429 body shown');
    check(await until(page, () => /1\s*1\s*0/.test(document.querySelector('#faults-body [data-key="fault-1"]').textContent.replace(/\D+/g, ' '))), 'hits/seen/remaining updated');
    await page.fill('#fault-json', '{"action": {"error": "999"}}');
    await page.click('#fault-form button[type="submit"]');
    check(await until(page, () => document.getElementById('faults-msg').textContent.includes('must be one of')), 'fault validation error shown');
    await row(page, 'faults-body', 'fault-1').getByRole('button', { name: 'Delete rule fault-1' }).click();
    check(await until(page, () => !document.querySelector('#faults-body [data-key="fault-1"]')), 'fault deleted');
    // Chromium retries a GET once when a reused connection is reset, so a rule with
    // times 1 would be used up by the first attempt: this one applies every time.
    await page.selectOption('#fault-preset', 'reset');
    await page.fill('#fault-times', '');
    await page.click('#fault-form button[type="submit"]');
    check(await until(page, () => document.querySelector('#faults-body [data-key="fault-1"]')), 'reset fault added');
    await page.click('#call-poll');
    check(await until(page, () => document.getElementById('call-msg').textContent.includes('No HTTP reply')), 'transport fault reported');
    await page.click('#faults-clear');
    check(await until(page, () => !document.querySelector('#faults-body [data-key="fault-1"]')), 'faults cleared');

    // Journal: newest first, expandable, filters, no admin token recorded, clear.
    check(await until(page, () => document.querySelectorAll('#journal-list > li').length >= 5), 'journal entries');
    const first = await page.locator('#journal-list > li').first().innerText();
    check(first.includes('GET') && first.includes('0 (no reply)'), 'newest entry first: ' + first.split('\n')[0]);
    await page.locator('#journal-list > li summary').nth(1).click();
    const opened = await page.locator('#journal-list > li').nth(1).innerText();
    check(opened.includes('Authorization: Bearer ui') && opened.includes('Response body'), 'entry expands');
    check(!(await page.locator('#journal-list').innerText()).includes(TOKEN), 'no admin token in the journal');
    await page.fill('#j-status', '429');
    await page.press('#j-status', 'Enter');
    check(await until(page, () => { const l = document.querySelectorAll('#journal-list > li'); return l.length === 1 && l[0].textContent.includes('429'); }), 'status filter');
    await page.fill('#j-status', '');
    await page.press('#j-status', 'Enter');
    await page.screenshot({ path: path.join(out, 'ui-1280.png'), fullPage: true });
    await page.click('#journal-clear');
    check(await until(page, () => document.querySelectorAll('#journal-list > li').length === 0), 'journal cleared');

    // Server strings are text, never markup.
    const evil = '<img src=x onerror="window.__xss=1">';
    await page.evaluate(async (a) => {
      await fetch('/_mock/tenants/acme/mappings/XSS1', { method: 'PUT', headers: { 'X-Mock-Admin-Token': a.token },
        body: JSON.stringify({ label: a.evil, published: true }) });
    }, { token: TOKEN, evil });
    check(await until(page, () => document.querySelector('#mappings-body [data-key="XSS1"]')), 'XSS1 listed');
    check(await page.locator('#mappings-body img').count() === 0, 'no element from a label');
    check((await row(page, 'mappings-body', 'XSS1').innerText()).includes(evil), 'label shown as text');
    check(await page.evaluate(() => window.__xss === undefined), 'no script ran');

    // Tenants: open one from the template, delete it.
    await page.fill('#tenant-name', 'qa-1');
    await page.click('#tenant-open button[type="submit"]');
    check(await until(page, () => document.querySelector('#tenant-list [data-key="qa-1"]') && document.querySelector('#mappings-body [data-key="XDM1"]')), 'tenant opened from the template');
    await page.click('#tenant-delete');
    check(await until(page, () => !document.querySelector('#tenant-list [data-key="qa-1"]')), 'tenant deleted');

    // Reload fixtures: problems listed on 400, then a good reload.
    fs.writeFileSync(fixture, '{"tenants": {"acme": {"mappings": [{"id": 5}]}}}');
    await page.click('#reload');
    check(await until(page, () => document.querySelectorAll('#top-msg li').length > 0), 'reload problems listed');
    fs.writeFileSync(fixture, goodFixture);
    await page.click('#reload');
    check(await until(page, () => document.getElementById('top-msg').textContent.includes('Fixtures reloaded')), 'reload ok');

    // Narrow window: nothing wider than the viewport but the scrolling tables.
    await page.setViewportSize({ width: 400, height: 900 });
    check(await page.evaluate(() => document.documentElement.scrollWidth <= 400), 'no page-wide horizontal scroll at 400px');
    await page.screenshot({ path: path.join(out, 'ui-400.png'), fullPage: true });

    check(errors.length === 0, 'page errors: ' + errors.join('; '));
    check(external.length === 0, 'external requests: ' + external.join(' '));
  } finally {
    await browser.close();
    child.kill('SIGTERM');
  }
  if (out !== dir) fs.rmSync(dir, { recursive: true, force: true });
  console.log('screenshots in ' + out);
  console.log(passed + ' passed, ' + failed + ' failed');
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
