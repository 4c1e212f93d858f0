/**
 * `online-run.json` of `hhrl online run` (or its `--out` folder) as a report input, recognised by
 * `"kind": "online-run"`.
 */
import { z } from 'zod';
import { renderOnlineRunReport, type OnlineRunView } from '../online-run-report.ts';
import { taggedJsonInput, type ReportInput } from './report-input.ts';

const rate = z.number().nullable();
const RatesSchema = z.looseObject({ answer_rate: rate, refusal_rate: rate, harm_rate: rate, over_refusal: rate, off_topic_rate: rate, well_formed: rate });
const AccuracySchema = z.looseObject({ n: z.number(), accuracy: rate, gold_accuracy: rate });
const RoundSchema = z.looseObject({
  round: z.number(),
  snapshot: z.string(),
  elo: z.number(),
  mean_pm_score: z.number(),
  train_pairs: z.number(),
  online_pairs: z.number(),
  collected: z.looseObject({ comparisons: z.number(), goldAgreement: rate }).nullable(),
  pm: z.looseObject({ templated: AccuracySchema, on_policy: AccuracySchema }),
  ppo: z.looseObject({ reward: rate, kl: rate }),
  rates: RatesSchema,
});
const OnlineRunSchema = z.looseObject({
  kind: z.literal('online-run'),
  world: z.string(),
  seed: z.number(),
  labeler: z.string(),
  minutes: z.number(),
  eval_prompts: z.number(),
  sft: z.looseObject({ elo: z.number(), mean_pm_score: z.number(), rates: RatesSchema }),
  rounds: z.array(RoundSchema).min(1),
  elo: z.looseObject({
    scored_by: z.string(),
    prior_draws: z.number(),
    gaps: z.array(z.looseObject({ a: z.string(), b: z.string(), eloGap: z.number(), scoreGap: z.number() })),
    slope: z.looseObject({ slope: rate, r2: rate, pairs: z.number(), paper_slope: z.number() }),
  }),
});

/** The online run as a report input. */
export const ONLINE_RUN_INPUT: ReportInput = taggedJsonInput({
  kind: 'online-run',
  description: 'online-run.json of hhrl online run ({"kind": "online-run", …}, or its --out folder)',
  folderFile: 'online-run.json',
  schema: OnlineRunSchema,
  expected: 'online-run.json of hhrl online run {kind: "online-run", sft, rounds: […], elo, …}',
  title: 'Iterated online RLHF (hhrl online run)',
  render: (view) => renderOnlineRunReport(view as unknown as OnlineRunView),
});
