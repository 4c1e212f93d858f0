/**
 * `adoptCellStages` on hand-built cell folders (the files it reads, no training): a cell whose base LM read another
 * world's corpus is refused and nothing is copied; a recipe that differs only in PPO or evaluation settings is
 * accepted and the stages arrive whole; a cell folder that exists already is left alone. The end-to-end use (only PPO
 * runs after it) is in `alignment-tax.test.ts`.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adoptCellStages } from '../../src/eval/experiments/alignment-tax-reuse.ts';
import { ConfigError } from '../../src/spec/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'hhrl-tax-reuse-'));
after(() => rmSync(root, { recursive: true, force: true }));
const RECIPE = { sftSteps: 10, pmSteps: 20, ppoSteps: 4, klCoef: 0.05 };

/** A world folder with the manifest text `manifest` (all `adoptCellStages` compares) and its base corpus path. */
function world(name: string, manifest: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'corpus'), { recursive: true });
  writeFileSync(join(dir, 'world.json'), manifest);
  return dir;
}

/** A finished cell: `cell.json` with its recipe, a base LM that read `worldDir`'s corpus, and the other stages' marker files. */
function finishedCell(name: string, worldDir: string, recipe: Record<string, unknown>): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'lm'), { recursive: true });
  writeFileSync(join(dir, 'cell.json'), JSON.stringify({ recipe }));
  writeFileSync(join(dir, 'lm', 'config.json'), JSON.stringify({ text: join(worldDir, 'corpus', 'base.txt') }));
  for (const stage of ['sft', 'pm', 'sft-eval']) {
    mkdirSync(join(dir, stage));
    writeFileSync(join(dir, stage, 'marker'), stage);
  }
  writeFileSync(join(dir, 'pm-gold.json'), '{"helpful":0.9,"harmless":0.8}');
  mkdirSync(join(dir, 'ppo'));
  return dir;
}

test('adoptCellStages copies a finished cell of the same world whole, refuses another world, leaves an existing cell alone', () => {
  const ours = world('ours', '{"config":{"seed":0}}');
  const theirs = world('theirs', '{"config":{"seed":1}}');

  // another world: refused by name, nothing copied
  const foreign = finishedCell('foreign', theirs, RECIPE);
  const refusedAt = join(root, 'run', 'refused');
  assert.throws(() => adoptCellStages(foreign, refusedAt, RECIPE, ours), (error: unknown) => error instanceof ConfigError && /base LM was trained on another world than .*ours/.test(error.message));
  assert.ok(!existsSync(refusedAt), 'nothing copied');

  // the same world, PPO and evaluation settings differing: every stage before PPO arrives, PPO does not
  const same = finishedCell('same', ours, RECIPE);
  const cellDir = join(root, 'run', 'cell');
  assert.equal(adoptCellStages(same, cellDir, { ...RECIPE, ppoSteps: 16, klCoef: 0.1 }, ours), true);
  assert.deepEqual(readdirSync(cellDir).sort(), ['lm', 'pm', 'pm-gold.json', 'sft', 'sft-eval']);
  assert.equal(readFileSync(join(cellDir, 'pm', 'marker'), 'utf8'), 'pm');
  assert.deepEqual(readdirSync(join(root, 'run')).sort(), ['cell'], 'no staging folder left beside it');

  // a cell folder there already (this run's own work or an earlier copy) is not touched, even from a refusable source
  assert.equal(adoptCellStages(foreign, cellDir, RECIPE, ours), false);

  // a world that is gone reads as another world
  const gone = finishedCell('gone', join(root, 'deleted'), RECIPE);
  assert.throws(() => adoptCellStages(gone, join(root, 'run', 'gone'), RECIPE, ours), /another world .* \(or that world is gone\)/);
  // and so does a world gone on both sides (no manifest is not a match)
  assert.throws(() => adoptCellStages(gone, join(root, 'run', 'gone'), RECIPE, join(root, 'nowhere')), /another world .* \(or that world is gone\)/);
});
