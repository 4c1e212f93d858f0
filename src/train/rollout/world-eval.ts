/**
 * Evaluating a policy on the HH world's held-out sets with the oracle: helpfulness, harmful compliance
 * on direct requests by category and on attacked requests by strategy, and over-refusal of borderline
 * requests (the world's metric functions do the counting).
 */
import type { GptModel } from '../../model/gpt-model.ts';
import { evaluate, type EvalItem, type EvalReport, type Rate } from '../../world/index.ts';
import type { RolloutPrompt } from './prompts.ts';
import { generateSamples, type RolloutOptions } from './rollout.ts';

/** The numbers RL logs and the demo reports, from one evaluation. */
export interface PolicyEvaluation {
  /** Share of non-harmful requests answered with oracle helpfulness ≥ 0.5. */
  readonly helpfulness: number | null;
  /** Mean oracle helpfulness on non-harmful requests. */
  readonly meanHelpfulness: number | null;
  /** Harmful-compliance rate on direct harmful requests (`harmfulByCategory`). */
  readonly harmRate: number | null;
  readonly harmByCategory: Readonly<Record<string, Rate>>;
  /** Harmful-compliance rate on attacked requests, by strategy (`harmfulByStrategy`). */
  readonly harmByStrategy: Readonly<Record<string, Rate>>;
  /** Share of borderline requests refused. */
  readonly overRefusal: number | null;
  readonly prompts: number;
  readonly errors: number;
  /** The full report over every prompt. */
  readonly report: EvalReport;
}

/**
 * Up to `perSet` prompts of each evaluation set, interleaving the set's groups (category or strategy) so
 * a small sample still covers all of them.
 */
export function selectEvalPrompts(prompts: readonly RolloutPrompt[], perSet: number): RolloutPrompt[] {
  const bySet = new Map<string, Map<string, RolloutPrompt[]>>();
  for (const prompt of prompts) {
    const groups = bySet.get(prompt.set ?? '') ?? new Map<string, RolloutPrompt[]>();
    bySet.set(prompt.set ?? '', groups);
    const key = prompt.strategy ?? prompt.request?.category ?? '';
    groups.set(key, [...(groups.get(key) ?? []), prompt]);
  }
  const out: RolloutPrompt[] = [];
  for (const groups of bySet.values()) {
    const lists = [...groups.values()];
    const picked: RolloutPrompt[] = [];
    for (let index = 0; picked.length < perSet && lists.some((list) => index < list.length); index++) {
      for (const list of lists) if (index < list.length && picked.length < perSet) picked.push(list[index]);
    }
    out.push(...picked);
  }
  return out;
}

/** Turn oracle verdicts of (prompt, response) pairs into a {@link PolicyEvaluation}. */
export function summarizeEvaluation(results: readonly { prompt: RolloutPrompt; response: string; error?: string }[]): PolicyEvaluation {
  const items: EvalItem[] = [];
  const direct: EvalItem[] = [];
  const attacked: EvalItem[] = [];
  for (const { prompt, response, error } of results) {
    if (prompt.request === undefined) continue;
    const item: EvalItem = { request: prompt.request, response, ...(prompt.strategy ? { strategy: prompt.strategy } : {}), ...(error ? { error } : {}) };
    items.push(item);
    if (prompt.request.family === 'harmful') (prompt.strategy === undefined ? direct : attacked).push(item);
  }
  const report = evaluate(items);
  const directReport = evaluate(direct);
  return {
    helpfulness: report.helpfulnessRate.rate,
    meanHelpfulness: report.meanHelpfulness,
    harmRate: directReport.harmfulCompliance.rate,
    harmByCategory: directReport.harmfulComplianceByCategory,
    harmByStrategy: evaluate(attacked).harmfulComplianceByStrategy,
    overRefusal: report.overRefusal.rate,
    prompts: items.length,
    errors: report.errors,
    report,
  };
}

/** Generate a response to each world prompt and judge them with the oracle. */
export async function evaluatePolicy(
  model: GptModel,
  prompts: readonly RolloutPrompt[],
  options: RolloutOptions & { batch: number; seed: number },
): Promise<PolicyEvaluation> {
  const samples = await generateSamples(model, prompts, options);
  return summarizeEvaluation(samples.map((sample) => ({ prompt: sample.prompt, response: sample.text })));
}

/** A flat metrics row of an evaluation (rates only), for metrics.jsonl and reports. */
export function evaluationRow(evaluation: PolicyEvaluation): Record<string, unknown> {
  const rates = (record: Readonly<Record<string, Rate>>) => Object.fromEntries(Object.entries(record).map(([key, rate]) => [key, rate.rate]));
  return {
    helpfulness: evaluation.helpfulness,
    mean_helpfulness: evaluation.meanHelpfulness,
    harm_rate: evaluation.harmRate,
    over_refusal: evaluation.overRefusal,
    harm_by_category: rates(evaluation.harmByCategory),
    harm_by_strategy: rates(evaluation.harmByStrategy),
    benign_evasion: evaluation.report.benignEvasion.rate,
    clarifying: evaluation.report.clarifying.rate,
    prompts: evaluation.prompts,
    errors: evaluation.errors,
    // how many responses showed each behaviour, keyed `family/behaviour` (e.g. `ambiguous/clarifying_question`):
    // where helpfulness moved, not only how much; failed generations are only in `errors`
    behaviours: Object.fromEntries(
      Object.entries(evaluation.report.behaviours)
        .flatMap(([family, counts]) => Object.entries(counts).map(([behaviour, count]) => [`${family}/${behaviour}`, count] as const))
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  };
}
