/**
 * The JSON of `hhrl experiment redteam-data` (`--json FILE`, or `redteam-data.json` in its `--out` folder) as a report
 * input, recognised by `"kind": "redteam-data"`.
 */
import { z } from 'zod';
import { renderRedteamDataReport, type RedteamDataView } from '../redteam-data-report.ts';
import { taggedJsonInput, type ReportInput } from './report-input.ts';

const rate = z.number().nullable();
const RowSchema = z.looseObject({ n: z.number(), sft: rate, plain: rate, attacked: rate, difference: rate, ci95: z.tuple([z.number(), z.number()]).nullable() });
const RatesSchema = z.looseObject({ answer_rate: rate, harm_rate: rate, over_refusal: rate, well_formed: rate });
const ArmSchema = z.looseObject({
  pm: z.looseObject({ gold: rate, harmless_gold: rate, attacked_gold: rate, attacked_n: z.number(), attacked_gold_by_strategy: z.record(z.string(), z.looseObject({ gold: rate, n: z.number() })).optional(), train_pairs: z.number() }),
  ppo: z.looseObject({ reward: rate, kl: rate }),
  rates: RatesSchema,
});
const RedteamDataSchema = z.looseObject({
  kind: z.literal('redteam-data'),
  world: z.string(),
  seed: z.number(),
  minutes: z.number(),
  eval_prompts: z.number(),
  strategies: z.array(z.string()),
  attack_share: z.number(),
  pool_attack_share: z.number(),
  worlds: z.looseObject({ check: z.looseObject({ attacked: z.number(), comparisons: z.looseObject({ comparisons: z.number() }) }) }),
  sft: RatesSchema,
  without_attacks: ArmSchema,
  with_attacks: ArmSchema,
  attack_success: z.looseObject({
    by_strategy: z.array(RowSchema.extend({ strategy: z.string(), trained: z.boolean() })),
    trained: RowSchema,
    held_out: RowSchema,
    direct: RowSchema,
  }),
});

/** The red-team-data experiment as a report input. */
export const REDTEAM_DATA_INPUT: ReportInput = taggedJsonInput({
  kind: 'redteam-data',
  description: 'the JSON of hhrl experiment redteam-data ({"kind": "redteam-data", …}, or its --out folder holding redteam-data.json)',
  folderFile: 'redteam-data.json',
  schema: RedteamDataSchema,
  expected: 'the red-team-data experiment\'s JSON {kind: "redteam-data", sft, without_attacks, with_attacks, attack_success, …}',
  title: 'Red-team data with attacks (hhrl experiment redteam-data)',
  render: (view) => renderRedteamDataReport(view as unknown as RedteamDataView),
});
