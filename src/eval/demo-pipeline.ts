/**
 * The paper's pipeline on the HH world, end to end (`hhrl demo`): world → base LM → SFT → mixed
 * preference model → PPO against it → evaluation with the oracle, before and after RL → the PM's gold
 * accuracy on PPO's own samples against π₀'s (where a PM that ranks templated pairs well can still be
 * exploited). Each stage is a run folder under the demo folder; a stage that finished is skipped and one
 * that was killed resumes, so the whole demo is resumable. Writes `summary.json` and `pm-eval.json`, which
 * `hhrl report` (and the demo's `report.html`) render with the stages' own files.
 * Settings: `demo-config.ts`; the demo's data files: `demo-data.ts`; the summary: `demo-summary.ts`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { GptModel } from '../model/gpt-model.ts';
import { loadDemonstrations } from '../data/specs/demonstrations.ts';
import { loadPairs } from '../data/specs/preference-pairs.ts';
import { loadPrompts, worldEvalPrompts } from '../data/specs/prompts.ts';
import { collectComparisons, collectRoundOnce } from '../online/collect.ts';
import { worldLabeler } from '../online/pair-labeler.ts';
import { trainLanguageModel } from '../train/lm/lm-trainer.ts';
import { trainPpo } from '../train/ppo/ppo-trainer.ts';
import type { PreferenceScorer } from '../train/preference/pm-scorer.ts';
import { trainPreferenceModel } from '../train/preference/pm-trainer.ts';
import { preferenceModelReward } from '../train/rollout/reward.ts';
import { readMetricRows, summarizeRun, type RlSummary } from '../train/rollout/rl-runner.ts';
import { readFirstLastEvalSamples, type EvalSample } from '../train/rollout/world-eval.ts';
import { RunFolder } from '../train/run-folder.ts';
import { trainSft } from '../train/sft/sft-trainer.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { readJsonFile } from '../util/json-input.ts';
import { generateWorld, loadWorld, resolveWorldConfig, writeWorld, type LoadedWorld } from '../world/index.ts';
import { demoPpoCore, demoWorldOverrides, resolveDemoConfig, type DemoConfig, type DemoConfigSchema } from './demo-config.ts';
import { PTX_DATA_FILE, SFT_DATA_FILE, writeDemoSelection } from './demo-data.ts';
import { PM_EVAL_FILE, summarizeDemo, type DemoSummary } from './demo-summary.ts';
import { evaluatePreferenceModel, type PmEvalReport } from './pm-eval.ts';

/** A stage's progress: its name, step and total, and a few numbers to show. */
export interface DemoProgress {
  readonly stage: 'world' | 'lm' | 'sft' | 'pm' | 'ppo';
  readonly step: number;
  readonly total: number;
  readonly fields: Readonly<Record<string, string>>;
}

/** Everything the report shows. */
export interface DemoResult {
  readonly summary: DemoSummary;
  readonly ppo: RlSummary;
  readonly ppoRows: readonly Record<string, unknown>[];
  readonly pmEval: PmEvalReport;
  /** The PM on PPO's own samples against π₀'s (see `onPolicyPairs`); null when off. */
  readonly onPolicyEval: PmEvalReport | null;
  /** The judged responses of PPO's first (π₀) and last evaluations; null for a PPO run that kept none. */
  readonly samples: { readonly first: readonly EvalSample[]; readonly last: readonly EvalSample[] } | null;
  readonly config: DemoConfig;
}

/** What every stage needs: the settings, the demo folder and its stage folders, timing, progress and abort. */
interface DemoRun {
  readonly config: DemoConfig;
  readonly dir: string;
  readonly worldDir: string;
  readonly lmDir: string;
  readonly sftDir: string;
  readonly pmDir: string;
  readonly ppoDir: string;
  readonly signal: AbortSignal | undefined;
  /** Minutes spent per stage, summed over resumed runs (`stage-minutes.json`). */
  readonly stageMinutes: Record<string, number>;
  readonly report: (stage: DemoProgress['stage'], step: number, total: number, fields?: Record<string, string>) => void;
}

/** Run `work` as stage `stage`, adding its minutes to `stage-minutes.json`. */
async function timed<T>(run: DemoRun, stage: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  run.stageMinutes[stage] = (run.stageMinutes[stage] ?? 0) + (performance.now() - started) / 60000;
  writeFileAtomic(join(run.dir, 'stage-minutes.json'), `${JSON.stringify(run.stageMinutes, null, 2)}\n`);
  return result;
}

/** A stage folder that holds a run to resume. */
const started = (stageDir: string): boolean => existsSync(join(stageDir, 'config.json'));
/** A stage folder whose run reached its last step. */
const finished = (stageDir: string, steps: number): boolean => new RunFolder(stageDir).checkpointSteps().includes(steps);

