/**
 * The demo's `summary.json`: each policy's headline rates (oracle verdicts on the held-out sets), the PM's
 * accuracy, the shape of reward against KL, the settings PPO ran with and the checks of every claim.
 */
import { totalMinutes } from './experiments/stage-minutes.ts';
import { join } from 'node:path';
import { z } from 'zod';
import type { RlSummary } from '../train/rollout/rl-runner.ts';
import { readJsonFile } from '../util/json-input.ts';
import { demoChecks, type DemoChecks } from './demo-checks.ts';
import { fitKlLaw, type KlLawFit, type KlRewardPoint } from './kl-law.ts';
import type { PmEvalReport } from './pm-eval.ts';

/**
 * The headline of one policy's evaluation on the world's held-out sets (oracle verdicts):
 * - `helpfulness`: share of non-harmful requests with oracle helpfulness ≥ 0.5 (a garbled reply earns 0);
 * - `harm_rate`: harmful compliance on direct harmful requests; `over_refusal`: borderline requests refused;
 * - `answer_rate`: correct answers (or safe help that flags a risk) to benign requests;
 * - `refusal_rate`: direct harmful requests refused or safely redirected (curt or explaining refusal, flag and help);
 * - `explained_refusal_rate`: direct harmful requests refused with an explanation;
 * - `off_topic_rate`: direct harmful requests answered off topic or with garbled text;
 * - `well_formed`: share of all held-out responses that parse as the world's language; `well_formed_unattacked`: the
 *   same without the attacked harmful requests (encoded or disguised; null in runs from before it was logged);
 * - `harm_by_strategy`: attack success (harmful compliance) on attacked harmful requests, by strategy.
 */
export interface PolicyHeadline {
  readonly helpfulness: number | null;
  readonly harm_rate: number | null;
  readonly over_refusal: number | null;
  readonly answer_rate: number | null;
  readonly refusal_rate: number | null;
  readonly explained_refusal_rate: number | null;
  readonly off_topic_rate: number | null;
  readonly well_formed: number | null;
  readonly well_formed_unattacked: number | null;
  readonly harm_by_strategy: Readonly<Record<string, number | null>> | null;
}

/** The PM evaluations a demo keeps beside `summary.json`: `{templated, on_policy}` (held-out world pairs; PPO's samples against π₀'s). */
export const PM_EVAL_FILE = 'pm-eval.json';

/** Bootstrap resamples of the KL law's interval (≈0.25 s for 17 probes). */
const KL_LAW_RESAMPLES = 1000;

/** `summary.json` of a demo (issue 5's schema plus detail). */
export interface DemoSummary {
  readonly sft: PolicyHeadline;
  readonly ppo: PolicyHeadline;
  /**
   * PM reward against √KL over the first half of PPO: on the held-out reward probe when it ran
   * (`source: "probe"`), else on the training batches.
   */
  readonly sqrtkl_fit: { readonly slope: number; readonly r2: number | null; readonly n: number; readonly source: 'probe' | 'train' };
  /** The same fit on the training batches' mean rewards (noisier: each batch draws other prompts). */
  readonly sqrtkl_fit_train: { readonly slope: number; readonly r2: number | null; readonly n: number };
  /** The probe's first-half fit against √KL estimated with k3 (lower variance near π₀); null when not recorded. */
  readonly sqrtkl_fit_k3: { readonly slope: number; readonly r2: number | null; readonly n: number } | null;
  /**
   * The shape of PM reward against KL over the whole of PPO, r = r₀ + b·KL^α with a bootstrap interval for α
   * (`kl-law.ts`): on the held-out probe when it ran (`source`), else on the training batches. The paper's law is α = ½.
   */
  readonly kl_law: KlLawFit & { readonly source: 'probe' | 'train' };
  readonly minutes: number;
  readonly stage_minutes: Readonly<Record<string, number>>;
  readonly pm: {
    readonly accuracy: number | null;
    readonly gold_accuracy: number | null;
    readonly ece: number;
    readonly n: number;
    /**
     * The PM on pairs of PPO's and π₀'s samples (held-out prompts): gold accuracy over the pairs the oracle does
     * not tie (`gold_n`), out of `n` pairs; null when `onPolicyPairs` is 0.
     */
    readonly on_policy: { readonly gold_accuracy: number | null; readonly gold_ci95: [number, number] | null; readonly gold_n: number; readonly n: number } | null;
  };
  /** The settings PPO ran with (from its run folder, so a resumed demo reports what its PPO used). */
  readonly ppo_settings: { readonly learning_rate: number; readonly kl_coef: number; readonly ptx_coef: number; readonly steps: number; readonly batch: number };
  readonly seed: number;
  /** The demo's three claims checked on these numbers (see `demo-checks.ts`). */
  readonly checks: DemoChecks;
}

/**
 * The points the KL law is fitted to, from a PPO run's metric rows: the held-out probe's (mean reward and KL) when
 * it ran, else the training batches' (noisier, since each batch draws other prompts).
 */
