/**
 * PM data and scoring: data specs, the real HH dev file with its fixed content split, the comparison store,
 * bad rows (skipped or strict), and scores that do not depend on batching or padding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComparisonStore } from '../../src/data/store/comparison-store.ts';
import { parseGptConfig } from '../../src/model/gpt-config.ts';
import { GptModel } from '../../src/model/gpt-model.ts';
import { BpeTokenizer } from '../../src/model/tokenizer/index.ts';
import { ConfigError, DataFormatError } from '../../src/spec/errors.ts';
import { loadPairs, parseDataSpec } from '../../src/data/specs/preference-pairs.ts';
import { PreferenceScorer, responseTranscript } from '../../src/train/preference/pm-scorer.ts';
import { bucketLength, planBatches, transcriptEncoder } from '../../src/train/preference/pm-batches.ts';
import { Random } from '../../src/util/random.ts';
import { HH_DEV_FILE } from '../data/real-data.ts';

const root = mkdtempSync(join(tmpdir(), 'hhrl-pm-data-'));

test('data specs name kind, path, task and split', () => {
  assert.deepEqual(parseDataSpec('world:runs/w:harmless:test'), { kind: 'world', path: 'runs/w', task: 'harmless', split: 'test' });
  assert.deepEqual(parseDataSpec('world:runs/w'), { kind: 'world', path: 'runs/w', task: null, split: null });
  assert.deepEqual(parseDataSpec('store:a.sqlite:helpful'), { kind: 'store', path: 'a.sqlite', task: 'helpful', split: null });
  assert.deepEqual(parseDataSpec('data/x.jsonl.gz:train'), { kind: 'file', path: 'data/x.jsonl.gz', task: null, split: 'train' });
  assert.deepEqual(parseDataSpec('file:c:/x.jsonl:both:all'), { kind: 'file', path: 'c:/x.jsonl', task: 'both', split: 'all' });
  assert.throws(() => parseDataSpec('world:'), ConfigError);
  assert.throws(() => parseDataSpec('world:w:all'), ConfigError);
});

test('the real HH dev file: 1,800 harmless pairs, a fixed disjoint ~20% test split', async () => {
  const all = (await loadPairs([HH_DEV_FILE])).pairs;
  assert.equal(all.length, 1800);
  assert.ok(all.every((pair) => pair.task === 'harmless' && pair.gold === null && pair.chosen.startsWith('\n\nHuman: ')));
  const train = (await loadPairs([`file:${HH_DEV_FILE}:train`])).pairs;
  const heldOut = (await loadPairs([`file:${HH_DEV_FILE}:test`])).pairs;
  assert.equal(train.length + heldOut.length, 1800);
  assert.ok(heldOut.length > 300 && heldOut.length < 420, `test split ${heldOut.length}`);
  const trainIds = new Set(train.map((pair) => pair.id));
  assert.ok(heldOut.every((pair) => !trainIds.has(pair.id)));
  const again = (await loadPairs([`file:${HH_DEV_FILE}:test`])).pairs;
  assert.deepEqual(again.map((pair) => pair.id), heldOut.map((pair) => pair.id));
});

test('store pairs by task; bad file rows are skipped and counted, or stop a strict read with file and line', async () => {
  const storePath = join(root, 'c.sqlite');
  const store = ComparisonStore.open(storePath);
  store.insert([
    { chosen: '\n\nHuman: hi\n\nAssistant: hello', rejected: '\n\nHuman: hi\n\nAssistant: go away', task: 'helpful', source: 't', strength: 0.8 },
    { chosen: '\n\nHuman: hurt?\n\nAssistant: no', rejected: '\n\nHuman: hurt?\n\nAssistant: yes, here', task: 'harmless', source: 't' },
  ]);
  store.close();
  const helpful = (await loadPairs([`store:${storePath}:helpful`])).pairs;
  assert.equal(helpful.length, 1);
  assert.equal(helpful[0].chosen, '\n\nHuman: hi\n\nAssistant: hello');
  assert.equal(helpful[0].strength, 0.8);
  assert.equal((await loadPairs([`store:${storePath}`])).pairs.length, 2);

  const file = join(root, 'bad.jsonl');
  writeFileSync(file, `${JSON.stringify({ chosen: '\n\nHuman: a\n\nAssistant: b', rejected: '\n\nHuman: a\n\nAssistant: c' })}\n{"chosen": 1}\nnot json\n`);
  const loaded = await loadPairs([file]);
  assert.equal(loaded.pairs.length, 1);
  assert.equal(loaded.skipped.count, 2);
  await assert.rejects(loadPairs([file], { strict: true }), (error: Error) => error instanceof DataFormatError && /bad\.jsonl:2/.test(error.message));
  await assert.rejects(loadPairs([join(root, 'missing.jsonl')]), DataFormatError);
  await assert.rejects(loadPairs([]), ConfigError);
});

test('encoding keeps the end of long transcripts; scores do not depend on batch company or padding', async () => {
  const tokenizer = BpeTokenizer.fromBytes();
  const encode = transcriptEncoder(tokenizer, 16);
  const ids = encode('\n\nHuman: a long question here\n\nAssistant: the final answer');
  assert.equal(ids.length, 16);
  assert.equal(ids[15], tokenizer.addedTokenId('<|endoftext|>'));
  assert.equal(tokenizer.decode(ids.slice(0, 15)), 'he final answer'); // the last 15 bytes: the start was cut
  assert.equal(bucketLength(17, 16, 128), 32);
  assert.equal(bucketLength(3, 16, 128), 16);
  assert.equal(bucketLength(120, 16, 100), 100);

  const config = parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 1, dModel: 16, heads: 2, context: 48 });
  const model = GptModel.create(config, { sequenceScalar: true }, tokenizer, 2);
  const scorer = new PreferenceScorer(model, { batchSize: 4 });
  const texts = ['\n\nHuman: hi\n\nAssistant: yo', '\n\nHuman: what is 2 plus 2?\n\nAssistant: It is 4.', '\n\nHuman: x\n\nAssistant: ' + 'z'.repeat(30)];
  const together = await scorer.scoreTexts([...texts, ...texts, texts[0]]);
  for (const [index, text] of texts.entries()) {
    const alone = (await scorer.scoreTexts([text]))[0];
    assert.ok(Math.abs(alone - together[index]) < 1e-5, `${alone} vs ${together[index]}`);
    assert.equal(together[index], together[index + 3]);
  }
  const viaResponse = await scorer.scoreResponses([{ conversation: [{ role: 'human', text: 'hi' }], response: 'yo' }, { conversation: '\n\nHuman: hi\n\nAssistant:', response: 'yo' }]);
  assert.equal(viaResponse[0], together[0]);
  assert.equal(viaResponse[1], together[0]);
  assert.equal(responseTranscript({ conversation: '\n\nHuman: hi', response: 'yo' }), '\n\nHuman: hi\n\nAssistant: yo');
  await scorer.release();
});

test('the batch plan mixes tasks by weight and is a pure function of the seed', () => {
  const pairs = Array.from({ length: 300 }, (_, i) => ({ chosen: [1, 2, 3].slice(0, 1 + (i % 3)), rejected: [1], margin: 0, task: i < 100 ? 'helpful' as const : 'harmless' as const }));
  const plan = planBatches(pairs, { steps: 200, batchPairs: 10, mix: { helpful: 3, harmless: 1 } }, new Random(4));
  assert.equal(plan.length, 200);
  const helpfulShare = plan.flat().filter((index) => index < 100).length / 2000;
  assert.ok(Math.abs(helpfulShare - 0.75) < 0.03, `helpful share ${helpfulShare}`);
  assert.deepEqual(planBatches(pairs, { steps: 200, batchPairs: 10, mix: { helpful: 3, harmless: 1 } }, new Random(4)), plan);
  const natural = planBatches(pairs, { steps: 200, batchPairs: 10, mix: null }, new Random(4)).flat().filter((index) => index < 100).length / 2000;
  assert.ok(Math.abs(natural - 1 / 3) < 0.03, `natural share ${natural}`);
  assert.throws(() => planBatches(pairs, { steps: 1, batchPairs: 1, mix: { helpful: 0 } }, new Random(1)), ConfigError);
});