/** 1) The world (generated once; a demo folder keeps its world). */
async function worldStage(run: DemoRun): Promise<LoadedWorld> {
  await timed(run, 'world', async () => {
    if (!existsSync(join(run.worldDir, 'world.json'))) writeWorld(generateWorld(resolveWorldConfig(run.config.seed, run.config.worldSize, demoWorldOverrides(run.config))), run.worldDir);
    run.report('world', 1, 1);
  });
  return loadWorld(run.worldDir);
}

/** 2) The base LM on the world corpus. */
async function lmStage(run: DemoRun, world: LoadedWorld): Promise<void> {
  const { config, lmDir } = run;
  if (finished(lmDir, config.lmSteps)) return;
  await timed(run, 'lm', () =>
    trainLanguageModel(
      { text: world.corpusPath, size: config.lmSize, positions: config.lmPositions, vocabSize: config.vocabSize, steps: config.lmSteps, learningRate: config.lmLearningRate, batchSize: 16, seed: config.seed, checkpointEvery: 100, evalEvery: 100, threads: config.threads },
      lmDir,
      { resume: started(lmDir), signal: run.signal, onProgress: (p) => run.report('lm', p.step, p.totalSteps, { loss: p.loss.toFixed(3) }) },
    ),
  );
}

/** 3) SFT on demonstrations (assistant tokens only): the world's, or the demo's selection when it keeps only some. */
async function sftStage(run: DemoRun, world: LoadedWorld): Promise<void> {
  const { config, sftDir } = run;
  if (finished(sftDir, config.sftSteps)) return;
  const data =
    config.sftRefusalShare === 1 && config.sftComplianceShare === 0
      ? `world:${run.worldDir}`
      : writeDemoSelection(world, run.dir, SFT_DATA_FILE, { refusalShare: config.sftRefusalShare, complianceShare: config.sftComplianceShare, seed: config.seed });
  await timed(run, 'sft', () =>
    trainSft(
      { steps: config.sftSteps, learningRate: config.sftLearningRate, batchSize: 16, seed: config.seed, threads: config.threads, evalEvery: 100, checkpointEvery: 100 },
      { base: run.lmDir, data, validation: `world:${run.worldDir}:test` },
      sftDir,
      { resume: started(sftDir), signal: run.signal, onProgress: (p) => run.report('sft', p.step, p.totalSteps, { loss: p.loss.toFixed(3) }) },
    ),
  );
}

/** 4) The mixed preference model (both tasks), initialised from the base LM, and its held-out evaluation. */
async function pmStage(run: DemoRun): Promise<{ scorer: PreferenceScorer; pmEval: PmEvalReport }> {
  const { config, pmDir } = run;
  const { pairs } = await loadPairs([`world:${run.worldDir}:both:train`]);
  const pm = await timed(run, 'pm', () =>
    trainPreferenceModel({ steps: config.pmSteps, seed: config.seed, model: { size: config.lmSize, context: 128 } }, pairs, {
      runDir: pmDir,
      resume: started(pmDir),
      signal: run.signal,
      init: GptModel.load(new RunFolder(run.lmDir).latestCheckpoint()!.dir).model,
      onProgress: (p) => run.report('pm', p.step, p.steps, { loss: p.loss.toFixed(3) }),
    }),
  );
  const pmEval = await timed(run, 'pm-eval', async () => evaluatePreferenceModel(pm.scorer, (await loadPairs([`world:${run.worldDir}:both:test`])).pairs));
  return { scorer: pm.scorer, pmEval };
}

/** PPO's settings from the demo's (the trainer's schema fills the rest). */
function ppoConfig(config: DemoConfig) {
  return {
    ...demoPpoCore(config),
    evalEvery: config.evalEvery,
    evalMaxNewTokens: config.evalMaxNewTokens,
    evalPerSet: config.evalPerSet,
    probePrompts: config.probePrompts,
    probeEvery: config.probeEvery,
    checkpointEvery: 10,
  };
}

/** 5) PPO against the PM from π₀, evaluated with the oracle before, during and after. */
async function ppoStage(run: DemoRun, world: LoadedWorld, scorer: PreferenceScorer): Promise<RlSummary> {
  const { config, ppoDir, worldDir } = run;
  return timed(run, 'ppo', async () => {
    if (existsSync(join(ppoDir, 'summary.json')) && finished(ppoDir, config.ppoSteps)) {
      // the summary is rebuilt from the run's own metrics, so a damaged summary.json cannot feed the report
      return summarizeRun(new RunFolder(ppoDir), 'ppo');
    }
    const ptxData = () => writeDemoSelection(world, run.dir, PTX_DATA_FILE, { refusalShare: 0, complianceShare: 0, seed: config.seed });
    const probe = config.probePrompts > 0 ? `world:${worldDir}:test` : null;
    const result = await trainPpo(
      ppoConfig(config),
      {
        policy: run.sftDir,
        prompts: loadPrompts(`world:${worldDir}`),
        probePrompts: probe === null ? undefined : loadPrompts(probe),
        reward: preferenceModelReward(scorer),
        ptxDemonstrations: config.ptxCoef > 0 ? loadDemonstrations(ptxData()) : undefined,
        evalPrompts: worldEvalPrompts(worldDir),
        description: { prompts: `world:${worldDir}`, probe, reward: `pm:${run.pmDir}` },
      },
      ppoDir,
      { resume: started(ppoDir), signal: run.signal, onProgress: (p) => run.report('ppo', p.step, p.totalSteps, { reward: p.row.reward.toFixed(3), kl: p.row.kl.toFixed(2) }) },
    );
    await result.policy.release();
    return result.summary;
  });
}

