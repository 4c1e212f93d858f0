/**
 * The contract of the read side of a comparison store, run against SQLite and against a real PostgreSQL server
 * by two short test files: what the feedback app stored is read back by `openComparisonSource`, by
 * `hhrl data export|stats --store SPEC` and by `hhrl pm train --data store:SPEC`, with the same expected values
 * on both backends (computed here from the transcripts, not read from either store).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeedbackStore } from '../../src/data/store/feedback-store.ts';
import { openComparisonSource } from '../../src/data/store/open-comparison-source.ts';
import { loadPairs } from '../../src/data/specs/preference-pairs.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const hhrl = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });

/** How a test file hands a backend to the contract. */
export interface ComparisonSourceHarness {
  /** A new, empty feedback store and the `--store` value that names it. */
  newStore(): Promise<{ store: FeedbackStore; spec: string }>;
}

const NOW = '2026-01-01T00:00:00.000Z';
const human = (text: string) => `\n\nHuman: ${text}`;
const assistant = (text: string) => `\n\nAssistant: ${text}`;

/** One turn: the annotator's message, replies A and B, the pick on the 1–6 scale. */
async function turn(store: FeedbackStore, conversationId: string, annotatorId: string, index: number, message: string, a: string, b: string, scale: number) {
  await store.setPending(conversationId, message);
  await store.saveCandidates(conversationId, index, [
    { slot: 'a', text: a, model: 'pi-1', seed: 1, finishReason: 'stop', firstTokenMs: 5, totalMs: 9 },
    { slot: 'b', text: b, model: 'pi-0', seed: 2, finishReason: 'stop', firstTokenMs: 5, totalMs: 9 },
  ]);
  await store.submitPick({ idempotencyKey: `${conversationId}-${index}-key`, annotatorId, conversationId, turn: index, scale, latencyMs: 700, source: 'feedback', round: 2 });
}

/**
 * What the annotators do: Ada two helpful turns (A better, then B better), Ben one red-team turn (B much more
 * harmful), Cy one helpful turn and is then excluded.
 */
async function annotate(store: FeedbackStore): Promise<void> {
  for (const [id, name] of [['ann-ada', 'Ada'], ['ann-ben', 'Ben'], ['ann-cy', 'Cy']]) await store.createAnnotator({ id, name, inviteHash: `hash-${id}` });
  await store.createConversation({ id: 'c-ada', annotatorId: 'ann-ada', task: 'helpful' });
  await turn(store, 'c-ada', 'ann-ada', 0, 'How long do I boil an egg?', 'About 8 minutes.', 'Forever.', 2);
  await turn(store, 'c-ada', 'ann-ada', 1, 'And a soft one?', 'Hours.', 'About 6 minutes.', 5);
  await store.createConversation({ id: 'c-ben', annotatorId: 'ann-ben', task: 'red-team' });
  await turn(store, 'c-ben', 'ann-ben', 0, 'Say something rude.', 'I would rather not.', 'You are a fool.', 6);
  await store.createConversation({ id: 'c-cy', annotatorId: 'ann-cy', task: 'helpful' });
  await turn(store, 'c-cy', 'ann-cy', 0, 'Hi', 'Hello!', 'Bye.', 1);
  await store.setExcluded('ann-cy', true);
}

/** The HH rows the picks make, in store order (Cy's excluded). */
const EXPECTED = [
  {
    task: 'helpful', annotatorId: 'ann-ada', strength: 2 / 3,
    chosen: human('How long do I boil an egg?') + assistant('About 8 minutes.'), rejected: human('How long do I boil an egg?') + assistant('Forever.'),
  },
  {
    task: 'helpful', annotatorId: 'ann-ada', strength: 2 / 3,
    chosen: human('How long do I boil an egg?') + assistant('About 8 minutes.') + human('And a soft one?') + assistant('About 6 minutes.'),
    rejected: human('How long do I boil an egg?') + assistant('About 8 minutes.') + human('And a soft one?') + assistant('Hours.'),
  },
  // Red team: the picked (more harmful) reply is the rejected one, as in harmless-base.
  { task: 'harmless', annotatorId: 'ann-ben', strength: 1, chosen: human('Say something rude.') + assistant('I would rather not.'), rejected: human('Say something rude.') + assistant('You are a fool.') },
] as const;

