// Your first test with campaign-mock: one server for the file, a tenant per test, a
// 15-minute ingestion finished at once on the manual clock, and the journal showing
// what the client sent. Run: CAMPAIGN_MOCK_BIN=path/to/campaign-mock node --test
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { headerOf, start } from 'campaign-mock-client';

describe('ingestion', { concurrency: true }, () => {
  let mock;
  before(async () => {
    mock = await start({ clock: 'manual' });
  });
  after(() => mock.stop());

  it('a 15-minute ingestion reaches Success', async () => {
    const tenant = mock.tenant(); // a fresh copy of the template tenant "*"
    await tenant.putScript('XDM1', [{ outcome: 'success', numRecords: 500, afterMs: 900000 }]);
    const auth = { token: 'my-token', apiKey: 'my-client-id' };

    // What your client does: trigger, then poll.
    const trigger = await tenant.trigger('XDM1', auth);
    const id = trigger.body.requestId;
    assert.equal(trigger.text,
      `{"requestId": ${id}, "info": "Ingestion request submitted successfully for the Mapping ID: XDM1", "status": "Success"}`);
    assert.equal((await tenant.status('XDM1', id, auth)).body.status, 'In Progress');

    await mock.clock.advance(900000); // the 15 minutes, at once

    const done = await tenant.poll('XDM1', id, auth);
    assert.equal(done.text,
      `{"batchId": "", "info": "Mapping Id: XDM1. ", "numRecords": 500, "requestId": ${id}, "status": "Success"}`);

    // What the client sent, as the server received it.
    const calls = await tenant.journal();
    assert.deepEqual(calls.map((c) => `${c.method} ${c.endpoint} ${c.status}`),
      ['POST ingest.trigger 200', 'GET ingest.status 200', 'GET ingest.status 200']);
    for (const call of calls) {
      assert.equal(headerOf(call, 'Authorization'), 'Bearer my-token');
      assert.equal(headerOf(call, 'X-Api-Key'), 'my-client-id');
    }
    assert.deepEqual(calls[2].query, { requestId: String(id) });
  });

  it('a failed fetch is reported as Adobe does', async () => {
    const tenant = mock.tenant(); // runs alongside the test above, on its own tenant
    await tenant.putScript('XDM1', [{ outcome: 'failed-fetch' }]);
    const id = (await tenant.trigger('XDM1')).body.requestId;
    const done = await tenant.poll('XDM1', id);
    assert.equal(done.body.status, 'Failed');
    assert.match(done.body.info, /ACP-880056/);
  });
});
