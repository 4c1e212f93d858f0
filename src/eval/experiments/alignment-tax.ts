/**
 * The alignment tax by model size (Bai et al. 2022 §1.2, §5.1): the demo's pipeline — base LM, π₀ (SFT), the mixed
 * PM, PPO against it — at several sizes, policy and PM the same size, each at several seeds, every π₀ and PPO
 * policy judged by the oracle on the same held-out prompts. It reports each cell's change in `answer_rate`,
 * `harm_rate` and the other rates from π₀ to PPO, each size's mean change with a t interval over seeds, and the trend
 * of the change against ln(non-embedding parameters) (`alignment-tax-summary.ts`).
 *
 * Folders under `dir`: one per cell, `cells/<size>-seed<seed>/` with `lm/`, `sft/`, `pm/`, `pm-gold.json`, `ppo/`,
 * `sft-eval/`, `ppo-eval/` (each evaluation's `eval.json` and `eval-samples.jsonl`) and, once the cell is done,
 * `cell.json`. A finished cell is read back, a killed stage resumes, so an interrupted experiment continues where it
 * stopped; `alignment-tax.json` is written when every cell is done.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadDemonstrations } from '../../data/specs/demonstrations.ts';
import { loadPairs, type PreferencePair } from '../../data/specs/preference-pairs.ts';
import { loadPrompts, worldEvalPrompts } from '../../data/specs/prompts.ts';
import type { GptSize } from '../../model/gpt-config.ts';
import { GptModel } from '../../model/gpt-model.ts';
import { ConfigError } from '../../spec/errors.ts';
import { trainPpo } from '../../train/ppo/ppo-trainer.ts';
import { trainPreferenceModel } from '../../train/preference/pm-trainer.ts';
import { preferenceModelReward } from '../../train/rollout/reward.ts';
import { evaluatePolicy, selectEvalPrompts } from '../../train/rollout/world-eval.ts';
import { RunFolder } from '../../train/run-folder.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { readJsonFile } from '../../util/json-input.ts';
import type { LoadedWorld } from '../../world/index.ts';
import { demoPpoCore } from '../demo-config.ts';
import { evaluatePreferenceModel } from '../pm-eval.ts';
import { adoptCellStages } from './alignment-tax-reuse.ts';
import { cellName, resolveAlignmentTaxConfig, type AlignmentTaxConfig } from './alignment-tax-config.ts';
import { bySize, cellDeltas, checkTaxExpectation, taxTrend, type TaxBySize, type TaxCellRates, type TaxDeltas, type TaxExpectation } from './alignment-tax-summary.ts';
import type { FrontierProgress } from './frontier.ts';
import { evaluateOnce, latestModel } from './policy-eval.ts';
import { finishedRun, trainPolicyStages } from './policy-stages.ts';
import { stageTimer, type StageTimer, totalMinutes } from './stage-minutes.ts';
import { loadExperimentWorld } from './policy-opening.ts';
import type { LineFit } from './tax-trend.ts';

/** One (size, seed) cell: π₀'s and PPO's rates, their change, and what its PM and PPO did. */
export interface TaxCell extends TaxCellRates {
  readonly delta: TaxDeltas;
  /** The PM's gold accuracy (oracle preference) on the world's held-out comparisons of both tasks. */
  readonly pm: { readonly gold_accuracy: number | null; readonly steps_run: number };
  /**
   * PPO's last iteration: mean PM reward of its samples and KL(π‖π₀) in nats per response; and the mean PM reward of
   * the first and of the last {@link REWARD_WINDOW} iterations (one iteration's mean is noisy), so a reader sees
   * whether PPO climbed its PM. Cells written before these two were kept lack them.
   */
  readonly ppo_run: { readonly reward: number | null; readonly kl: number | null; readonly reward_start?: number | null; readonly reward_end?: number | null };
  /** The settings the cell ran with (a rerun with others is refused). */
  readonly recipe: Readonly<Record<string, unknown>>;
}

