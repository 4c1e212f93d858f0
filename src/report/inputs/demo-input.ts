/**
 * A `hhrl demo` folder as a report input: recognised by its `summary.json` (the demo's rates, checks and KL law);
 * the report also reads PPO's metrics and judged evaluation samples (`ppo/`) and the PM's evaluation
 * (`pm-eval.json`, absent in demo folders from before it was kept).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PM_EVAL_FILE, type DemoSummary } from '../../eval/demo-summary.ts';
import type { PmEvalReport } from '../../eval/pm-eval.ts';
import { readMetricRows, summarizeRun } from '../../train/rollout/rl-summary.ts';
import { readFirstLastEvalSamples } from '../../train/rollout/world-eval.ts';
import { RunFolder } from '../../train/run-folder.ts';
import { readJsonFile } from '../../util/json-input.ts';
import { renderDemoReport, type DemoReportData } from '../demo-report.ts';
import { hasKeys, type ReportInput, type ReportSource } from './report-input.ts';

const rate = z.number().nullable().optional();
const Headline = z.looseObject({ helpfulness: rate, harm_rate: rate, answer_rate: rate, refusal_rate: rate, well_formed: rate });
const nullableNumber = z.number().nullable();

/** What the report reads of `summary.json` (the rest of `DemoSummary` is passed through). */
const DemoSummarySchema = z.looseObject({
  sft: Headline,
  ppo: Headline,
  kl_law: z.looseObject({ alpha: nullableNumber, alpha_ci95: z.tuple([nullableNumber, nullableNumber]), slope: nullableNumber, n: z.number(), resamples: z.number() }),
  checks: z.record(z.string(), z.looseObject({ pass: z.boolean().nullable(), value: nullableNumber, rule: z.string() })),
  minutes: z.number(),
  stage_minutes: z.record(z.string(), z.number()),
  pm: z.looseObject({ accuracy: nullableNumber, gold_accuracy: nullableNumber, ece: z.number(), n: z.number() }),
  ppo_settings: z.looseObject({ learning_rate: z.number(), kl_coef: z.number(), steps: z.number(), batch: z.number() }),
  seed: z.number(),
});

const SUMMARY = 'a hhrl demo summary.json {sft, ppo, kl_law, checks, minutes, stage_minutes, pm, ppo_settings, seed}';

/** What `pm-eval.json` holds (written by `runDemo`). */
const PmEvalFileSchema = z.looseObject({
  templated: z.looseObject({ n: z.number(), calibration: z.looseObject({ bins: z.array(z.looseObject({ low: z.number(), high: z.number(), count: z.number(), confidence: nullableNumber, accuracy: nullableNumber })) }) }),
  on_policy: z.looseObject({ n: z.number(), gold_n: z.number(), by_family: z.record(z.string(), z.looseObject({ n: z.number() })) }).nullable(),
});

/**
 * Everything the demo report shows, read from a demo folder.
 * @throws DataFormatError naming the file for a malformed summary, metrics row, evaluation sample or PM evaluation.
 */
export function loadDemoReportData(folder: string): DemoReportData {
  const summary = readJsonFile(join(folder, 'summary.json'), DemoSummarySchema, SUMMARY) as unknown as DemoSummary;
  const ppoDir = join(folder, 'ppo');
  const run = new RunFolder(ppoDir);
  const pmEvalPath = join(folder, PM_EVAL_FILE);
  const pm = existsSync(pmEvalPath) ? readJsonFile(pmEvalPath, PmEvalFileSchema, 'the demo\'s PM evaluations {"templated": {…}, "on_policy": {…} | null}') : null;
  return {
    summary,
    ppo: summarizeRun(run, 'ppo'),
    ppoRows: readMetricRows(run),
    pmEval: (pm?.templated ?? null) as PmEvalReport | null,
    onPolicyEval: (pm?.on_policy ?? null) as PmEvalReport | null,
    samples: readFirstLastEvalSamples(ppoDir),
  };
}

/** The demo as a report input. */
export const DEMO_INPUT: ReportInput = {
  description: 'a hhrl demo folder (or its summary.json)',
  folderFile: 'summary.json',
  detect: (json) => hasKeys(json, ['sft', 'ppo', 'kl_law', 'checks', 'ppo_settings']),
  render: async (source: ReportSource) => ({
    title: 'hhrl demo: RLHF on the HH world',
    source: source.path,
    html: await renderDemoReport(loadDemoReportData(source.folder)),
  }),
};
