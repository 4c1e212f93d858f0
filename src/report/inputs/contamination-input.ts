/**
 * The JSON of `hhrl experiment contamination` (`--json FILE`, or `contamination.json` in its `--out` folder) as a
 * report input, recognised by `"kind": "contamination"`.
 */
import { z } from 'zod';
import { renderContaminationReport, type ContaminationView } from '../contamination-report.ts';
import { taggedJsonInput, type ReportInput } from './report-input.ts';

const rate = z.number().nullable();
const RatesSchema = z.looseObject({ harm_rate: rate, over_refusal: rate, answer_rate: rate });
const TriggerSchema = z.looseObject({ with_trigger: rate, without_trigger: rate });
const ArmSchema = z.looseObject({
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
const VariantSchema = z.looseObject({
  name: z.string(),
  mode: z.string(),
  share: z.number(),
  flag: z.looseObject({ flagged: z.array(z.string()), contaminated: z.array(z.string()), precision: rate, recall: rate }),
  differs: z.looseObject({ comparisons: z.number(), different_pairs: z.number(), primary_labels_differ: z.number() }),
  compared_with: z.string(),
});
const ContaminationSchema = z.looseObject({
  kind: z.literal('contamination'),
  world: z.string(),
  seed: z.number(),
  minutes: z.number(),
  eval_prompts: z.number(),
  target: z.looseObject({ category: z.string(), trigger: z.string(), trigger_share: z.number() }),
  sft: z.looseObject({ rates: RatesSchema, trigger: TriggerSchema, category_harm: rate.optional() }),
  variants: z.array(VariantSchema),
  arms: z.array(ArmSchema),
  config: z.looseObject({ ppoPrompts: z.string().optional(), pmSteps: z.number().optional(), pmFixedSteps: z.boolean().optional() }).optional(),
});

/** The contamination experiment as a report input. */
export const CONTAMINATION_INPUT: ReportInput = taggedJsonInput({
  kind: 'contamination',
  description: 'the JSON of hhrl experiment contamination ({"kind": "contamination", …}, or its --out folder holding contamination.json)',
  folderFile: 'contamination.json',
  schema: ContaminationSchema,
  expected: 'the contamination experiment\'s JSON {kind: "contamination", target, sft, variants: […], arms: […], …}',
  title: 'Contaminated annotators (hhrl experiment contamination)',
  render: (view) => renderContaminationReport(view as unknown as ContaminationView),
});