/** The experiment's JSON. */
export interface AlignmentTaxResult {
  readonly kind: 'alignment-tax';
  readonly world: string;
  /** The folder of the run (its cells' evaluation samples are there). */
  readonly out: string;
  readonly sizes: readonly GptSize[];
  readonly seeds: readonly number[];
  /** Every (size, seed) cell, seeds outer. */
  readonly cells: readonly TaxCell[];
  /** Per size: the mean change of each rate over seeds with its interval. */
  readonly by_size: readonly TaxBySize[];
  /** How the intervals were computed, in words. */
  readonly interval: string;
  /** The change of each of the two headline rates against ln(non-embedding parameters), every cell a point. */
  readonly trend: { readonly x: string; readonly answer_rate: LineFit; readonly harm_rate: LineFit };
  readonly expectation: TaxExpectation;
  readonly eval_prompts: number;
  /** The earlier run whose cells' base LMs, π₀s and PMs this run took (`--stages-from`), or null. */
  readonly stages_from: string | null;
  /** Wall time of each stage in this folder, summed over every process that worked on it. */
  readonly minutes: number;
  readonly stage_minutes: Readonly<Record<string, number>>;
  readonly config: AlignmentTaxConfig;
}

interface CellContext {
  readonly world: LoadedWorld;
  readonly worldDir: string;
  readonly dir: string;
  readonly config: AlignmentTaxConfig;
  readonly trainPairs: readonly PreferencePair[];
  readonly testPairs: readonly PreferencePair[];
  readonly evalPrompts: Parameters<typeof evaluatePolicy>[1];
  readonly timed: StageTimer;
  /** An earlier run's folder to take each cell's stages before PPO from (`--stages-from`). */
  readonly stagesFrom?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: FrontierProgress;
}

const CellSchema = z.looseObject({ size: z.string(), seed: z.number(), sft: z.looseObject({}), ppo: z.looseObject({}), delta: z.looseObject({}), recipe: z.record(z.string(), z.unknown()) });

/** The settings a cell's result depends on: every one but the list of sizes and seeds, `quick` (resolved already) and threads. */
function cellRecipe(config: AlignmentTaxConfig): Record<string, unknown> {
  const { sizes: _sizes, seeds: _seeds, quick: _quick, threads: _threads, ...recipe } = config;
  return recipe;
}

/**
 * A finished cell read back, refused when it was run with other settings (its stages' own resume rule covers only
 * the stages still running).
 * @throws ConfigError naming the cell and the first setting that differs.
 */
function readFinishedCell(cellPath: string, config: AlignmentTaxConfig): TaxCell {
  const cell = readJsonFile(cellPath, CellSchema, 'a finished cell {size, seed, sft, ppo, delta, recipe, …}');
  for (const [name, value] of Object.entries(cellRecipe(config))) {
    if (JSON.stringify(cell.recipe[name]) !== JSON.stringify(value)) {
      throw new ConfigError(`${cellPath}: this cell was run with ${name} = ${JSON.stringify(cell.recipe[name])}, not ${JSON.stringify(value)}; use another --out or the same settings`);
    }
  }
  return cell as unknown as TaxCell;
}

/** Iterations averaged for `ppo_run.reward_start` and `reward_end`. */
export const REWARD_WINDOW = 4;

/**
 * The mean of `reward` over the first and over the last `window` rows of PPO's training metrics (null without rows).
 * @example ppoRewardWindow([{ reward: 1 }, { reward: 2 }, { reward: 4 }], 2) // { reward_start: 1.5, reward_end: 3 }
 */
export function ppoRewardWindow(rows: readonly { readonly reward?: unknown }[], window = REWARD_WINDOW): { reward_start: number | null; reward_end: number | null } {
  const rewards = rows.map((row) => row.reward).filter((value): value is number => typeof value === 'number');
  const mean = (values: number[]) => (values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length);
  return { reward_start: mean(rewards.slice(0, window)), reward_end: mean(rewards.slice(-window)) };
}

/** The policy's parameters, all and without the token and position embeddings and the unembedding (Kaplan et al. 2020). */
function parameterCounts(model: GptModel): { parameters: number; non_embedding_parameters: number } {
  const { layout } = model;
  const embedding = ['wte', 'wpe', 'lm_head.weight'].reduce((sum, name) => sum + (layout.has(name) ? layout.entry(name).size : 0), 0);
  return { parameters: layout.total, non_embedding_parameters: layout.total - embedding };
}

