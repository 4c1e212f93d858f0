/**
 * The JSON of `hhrl experiment online` (`--json FILE`) as a report input, recognised by its keys `demo`, `online`,
 * `held_out` and `arms`.
 */
import { z } from 'zod';
import { checkJsonValue } from '../../util/json-input.ts';
import { renderOnlineReport, type OnlineView } from '../online-report.ts';
import { hasKeys, type ReportInput } from './report-input.ts';

const rate = z.number().nullable();
const Evaluation = z.record(z.string(), z.unknown()).nullable();
const ArmSchema = z.looseObject({
  train_pairs: z.number().nullable(),
  template_gold: rate,
  on_policy_gold: rate,
  on_policy_gold_ci95: z.tuple([z.number(), z.number()]).nullable(),
  on_policy_by_family: z.record(z.string(), rate),
  ppo: z.looseObject({ before: Evaluation, after: Evaluation }).nullable(),
});
const RoundSchema = z.looseObject({ comparisons: z.number(), goldTies: z.number() });
/** The experiment's JSON for one demo (also each run of the JSON over seeds). */
export const ONLINE_SCHEMA = z.looseObject({
  demo: z.string(),
  online: RoundSchema,
  held_out: RoundSchema,
  arms: z.looseObject({ initial: ArmSchema, static: ArmSchema, static_plus_static: ArmSchema, static_plus_online: ArmSchema }),
});

/** The online experiment as a report input. */
export const ONLINE_INPUT: ReportInput = {
  description: 'the JSON of hhrl experiment online ({"demo", "online", "held_out", "arms": {…}})',
  folderFile: null,
  detect: (json) => hasKeys(json, ['demo', 'online', 'held_out', 'arms']),
  render: async (source) => {
    const view = checkJsonValue(source.file, undefined, source.json, ONLINE_SCHEMA, 'the online experiment\'s JSON {demo, online, held_out, arms: {initial, static, static_plus_static, static_plus_online}}');
    return { title: 'Online against static data (hhrl experiment online)', source: source.path, html: await renderOnlineReport(view as OnlineView) };
  },
};
