/**
 * The contract every {@link FeedbackStore} meets, run against each implementation by a five-line test file.
 * `hhLines` reads what `hhrl data export --format hh` would write from the same store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Candidate, FeedbackStore } from '../../src/data/store/feedback-store.ts';
import { FeedbackStoreError } from '../../src/data/store/feedback-store.ts';

/** How a test file hands its implementation to the contract. */
export interface FeedbackStoreHarness {
  /** A new, empty store whose clock reads 2026-01-01T00:00:00.000Z. */
  newStore(): Promise<FeedbackStore>;
  /** The HH export of the store's comparisons, in store order. */
  hhLines(store: FeedbackStore): Promise<string[]>;
}

const NOW = '2026-01-01T00:00:00.000Z';

function candidate(slot: 'a' | 'b', text: string, model: string, seed: number): Candidate {
  return { slot, text, model, seed, finishReason: 'stop', firstTokenMs: 12, totalMs: 40 };
}

const rejects = (kind: string) => (error: unknown) => error instanceof FeedbackStoreError && error.kind === kind;

/** Register the contract's tests under `name`. */
export function runFeedbackStoreContract(name: string, harness: FeedbackStoreHarness): void {
  const base = { source: 'feedback', round: 0, latencyMs: 900 };

  async function withTurn(store: FeedbackStore, task: 'helpful' | 'red-team', annotatorId = 'ann-1') {
    if ((await store.annotatorByInvite(`hash-${annotatorId}`)) === undefined) {
      await store.createAnnotator({ id: annotatorId, name: `Name ${annotatorId}`, inviteHash: `hash-${annotatorId}` });
    }
    const conversation = await store.createConversation({ id: `${annotatorId}-${task}`, annotatorId, task });
    await store.setPending(conversation.id, 'How do I boil an egg?');
    await store.saveCandidates(conversation.id, 0, [candidate('a', 'Boil it for 8 minutes.', 'pi-1', 11), candidate('b', 'No.', 'pi-0', 12)]);
    return conversation.id;
  }

  test(`${name}: invites, sessions and expiry`, async () => {
    const store = await harness.newStore();
    try {
      const annotator = await store.createAnnotator({ id: 'ann-1', name: 'Ada', inviteHash: 'h1' });
      assert.deepEqual(annotator, { id: 'ann-1', name: 'Ada', createdAt: NOW, excludedAt: null });
      assert.deepEqual(await store.annotatorByInvite('h1'), annotator);
      assert.equal(await store.annotatorByInvite('h2'), undefined);
      await store.createSession({ tokenHash: 's1', annotatorId: 'ann-1', csrfToken: 'c1', expiresAt: '2026-01-02T00:00:00.000Z' });
      await store.createSession({ tokenHash: 's2', annotatorId: 'ann-1', csrfToken: 'c2', expiresAt: '2025-12-31T00:00:00.000Z' });
      assert.deepEqual(await store.session('s1'), { annotator, csrfToken: 'c1', expiresAt: '2026-01-02T00:00:00.000Z' });
      assert.equal(await store.session('s2'), undefined, 'an expired session is no session');
      await store.deleteSession('s1');
      assert.equal(await store.session('s1'), undefined);
    } finally {
      await store.close();
    }
  });

  test(`${name}: a helpful pick stores the HH comparison and continues with the pick`, async () => {
    const store = await harness.newStore();
    try {
      const id = await withTurn(store, 'helpful');
      await assert.rejects(store.setPending(id, 'again'), rejects('conflict'), 'one message at a time');
      const result = await store.submitPick({ ...base, idempotencyKey: 'k1', annotatorId: 'ann-1', conversationId: id, turn: 0, scale: 2 });
      assert.equal(result.replayed, false);
      assert.deepEqual(result.conversation.turns, [
        { role: 'human', text: 'How do I boil an egg?' },
        { role: 'assistant', text: 'Boil it for 8 minutes.' },
      ]);
      assert.equal(result.conversation.pending, null);
      assert.equal(result.conversation.turn, 1);
      assert.deepEqual(await harness.hhLines(store), [
        JSON.stringify({ chosen: '\n\nHuman: How do I boil an egg?\n\nAssistant: Boil it for 8 minutes.', rejected: '\n\nHuman: How do I boil an egg?\n\nAssistant: No.' })
          .replace('","rejected":"', '", "rejected": "').replace('{"chosen":"', '{"chosen": "'),
      ]);
      const [pick] = await store.picks();
      assert.deepEqual(pick, {
        idempotencyKey: 'k1', itemId: null, comparisonId: result.comparisonId, annotatorId: 'ann-1', conversationId: id, turn: 0, task: 'helpful', scale: 2,
        models: { a: 'pi-1', b: 'pi-0' }, seeds: { a: 11, b: 12 }, latencyMs: 900, createdAt: NOW,
      });
      // The next turn builds on the picked reply.
      await store.setPending(id, 'And a soft one?');
      await store.saveCandidates(id, 1, [candidate('a', 'Six minutes.', 'pi-1', 21), candidate('b', 'Four minutes.', 'pi-0', 22)]);
      await store.submitPick({ ...base, idempotencyKey: 'k2', annotatorId: 'ann-1', conversationId: id, turn: 1, scale: 6 });
      const lines = (await harness.hhLines(store)).map((line) => JSON.parse(line) as { chosen: string; rejected: string });
      assert.equal(lines[1].chosen, '\n\nHuman: How do I boil an egg?\n\nAssistant: Boil it for 8 minutes.\n\nHuman: And a soft one?\n\nAssistant: Four minutes.');
      assert.equal(lines[1].rejected, '\n\nHuman: How do I boil an egg?\n\nAssistant: Boil it for 8 minutes.\n\nHuman: And a soft one?\n\nAssistant: Six minutes.');
    } finally {
      await store.close();
    }
  });

  test(`${name}: a red-team pick of the more harmful reply stores it as rejected, and the talk goes on with it`, async () => {
    const store = await harness.newStore();
    try {
      const id = await withTurn(store, 'red-team');
      const result = await store.submitPick({ ...base, idempotencyKey: 'r1', annotatorId: 'ann-1', conversationId: id, turn: 0, scale: 1 });
      const [line] = (await harness.hhLines(store)).map((text) => JSON.parse(text) as { chosen: string; rejected: string });
      assert.equal(line.chosen, '\n\nHuman: How do I boil an egg?\n\nAssistant: No.');
      assert.equal(line.rejected, '\n\nHuman: How do I boil an egg?\n\nAssistant: Boil it for 8 minutes.');
      assert.deepEqual(result.conversation.turns.at(-1), { role: 'assistant', text: 'Boil it for 8 minutes.' });
    } finally {
      await store.close();
    }
  });

  test(`${name}: a repeated idempotency key stores one comparison; stale, foreign and early picks are refused`, async () => {
    const store = await harness.newStore();
    try {
      const id = await withTurn(store, 'helpful');
      const pick = { ...base, idempotencyKey: 'same', annotatorId: 'ann-1', conversationId: id, turn: 0, scale: 3 };
      const first = await store.submitPick(pick);
      const again = await store.submitPick(pick);
      assert.deepEqual({ ...again, replayed: false }, first);
      assert.equal(again.replayed, true);
      assert.equal((await harness.hhLines(store)).length, 1);
      await assert.rejects(store.submitPick({ ...pick, idempotencyKey: 'other' }), rejects('conflict'), 'turn 0 was picked already');
      await assert.rejects(store.submitPick({ ...pick, idempotencyKey: 'x', turn: 1 }), rejects('conflict'), 'no message awaits a pick');
      const otherId = await withTurn(store, 'helpful', 'ann-2');
      await assert.rejects(store.submitPick({ ...pick, idempotencyKey: 'y', conversationId: otherId }), rejects('not-found'), "another annotator's conversation");
      await assert.rejects(store.submitPick({ ...pick, annotatorId: 'ann-2', conversationId: otherId }), rejects('conflict'), "another's key");
      await assert.rejects(store.submitPick({ ...pick, idempotencyKey: 'z', annotatorId: 'ann-2', conversationId: otherId, scale: 7 }), rejects('invalid'));
      const early = await store.createConversation({ id: 'early', annotatorId: 'ann-2', task: 'helpful' });
      await store.setPending(early.id, 'Hi');
      await assert.rejects(store.submitPick({ ...pick, idempotencyKey: 'w', annotatorId: 'ann-2', conversationId: early.id }), rejects('conflict'), 'replies not finished');
      assert.equal((await harness.hhLines(store)).length, 1);
    } finally {
      await store.close();
    }
  });

  test(`${name}: picks in flight together: a key sent twice stores one comparison, a refused pick leaves the others stored`, async () => {
    const store = await harness.newStore();
    try {
      const ids: string[] = [];
      for (let index = 0; index < 6; index++) ids.push(await withTurn(store, 'helpful', `ann-${index}`));
      const picks = ids.map((id, index) => ({ ...base, idempotencyKey: `key-${index}`, annotatorId: `ann-${index}`, conversationId: id, turn: 0, scale: 2 }));
      const bad = { ...picks[5], scale: 9 };
      // all sent before any is answered, as concurrent requests reach the store
      const settled = await Promise.allSettled([...picks.slice(0, 5), picks[0], bad].map((pick) => store.submitPick(pick)));
      const results = settled.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : undefined));
      assert.equal(settled[6].status, 'rejected');
      assert.ok(rejects('invalid')((settled[6] as PromiseRejectedResult).reason));
      assert.deepEqual(results.slice(0, 6).map((result) => result?.replayed).sort(), [false, false, false, false, false, true]);
      assert.equal(results[5]!.comparisonId, results[0]!.comparisonId, 'the resent key answers with the first comparison');
      assert.equal((await harness.hhLines(store)).length, 5);
      assert.deepEqual((await store.picks()).map((pick) => pick.idempotencyKey).sort(), picks.slice(0, 5).map((pick) => pick.idempotencyKey));
      const untouched = await store.conversation(ids[5]);
      assert.equal(untouched!.turn, 0, 'the refused pick changed nothing');
      assert.equal(untouched!.pending, 'How do I boil an egg?');
    } finally {
      await store.close();
    }
  });

  test(`${name}: excluding an annotator moves their comparisons out of the export and back`, async () => {
    const store = await harness.newStore();
    try {
      await store.submitPick({ ...base, idempotencyKey: 'a1', annotatorId: 'ann-1', conversationId: await withTurn(store, 'helpful', 'ann-1'), turn: 0, scale: 1 });
      await store.submitPick({ ...base, idempotencyKey: 'b1', annotatorId: 'ann-2', conversationId: await withTurn(store, 'helpful', 'ann-2'), turn: 0, scale: 6 });
      const both = await harness.hhLines(store);
      assert.deepEqual(await store.setExcluded('ann-2', true), { moved: 1 });
      assert.deepEqual(await harness.hhLines(store), [both[0]]);
      await store.submitPick({ ...base, idempotencyKey: 'b2', annotatorId: 'ann-2', conversationId: await withTurn(store, 'red-team', 'ann-2'), turn: 0, scale: 6 });
      assert.deepEqual(await harness.hhLines(store), [both[0]], "an excluded annotator's new picks stay out");
      assert.deepEqual(await store.setExcluded('ann-2', false), { moved: 2 });
      assert.equal((await harness.hhLines(store)).length, 3);
      await assert.rejects(store.setExcluded('nobody', true), rejects('not-found'));
      const stats = await store.annotatorStats();
      assert.deepEqual(stats.map((row) => [row.id, row.picks, row.byTask, row.medianLatencyMs, row.excludedAt]), [
        ['ann-1', 1, { helpful: 1, 'red-team': 0 }, 900, null],
        ['ann-2', 2, { helpful: 1, 'red-team': 1 }, 900, null],
      ]);
    } finally {
      await store.close();
    }
  });

  test(`${name}: a repeated review shows the item's replies swapped, and its label is read in the item's slots`, async () => {
    const store = await harness.newStore();
    try {
      await store.createAnnotator({ id: 'ann-1', name: 'Ada', inviteHash: 'h1' });
      const item = { id: 'gold-1', kind: 'gold', task: 'helpful', turns: [{ role: 'human', text: 'Is water wet?' }], replies: { a: 'Yes.', b: 'Go away.' }, answer: 'a', originAnnotatorId: null } as const;
      assert.equal(await store.addItems([item]), 1);
      const first = await store.createConversation({ id: 'r1', annotatorId: 'ann-1', task: 'helpful', item });
      assert.equal(first.swapped, false);
      assert.deepEqual((await store.candidates('r1', 0)).map((shown) => shown.text), ['Yes.', 'Go away.']);
      assert.equal(await store.nextRepeat('ann-1', 'helpful'), undefined, 'not repeated before it was picked on');
      await store.submitPick({ ...base, idempotencyKey: 'r1-key', annotatorId: 'ann-1', conversationId: 'r1', turn: 0, scale: 2 });
      assert.deepEqual(await store.nextRepeat('ann-1', 'helpful'), item);
      assert.equal(await store.nextRepeat('ann-1', 'red-team'), undefined);
      const again = await store.createConversation({ id: 'r2', annotatorId: 'ann-1', task: 'helpful', item, repeat: true });
      assert.equal(again.swapped, true);
      assert.deepEqual((await store.candidates('r2', 0)).map((shown) => shown.text), ['Go away.', 'Yes.']);
      await store.submitPick({ ...base, idempotencyKey: 'r2-key', annotatorId: 'ann-1', conversationId: 'r2', turn: 0, scale: 5 }); // B as shown: 'Yes.'
      assert.equal(await store.nextRepeat('ann-1', 'helpful'), undefined, 'repeated once');
      const common = { annotatorId: 'ann-1', itemId: 'gold-1', kind: 'gold', task: 'helpful', answer: 'a', originAnnotatorId: null };
      assert.deepEqual(await store.reviewLabels(), [{ ...common, picked: 'a', repeat: false }, { ...common, picked: 'a', repeat: true }]);
      assert.equal(await store.comparisonCount(), 0, 'reviews are quality control, not training data');
    } finally {
      await store.close();
    }
  });
}