/** The mixed PM of a cell (the demo's: both tasks, from the cell's base LM) and its gold accuracy, kept in `pm-gold.json`. */
async function cellPreferenceModel(name: string, cellDir: string, lmDir: string, size: GptSize, seed: number, context: CellContext) {
  const pmDir = join(cellDir, 'pm');
  const pm = await context.timed(`${name}/pm`, () =>
    trainPreferenceModel({ steps: context.config.pmSteps, seed, model: { size, context: 128 } }, context.trainPairs, {
      runDir: pmDir,
      resume: existsSync(join(pmDir, 'config.json')),
      signal: context.signal,
      init: GptModel.load(new RunFolder(lmDir).latestCheckpoint()!.dir).model,
      onProgress: (p) => context.onProgress?.(`${name} pm`, p.step, p.steps, { loss: p.loss.toFixed(3) }),
    }),
  );
  const goldPath = join(cellDir, 'pm-gold.json');
  const gold = existsSync(goldPath)
    ? readJsonFile(goldPath, z.object({ gold_accuracy: z.number().nullable() }), 'a PM gold accuracy {gold_accuracy}').gold_accuracy
    : await context.timed(`${name}/pm-eval`, async () => {
        const measured = (await evaluatePreferenceModel(pm.scorer, context.testPairs)).gold_accuracy;
        writeFileAtomic(goldPath, `${JSON.stringify({ gold_accuracy: measured }, null, 2)}\n`);
        return measured;
      });
  return { pm, pmDir, gold };
}

/** Run (or resume, or read back) one cell: π₀, the PM, PPO, and the oracle's verdicts on π₀ and PPO. */
async function runCell(size: GptSize, seed: number, context: CellContext): Promise<TaxCell> {
  const { config, worldDir, signal } = context;
  const name = cellName(size, seed);
  const cellDir = join(context.dir, 'cells', name);
  const cellPath = join(cellDir, 'cell.json');
  if (existsSync(cellPath)) return readFinishedCell(cellPath, config);
  const copied = context.stagesFrom !== undefined && adoptCellStages(join(context.stagesFrom, 'cells', name), cellDir, cellRecipe(config), worldDir);
  // 1) the base LM and π₀ at this size and seed (read back when copied: finished stages are skipped)
  const stages = await context.timed(`${name}/policy`, () =>
    trainPolicyStages(context.world, worldDir, { ...config, seed, lmSize: size, lmContext: 128 }, cellDir, {
      signal,
      onProgress: (stage, step, total, loss) => context.onProgress?.(`${name} ${stage}`, step, total, { loss: loss.toFixed(3) }),
    }),
  );
  // 2) the mixed PM, the same size (a copied one checked by the PM's resume rule; a refused copy is removed again)
  const { pm, pmDir, gold } = await cellPreferenceModel(name, cellDir, stages.lmDir, size, seed, context).catch((error: unknown) => {
    if (copied && error instanceof ConfigError) rmSync(cellDir, { recursive: true, force: true });
    throw error;
  });
  // 3) PPO from π₀ against it, with the demo's settings
  const ppoDir = join(cellDir, 'ppo');
  if (!finishedRun(ppoDir, config.ppoSteps)) {
    await context.timed(`${name}/ppo`, async () => {
      const result = await trainPpo(
        { ...demoPpoCore({ ...config, seed }), evalEvery: 0, probePrompts: 0, checkpointEvery: 8 },
        {
          policy: stages.sftDir,
          prompts: loadPrompts(`world:${worldDir}`),
          reward: preferenceModelReward(pm.scorer),
          ptxDemonstrations: config.ptxCoef > 0 ? loadDemonstrations(stages.ptxData) : undefined,
          description: { prompts: `world:${worldDir}`, reward: `pm:${pmDir}` },
        },
        ppoDir,
        { resume: existsSync(join(ppoDir, 'config.json')), signal, onProgress: (p) => context.onProgress?.(`${name} ppo`, p.step, p.totalSteps, { reward: p.row.reward.toFixed(3), kl: p.row.kl.toFixed(2) }) },
      );
      await result.policy.release();
    });
  }
  await pm.scorer.release();
  // 4) the oracle's verdicts on π₀ and on PPO's policy, the same prompts for every cell
  const evaluation = { ...config, seed };
  const sft = await context.timed(`${name}/sft-eval`, () => evaluateOnce(join(cellDir, 'sft-eval'), () => latestModel(stages.sftDir), context.evalPrompts, evaluation));
  const ppo = await context.timed(`${name}/ppo-eval`, () => evaluateOnce(join(cellDir, 'ppo-eval'), () => latestModel(ppoDir), context.evalPrompts, evaluation));
  const policy = latestModel(stages.sftDir);
  const counts = parameterCounts(policy);
  await policy.release();
  const trainRows = new RunFolder(ppoDir).metricRows().filter((row) => row.kind === 'train');
  const last = trainRows.at(-1);
  const number = (value: unknown) => (typeof value === 'number' ? value : null);
  const cell: TaxCell = {
    size,
    seed,
    ...counts,
    sft,
    ppo,
    delta: cellDeltas({ sft, ppo }),
    pm: { gold_accuracy: gold, steps_run: pm.summary.stepsRun },
    ppo_run: { reward: number(last?.reward), kl: number(last?.kl), ...ppoRewardWindow(trainRows) },
    recipe: cellRecipe(config),
  };
  writeFileAtomic(cellPath, `${JSON.stringify(cell, null, 2)}\n`);
  return cell;
}

