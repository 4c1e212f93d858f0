/**
 * `hhrl pm train|eval|score` end to end on a small world: a run folder with every artifact, the eval JSON of
 * the shape (plus an escaped HTML report), scores for each input form, and clear errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveWorldConfig } from '../../src/world/config.ts';
import { generateWorld, writeWorld } from '../../src/world/generate.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const hhrl = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });

test('pm train → eval → score on world data', () => {
  const root = mkdtempSync(join(tmpdir(), 'hhrl-pm-cli-'));
  const world = join(root, 'world');
  writeWorld(generateWorld(resolveWorldConfig(4, 'small')), world);
  const config = join(root, 'pm.json');
  writeFileSync(config, JSON.stringify({ model: { layers: 1, dModel: 16, heads: 2, context: 64 }, tokenizer: { vocabSize: 300 }, evalEvery: 5, checkpointEvery: 5 }));
  const out = join(root, 'pm');
  const train = hhrl('pm', 'train', '--data', `world:${world}:harmless`, '--out', out, '--config', config, '--steps', '10', '--mix', 'harmless=1', '--patience', 'null', '--keep', 'last');
  assert.equal(train.status, 0, train.stderr);
  assert.match(train.stdout, /10 steps/);
  for (const file of ['config.json', 'metrics.jsonl', 'summary.json', 'model/model.safetensors', 'model/tokenizer.json']) assert.ok(existsSync(join(out, file)), file);
  assert.equal(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).steps, 10);
  assert.equal(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).patience, null, '--patience null turns early stopping off');
  assert.equal(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).keep, 'last');
  assert.equal(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).keptStep, 10, '--keep last keeps the last step');
  const keepWithPatience = hhrl('pm', 'train', '--data', `world:${world}:harmless`, '--out', join(root, 'pm-bad'), '--config', config, '--steps', '10', '--keep', 'last');
  assert.equal(keepWithPatience.status, 2);
  assert.match(keepWithPatience.stderr, /keep.*patience/);

  const json = join(root, 'eval.json');
  const html = join(root, 'eval.html');
  const evaluation = hhrl('pm', 'eval', '--model', out, '--data', `world:${world}:test`, '--json', json, '--html', html);
  assert.equal(evaluation.status, 0, evaluation.stderr);
  const report = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(report.n, 400);
  for (const key of ['accuracy', 'gold_accuracy', 'ece', 'ci95']) assert.ok(key in report, key);
  assert.deepEqual(Object.keys(report.by_task).sort(), ['harmless', 'helpful']);
  assert.deepEqual(Object.keys(report.by_task.helpful).sort(), ['accuracy', 'gold_accuracy', 'gold_n', 'n']);
  assert.match(readFileSync(html, 'utf8'), /<svg/);

  const input = join(root, 'in.jsonl');
  writeFileSync(input, [
    JSON.stringify({ text: '\n\nHuman: hi\n\nAssistant: hello' }),
    JSON.stringify({ prompt: '\n\nHuman: hi\n\nAssistant:', response: 'hello' }),
    JSON.stringify({ chosen: '\n\nHuman: hi\n\nAssistant: hello', rejected: '\n\nHuman: hi\n\nAssistant: no' }),
  ].join('\n'));
  const scored = hhrl('pm', 'score', '--model', out, '--input', input);
  assert.equal(scored.status, 0, scored.stderr);
  const rows = scored.stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(rows[0].score, rows[1].score);
  assert.equal(rows[2].score_chosen, rows[0].score);
  assert.ok(rows[2].p_chosen > 0 && rows[2].p_chosen < 1);

  writeFileSync(input, '{"nothing": 1}\n');
  const bad = hhrl('pm', 'score', '--model', out, '--input', input);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /in\.jsonl:1: expected/);
  const again = hhrl('pm', 'train', '--data', `world:${world}:harmless`, '--out', out, '--config', config, '--steps', '10');
  assert.equal(again.status, 2);
  assert.match(again.stderr, /finished run|--resume/);
  const missing = hhrl('pm', 'eval', '--model', join(root, 'nope'), '--data', `world:${world}:test`);
  assert.equal(missing.status, 2);
});
