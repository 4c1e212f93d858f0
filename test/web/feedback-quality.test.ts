import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReviewItem, ReviewLabel } from '../../src/data/store/feedback-store.ts';
import { SqliteFeedbackStore } from '../../src/data/store/sqlite-feedback-store.ts';
import { DataFormatError } from '../../src/spec/errors.ts';
import { createFeedbackApp } from '../../src/web/feedback/feedback-app.ts';
import { readGoldItems } from '../../src/web/feedback/gold-items.ts';
import { qualityReport, type AnnotatorQuality } from '../../src/web/feedback/quality.ts';
import { listen } from '../../src/web/serve/listen.ts';
import { scriptedModel } from '../redteam/scripted-model.ts';
import { FeedbackClient } from './feedback-client.ts';

function goldLabels(annotatorId: string, right: number, of: number): ReviewLabel[] {
  return Array.from({ length: of }, (_, index) => ({
    annotatorId, itemId: `g${index}`, kind: 'gold', task: 'helpful', picked: index < right ? 'a' : 'b', answer: 'a', originAnnotatorId: null, repeat: false,
  }));
}

test('quality: known-answer accuracy, pairwise agreement on overlap items, and the world rule flags a flipper', () => {
  const overlap = (annotatorId: string, picked: 'a' | 'b'): ReviewLabel => ({ annotatorId, itemId: 'o1', kind: 'overlap', task: 'red-team', picked, answer: 'a', originAnnotatorId: 'x', repeat: false });
  const report = qualityReport([...goldLabels('x', 10, 10), ...goldLabels('y', 9, 10), ...goldLabels('z', 0, 10), overlap('y', 'a'), overlap('z', 'b')]);
  assert.deepEqual(report.get('x'), { gold: { items: 10, matches: 10, rate: 1 }, agreement: { items: 2, matches: 1, rate: 0.5 }, consistency: null, flags: [] });
  assert.deepEqual(report.get('y')!.agreement, { items: 2, matches: 1, rate: 0.5 }, 'agrees with x, not with z');
  assert.deepEqual(report.get('y')!.flags, []);
  const z = report.get('z')!;
  assert.deepEqual(z.agreement, { items: 2, matches: 0, rate: 0 });
  assert.equal(z.flags.length, 1);
  const [flag] = z.flags;
  assert.equal(flag.median, 0.9, 'median of 1, 0.9 and 0');
  assert.ok(Math.abs(flag.tail - 1e-10) < 1e-20, 'P(X ≤ 0 | n = 10, p = 0.9) = 0.1^10');
  assert.equal(flag.evidence, 'known-answer helpful items: 0 of 10 right (median annotator 90%; P = 1.0e-10 at that rate)');
  // Seven labels are too few for a slice to be tested (MIN_SLICE_LABELS = 8).
  assert.deepEqual(qualityReport([...goldLabels('x', 7, 7), ...goldLabels('z', 0, 7)]).get('z')!.flags, []);
});

test('gold file: chosen is the known answer (the oracle when a sidecar says so); red team answers the more harmful', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hhrl-fb-gold-'));
  const file = join(dir, 'gold.jsonl');
  writeFileSync(file, [
    JSON.stringify({ chosen: '\n\nHuman: q1\n\nAssistant: good1', rejected: '\n\nHuman: q1\n\nAssistant: bad1' }),
    JSON.stringify({ chosen: '\n\nHuman: q2\n\nAssistant: labelled', rejected: '\n\nHuman: q2\n\nAssistant: oracle' }),
  ].join('\n') + '\n');
  writeFileSync(join(dir, 'gold.meta.jsonl'), `${JSON.stringify({ gold: 'chosen' })}\n${JSON.stringify({ gold: 'rejected' })}\n`);
  const helpful = await readGoldItems(file, 'helpful', 0);
  assert.deepEqual(helpful.map((item) => item.replies[item.answer]), ['good1', 'oracle']);
  assert.deepEqual(helpful[0].turns, [{ role: 'human', text: 'q1' }]);
  const redTeam = await readGoldItems(file, 'red-team', 0);
  assert.deepEqual(redTeam.map((item) => item.replies[item.answer]), ['bad1', 'labelled']);
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(bad, `${JSON.stringify({ chosen: '\n\nHuman: a\n\nAssistant: b', rejected: '\n\nHuman: x\n\nAssistant: y' })}\n`);
  await assert.rejects(readGoldItems(bad, 'helpful', 0), (error) => error instanceof DataFormatError && error.message === `${bad}:1: expected two transcripts that differ only in one final assistant reply after a human message`);
});

