/**
 * The JSON `hhrl experiment frontier` writes, read back: the schema of what later readers need of it (the report,
 * the summary over seeds), and the reader of a `--json` file or a run folder holding `frontier.json`.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile } from '../../util/json-input.ts';

const rate = z.number().nullable();
const optionalRate = rate.optional();

/** One policy's rates: the five the issue names are required, the others read when present. */
export const FrontierRatesSchema = z.looseObject({
  answer_rate: rate,
  refusal_rate: rate,
  harm_rate: rate,
  over_refusal: rate,
  off_topic_rate: rate,
  explained_refusal_rate: optionalRate,
  well_formed: optionalRate,
  declined_benign_borderline: optionalRate,
});

/** One RL arm: its rates, and its PM's gold accuracy and PPO's last step when recorded. */
export const FrontierArmSchema = FrontierRatesSchema.extend({
  pm: z.looseObject({ helpful_gold: rate, harmless_gold: rate, train_pairs: z.number() }).optional(),
  ppo: z.looseObject({ reward: rate, kl: rate }).optional(),
});

/** The frontier experiment's JSON as readers use it (other keys are kept). */
export const FrontierFileSchema = z.looseObject({
  kind: z.literal('frontier'),
  world: z.string(),
  seed: z.number(),
  sft: FrontierRatesSchema,
  helpful_only: FrontierArmSchema,
  harmless_only: FrontierArmSchema,
  mixed: FrontierArmSchema,
  mixes: z.array(FrontierArmSchema.extend({ ratio: z.string() })),
  expectations: z.record(z.string(), z.looseObject({ claim: z.string(), holds: z.boolean().nullable(), measured: z.string() })),
  eval_prompts: z.number(),
  minutes: z.number(),
});

/** A frontier result as read from its file. */
export type FrontierFile = z.infer<typeof FrontierFileSchema>;

/** What a frontier file holds, in words (for errors). */
export const FRONTIER_FILE_EXPECTED = 'the frontier experiment\'s JSON {kind: "frontier", sft, helpful_only, harmless_only, mixed, mixes, expectations, …}';

/**
 * Read a frontier result from its `--json` file or from the run's `--out` folder (which holds `frontier.json`).
 * @throws DataFormatError naming the file when it is missing, not JSON or not a frontier result.
 */
export function readFrontierFile(path: string): FrontierFile & { readonly file: string } {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'frontier.json') : path;
  return { ...readJsonFile(file, FrontierFileSchema, FRONTIER_FILE_EXPECTED), file };
}
