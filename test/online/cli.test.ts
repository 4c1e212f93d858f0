/**
 * `hhrl online collect` end to end: a round folder from a policy and a partner on a world pool, which
 * `hhrl pm train` and `hhrl pm eval` read as `online:DIR`; the error for prompts without world requests; and
 * `hhrl online run` refusing an unknown labeler, or a judge without its endpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateWorld, resolveWorldConfig, writeWorld } from '../../src/world/index.ts';
import { tempDir, tinyPolicy } from '../train/rl/fixtures.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const hhrl = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });

test('online collect writes a round that pm train and pm eval read as online:DIR', () => {
  const root = tempDir('hhrl-online-cli-');
  const world = join(root, 'world');
  writeWorld(generateWorld(resolveWorldConfig(6, 'small')), world);
  tinyPolicy(join(root, 'policy'), 3);
  tinyPolicy(join(root, 'sft'), 5);
  const round = join(root, 'round-1');
  const collect = hhrl('online', 'collect', '--policy', join(root, 'policy'), '--partner', join(root, 'sft'), '--prompts', `world:${world}`, '--out', round,
    '--pairs', '40', '--max-new-tokens', '8', '--max-prompt-tokens', '24', '--batch', '20');
  assert.equal(collect.status, 0, collect.stderr);
  assert.match(collect.stdout, /round 1: \d+ comparisons from 40 prompts/);
  const details = JSON.parse(readFileSync(join(round, 'collect.json'), 'utf8'));
  assert.equal(details.stats.prompts, 40);
  assert.equal(details.config.pairs, 40);
  const config = join(root, 'pm.json');
  writeFileSync(config, JSON.stringify({ model: { layers: 1, dModel: 16, heads: 2, context: 64 }, tokenizer: { vocabSize: 300 }, evalEvery: 2, checkpointEvery: 2 }));
  const train = hhrl('pm', 'train', '--data', `world:${world}`, '--data', `online:${round}`, '--out', join(root, 'pm'), '--config', config, '--steps', '2');
  assert.equal(train.status, 0, train.stderr);
  // the next round's PM starts from this one: --init takes the run folder
  const next = hhrl('pm', 'train', '--init', join(root, 'pm'), '--data', `world:${world}`, '--data', `online:${round}`, '--out', join(root, 'pm-2'), '--steps', '1');
  assert.equal(next.status, 0, next.stderr);
  assert.match(next.stdout, /1 steps/);
  const evaluation = hhrl('pm', 'eval', '--model', join(root, 'pm'), '--data', `online:${round}`, '--json', join(root, 'eval.json'));
  assert.equal(evaluation.status, 0, evaluation.stderr);
  assert.equal(JSON.parse(readFileSync(join(root, 'eval.json'), 'utf8')).n, details.stats.comparisons);
  const bad = hhrl('online', 'collect', '--policy', join(root, 'policy'), '--prompts', `world:${world}:eval`, '--out', join(root, 'bad'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /expected a world prompt pool/);
});

test('online run: an unknown labeler, or a judge without its endpoint, is refused (exit 2) before anything is written', () => {
  const root = tempDir('hhrl-online-run-cli-');
  for (const [labeler, message] of [
    ['people:feedback.sqlite', /--labeler people:feedback\.sqlite: expected one of world, feedback:STORE, judge:openai:MODEL/],
    ['judge:openai:gpt-4o-mini', /--labeler judge:openai:gpt-4o-mini: the judge needs --judge-base-url/],
  ] as const) {
    const out = join(root, labeler.split(':')[0]);
    const refused = hhrl('online', 'run', '--world', join(root, 'no-world'), '--out', out, '--rounds', '1', '--labeler', labeler, '--quick');
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, message);
    assert.ok(!existsSync(out), 'nothing written');
  }
});
