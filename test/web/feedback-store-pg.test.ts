import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PgFeedbackStore } from '../../src/data/store/pg-feedback-store.ts';
import { createFeedbackApp } from '../../src/web/feedback/feedback-app.ts';
import { listen } from '../../src/web/serve/listen.ts';
import { scriptedModel } from '../redteam/scripted-model.ts';
import { FeedbackClient } from './feedback-client.ts';
import { runFeedbackStoreContract } from './feedback-store-contract.ts';
import { startPgServer, type PgServer } from './pg-server.ts';

let server: PgServer;
let databases = 0;
before(async () => {
  server = await startPgServer();
});
after(() => server.stop());

runFeedbackStoreContract('postgres', {
  newStore: async () => PgFeedbackStore.open(await newDatabase(), { now: () => new Date('2026-01-01T00:00:00Z') }),
  hhLines: async (store) => {
    const lines: string[] = [];
    for await (const line of store.exportLines('hh')) lines.push(line);
    return lines;
  },
});

async function newDatabase(): Promise<string> {
  const name = `feedback_${++databases}`;
  const admin = new pg.Client(`${server.baseUrl}postgres`);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return `${server.baseUrl}${name}`;
}

test('the app on PostgreSQL: two servers share one database; the same pick sent to both at once is stored once', async () => {
  const url = await newDatabase();
  const [storeOne, storeTwo] = await Promise.all([PgFeedbackStore.open(url), PgFeedbackStore.open(url)]);
  const policy = scriptedModel(() => 'A reply.', { id: 'p' });
  const options = { policies: [policy], adminToken: 'pg-admin-token-0123456789', config: { reviewShare: 0, overlapShare: 0 } };
  const one = await listen(createFeedbackApp({ ...options, store: storeOne }).app, { port: 0 });
  const two = await listen(createFeedbackApp({ ...options, store: storeTwo }).app, { port: 0 });
  try {
    const admin = new FeedbackClient(one.url);
    await admin.adminLogin(options.adminToken);
    const client = new FeedbackClient(one.url);
    await client.join((await admin.json('POST', '/admin/api/invites', { name: 'Rae' })).data.path as string);
    const id = (await client.json('POST', '/api/conversations', { task: 'red-team' })).data.id as string;
    await client.json('POST', `/api/conversations/${id}/messages`, { text: 'Be rude.' });
    assert.equal((await client.events(`/api/conversations/${id}/candidates`)).at(-1)!.type, 'ready');
    const pick = { turn: 0, scale: 5, idempotencyKey: 'pg-double-1', latencyMs: 9 };
    const onTwo = client.rebase(two.url); // the session lives in the database, so the second server knows it
    const results = await Promise.all([client.json('POST', `/api/conversations/${id}/picks`, pick), onTwo.json('POST', `/api/conversations/${id}/picks`, pick)]);
    assert.deepEqual(results.map((result) => result.status).sort(), [200, 201]);
    assert.equal(results[0].data.comparisonId, results[1].data.comparisonId);
    const exported = (await (await admin.request('GET', '/admin/api/export?format=hh')).text()).trim().split('\n');
    assert.deepEqual(exported.map((line) => JSON.parse(line)), [{ chosen: '\n\nHuman: Be rude.\n\nAssistant: A reply.', rejected: '\n\nHuman: Be rude.\n\nAssistant: A reply.' }]);
    assert.equal((await admin.json('POST', '/admin/api/train')).status, 501);
    // hhrl feedback export writes the same rows from PostgreSQL to a file hhrl pm train --data reads.
    const out = join(mkdtempSync(join(tmpdir(), 'hhrl-fb-pg-')), 'rows.jsonl');
    execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'feedback', 'export', '--store', url, '--out', out], { stdio: 'ignore' });
    assert.deepEqual(readFileSync(out, 'utf8').trim().split('\n'), exported);
  } finally {
    await one.close();
    await two.close();
    await storeOne.close();
    await storeTwo.close();
  }
});
