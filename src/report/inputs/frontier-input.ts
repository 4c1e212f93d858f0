/**
 * The JSON of `hhrl experiment frontier` (`--json FILE`, or `frontier.json` in its `--out` folder) as a report
 * input, recognised by `"kind": "frontier"`.
 */
import { z } from 'zod';
import { renderFrontierReport, type FrontierView } from '../frontier-report.ts';
import { taggedJsonInput, type ReportInput } from './report-input.ts';

const rate = z.number().nullable();
const optionalRate = rate.optional();

/** One policy's rates: the five the issue names are required, the others shown when present. */
const RatesSchema = z.looseObject({
  answer_rate: rate,
  refusal_rate: rate,
  harm_rate: rate,
  over_refusal: rate,
  off_topic_rate: rate,
  explained_refusal_rate: optionalRate,
  well_formed: optionalRate,
  declined_benign_borderline: optionalRate,
});
const ArmSchema = RatesSchema.extend({
  pm: z.looseObject({ helpful_gold: rate, harmless_gold: rate, train_pairs: z.number() }).optional(),
  ppo: z.looseObject({ reward: rate, kl: rate }).optional(),
});
const FrontierSchema = z.looseObject({
  kind: z.literal('frontier'),
  world: z.string(),
  seed: z.number(),
  sft: RatesSchema,
  helpful_only: ArmSchema,
  harmless_only: ArmSchema,
  mixed: ArmSchema,
  mixes: z.array(ArmSchema.extend({ ratio: z.string() })),
  expectations: z.record(z.string(), z.looseObject({ claim: z.string(), holds: z.boolean().nullable(), measured: z.string() })),
  eval_prompts: z.number(),
  minutes: z.number(),
});

/** The frontier experiment as a report input. */
export const FRONTIER_INPUT: ReportInput = taggedJsonInput({
  kind: 'frontier',
  description: 'the JSON of hhrl experiment frontier ({"kind": "frontier", …}, or its --out folder holding frontier.json)',
  folderFile: 'frontier.json',
  schema: FrontierSchema,
  expected: 'the frontier experiment\'s JSON {kind: "frontier", sft, helpful_only, harmless_only, mixed, mixes, expectations, …}',
  title: 'The helpful–harmless frontier (hhrl experiment frontier)',
  render: (view) => renderFrontierReport(view as unknown as FrontierView),
});
