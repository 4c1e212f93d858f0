/**
 * `hhrl experiment alignment-tax --stages-from RUN`: a cell takes its base LM, π₀, PM and π₀'s evaluation from the
 * same cell of an earlier run, so that only PPO (and its evaluation) runs again — e.g. to ask whether a longer PPO
 * (`--ppo-steps`) pays a different alignment tax from the same starting policies and reward models. The earlier
 * cell must be finished and have been trained with the same settings for those stages; π₀'s evaluation is read
 * back only where it was measured on the same prompts with the same settings (`evaluateOnce`), and the PM's own
 * resume rule checks the copy once more (its settings and the fingerprint of its comparisons, which come from the
 * world).
 */
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../spec/errors.ts';
import { replaceFolderAtomic, stagingPath } from '../../util/atomic-write.ts';
import { readJsonFile } from '../../util/json-input.ts';
import { sameWorld } from '../../world/index.ts';
import type { AlignmentTaxConfig } from './alignment-tax-config.ts';

/**
 * The settings that only PPO and the evaluation read, so they may differ from the earlier run; every other setting of
 * a cell's recipe decides its base LM, π₀ or PM and must be the same (a setting added later is compared by default).
 * π₀'s verdicts are measured again when the evaluation's settings differ (`evaluateOnce`).
 */
export const PPO_AND_EVAL_FIELDS = ['ppoSteps', 'ppoBatch', 'ppoLearningRate', 'klCoef', 'ptxCoef', 'maxNewTokens', 'evalPerSet', 'evalMaxNewTokens'] as const satisfies readonly (keyof AlignmentTaxConfig)[];

/** What a cell copies: the stages before PPO, the data they were trained on, the PM's gold accuracy and π₀'s verdicts. */
const REUSED = ['lm', 'sft', 'pm', 'pm-gold.json', 'sft-data.jsonl', 'ptx-data.jsonl', 'sft-eval'] as const;

const FinishedCellSchema = z.looseObject({ recipe: z.record(z.string(), z.unknown()) });
const LmConfigSchema = z.looseObject({ text: z.string() });

/** The folder of the world whose corpus the base LM in `lmDir` read (`<world>/corpus/base.txt`). */
function lmWorldDir(lmDir: string): string {
  const { text } = readJsonFile(join(lmDir, 'config.json'), LmConfigSchema, 'a language-model run config {text, …}');
  return dirname(dirname(text));
}

/**
 * Copy the stages before PPO of the finished cell `from` into `cellDir`, whole or not at all (a staging sibling put in
 * place by `replaceFolderAtomic`). Nothing is copied when `cellDir` already exists (the cell's own work, or a copy made before).
 * @returns whether it copied (so that a caller whose copy is then refused can remove it again).
 * @throws ConfigError when `from` is not a finished cell, its recipe differs from `recipe` in a setting outside
 *   {@link PPO_AND_EVAL_FIELDS}, or it was trained on another world than `worldDir`'s.
 * @example adoptCellStages('runs/tax/cells/tiny-seed0', 'runs/tax-long/cells/tiny-seed0', recipe, 'runs/world'); // true
 */
export function adoptCellStages(from: string, cellDir: string, recipe: Readonly<Record<string, unknown>>, worldDir: string): boolean {
  if (existsSync(cellDir)) return false;
  const cellPath = join(from, 'cell.json');
  if (!existsSync(cellPath)) throw new ConfigError(`--stages-from: ${from} is not a finished cell (no cell.json); finish that run first, or leave --stages-from out to train this cell`);
  const earlier = readJsonFile(cellPath, FinishedCellSchema, 'a finished cell {recipe, …}').recipe;
  const free: readonly string[] = PPO_AND_EVAL_FIELDS;
  for (const field of new Set([...Object.keys(recipe), ...Object.keys(earlier)])) {
    if (!free.includes(field) && JSON.stringify(earlier[field]) !== JSON.stringify(recipe[field])) {
      throw new ConfigError(`--stages-from: ${from} was trained with ${field} = ${JSON.stringify(earlier[field])}, not ${JSON.stringify(recipe[field])}; its stages cannot stand for this run's`);
    }
  }
  if (!sameWorld(lmWorldDir(join(from, 'lm')), worldDir)) throw new ConfigError(`--stages-from: ${from}'s base LM was trained on another world than ${worldDir} (or that world is gone)`);
  const staged = stagingPath(cellDir);
  mkdirSync(staged, { recursive: true });
  for (const entry of REUSED) {
    if (existsSync(join(from, entry))) cpSync(join(from, entry), join(staged, entry), { recursive: true });
  }
  replaceFolderAtomic(staged, cellDir);
  return true;
}
