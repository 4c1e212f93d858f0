/**
 * Online comparison collection: samples of two models on world prompts, labelled by the world's
 * annotators, written as a round folder and read back as preference pairs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serializeTranscript } from '../../src/data/hh-transcript.ts';
import { collectComparisons, taskOf } from '../../src/online/collect.ts';
import { worldLabeler } from '../../src/online/pair-labeler.ts';
import { loadPairs } from '../../src/data/specs/preference-pairs.ts';
import { writeRound } from '../../src/world/online-files.ts';
import { loadPrompts } from '../../src/data/specs/prompts.ts';
import { generateWorld, goldPreference, judgeResponse, loadWorld, resolveWorldConfig, writeWorld } from '../../src/world/index.ts';
import { tempDir, tinyPolicy } from '../train/rl/fixtures.ts';

const dir = tempDir('hhrl-online-');
const generated = generateWorld(resolveWorldConfig(5, 'small'));
writeWorld(generated, join(dir, 'world'));
const world = loadWorld(join(dir, 'world'));
const pool = loadPrompts(`world:${join(dir, 'world')}`);
const policy = tinyPolicy(join(dir, 'policy'), 3);
const partner = tinyPolicy(join(dir, 'partner'), 4);
const settings = { pairs: 24, seed: 7, round: 2, maxNewTokens: 8, maxPromptTokens: 24, batch: 8 };

test('collectComparisons labels two models\' samples with the oracle\'s verdicts and the world\'s annotators', async () => {
  const { comparisons, stats } = await collectComparisons({ policy, policyId: 'pi', partner, partnerId: 'ref' }, pool, worldLabeler(world.population()), settings);
  assert.equal(stats.prompts, 24);
  assert.equal(stats.comparisons + stats.identical + stats.multiTurn, 24, 'every prompt is a comparison or counted as dropped');
  assert.ok(stats.comparisons > 0);
  assert.equal(stats.byTask.helpful + stats.byTask.harmless, stats.comparisons);
  const byId = new Map(pool.map((prompt) => [prompt.id, prompt]));
  let ties = 0;
  for (const { chosen, rejected, meta } of comparisons) {
    const prompt = byId.get(meta.promptId)!;
    assert.equal(meta.requestId, prompt.request!.id);
    assert.equal(meta.task, taskOf(prompt.request!.family));
    assert.equal(meta.round, 2);
    assert.deepEqual(new Set([meta.policies.chosen, meta.policies.rejected]), new Set(['pi', 'ref']), 'one side from each model');
    assert.deepEqual(chosen.slice(0, -1), prompt.conversation, 'both transcripts continue the prompt');
    assert.deepEqual(rejected.slice(0, -1), prompt.conversation);
    const [chosenText, rejectedText] = [chosen.at(-1)!.text, rejected.at(-1)!.text];
    assert.notEqual(chosenText, rejectedText);
    const gold = goldPreference(meta.task, judgeResponse(prompt.request, chosenText, world.model.knowledge), judgeResponse(prompt.request, rejectedText, world.model.knowledge));
    assert.equal(meta.gold, gold === 'a' ? 'chosen' : gold === 'b' ? 'rejected' : 'tie', 'gold is the oracle\'s noiseless preference');
    assert.equal(meta.behaviours.chosen, judgeResponse(prompt.request, chosenText, world.model.knowledge).behaviour, 'the strict oracle judged it');
    if (meta.gold === 'tie') ties++;
    assert.ok(world.population().annotators.some((annotator) => annotator.id === meta.annotatorId));
    assert.ok(meta.strength >= 0 && meta.strength <= 1);
  }
  assert.equal(ties, stats.goldTies);
  const again = await collectComparisons({ policy, policyId: 'pi', partner, partnerId: 'ref' }, pool, worldLabeler(world.population()), settings);
  assert.deepEqual(again.comparisons, comparisons, 'the same seed gives the same comparisons');
  const other = await collectComparisons({ policy, policyId: 'pi', partner, partnerId: 'ref' }, pool, worldLabeler(world.population()), { ...settings, seed: 8 });
  assert.notDeepEqual(other.comparisons, comparisons);
});

test('a loaded world gives back the population that labelled its comparisons', () => {
  assert.deepEqual(world.population(), JSON.parse(JSON.stringify(generated.comparisons.population)));
});

test('without a partner both responses are samples of the policy; progress counts every response', async () => {
  const heard: [number, number][] = [];
  const { comparisons } = await collectComparisons({ policy, policyId: 'pi' }, pool, worldLabeler(world.population()), { ...settings, pairs: 8, batch: 4 }, (done, total) => heard.push([done, total]));
  assert.deepEqual(heard, [[4, 16], [8, 16], [12, 16], [16, 16]], 'after each generation run of 4 rows, of 2 × 8 responses');
  assert.ok(comparisons.length > 0);
  assert.ok(comparisons.every((c) => c.meta.policies.chosen === 'pi' && c.meta.policies.rejected === 'pi'));
});

test('a round folder holds HH files and metadata, read back as preference pairs', async () => {
  const { comparisons, stats } = await collectComparisons({ policy, policyId: 'pi', partner, partnerId: 'ref' }, pool, worldLabeler(world.population()), settings);
  const round = join(dir, 'round-2');
  writeRound(round, comparisons, { stats });
  assert.deepEqual(readdirSync(round).sort(), ['collect.json', 'harmless.jsonl', 'harmless.meta.jsonl', 'helpful.jsonl', 'helpful.meta.jsonl']);
  assert.ok(!existsSync(`${round}.staged-${process.pid}`), 'nothing staged is left behind');
  const { pairs } = await loadPairs([`online:${round}`]);
  assert.equal(pairs.length, comparisons.length);
  for (const pair of pairs) {
    const comparison = comparisons.find((c) => c.meta.id === pair.id)!;
    assert.equal(pair.chosen, serializeTranscript(comparison.chosen));
    assert.equal(pair.rejected, serializeTranscript(comparison.rejected));
    assert.equal(pair.task, comparison.meta.task);
    assert.equal(pair.gold, comparison.meta.gold === 'tie' ? null : comparison.meta.gold);
    assert.equal(pair.source, 'online:r2');
  }
  const line = readFileSync(join(round, 'helpful.jsonl'), 'utf8').split('\n')[0];
  if (line !== '') assert.match(line, /^\{"chosen": ".*", "rejected": ".*"\}$/, 'rows in the released HH form');
  await assert.rejects(loadPairs([`online:${join(dir, 'missing')}`]), /expected a finished online round/);
  const helpful = (await loadPairs([`online:${round}:helpful`])).pairs;
  assert.equal(helpful.length, stats.byTask.helpful, 'a task picks its file');
  const [train, test] = [(await loadPairs([`online:${round}:train`])).pairs, (await loadPairs([`online:${round}:test`])).pairs];
  assert.equal(train.length + test.length, pairs.length, 'train and test split the round by content');
});

test('prompts without world requests and bad settings are refused with clear errors', async () => {
  const bare = [{ id: 'x', conversation: [{ role: 'human' as const, text: 'hi' }], prompt: '\n\nHuman: hi\n\nAssistant:' }];
  await assert.rejects(collectComparisons({ policy, policyId: 'pi' }, bare, worldLabeler(world.population()), settings), /has no world request/);
  await assert.rejects(collectComparisons({ policy, policyId: 'pi' }, pool, worldLabeler(world.population()), { pairs: 0 }), /invalid online collection config: pairs/);
});

test('a broken round folder or annotators file gives an error naming the file', async () => {
  const { comparisons, stats } = await collectComparisons({ policy, policyId: 'pi', partner, partnerId: 'ref' }, pool, worldLabeler(world.population()), { ...settings, pairs: 12 });
  const round = join(dir, 'round-broken');
  writeRound(round, comparisons, { stats });
  const metaPath = join(round, stats.byTask.helpful > 0 ? 'helpful.meta.jsonl' : 'harmless.meta.jsonl');
  const lines = readFileSync(metaPath, 'utf8').split('\n').filter((line) => line !== '');
  writeFileSync(metaPath, `${lines.slice(1).join('\n')}\n`);
  await assert.rejects(loadPairs([`online:${round}`]), (error: Error) => error.message.includes(metaPath) && /one metadata row per comparison/.test(error.message));
  writeFileSync(metaPath, `${lines.join('\n')}\n{"id": 1\n`);
  await assert.rejects(loadPairs([`online:${round}`]), /meta\.jsonl:\d+: expected one JSON object per line/);
  const copy = join(dir, 'world-copy');
  writeWorld(generated, copy);
  const annotators = join(copy, 'annotators.json');
  const text = readFileSync(annotators, 'utf8');
  // same byte count (the manifest checks sizes): break the helpful scale's value
  writeFileSync(annotators, text.replace(/"helpful": [0-9.]+/, (match) => `"helpful": ${'"x"'.padEnd(match.length - '"helpful": '.length)}`));
  assert.throws(() => loadWorld(copy).population(), (error: Error) => error.message.includes(annotators) && /expected "scale"/.test(error.message));
});
