/**
 * `summary.json` of an RL run, built from its `metrics.jsonl` alone (so a resumed run's summary equals an
 * unbroken run's): PM reward against √KL (Bai et al. 2022 Fig. 4) over the training batches and the reward
 * probe, the first and last evaluation, and the last training row.
 */
import { z } from 'zod';
import type { RunFolder } from '../run-folder.ts';
import { linearFit, type LinearFit } from './stats.ts';

/** Reward against √KL over a run and over its first half. */
export interface SqrtKlFits {
  readonly all: LinearFit;
  readonly firstHalf: LinearFit;
}

/** `summary.json` of a run. */
export interface RlSummary {
  readonly algorithm: string;
  readonly steps: number;
  /** PM reward against √KL over the whole run and over its first half (Bai et al. 2022 Fig. 4). */
  readonly sqrtKlFit: SqrtKlFits;
  /** The same fits on the reward probe's rows (held-out prompts, fixed draws); null without a probe. */
  readonly probeSqrtKlFit: SqrtKlFits | null;
  /** The probe's fits against √KL estimated with k3 instead of k1 (null for runs whose probes did not record it). */
  readonly probeSqrtKlFitK3: SqrtKlFits | null;
  readonly firstEvaluation: Record<string, unknown> | null;
  readonly lastEvaluation: Record<string, unknown> | null;
  /** The last training row of metrics.jsonl as logged (its numbers, and `kind: "train"`). */
  readonly final: Readonly<Record<string, unknown>> | null;
}

/**
 * The rows of a run's first half. `byStep`: the rows whose step is at most half the last row's (probes,
 * which include step 0 and need not run every iteration); otherwise the first half of the rows. At least
 * two rows either way, so a line can be fitted.
 */
export function firstHalfRows<R extends { step?: number }>(rows: readonly R[], byStep = false): R[] {
  const halfStep = byStep && rows.length > 0 ? (rows[rows.length - 1].step ?? Infinity) / 2 : undefined;
  const byStepRows = halfStep === undefined ? [] : rows.filter((row) => (row.step ?? Infinity) <= halfStep);
  return byStepRows.length >= 2 ? byStepRows : rows.slice(0, Math.max(2, Math.ceil(rows.length / 2)));
}

/**
 * The fits of `reward` against the √KL column `sqrtKl` (`sqrt_kl`, the k1 estimate, or `sqrt_kl_k3`) of metric
 * rows, over all of them and over the first half (see `firstHalfRows`; `byStep` for probe rows).
 * @example sqrtKlFits(probeRows, 'sqrt_kl_k3', true).firstHalf.slope
 */
export function sqrtKlFits<K extends string>(rows: readonly ({ reward: number; step?: number } & Record<K, number>)[], sqrtKl: K, byStep = false): SqrtKlFits {
  const half = firstHalfRows(rows, byStep);
  return {
    all: linearFit(rows.map((row) => row[sqrtKl]), rows.map((row) => row.reward)),
    firstHalf: linearFit(half.map((row) => row[sqrtKl]), half.map((row) => row.reward)),
  };
}

const TrainRowSchema = z.looseObject({ kind: z.literal('train'), step: z.number(), reward: z.number(), sqrt_kl: z.number() });
const ProbeRowSchema = z.looseObject({ kind: z.literal('probe'), step: z.number(), reward: z.number(), sqrt_kl: z.number(), sqrt_kl_k3: z.number().optional() });

/** The rows, as logged, of one kind with the fields it needs (a row of another kind fails its schema and is left out). */
function rowsOf<T>(rows: readonly Record<string, unknown>[], schema: z.ZodType<T>): (Record<string, unknown> & T)[] {
  return rows.filter((row): row is Record<string, unknown> & T => schema.safeParse(row).success);
}

/** The probe fits against k3's √KL, when every probe row recorded it. */
function k3Fits(probes: readonly z.infer<typeof ProbeRowSchema>[]): SqrtKlFits | null {
  const withK3 = probes.flatMap((row) => (row.sqrt_kl_k3 === undefined ? [] : [{ reward: row.reward, step: row.step, sqrt_kl_k3: row.sqrt_kl_k3 }]));
  return probes.length >= 2 && withK3.length === probes.length ? sqrtKlFits(withK3, 'sqrt_kl_k3', true) : null;
}

/** Build `summary.json` from a run folder's metrics. */
export function summarizeRun(run: RunFolder<unknown>, algorithm: string): RlSummary {
  const rows = readMetricRows(run);
  const train = rowsOf(rows, TrainRowSchema);
  const probes = rowsOf(rows, ProbeRowSchema);
  const evals = rows.filter((row) => row.kind === 'eval');
  const strip = (row: Record<string, unknown> | undefined) => {
    if (row === undefined) return null;
    const { kind: _kind, ...rest } = row;
    return rest;
  };
  const last = train.at(-1);
  return {
    algorithm,
    steps: train.length,
    sqrtKlFit: sqrtKlFits(train, 'sqrt_kl'),
    probeSqrtKlFit: probes.length >= 2 ? sqrtKlFits(probes, 'sqrt_kl', true) : null,
    probeSqrtKlFitK3: k3Fits(probes),
    firstEvaluation: strip(evals[0]),
    lastEvaluation: evals.length > 1 ? strip(evals[evals.length - 1]) : null,
    final: last ?? null,
  };
}

/**
 * Parsed rows of a run's metrics.jsonl (a last line cut short by a kill is left out).
 * @throws DataFormatError naming the file and line of a malformed row.
 */
export function readMetricRows(run: RunFolder<unknown>): Record<string, unknown>[] {
  return run.metricRows();
}