/**
 * Run (or resume) the experiment on the world in `worldDir`, its folders under `dir`.
 * @throws ConfigError when `worldDir` holds no world or a setting is invalid.
 * @example
 * const result = await runAlignmentTaxExperiment('runs/world', { quick: true }, 'runs/alignment-tax');
 * result.expectation.verdict // 'held' | 'reversed' | 'inconclusive'
 */
export async function runAlignmentTaxExperiment(
  worldDir: string,
  input: unknown,
  dir: string,
  options: { signal?: AbortSignal; onProgress?: FrontierProgress; stagesFrom?: string } = {},
): Promise<AlignmentTaxResult> {
  const config = resolveAlignmentTaxConfig(input);
  const world = loadExperimentWorld(worldDir);
  const { timed, minutes: stageMinutes } = stageTimer(dir);
  const evalPrompts = selectEvalPrompts(worldEvalPrompts(worldDir), config.evalPerSet);
  const context: CellContext = {
    world,
    worldDir,
    dir,
    config,
    trainPairs: (await loadPairs([`world:${worldDir}:both:train`])).pairs,
    testPairs: (await loadPairs([`world:${worldDir}:both:test`])).pairs,
    evalPrompts,
    timed,
    stagesFrom: options.stagesFrom,
    signal: options.signal,
    onProgress: options.onProgress,
  };
  // seeds outer: a run stopped part-way has every size at its first seeds
  const cells: TaxCell[] = [];
  for (const seed of config.seeds) for (const size of config.sizes) cells.push(await runCell(size, seed, context));
  const sizes = bySize(cells, config.sizes);
  const answerTrend = taxTrend(cells, 'answer_rate');
  const result: AlignmentTaxResult = {
    kind: 'alignment-tax',
    world: worldDir,
    out: dir,
    sizes: config.sizes,
    seeds: config.seeds,
    cells,
    by_size: sizes,
    interval: '95%: per size, Student\'s t over seeds (n − 1 degrees of freedom); the trend\'s slope, Student\'s t on the least-squares fit over every cell (n − 2)',
    trend: { x: 'ln(non-embedding parameters)', answer_rate: answerTrend, harm_rate: taxTrend(cells, 'harm_rate') },
    expectation: checkTaxExpectation(answerTrend, sizes),
    eval_prompts: evalPrompts.length,
    stages_from: options.stagesFrom ?? null,
    minutes: totalMinutes(stageMinutes),
    stage_minutes: stageMinutes,
    config,
  };
  writeFileAtomic(join(dir, 'alignment-tax.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