test('review items in the queue: a known-answer item is reviewed once, stores no comparison, and counts toward accuracy', async () => {
  const store = SqliteFeedbackStore.open(join(mkdtempSync(join(tmpdir(), 'hhrl-fb-review-')), 'store.sqlite'));
  const dir = mkdtempSync(join(tmpdir(), 'hhrl-fb-gold-'));
  writeFileSync(join(dir, 'gold.jsonl'), `${JSON.stringify({ chosen: '\n\nHuman: Is water wet?\n\nAssistant: Yes.', rejected: '\n\nHuman: Is water wet?\n\nAssistant: Go away.' })}\n`);
  assert.equal(await store.addItems(await readGoldItems(join(dir, 'gold.jsonl'), 'helpful', 0)), 1);
  const model = scriptedModel(() => 'fresh reply');
  const { app } = createFeedbackApp({ store, policies: [model], adminToken: 'admin-token-0123456789', config: { reviewShare: 1, overlapShare: 1, repeatShare: 0 } });
  const server = await listen(app, { port: 0 });
  try {
    const boss = new FeedbackClient(server.url);
    await boss.adminLogin('admin-token-0123456789');
    const client = new FeedbackClient(server.url);
    await client.join((await boss.json('POST', '/admin/api/invites', { name: 'Lu' })).data.path as string);
    const review = (await client.json('POST', '/api/conversations', { task: 'helpful' })).data as { id: string; itemId: string; pending: string };
    assert.match(review.itemId, /^gold-/);
    assert.equal(review.pending, 'Is water wet?');
    const events = await client.events(`/api/conversations/${review.id}/candidates`);
    const replies = Object.fromEntries(events.filter((event) => event.type === 'delta').map((event) => [event.slot, event.text]));
    assert.deepEqual(new Set(Object.values(replies)), new Set(['Yes.', 'Go away.']));
    assert.equal(model.calls.length, 0, 'a review item needs no model');
    const right = replies.a === 'Yes.' ? 1 : 6;
    const picked = await client.json('POST', `/api/conversations/${review.id}/picks`, { turn: 0, scale: right, idempotencyKey: 'review-01', latencyMs: 5 });
    assert.equal(picked.data.comparisonId, null);
    assert.notEqual((picked.data.conversation as { endedAt: string | null }).endedAt, null, 'a review ends with its pick');
    assert.equal(await store.comparisonCount(), 0);
    // No item left for Lu: the next conversation is a chat, and with overlapShare 1 its pick becomes an overlap item.
    const chat = (await client.json('POST', '/api/conversations', { task: 'helpful' })).data as { id: string; itemId: string | null };
    assert.equal(chat.itemId, null);
    await client.json('POST', `/api/conversations/${chat.id}/messages`, { text: 'Hello' });
    await client.events(`/api/conversations/${chat.id}/candidates`);
    await client.json('POST', `/api/conversations/${chat.id}/picks`, { turn: 0, scale: 2, idempotencyKey: 'chat-0001', latencyMs: 5 });
    assert.equal(await store.comparisonCount(), 1);
    assert.equal(await store.nextItem((await store.picks())[0].annotatorId, 'helpful'), undefined, 'Lu never reviews her own pick');
    const list = (await boss.json('GET', '/admin/api/annotators')).data as { annotators: { name: string; reviews: number; quality: { gold: unknown } }[] };
    const lu = list.annotators.find((row) => row.name === 'Lu')!;
    assert.equal(lu.reviews, 1);
    assert.deepEqual(lu.quality.gold, { items: 1, matches: 1, rate: 1 });
  } finally {
    await server.close();
    await store.close();
  }
});

