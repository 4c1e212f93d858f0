/**
 * The JSON of `hhrl experiment contamination-seeds` (finished contamination runs summarized over seeds) as a report
 * input, recognised by `"kind": "contamination-seeds"`.
 */
import { z } from 'zod';
import { OverSeedsSchema } from './interval-schemas.ts';
import { renderContaminationSeedsReport, type ContaminationSeedsView } from '../contamination-seeds-report.ts';
import { taggedJsonInput, type ReportInput } from './report-input.ts';

const DifferenceSchema = OverSeedsSchema.extend({ verdict: z.enum(['lower', 'higher', 'inconclusive']) });
const steps = z.array(z.number().nullable());
const SettingsSchema = z.looseObject({ ppo_prompts: z.string(), pm_fixed_steps: z.boolean(), pm_steps: z.number().nullable() });
const ContaminationSeedsSchema = z.looseObject({
  kind: z.literal('contamination-seeds'),
  runs: z.array(z.looseObject({ file: z.string(), world: z.string(), seed: z.number(), category: z.string(), eval_prompts: z.number(), minutes: z.number() })).min(1),
  settings: SettingsSchema,
  baseline: z.looseObject({ files: z.array(z.string()), settings: SettingsSchema }).nullable(),
  sft: z.record(z.string(), OverSeedsSchema),
  arms: z.array(
    z.looseObject({
      name: z.string(),
      mode: z.string(),
      share: z.number(),
      removed: z.boolean(),
      same_as_kept_in: z.array(z.number()),
      pm_kept_step: steps,
      pm_steps_run: steps,
      values: z.record(z.string(), OverSeedsSchema),
      against_control: z.record(z.string(), DifferenceSchema).nullable(),
      control: z.string(),
      against_baseline: z.record(z.string(), DifferenceSchema).nullable(),
    }),
  ),
  arms_left_out: z.array(z.looseObject({ file: z.string(), arms: z.array(z.string()) })),
  flags: z.array(z.looseObject({ name: z.string(), mode: z.string(), share: z.number(), precision: OverSeedsSchema, recall: OverSeedsSchema })),
});

/** The contamination experiment over seeds as a report input. */
export const CONTAMINATION_SEEDS_INPUT: ReportInput = taggedJsonInput({
  kind: 'contamination-seeds',
  description: 'the JSON of hhrl experiment contamination-seeds ({"kind": "contamination-seeds", "arms", "flags", …})',
  folderFile: null,
  schema: ContaminationSeedsSchema,
  expected: 'the contamination experiment over seeds {kind: "contamination-seeds", runs, settings, sft, arms, flags}',
  title: 'Contaminated annotators over seeds (hhrl experiment contamination-seeds)',
  render: (view) => renderContaminationSeedsReport(view as unknown as ContaminationSeedsView),
});
