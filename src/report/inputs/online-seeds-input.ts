/**
 * The JSON of `hhrl experiment online` over several demos (`--demo` repeated) as a report input, recognised by
 * `"kind": "online-seeds"`.
 */
import { z } from 'zod';
import { MeanIntervalSchema } from './interval-schemas.ts';
import { renderOnlineSeedsReport, type OnlineSeedsView } from '../online-seeds-report.ts';
import { ONLINE_SCHEMA } from './online-input.ts';
import { taggedJsonInput, type ReportInput } from './report-input.ts';

const GoldSchema = z.looseObject({ template_gold: MeanIntervalSchema, on_policy_gold: MeanIntervalSchema });
const OnlineSeedsSchema = z.looseObject({
  kind: z.literal('online-seeds'),
  demos: z.array(z.string()),
  runs: z.array(ONLINE_SCHEMA),
  arms: z.record(z.string(), GoldSchema),
  online_minus_static: GoldSchema,
  verdict: z.string(),
});

/** The online experiment over seeds as a report input. */
export const ONLINE_SEEDS_INPUT: ReportInput = taggedJsonInput({
  kind: 'online-seeds',
  description: 'the JSON of hhrl experiment online over several demos ({"kind": "online-seeds", "runs", "arms", …})',
  folderFile: null,
  schema: OnlineSeedsSchema,
  expected: 'the online experiment\'s JSON over seeds {kind: "online-seeds", demos, runs, arms, online_minus_static, verdict}',
  title: 'Online against static data over seeds (hhrl experiment online)',
  render: (view) => renderOnlineSeedsReport(view as unknown as OnlineSeedsView),
});
