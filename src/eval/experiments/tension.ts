/**
 * The helpful–harmless tension (Bai et al. 2022 §4.1, Fig. 6): preference models of the same size and steps
 * trained on helpfulness data only, harmlessness data only, and their mixture, each scored by gold accuracy
 * (the world oracle's noiseless preference) on the held-out helpful and harmless test comparisons. The paper
 * finds each single-task PM worse than chance on the other task's test set, and the mixture good on both.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadPairs, type PreferencePair } from '../../data/specs/preference-pairs.ts';
import { parsePmTrainConfig, type PmTrainConfig, type PmTrainConfigInput } from '../../train/preference/pm-config.ts';
import { trainPreferenceModel, type PmProgress, type PmSummary } from '../../train/preference/pm-trainer.ts';
import { evaluatePreferenceModel, type PmEvalReport } from '../pm-eval.ts';

/** The three training mixtures. */
export const TENSION_ARMS = {
  helpful_only: { data: 'helpful', mix: null },
  harmless_only: { data: 'harmless', mix: null },
  mixed: { data: 'both', mix: { helpful: 1, harmless: 1 } },
} as const satisfies Record<string, { data: 'helpful' | 'harmless' | 'both'; mix: Record<string, number> | null }>;

/** An arm's name. */
export type TensionArm = keyof typeof TENSION_ARMS;

/** Gold accuracy of one PM on each task's test comparisons, with details. */
export interface TensionCell {
  readonly helpful: number;
  readonly harmless: number;
  /** Gold accuracy by request family on each test set. */
  readonly by_family: { readonly helpful: Record<string, number | null>; readonly harmless: Record<string, number | null> };
  readonly train_pairs: number;
  readonly summary: Pick<PmSummary, 'stepsRun' | 'keptStep' | 'validation' | 'seconds' | 'parameters'>;
}

/** The experiment's JSON. */
export type TensionResult = Record<TensionArm, TensionCell> & {
  readonly world: string;
  readonly test_pairs: { readonly helpful: number; readonly harmless: number };
  readonly config: PmTrainConfig;
};

function goldByFamily(report: PmEvalReport): Record<string, number | null> {
  return Object.fromEntries(Object.entries(report.by_family).map(([family, slice]) => [family, slice.gold_accuracy]));
}

/**
 * Train the three PMs on the world in `worldDir` and measure them.
 * @param options.runDir keep each PM's run folder under `<runDir>/<arm>/` (resumable); omit to train in memory.
 */
export async function runTensionExperiment(
  worldDir: string,
  configInput: PmTrainConfigInput = {},
  options: { runDir?: string; resume?: boolean; onProgress?: (arm: TensionArm, progress: PmProgress) => void } = {},
): Promise<TensionResult> {
  const config = parsePmTrainConfig(configInput);
  const test: Record<'helpful' | 'harmless', PreferencePair[]> = {
    helpful: (await loadPairs([`world:${worldDir}:helpful:test`])).pairs,
    harmless: (await loadPairs([`world:${worldDir}:harmless:test`])).pairs,
  };
  const cells = {} as Record<TensionArm, TensionCell>;
  for (const [arm, recipe] of Object.entries(TENSION_ARMS) as [TensionArm, (typeof TENSION_ARMS)[TensionArm]][]) {
    const { pairs } = await loadPairs([`world:${worldDir}:${recipe.data}:train`]);
    const runDir = options.runDir === undefined ? undefined : join(options.runDir, arm);
    // a resumed experiment starts the arms a kill left unstarted (no config.json yet)
    const trained = await trainPreferenceModel({ ...config, mix: recipe.mix }, pairs, {
      runDir,
      resume: options.resume === true && runDir !== undefined && existsSync(join(runDir, 'config.json')),
      onProgress: (progress) => options.onProgress?.(arm, progress),
    });
    const helpful = await evaluatePreferenceModel(trained.scorer, test.helpful);
    const harmless = await evaluatePreferenceModel(trained.scorer, test.harmless);
    await trained.scorer.release();
    const { stepsRun, keptStep, validation, seconds, parameters } = trained.summary;
    cells[arm] = {
      helpful: helpful.gold_accuracy ?? Number.NaN,
      harmless: harmless.gold_accuracy ?? Number.NaN,
      by_family: { helpful: goldByFamily(helpful), harmless: goldByFamily(harmless) },
      train_pairs: pairs.length,
      summary: { stepsRun, keptStep, validation, seconds, parameters },
    };
  }
  return { ...cells, world: worldDir, test_pairs: { helpful: test.helpful.length, harmless: test.harmless.length }, config };
}
