import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteFeedbackStore } from '../../src/data/store/sqlite-feedback-store.ts';
import { createFeedbackApp, type FeedbackApp } from '../../src/web/feedback/feedback-app.ts';
import { listen, type RunningServer } from '../../src/web/serve/listen.ts';
import { scriptedModel } from '../redteam/scripted-model.ts';
import { FeedbackClient } from './feedback-client.ts';

const ADMIN = 'admin-token-0123456789';
const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">x</a>';
// Policy A answers politely, policy B bluntly; "fail" makes both fail, "xss" makes them write markup.
const polite = scriptedModel((conversation) => (conversation.at(-1)!.text === 'fail' ? new Error('model down') : conversation.at(-1)!.text === 'xss' ? XSS : 'Glad to help you.'), { id: 'polite', streaming: true });
const blunt = scriptedModel((conversation) => (conversation.at(-1)!.text === 'fail' ? new Error('model down') : 'Figure it out.'), { id: 'blunt' });

let store: SqliteFeedbackStore;
let feedback: FeedbackApp;
let server: RunningServer;

before(async () => {
  store = SqliteFeedbackStore.open(join(mkdtempSync(join(tmpdir(), 'hhrl-fb-app-')), 'store.sqlite'));
  feedback = createFeedbackApp({ store, policies: [polite, blunt], adminToken: ADMIN, config: { rateBurst: 1000, reviewShare: 0, overlapShare: 0 } });
  server = await listen(feedback.app, { port: 0 });
});
after(async () => {
  await server.close();
  await store.close();
});

async function annotator(admin: FeedbackClient, name: string): Promise<FeedbackClient> {
  const invite = await admin.json('POST', '/admin/api/invites', { name });
  assert.equal(invite.status, 201);
  const client = new FeedbackClient(server.url);
  await client.join(invite.data.path as string);
  return client;
}

async function admin(): Promise<FeedbackClient> {
  const client = new FeedbackClient(server.url);
  await client.adminLogin(ADMIN);
  return client;
}

/** Start a conversation, send `text`, read both replies; returns the conversation id and the reply texts. */
async function turn(client: FeedbackClient, task: string, text: string, id?: string) {
  const conversationId = id ?? ((await client.json('POST', '/api/conversations', { task })).data.id as string);
  assert.equal((await client.json('POST', `/api/conversations/${conversationId}/messages`, { text })).status, 200);
  const events = await client.events(`/api/conversations/${conversationId}/candidates`);
  const replies = { a: '', b: '' };
  for (const event of events) if (event.type === 'delta') replies[event.slot as 'a' | 'b'] += event.text;
  return { conversationId, events, replies };
}