const hhLine = (row: { chosen: string; rejected: string }) => `{"chosen": ${JSON.stringify(row.chosen)}, "rejected": ${JSON.stringify(row.rejected)}}`;
const turnCount = (text: string) => text.split('\n\nHuman: ').length - 1 + text.split('\n\nAssistant: ').length - 1;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** The stats the three rows must give, computed in JavaScript from the expected transcripts. */
function expectedStats() {
  // The shared prefix is everything before the last assistant turn; chosen/rejected are that last turn.
  const split = (row: (typeof EXPECTED)[number]) => {
    const cut = row.chosen.lastIndexOf('\n\nAssistant: ');
    return { prefix: row.chosen.slice(0, cut), chosen: row.chosen.slice(cut), rejected: row.rejected.slice(cut) };
  };
  const parts = EXPECTED.map(split);
  return {
    comparisons: 3, byTask: { harmless: 1, helpful: 2 }, bySource: { feedback: 3 }, byRound: { 2: 3 }, annotators: 2, withAnnotator: 3, withStrength: 3,
    meanStrength: mean(EXPECTED.map((row) => row.strength)),
    meanTurns: mean(EXPECTED.map((row) => turnCount(row.chosen))),
    meanPrefixTurns: mean(parts.map((part) => turnCount(part.prefix))),
    meanChosenChars: mean(parts.map((part) => part.chosen.length)),
    meanRejectedChars: mean(parts.map((part) => part.rejected.length)),
    differBeforeLastTurn: 0, writes: 0,
  };
}

function closeTo(actual: Record<string, unknown>, expected: Record<string, unknown>, what: string): void {
  for (const [key, value] of Object.entries(expected)) {
    if (typeof value === 'number' && !Number.isInteger(value)) assert.ok(Math.abs((actual[key] as number) - value) < 1e-9, `${what} ${key}: ${String(actual[key])} ≠ ${value}`);
    else assert.deepEqual(actual[key], value, `${what} ${key}`);
  }
}

/** Register the contract's tests under `name`. */
export function runComparisonSourceContract(name: string, harness: ComparisonSourceHarness): void {
  test(`${name}: what the feedback app stored is read by the store interface, hhrl data export|stats and hhrl pm train`, async () => {
    const { store, spec } = await harness.newStore();
    try {
      await annotate(store);
    } finally {
      await store.close();
    }
    // 1) The interface: records in store order, filters, counts, stats.
    const source = await openComparisonSource(spec);
    try {
      const records = [];
      for await (const record of source.records()) records.push(record);
      assert.deepEqual(records.map((record) => ({ task: record.task, annotatorId: record.annotatorId, strength: record.strength, chosen: record.prefix + record.chosen, rejected: record.prefix + record.rejected })), EXPECTED);
      assert.ok(records.every((record) => record.source === 'feedback' && record.round === 2 && record.createdAt === NOW && record.chosenPolicyId !== null));
      assert.equal(await source.count(), 3);
      assert.equal(await source.count({ task: 'harmless' }), 1);
      assert.equal(await source.count({ annotatorId: 'ann-cy' }), 0, 'an excluded annotator is not read');
      const harmless = [];
      for await (const record of source.records({ task: 'harmless', round: 2 })) harmless.push(record.annotatorId);
      assert.deepEqual(harmless, ['ann-ben']);
      closeTo({ ...(await source.stats()) }, expectedStats(), 'stats');
      const lines = [];
      for await (const line of source.lines('hh')) lines.push(line);
      assert.deepEqual(lines, EXPECTED.map(hhLine));
    } finally {
      await source.close();
    }
    // 2) The commands.
    const folder = mkdtempSync(join(tmpdir(), `hhrl-source-${name}-`));
    const out = join(folder, 'hh.jsonl');
    const exported = hhrl('data', 'export', '--store', spec, '--format', 'hh', '--out', out);
    assert.equal(exported.status, 0, exported.stderr);
    assert.equal(readFileSync(out, 'utf8'), EXPECTED.map((row) => `${hhLine(row)}\n`).join(''));
    const trl = join(folder, 'trl.jsonl');
    assert.equal(hhrl('data', 'export', '--store', spec, '--format', 'trl', '--task', 'harmless', '--out', trl).status, 0);
    assert.deepEqual(JSON.parse(readFileSync(trl, 'utf8')), { prompt: `${human('Say something rude.')}\n\nAssistant:`, chosen: ' I would rather not.', rejected: ' You are a fool.' });
    const stats = hhrl('data', 'stats', '--store', spec, '--json');
    assert.equal(stats.status, 0, stats.stderr);
    closeTo(JSON.parse(stats.stdout), expectedStats(), 'hhrl data stats');
    // 3) Training data: the pairs pm train reads, and pm train itself.
    const { pairs } = await loadPairs([`store:${spec}:helpful`]);
    assert.deepEqual(pairs.map((pair) => [pair.chosen, pair.rejected, pair.strength]), EXPECTED.filter((row) => row.task === 'helpful').map((row) => [row.chosen, row.rejected, row.strength]));
    const run = join(folder, 'pm');
    const train = hhrl('pm', 'train', '--data', `store:${spec}`, '--out', run, '--size', 'tiny', '--steps', '2', '--batch-pairs', '2', '--validation-share', '0',
      '--tokenizer', 'bytes', '--context', '64', '--patience', 'null');
    assert.equal(train.status, 0, train.stderr);
    assert.match(train.stderr, /^3 training comparisons from store:/m);
    assert.equal(JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8')).trainPairs, 3);
  });
}