export function klLawPoints(rows: readonly Record<string, unknown>[]): { readonly points: KlRewardPoint[]; readonly source: 'probe' | 'train' } {
  const pointsOf = (kind: string) =>
    rows
      .filter((row) => row.kind === kind && typeof row.kl === 'number' && typeof row.reward === 'number')
      .map((row) => ({ kl: row.kl as number, reward: row.reward as number }));
  const probe = pointsOf('probe');
  return probe.length > 0 ? { points: probe, source: 'probe' } : { points: pointsOf('train'), source: 'train' };
}

/** The KL law of a PPO run's metric rows (see {@link klLawPoints}). */
function klLawOf(rows: readonly Record<string, unknown>[], seed: number): DemoSummary['kl_law'] {
  const { points, source } = klLawPoints(rows);
  return { ...fitKlLaw(points, KL_LAW_RESAMPLES, seed), source };
}

/** A policy's headline from its evaluation row (null: that evaluation did not run). */
function headline(row: Record<string, unknown> | null): PolicyHeadline {
  const number = (value: unknown) => (typeof value === 'number' ? value : null);
  return {
    helpfulness: number(row?.helpfulness),
    harm_rate: number(row?.harm_rate),
    over_refusal: number(row?.over_refusal),
    answer_rate: number(row?.answer_rate),
    refusal_rate: number(row?.refusal_rate),
    explained_refusal_rate: number(row?.explained_refusal_rate),
    off_topic_rate: number(row?.off_topic_rate),
    well_formed: number(row?.well_formed),
    well_formed_unattacked: number(row?.well_formed_unattacked),
    harm_by_strategy: strategyRates(row),
  };
}

/** Attack success by strategy from an evaluation row (null when the row has none). */
function strategyRates(row: Record<string, unknown> | null): Record<string, number | null> | null {
  const rates = row?.harm_by_strategy;
  return rates !== null && typeof rates === 'object' ? (rates as Record<string, number | null>) : null;
}

/** What the demo reads of a PPO run's `config.json` (ptxCoef is absent in runs from before it existed). */
const PpoRunConfigSchema = z.looseObject({
  config: z.looseObject({ learningRate: z.number(), klCoef: z.number(), ptxCoef: z.number().optional(), steps: z.number(), batchSize: z.number() }),
});

/** The settings a PPO run folder was started with (`config.json`; ptxCoef 0 for runs from before it existed). */
function ppoSettings(ppoDir: string): DemoSummary['ppo_settings'] {
  const saved = readJsonFile(join(ppoDir, 'config.json'), PpoRunConfigSchema, 'a PPO run\'s config.json {"config": {learningRate, klCoef, steps, batchSize, …}}').config;
  return { learning_rate: saved.learningRate, kl_coef: saved.klCoef, ptx_coef: saved.ptxCoef ?? 0, steps: saved.steps, batch: saved.batchSize };
}

/** What a finished demo measured, from which its summary is built. */
export interface DemoMeasurements {
  readonly ppo: RlSummary;
  readonly ppoDir: string;
  readonly ppoRows: readonly Record<string, unknown>[];
  readonly pmEval: PmEvalReport;
  readonly onPolicyEval: PmEvalReport | null;
  readonly stageMinutes: Readonly<Record<string, number>>;
  readonly seed: number;
}

/** The PM's numbers of the summary: held-out comparisons, and (when measured) PPO's own samples against π₀'s. */
function pmSummary(pmEval: PmEvalReport, onPolicyEval: PmEvalReport | null): DemoSummary['pm'] {
  return {
    accuracy: pmEval.accuracy,
    gold_accuracy: pmEval.gold_accuracy,
    ece: pmEval.ece,
    n: pmEval.n,
    on_policy:
      onPolicyEval === null
        ? null
        : { gold_accuracy: onPolicyEval.gold_accuracy, gold_ci95: onPolicyEval.gold_ci95, gold_n: onPolicyEval.gold_n, n: onPolicyEval.n },
  };
}

/** Build `summary.json` from what the demo measured. */
export function summarizeDemo(m: DemoMeasurements): DemoSummary {
  const trainFit = m.ppo.sqrtKlFit.firstHalf;
  const probeFit = m.ppo.probeSqrtKlFit?.firstHalf;
  const k3Fit = m.ppo.probeSqrtKlFitK3?.firstHalf;
  const sft = headline(m.ppo.firstEvaluation);
  const rl = headline(m.ppo.lastEvaluation);
  const klLaw = klLawOf(m.ppoRows, m.seed);
  return {
    sft,
    ppo: rl,
    sqrtkl_fit: probeFit ? { slope: probeFit.slope, r2: probeFit.r2, n: probeFit.n, source: 'probe' } : { slope: trainFit.slope, r2: trainFit.r2, n: trainFit.n, source: 'train' },
    sqrtkl_fit_train: { slope: trainFit.slope, r2: trainFit.r2, n: trainFit.n },
    sqrtkl_fit_k3: k3Fit ? { slope: k3Fit.slope, r2: k3Fit.r2, n: k3Fit.n } : null,
    kl_law: klLaw,
    minutes: totalMinutes(m.stageMinutes),
    stage_minutes: m.stageMinutes,
    pm: pmSummary(m.pmEval, m.onPolicyEval),
    ppo_settings: ppoSettings(m.ppoDir),
    seed: m.seed,
    checks: demoChecks({ sft, ppo: rl, kl_law: klLaw }),
  };
}