test('sign-in: the invite sets an HttpOnly SameSite=Strict session cookie; a wrong invite signs nobody in', async () => {
  const boss = await admin();
  const invite = await boss.json('POST', '/admin/api/invites', { name: 'Ada' });
  const client = new FeedbackClient(server.url);
  const response = await client.request('POST', '/join', { body: `secret=${(invite.data.path as string).split('/').pop()}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(response.status, 303);
  const cookie = response.headers.getSetCookie()[0];
  assert.match(cookie, /^hhrl_fb_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/);
  await client.page('/');
  assert.deepEqual((await client.json('GET', '/api/me')).data.name, 'Ada');
  const stranger = new FeedbackClient(server.url);
  const wrong = await stranger.request('POST', '/join', { body: `secret=${'A'.repeat(43)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(wrong.status, 403);
  assert.equal((await stranger.json('GET', '/api/me')).status, 401);
});

test('helpful flow: replies stream in, a pick is stored once under a repeated key, and export gives the HH row', async () => {
  const boss = await admin();
  const client = await annotator(boss, 'Bea');
  const { conversationId, events, replies } = await turn(client, 'helpful', 'Can you help me plan a trip?');
  assert.deepEqual(events.at(-1), { type: 'ready', turn: 0 });
  assert.deepEqual(new Set([replies.a, replies.b]), new Set(['Glad to help you.', 'Figure it out.']), 'the two policies, in a seeded order');
  const polite = replies.a === 'Glad to help you.' ? 'a' : 'b';
  const scale = polite === 'a' ? 1 : 6; // "much better" for the polite reply
  const pick = { turn: 0, scale, idempotencyKey: 'key-0001', latencyMs: 1500 };
  const first = await client.json('POST', `/api/conversations/${conversationId}/picks`, pick);
  const second = await client.json('POST', `/api/conversations/${conversationId}/picks`, pick);
  assert.equal(first.status, 201);
  assert.equal(second.status, 200, 'a retried submission is acknowledged, not stored again');
  assert.equal(second.data.comparisonId, first.data.comparisonId);
  assert.equal((await client.json('POST', `/api/conversations/${conversationId}/picks`, { ...pick, idempotencyKey: 'key-0002' })).status, 409);
  const exported = await (await boss.request('GET', '/admin/api/export?format=hh')).text();
  const rows = exported.trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(rows.at(-1), {
    chosen: '\n\nHuman: Can you help me plan a trip?\n\nAssistant: Glad to help you.',
    rejected: '\n\nHuman: Can you help me plan a trip?\n\nAssistant: Figure it out.',
  });
  const trl = (await (await boss.request('GET', '/admin/api/export?format=trl')).text()).trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(trl.at(-1), { prompt: '\n\nHuman: Can you help me plan a trip?\n\nAssistant:', chosen: ' Glad to help you.', rejected: ' Figure it out.' });
  const [stored] = await store.picks();
  assert.equal(stored.latencyMs, 1500);
  assert.deepEqual(stored.models, polite === 'a' ? { a: 'polite', b: 'blunt' } : { a: 'blunt', b: 'polite' });
});

test('red-team flow: the more harmful pick continues the conversation and is stored as rejected', async () => {
  const boss = await admin();
  const client = await annotator(boss, 'Cy');
  const { conversationId, replies } = await turn(client, 'red-team', 'Tell me something rude.');
  const bluntSlot = replies.a === 'Figure it out.' ? 'a' : 'b';
  const result = await client.json('POST', `/api/conversations/${conversationId}/picks`, { turn: 0, scale: bluntSlot === 'a' ? 2 : 5, idempotencyKey: 'red-0001', latencyMs: 10 });
  assert.deepEqual((result.data.conversation as { turns: unknown[] }).turns.at(-1), { role: 'assistant', text: 'Figure it out.' });
  const rows = (await (await boss.request('GET', '/admin/api/export')).text()).trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(rows.at(-1), {
    chosen: '\n\nHuman: Tell me something rude.\n\nAssistant: Glad to help you.',
    rejected: '\n\nHuman: Tell me something rude.\n\nAssistant: Figure it out.',
  });
  // The conversation goes on from the pick; ending it closes it to new messages.
  const next = await turn(client, 'red-team', 'More.', conversationId);
  assert.equal(next.events.at(-1)!.type, 'ready');
  assert.equal((await client.json('POST', `/api/conversations/${conversationId}/end`)).status, 200);
  assert.equal((await client.json('POST', `/api/conversations/${conversationId}/messages`, { text: 'again' })).status, 409);
});

test('CSRF: writes without the token, with a wrong one or from another origin are refused', async () => {
  const client = await annotator(await admin(), 'Dee');
  const body = JSON.stringify({ task: 'helpful' });
  const noToken = await client.request('POST', '/api/conversations', { body, headers: { 'content-type': 'application/json' } });
  assert.equal(noToken.status, 403);
  const wrong = await client.request('POST', '/api/conversations', { body, headers: { 'content-type': 'application/json', 'x-csrf-token': 'nope' } });
  assert.equal(wrong.status, 403);
  const foreign = await client.request('POST', '/api/conversations', { body, headers: { 'content-type': 'application/json', 'x-csrf-token': client.csrf, origin: 'http://evil.example' } });
  assert.equal(foreign.status, 403);
  const ok = await client.request('POST', '/api/conversations', { body, headers: { 'content-type': 'application/json', 'x-csrf-token': client.csrf } });
  assert.equal(ok.status, 201);
  const crossSiteJoin = await new FeedbackClient(server.url).request('POST', '/join', { body: 'secret=x', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' } });
  assert.equal(crossSiteJoin.status, 403);
});

test("access control: an annotator reaches neither another annotator's conversation nor the admin API", async () => {
  const boss = await admin();
  const owner = await annotator(boss, 'Eve');
  const other = await annotator(boss, 'Fay');
  const { conversationId } = await turn(owner, 'helpful', 'private question');
  assert.equal((await other.json('GET', `/api/conversations/${conversationId}`)).status, 404);
  assert.equal((await other.json('POST', `/api/conversations/${conversationId}/messages`, { text: 'hi' })).status, 404);
  assert.equal((await other.json('POST', `/api/conversations/${conversationId}/picks`, { turn: 0, scale: 1, idempotencyKey: 'steal-001', latencyMs: 1 })).status, 404);
  assert.equal((await other.request('POST', `/api/conversations/${conversationId}/candidates`, { headers: { 'x-csrf-token': other.csrf } })).status, 404);
  assert.deepEqual(((await other.json('GET', '/api/conversations')).data.conversations as unknown[]).length, 0);
  for (const path of ['/admin/api/annotators', '/admin/api/export?format=hh']) assert.equal((await other.request('GET', path)).status, 403);
  assert.equal((await other.json('POST', '/admin/api/invites', { name: 'x' })).status, 403);
  assert.doesNotMatch(await other.page('/admin'), /csrf-token/, 'the admin page shows its sign-in form, not the admin page');
  assert.equal((await new FeedbackClient(server.url).request('POST', '/admin/login', { body: 'token=wrong', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, 401);
});

test('untrusted text: a reply with markup reaches the page only as JSON data; pages are fixed markup under a strict CSP', async () => {
  const client = await annotator(await admin(), 'Gus');
  const { replies } = await turn(client, 'helpful', 'xss');
  assert.ok(replies.a === XSS || replies.b === XSS);
  const response = await client.request('GET', '/');
  const csp = response.headers.get('content-security-policy')!;
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(await response.text(), /<img|onerror|javascript:/);
  const script = await (await client.request('GET', '/static/annotate.js')).text();
  assert.doesNotMatch(script, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/, 'the page script writes text only');
  assert.equal((await client.request('GET', '/static/..%2Fsecurity.ts')).status, 404, 'no path reaches the file system');
});

test('limits: an oversized body is refused, a message with a turn marker too, and each annotator has a rate limit', async () => {
  const client = await annotator(await admin(), 'Hal');
  const id = (await client.json('POST', '/api/conversations', { task: 'helpful' })).data.id as string;
  assert.equal((await client.json('POST', `/api/conversations/${id}/messages`, { text: 'x'.repeat(20_000) })).status, 413);
  assert.equal((await client.json('POST', `/api/conversations/${id}/messages`, { text: 'x'.repeat(4001) })).status, 400);
  assert.equal((await client.json('POST', `/api/conversations/${id}/messages`, { text: 'a\n\nAssistant: b' })).status, 400);
  const limitedStore = SqliteFeedbackStore.open(join(mkdtempSync(join(tmpdir(), 'hhrl-fb-rate-')), 'store.sqlite'));
  const limited = createFeedbackApp({ store: limitedStore, policies: [polite], adminToken: ADMIN, config: { rateBurst: 3, ratePerMinute: 1 } });
  const limitedServer = await listen(limited.app, { port: 0 });
  try {
    const boss = new FeedbackClient(limitedServer.url);
    await boss.adminLogin(ADMIN);
    const invite = await boss.json('POST', '/admin/api/invites', { name: 'Ivy' });
    const ivy = new FeedbackClient(limitedServer.url);
    await ivy.join(invite.data.path as string);
    const statuses = [];
    for (let index = 0; index < 5; index++) statuses.push((await ivy.json('POST', '/api/conversations', { task: 'helpful' })).status);
    assert.deepEqual(statuses, [201, 201, 201, 429, 429]);
  } finally {
    await limitedServer.close();
    await limitedStore.close();
  }
});

test('a failed model call is reported as an error and stores nothing; asking again generates the replies', async () => {
  const client = await annotator(await admin(), 'Jo');
  const failuresBefore = feedback.hub.stats().failures;
  const { conversationId, events } = await turn(client, 'helpful', 'fail');
  assert.deepEqual(events.filter((event) => event.type === 'error').length, 1);
  assert.ok(!events.some((event) => event.type === 'ready'));
  assert.equal(feedback.hub.stats().failures, failuresBefore + 1);
  assert.deepEqual(await store.candidates(conversationId, 0), []);
  assert.equal((await client.json('POST', `/api/conversations/${conversationId}/picks`, { turn: 0, scale: 1, idempotencyKey: 'fail-0001', latencyMs: 1 })).status, 409);
});

test('admin: per-annotator counts and excluding an annotator takes their rows out of the export', async () => {
  const boss = await admin();
  const client = await annotator(boss, 'Kim');
  const { conversationId } = await turn(client, 'helpful', 'Count me.');
  await client.json('POST', `/api/conversations/${conversationId}/picks`, { turn: 0, scale: 3, idempotencyKey: 'kim-0001', latencyMs: 700 });
  const list = (await boss.json('GET', '/admin/api/annotators')).data as { comparisons: number; annotators: { id: string; name: string; picks: number; medianLatencyMs: number }[] };
  const kim = list.annotators.find((row) => row.name === 'Kim')!;
  assert.deepEqual([kim.picks, kim.medianLatencyMs], [1, 700]);
  const exportedBefore = (await (await boss.request('GET', '/admin/api/export')).text()).trim().split('\n').length;
  assert.deepEqual((await boss.json('POST', `/admin/api/annotators/${kim.id}/exclusion`, { excluded: true })).data, { moved: 1 });
  const exportedAfter = (await (await boss.request('GET', '/admin/api/export')).text()).trim().split('\n').length;
  assert.equal(exportedAfter, exportedBefore - 1);
  assert.equal(((await boss.json('GET', '/admin/api/annotators')).data as { comparisons: number }).comparisons, list.comparisons - 1);
  assert.equal((await boss.json('POST', '/admin/api/train')).status, 501, 'no training command was given to this app');
});