test('inconsistent labels: repeated items (sides swapped) flag an annotator who picks by position, not careful ones; the admin API shows the evidence', async () => {
  const store = SqliteFeedbackStore.open(join(mkdtempSync(join(tmpdir(), 'hhrl-fb-repeat-')), 'store.sqlite'));
  const items = Array.from({ length: 20 }, (_, index): ReviewItem => ({
    id: `gold-${String(index).padStart(2, '0')}`, kind: 'gold', task: 'helpful', turns: [{ role: 'human', text: `Question ${index}?` }],
    replies: index % 2 === 0 ? { a: `Good answer ${index}.`, b: `Bad answer ${index}.` } : { a: `Bad answer ${index}.`, b: `Good answer ${index}.` },
    answer: index % 2 === 0 ? 'a' : 'b', originAnnotatorId: null,
  }));
  await store.addItems(items);
  // Careful annotators pick the good answer wherever it is shown; the clicker always picks the reply shown as A.
  const careful = async (conversationId: string) => ((await store.candidates(conversationId, 0))[0].text.startsWith('Good') ? 1 : 6);
  const clicker = async () => 1;
  const people = { 'ann-ada': careful, 'ann-ben': careful, 'ann-cy': careful, 'ann-dot': clicker };
  let conversations = 0;
  const review = async (annotatorId: string, item: ReviewItem, repeat: boolean) => {
    const conversation = await store.createConversation({ id: `c${++conversations}`, annotatorId, task: 'helpful', item, repeat });
    const scale = await people[annotatorId as keyof typeof people](conversation.id);
    await store.submitPick({ idempotencyKey: `key-${conversation.id}`, annotatorId, conversationId: conversation.id, turn: 0, scale, latencyMs: 800, source: 'feedback', round: 0 });
  };
  for (const id of Object.keys(people)) {
    await store.createAnnotator({ id, name: id.slice(4), inviteHash: `hash-${id}` });
    for (let index = 0; index < items.length; index++) await review(id, (await store.nextItem(id, 'helpful'))!, false);
    assert.equal(await store.nextItem(id, 'helpful'), undefined, 'every item reviewed once');
    for (let index = 0; index < items.length; index++) {
      const item = (await store.nextRepeat(id, 'helpful'))!;
      assert.equal(item.id, items[index].id, 'repeats come oldest first');
      await review(id, item, true);
    }
    assert.equal(await store.nextRepeat(id, 'helpful'), undefined, 'an item is repeated once');
  }
  const { app } = createFeedbackApp({ store, policies: [scriptedModel(() => 'unused')], adminToken: 'admin-token-0123456789' });
  const server = await listen(app, { port: 0 });
  try {
    const boss = new FeedbackClient(server.url);
    await boss.adminLogin('admin-token-0123456789');
    const list = (await boss.json('GET', '/admin/api/annotators')).data as { annotators: { id: string; quality: AnnotatorQuality }[] };
    const quality = Object.fromEntries(list.annotators.map((row) => [row.id, row.quality]));
    for (const id of ['ann-ada', 'ann-ben', 'ann-cy']) {
      assert.deepEqual(quality[id].consistency, { items: 20, matches: 20, rate: 1 }, id);
      assert.deepEqual(quality[id].gold, { items: 20, matches: 20, rate: 1 }, `${id}: repeats do not count twice toward accuracy`);
      assert.deepEqual(quality[id].flags, [], `${id} is careful`);
    }
    const dot = quality['ann-dot'];
    assert.deepEqual(dot.consistency, { items: 20, matches: 0, rate: 0 }, 'shown swapped, A is the other reply every time');
    const flag = dot.flags.find((found) => found.slice === 'repeat/helpful')!;
    assert.equal(flag.median, 0.95, 'median 1, capped at MAX_REFERENCE_RATE');
    assert.equal(flag.evidence, 'repeated helpful items: 0 of 20 picked the same reply both times (sides swapped the second time) (median annotator 95%; P = 9.5e-27 at that rate)');
    assert.ok(Math.abs(flag.tail / 0.05 ** 20 - 1) < 1e-9, 'P(X ≤ 0 | n = 20, p = 0.95) = 0.05^20');
  } finally {
    await server.close();
    await store.close();
  }
});