/**
 * 6) How well the PM ranks the policy's own outputs: PPO's and π₀'s samples on held-out prompts, labelled by the
 * world's annotators (null when `onPolicyPairs` is 0).
 */
async function onPolicyStage(run: DemoRun, world: LoadedWorld, scorer: PreferenceScorer): Promise<PmEvalReport | null> {
  const { config } = run;
  if (config.onPolicyPairs === 0) return null;
  const onPolicyDir = join(run.dir, 'on-policy');
  return timed(run, 'pm-on-policy', async () => {
    const collect = async () => {
      const policy = GptModel.load(new RunFolder(run.ppoDir).latestCheckpoint()!.dir).model;
      const partner = GptModel.load(new RunFolder(run.sftDir).latestCheckpoint()!.dir).model;
      const collected = await collectComparisons(
        { policy, policyId: 'ppo', partner, partnerId: 'sft' },
        loadPrompts(`world:${run.worldDir}:test`),
        worldLabeler(world.population()),
        { pairs: config.onPolicyPairs, seed: config.seed, round: 1, maxNewTokens: config.maxNewTokens, batch: config.ppoBatch },
      );
      await policy.release();
      await partner.release();
      return collected;
    };
    await collectRoundOnce(onPolicyDir, collect, { purpose: 'PM check on PPO samples against π₀ samples, held-out prompts' });
    return evaluatePreferenceModel(scorer, (await loadPairs([`online:${onPolicyDir}`])).pairs);
  });
}

/** The demo's folders and bookkeeping, with the stage minutes of earlier (interrupted) runs read back. */
function openDemoRun(config: DemoConfig, dir: string, options: { onProgress?: (progress: DemoProgress) => void; signal?: AbortSignal }): DemoRun {
  const minutesPath = join(dir, 'stage-minutes.json');
  const stageMinutes = existsSync(minutesPath) ? { ...readJsonFile(minutesPath, z.record(z.string(), z.number()), 'an object of stage → minutes') } : {};
  return {
    config,
    dir,
    worldDir: join(dir, 'world'),
    lmDir: join(dir, 'lm'),
    sftDir: join(dir, 'sft'),
    pmDir: join(dir, 'pm'),
    ppoDir: join(dir, 'ppo'),
    signal: options.signal,
    stageMinutes,
    report: (stage, step, total, fields = {}) => options.onProgress?.({ stage, step, total, fields }),
  };
}

/**
 * Run (or resume) the demo in `dir`.
 * @example
 * const result = await runDemo({ seed: 0 }, 'runs/demo');
 * result.summary.ppo.harm_rate
 */
export async function runDemo(
  input: Partial<z.input<typeof DemoConfigSchema>>,
  dir: string,
  options: { onProgress?: (progress: DemoProgress) => void; signal?: AbortSignal } = {},
): Promise<DemoResult> {
  const config = resolveDemoConfig(input);
  const run = openDemoRun(config, dir, options);
  const world = await worldStage(run);
  await lmStage(run, world);
  await sftStage(run, world);
  const { scorer, pmEval } = await pmStage(run);
  const ppo = await ppoStage(run, world, scorer);
  const onPolicyEval = await onPolicyStage(run, world, scorer);
  await scorer.release();
  const ppoRows = readMetricRows(new RunFolder(run.ppoDir));
  const summary = summarizeDemo({ ppo, ppoDir: run.ppoDir, ppoRows, pmEval, onPolicyEval, stageMinutes: run.stageMinutes, seed: config.seed });
  // the PM's whole evaluations (calibration, slices), which the report draws and summary.json only sums up;
  // written first, so a demo folder with a summary has them
  writeFileAtomic(join(dir, PM_EVAL_FILE), `${JSON.stringify({ templated: pmEval, on_policy: onPolicyEval }, null, 2)}\n`);
  writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return { summary, ppo, ppoRows, pmEval, onPolicyEval, samples: readFirstLastEvalSamples(run.ppoDir), config };
}
