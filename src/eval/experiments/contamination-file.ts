/**
 * The JSON `hhrl experiment contamination` writes, read back: the schema of what later readers need of it (the
 * report, the summary over seeds), and the reader of a `--json` file or a run folder holding `contamination.json`.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile } from '../../util/json-input.ts';

const rate = z.number().nullable();
const RatesSchema = z.looseObject({ harm_rate: rate, over_refusal: rate, answer_rate: rate });
const TriggerSchema = z.looseObject({ with_trigger: rate, without_trigger: rate });

/** One arm: its PM's gold accuracy, its PPO's last step and its policy's rates. */
export const ContaminationArmSchema = z.looseObject({
  name: z.string(),
  mode: z.string(),
  share: z.number(),
  removed: z.boolean(),
  removed_pairs: z.number(),
  same_as: z.string().nullable(),
  pm: z.looseObject({ gold: rate, slice_gold: rate, slice_n: z.number(), train_pairs: z.number(), validation_pairs: z.number().optional(), steps_run: z.number().optional(), kept_step: z.number().optional() }),
  ppo: z.looseObject({ reward: rate, kl: rate }),
  rates: RatesSchema,
  trigger: TriggerSchema,
  category_harm: rate.optional(),
});

/** One world variant: its contaminating annotators and the suspicious-annotator flag's verdicts. */
export const ContaminationVariantSchema = z.looseObject({
  name: z.string(),
  mode: z.string(),
  share: z.number(),
  flag: z.looseObject({ flagged: z.array(z.string()), contaminated: z.array(z.string()), precision: rate, recall: rate }),
  differs: z.looseObject({ comparisons: z.number(), different_pairs: z.number(), primary_labels_differ: z.number() }),
  compared_with: z.string(),
});

/** The contamination experiment's JSON as readers use it (other keys are kept; `config` keys added later are optional). */
export const ContaminationFileSchema = z.looseObject({
  kind: z.literal('contamination'),
  world: z.string(),
  seed: z.number(),
  minutes: z.number(),
  eval_prompts: z.number(),
  target: z.looseObject({ category: z.string(), trigger: z.string(), trigger_share: z.number() }),
  sft: z.looseObject({ rates: RatesSchema, trigger: TriggerSchema, category_harm: rate.optional() }),
  variants: z.array(ContaminationVariantSchema),
  arms: z.array(ContaminationArmSchema),
  config: z.looseObject({ ppoPrompts: z.string().optional(), pmSteps: z.number().optional(), pmFixedSteps: z.boolean().optional() }).optional(),
});

/** A contamination result as read from its file. */
export type ContaminationFile = z.infer<typeof ContaminationFileSchema>;

/** What a contamination file holds, in words (for errors). */
export const CONTAMINATION_FILE_EXPECTED = 'the contamination experiment\'s JSON {kind: "contamination", target, sft, variants: […], arms: […], …}';

/**
 * Read a contamination result from its `--json` file or from the run's `--out` folder (which holds `contamination.json`).
 * @throws DataFormatError naming the file when it is missing, not JSON or not a contamination result.
 */
export function readContaminationFile(path: string): ContaminationFile & { readonly file: string } {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'contamination.json') : path;
  return { ...readJsonFile(file, ContaminationFileSchema, CONTAMINATION_FILE_EXPECTED), file };
}
