import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteFeedbackStore } from '../../src/data/store/sqlite-feedback-store.ts';
import { parseGptConfig } from '../../src/model/gpt-config.ts';
import { GptModel } from '../../src/model/gpt-model.ts';
import { BpeTokenizer } from '../../src/model/tokenizer/index.ts';
import { FeedbackClient } from './feedback-client.ts';

const ADMIN = 'cli-admin-token-0123456789';
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

function tinyCheckpoint(): string {
  const tokenizer = BpeTokenizer.fromBytes();
  const dir = join(mkdtempSync(join(tmpdir(), 'hhrl-fb-cli-')), 'tiny');
  GptModel.create(parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 1, dModel: 16, heads: 2, context: 128 }), { lm: true }, tokenizer, 3).save(dir);
  return dir;
}

/** Start `hhrl feedback serve`; resolves with the child and its URL. */
function serve(store: string, policy: string, extra: readonly string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...CLI, 'feedback', 'serve', '--store', store, '--policy', policy, '--port', '0', '--max-tokens', '6', '--rate-per-minute', '100000', '--review-share', '0', ...extra], {
    env: { ...process.env, HHRL_FEEDBACK_ADMIN_TOKEN: ADMIN },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /at (http:\/\/\S+) \(admin/.exec(text);
      if (match !== null) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${text}`)));
  });
}

function invite(store: string, name: string, url: string): string {
  const line = execFileSync(process.execPath, [...CLI, 'feedback', 'invite', '--store', store, '--name', name, '--base-url', url], { encoding: 'utf8' });
  return new URL(line.trim().split(': ')[1]).pathname;
}

/** One turn through the API: message, both replies, a pick; returns the replies and whether the pick was acknowledged. */
async function annotateTurn(client: FeedbackClient, conversationId: string, turn: number, text: string, key: string) {
  await client.json('POST', `/api/conversations/${conversationId}/messages`, { text });
  const events = await client.events(`/api/conversations/${conversationId}/candidates`);
  const replies = { a: '', b: '' };
  for (const event of events) if (event.type === 'delta') replies[event.slot as 'a' | 'b'] += event.text;
  const pick = await client.json('POST', `/api/conversations/${conversationId}/picks`, { turn, scale: 2, idempotencyKey: key, latencyMs: 1 });
  return { replies, status: pick.status };
}

test('hhrl feedback serve + invite: a session on a new store, and hhrl data export writes what was picked', async () => {
  const policy = tinyCheckpoint();
  const store = join(mkdtempSync(join(tmpdir(), 'hhrl-fb-cli-')), 'feedback.sqlite');
  const { child, url } = await serve(store, policy);
  try {
    const client = new FeedbackClient(url);
    await client.join(invite(store, 'Mo', url));
    const conversationId = (await client.json('POST', '/api/conversations', { task: 'helpful' })).data.id as string;
    const first = await annotateTurn(client, conversationId, 0, 'Hi there', 'cli-key-0001');
    assert.equal(first.status, 201);
    const out = join(mkdtempSync(join(tmpdir(), 'hhrl-fb-cli-')), 'out.jsonl');
    execFileSync(process.execPath, [...CLI, 'data', 'export', '--store', store, '--format', 'hh', '--out', out], { stdio: 'ignore' });
    assert.deepEqual(readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line)), [
      { chosen: `\n\nHuman: Hi there\n\nAssistant: ${first.replies.a}`, rejected: `\n\nHuman: Hi there\n\nAssistant: ${first.replies.b}` },
    ]);
  } finally {
    child.kill('SIGINT');
  }
});

test('the admin\'s Train button runs hhrl pm train on the store to the end, its log beside the run folder', async () => {
  const policy = tinyCheckpoint();
  const root = mkdtempSync(join(tmpdir(), 'hhrl-fb-train-'));
  const store = join(root, 'feedback.sqlite');
  const out = join(root, 'pm-runs');
  const { child, url } = await serve(store, policy, ['--train-out', out]);
  try {
    const client = await annotator(url, 'Ada');
    const conversationId = (await client.json('POST', '/api/conversations', { task: 'helpful' })).data.id as string;
    for (const [turn, text] of ['Hi there', 'What is a fen?', 'Tell me a word game'].entries()) assert.equal((await annotateTurn(client, conversationId, turn, text, `train-key-${turn}`)).status, 201);
    const admin = new FeedbackClient(url);
    await admin.adminLogin(ADMIN);
    const started = await admin.json('POST', '/admin/api/train');
    assert.equal(started.status, 202);
    const runDir = /--out (\S+)/.exec(String(started.data.command))?.[1];
    assert.ok(runDir !== undefined && runDir.startsWith(out), String(started.data.command));
    // the spawned run trains the default PM (500 steps at most) on the three picks; wait for it to finish
    for (let waited = 0; !existsSync(join(runDir, 'summary.json')); waited += 500) {
      assert.ok(waited < 240_000, `no summary.json after 4 minutes; log: ${existsSync(`${runDir}.log`) ? readFileSync(`${runDir}.log`, 'utf8').slice(-2000) : 'none'}`);
      await sleep(500);
    }
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { stepsRun: number };
    assert.ok(summary.stepsRun > 0);
    assert.ok(existsSync(`${runDir}.log`), 'the log sits beside the run folder');
    assert.ok(!readdirSync(runDir).some((name) => name.endsWith('.log')), 'nothing but the run in its folder');
  } finally {
    child.kill('SIGINT');
  }
});

/** An annotator signed in through the admin API (faster than a CLI process per invite). */
async function annotator(url: string, name: string): Promise<FeedbackClient> {
  const admin = new FeedbackClient(url);
  await admin.adminLogin(ADMIN);
  const client = new FeedbackClient(url);
  await client.join((await admin.json('POST', '/admin/api/invites', { name })).data.path as string);
  return client;
}

test('kill -9 under load: every acknowledged pick is in the store after a restart, none twice, and pending replies are asked again', async () => {
  const policy = tinyCheckpoint();
  const store = join(mkdtempSync(join(tmpdir(), 'hhrl-fb-kill-')), 'feedback.sqlite');
  let { child, url } = await serve(store, policy);
  const acknowledged = new Set<string>();
  let attempted = 0;
  const workers = await Promise.all(Array.from({ length: 4 }, (_, worker) => annotator(url, `worker-${worker}`)));
  let killed = false;
  const run = workers.map(async (client, worker) => {
    for (let round = 0; !killed; round++) {
      try {
        const id = (await client.json('POST', '/api/conversations', { task: 'helpful' })).data.id as string;
        const key = `worker-${worker}-round-${round}`;
        attempted++;
        const { status } = await annotateTurn(client, id, 0, `message ${round}`, key);
        if (status === 201) acknowledged.add(key);
      } catch (error) {
        if (!killed) throw error;
        return; // the server is gone
      }
    }
  });
  const stopped = Promise.all(run).then(() => {
    throw new Error('the workers stopped before the kill');
  });
  stopped.catch(() => undefined);
  while (acknowledged.size < 12) await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 20))]);
  killed = true;
  child.kill('SIGKILL');
  await Promise.all(run);
  const stored = SqliteFeedbackStore.open(store);
  try {
    const picks = await stored.picks();
    const keys = new Set(picks.map((pick) => pick.idempotencyKey));
    for (const key of acknowledged) assert.ok(keys.has(key), `acknowledged pick ${key} survived the kill`);
    assert.ok(picks.length <= attempted, `${picks.length} stored of ${attempted} attempted`);
    assert.equal(new Set(picks.map((pick) => pick.comparisonId)).size, picks.length, 'one comparison per pick');
    assert.equal(await stored.comparisonCount(), picks.length, 'no comparison without its pick, none twice');
  } finally {
    await stored.close();
  }
  // A message whose replies were being written when the server died gets them written after the restart.
  ({ child, url } = await serve(store, policy));
  const client = await annotator(url, 'after-restart');
  const id = (await client.json('POST', '/api/conversations', { task: 'helpful' })).data.id as string;
  await client.json('POST', `/api/conversations/${id}/messages`, { text: 'pending before a crash' });
  const dying = client.request('POST', `/api/conversations/${id}/candidates`, { headers: { 'x-csrf-token': client.csrf } }).catch(() => undefined);
  child.kill('SIGKILL');
  await dying;
  ({ child, url } = await serve(store, policy));
  try {
    const resumed = client.rebase(url); // the session lives in the store, so it outlives the server process
    const events = await resumed.events(`/api/conversations/${id}/candidates`);
    assert.equal(events.at(-1)!.type, 'ready');
    assert.equal((await resumed.json('POST', `/api/conversations/${id}/picks`, { turn: 0, scale: 4, idempotencyKey: 'after-restart-1', latencyMs: 3 })).status, 201);
  } finally {
    child.kill('SIGINT');
  }
});
