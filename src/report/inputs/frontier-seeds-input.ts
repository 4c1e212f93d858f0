/**
 * The JSON of `hhrl experiment frontier-seeds` (finished frontier runs summarized over seeds) as a report input,
 * recognised by `"kind": "frontier-seeds"`.
 */
import { z } from 'zod';
import { OverSeedsSchema } from './interval-schemas.ts';
import { renderFrontierSeedsReport, type FrontierSeedsView } from '../frontier-seeds-report.ts';
import { taggedJsonInput, type ReportInput } from './report-input.ts';

const FrontierSeedsSchema = z.looseObject({
  kind: z.literal('frontier-seeds'),
  runs: z.array(z.looseObject({ file: z.string(), world: z.string(), seed: z.number(), eval_prompts: z.number(), minutes: z.number() })).min(1),
  policies: z.array(z.looseObject({ key: z.string(), label: z.string(), rates: z.record(z.string(), OverSeedsSchema) })),
  expectations: z.record(
    z.string(),
    z.looseObject({
      claim: z.string(),
      by_seed: z.array(z.looseObject({ seed: z.number(), holds: z.boolean().nullable(), measured: z.string() })),
      held: z.number(),
      failed: z.number(),
      holds_on_every_seed: z.boolean(),
    }),
  ),
  differences: z.record(z.string(), OverSeedsSchema.extend({ what: z.string(), expected: z.enum(['above', 'below']), threshold: z.number(), verdict: z.string() })),
});

/** The frontier over seeds as a report input. */
export const FRONTIER_SEEDS_INPUT: ReportInput = taggedJsonInput({
  kind: 'frontier-seeds',
  description: 'the JSON of hhrl experiment frontier-seeds ({"kind": "frontier-seeds", "policies", "expectations", …})',
  folderFile: null,
  schema: FrontierSeedsSchema,
  expected: 'the frontier over seeds {kind: "frontier-seeds", runs, policies, expectations, differences}',
  title: 'The helpful–harmless frontier over seeds (hhrl experiment frontier-seeds)',
  render: (view) => renderFrontierSeedsReport(view as unknown as FrontierSeedsView),
});
