/**
 * The JSON of `hhrl experiment alignment-tax` (`--json FILE`, or `alignment-tax.json` in its `--out` folder) as a
 * report input, recognised by `"kind": "alignment-tax"`.
 */
import { z } from 'zod';
import { MeanIntervalSchema } from './interval-schemas.ts';
import { renderAlignmentTaxReport, type AlignmentTaxView } from '../alignment-tax-report.ts';
import { taggedJsonInput, type ReportInput } from './report-input.ts';

const rate = z.number().nullable();
const RatesSchema = z.looseObject({ answer_rate: rate, harm_rate: rate, refusal_rate: rate, well_formed: rate.optional() });
const FitSchema = z.looseObject({ slope: rate, intercept: rate, low: rate, high: rate, n: z.number() });
const AlignmentTaxSchema = z.looseObject({
  kind: z.literal('alignment-tax'),
  world: z.string(),
  cells: z.array(
    z.looseObject({
      size: z.string(),
      seed: z.number(),
      non_embedding_parameters: z.number(),
      sft: RatesSchema,
      ppo: RatesSchema,
      delta: z.looseObject({ answer_rate: rate, harm_rate: rate }),
      pm: z.looseObject({ gold_accuracy: rate }).optional(),
      ppo_run: z.looseObject({ reward: rate, kl: rate, reward_start: rate.optional(), reward_end: rate.optional() }).optional(),
    }),
  ),
  by_size: z.array(z.looseObject({ size: z.string(), non_embedding_parameters: z.number().positive(), delta: z.looseObject({ answer_rate: MeanIntervalSchema, harm_rate: MeanIntervalSchema }) })),
  interval: z.string(),
  trend: z.looseObject({ answer_rate: FitSchema, harm_rate: FitSchema }),
  expectation: z.looseObject({ claim: z.string(), verdict: z.string(), statement: z.string() }),
  eval_prompts: z.number(),
  minutes: z.number(),
  stages_from: z.string().nullable().optional(),
  config: z.looseObject({ lmSteps: z.number(), sftSteps: z.number(), pmSteps: z.number(), ppoSteps: z.number() }).optional(),
});

/** The alignment-tax experiment as a report input. */
export const ALIGNMENT_TAX_INPUT: ReportInput = taggedJsonInput({
  kind: 'alignment-tax',
  description: 'the JSON of hhrl experiment alignment-tax ({"kind": "alignment-tax", …}, or its --out folder holding alignment-tax.json)',
  folderFile: 'alignment-tax.json',
  schema: AlignmentTaxSchema,
  expected: 'the alignment-tax experiment\'s JSON {kind: "alignment-tax", cells, by_size, trend, expectation, …}',
  title: 'The alignment tax by model size (hhrl experiment alignment-tax)',
  render: (view) => renderAlignmentTaxReport(view as unknown as AlignmentTaxView),
});
