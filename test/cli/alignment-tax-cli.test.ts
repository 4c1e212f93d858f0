/**
 * `hhrl experiment alignment-tax` through the command: a toy run writes the JSON it prints (a row per size with the
 * changes and their intervals, the verdict), a rerun over its folder trains nothing and prints the same, one with
 * other settings is refused by the first finished cell, and bad
 * sizes, too few sizes or seeds, a repeated seed and a folder without a world are refused (exit 2) before anything
 * is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toyWorld } from '../eval/toy-experiment.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const hhrl = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });

const { root, worldDir } = toyWorld('hhrl-alignment-tax-cli-');
const TOY = ['--vocab-size', '300', '--lm-steps', '4', '--sft-steps', '2', '--pm-steps', '2', '--ppo-steps', '1', '--ppo-batch', '4', '--eval-per-set', '1', '--eval-max-new-tokens', '8', '--max-new-tokens', '8', '--threads', '1'];

test('alignment-tax: the command writes the JSON it prints, a rerun trains nothing, other settings are refused', () => {
  const out = join(root, 'run');
  const json = join(root, 'tax.json');
  const args = ['experiment', 'alignment-tax', '--world', worldDir, '--out', out, '--json', json, '--sizes', 'nano,micro,tiny', '--seeds', '3,4', ...TOY];
  const run = hhrl(...args);
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(readFileSync(json, 'utf8')) as { cells: unknown[]; by_size: { size: string; non_embedding_parameters: number }[]; expectation: { statement: string } };
  assert.equal(result.cells.length, 6);
  assert.deepEqual(result.by_size.map((size) => size.size), ['nano', 'micro', 'tiny']);
  for (const size of result.by_size) assert.match(run.stdout, new RegExp(`^${size.size} +${size.non_embedding_parameters} `, 'm'));
  assert.ok(run.stdout.includes(result.expectation.statement));
  assert.match(run.stdout, /6 cells, 5 held-out prompts per policy/);
  const again = hhrl(...args);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout.replace(/[\d.]+ minutes/, ''), run.stdout.replace(/[\d.]+ minutes/, ''));
  // a finished cell is not reused under other settings
  const changed = hhrl(...args, '--lm-steps', '5');
  assert.equal(changed.status, 2, changed.stderr);
  assert.match(changed.stderr, /nano-seed3[/\\]cell\.json: this cell was run with lmSteps = 4, not 5; use another --out or the same settings/);
});

test('alignment-tax: bad sizes and seeds and a missing world are refused before anything is written', () => {
  const out = join(root, 'refused');
  const refuse = (pattern: RegExp, ...flags: string[]) => {
    const result = hhrl('experiment', 'alignment-tax', '--world', worldDir, '--out', out, '--json', join(root, 'refused.json'), ...flags);
    assert.equal(result.status, result.stderr.includes('error: option') ? 1 : 2, result.stderr);
    assert.match(result.stderr, pattern);
    assert.ok(!existsSync(out) && !existsSync(join(root, 'refused.json')), 'nothing written');
  };
  refuse(/expected sizes from nano, micro, tiny, small, medium, large, reference, comma-separated; got "huge"/, '--sizes', 'nano,huge,tiny');
  refuse(/--sizes: .*at least 3|--sizes: Too small/i, '--sizes', 'nano,tiny');
  refuse(/--seeds: .*2/i, '--quick', '--seeds', '1');
  refuse(/seeds: 1,1 names one twice/, '--quick', '--seeds', '1,1');
  const missing = hhrl('experiment', 'alignment-tax', '--world', join(root, 'nowhere'), '--out', out, '--json', join(root, 'refused.json'), '--quick');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no world\.json there; run hhrl world generate/);
});
