/**
 * The on-policy RL loop shared by PPO and RLOO (an algorithm supplies its advantages and loss, see
 * `rl-algorithm.ts`): 1) rollout  2) score (policy, π₀, reward)  3) advantages  4) update  5) log, evaluate,
 * checkpoint (the steps of one iteration are in `rl-iteration.ts`). Writes a run folder (config.json,
 * metrics.jsonl, checkpoints/<step>/, summary.json) through the shared lifecycle (`common/training-run.ts`)
 * and resumes from its newest checkpoint; every random draw is a pure function of (seed, iteration), so a
 * resumed run continues as the uninterrupted one would.
 */
import { GraphTrainer } from '../../engine/index.ts';
import { GptModel } from '../../model/gpt-model.ts';
import { ConfigError } from '../../spec/errors.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { hashString32 } from '../../util/random.ts';
import { dataFingerprint } from '../common/fingerprint.ts';
import { stopIfAborted } from '../common/training-aborted.ts';
import { TrainingRun, type TrainingRunOptions } from '../common/training-run.ts';
import { resolveModelDir, savedSettings } from '../run-folder.ts';
import { nextKlCoef } from './kl-controller.ts';
import type { RolloutPrompt } from '../../data/specs/prompts.ts';
import { encodeDemonstrations } from './ptx.ts';
import { measureProbe, selectProbePrompts } from './reward-probe.ts';
import type { RewardFunction } from './reward.ts';
import type { RlAlgorithm } from './rl-algorithm.ts';
import type { RlCommonConfig } from './rl-config.ts';
import { iterationPrompts, iterationRow, rolloutAndScore, updatePolicy } from './rl-iteration.ts';
import { RL_TRAINER_JSON, rlRunKind, RlTrainerJsonSchema, type RlRunConfig } from './rl-run-folder.ts';
import { summarizeRun, type RlSummary } from './rl-summary.ts';
import { RlUpdateGraph } from './rl-update-graph.ts';
import { rolloutLength } from './rollout.ts';
import { runningMoments, type RunningMoments } from './stats.ts';
import { evaluatePolicy, evaluationRow, selectEvalPrompts, writeEvalSamples, type PolicyEvaluation } from './world-eval.ts';

/** Where `summary.json` and the metrics rows have always been read from (they live in `rl-summary.ts`). */
export { readMetricRows, summarizeRun, type RlSummary } from './rl-summary.ts';

/** Where the run's models and prompts come from (saved in config.json as `inputs`). */
export interface RlInputs {
  /** SFT policy π₀ (checkpoint or run folder); also the frozen reference. */
  readonly policy: string;
  /**
   * Where π starts instead of π₀ (checkpoint or run folder of the same shape and tokenizer, its value head kept
   * when it has one): an online round continues the previous round's policy while KL stays measured against π₀.
   */
  readonly init?: string;
  /** Training prompts. */
  readonly prompts: readonly RolloutPrompt[];
  /** The reward function (a PM, a rule, the oracle). */
  readonly reward: RewardFunction;
  /** Held-out prompts of the reward probe (see `reward-probe.ts`; used when `probePrompts` > 0). */
  readonly probePrompts?: readonly RolloutPrompt[];
  /** World evaluation prompts (see `worldEvalPrompts`); none = no oracle evaluation. */
  readonly evalPrompts?: readonly RolloutPrompt[];
  /** Demonstration transcripts of the ptx term (needed when `ptxCoef` > 0; see `ptx.ts`). */
  readonly ptxDemonstrations?: readonly string[];
  /** Descriptions saved into config.json (e.g. the CLI's specs). */
  readonly description?: Readonly<Record<string, unknown>>;
}

/** Progress after each iteration. */
export interface RlProgress {
  readonly step: number;
  readonly totalSteps: number;
  readonly row: Readonly<Record<string, number>>;
  readonly evaluation?: PolicyEvaluation;
}

/** Result of a finished run. */
export interface RlResult {
  readonly policy: GptModel;
  readonly checkpointDir: string;
  readonly summary: RlSummary;
}

/** What a checkpoint's `trainer.json` keeps of the loop besides the step: λ_KL and the reward's running moments. */
interface LoopState {
  readonly klCoef: number;
  readonly rewardMoments: RunningMoments;
}

/** How an RL run is driven: resume, progress, stop, and where its run folder reports what it cleaned up after a kill. */
export interface RlRunOptions extends TrainingRunOptions {
  readonly onProgress?: (progress: RlProgress) => void;
  readonly signal?: AbortSignal;
}

/**
 * 1) The settings the run goes on with (the saved ones when resuming, by the shared resume rule), checked
 * against the inputs before anything is written.
 * @throws ConfigError for settings the inputs cannot serve.
 */
function rlSettings<C extends RlCommonConfig, A extends string>(run: TrainingRun<RlRunConfig>, algorithm: RlAlgorithm<C, A>, input: Partial<C>, inputs: RlInputs): { config: C; saved: RlRunConfig } {
  const runInputs = { policy: inputs.policy, ...(inputs.init === undefined ? {} : { init: inputs.init }), ...inputs.description };
  const requested = algorithm.parseConfig(input);
  const resolved = run.settings({ algorithm: algorithm.id, config: requested, inputs: runInputs }, { algorithm: algorithm.id, config: input, inputs: runInputs });
  const config = run.resume ? savedSettings(run, () => algorithm.parseConfig(resolved.config)) : requested;
  const k = algorithm.samplesPerPrompt(config);
  if (config.batchSize % k !== 0) throw new ConfigError(`batchSize ${config.batchSize} must be a multiple of the ${k} samples per prompt`);
  if (inputs.prompts.length === 0) throw new ConfigError('no training prompts');
  if (config.ptxCoef > 0 && (inputs.ptxDemonstrations?.length ?? 0) === 0) {
    throw new ConfigError(`ptxCoef ${config.ptxCoef} needs demonstrations for the ptx term (e.g. --ptx-data world:DIR)`);
  }
  if (config.probePrompts > 0 && (inputs.probePrompts?.length ?? 0) === 0) {
    throw new ConfigError(`probePrompts ${config.probePrompts}${run.resume ? ' (saved with the run)' : ''} needs held-out probe prompts`);
  }
  return { config, saved: { algorithm: algorithm.id, config, inputs: runInputs } };
}

/** The fingerprint of the data a run uses: its training prompts, evaluation prompts, and the probe's and ptx term's when on. */
function rlDataFingerprint(inputs: RlInputs, config: RlCommonConfig): string {
  const prompts = (list: readonly RolloutPrompt[] | undefined) => dataFingerprint((list ?? []).map((prompt) => `${prompt.id}\u0000${prompt.prompt}`));
  return dataFingerprint([
    prompts(inputs.prompts),
    prompts(inputs.evalPrompts),
    prompts(config.probePrompts > 0 ? inputs.probePrompts : undefined),
    dataFingerprint(config.ptxCoef > 0 ? (inputs.ptxDemonstrations ?? []) : []),
  ]);
}

/** The model π starts from on a fresh run: `inputs.init` when given (checked against π₀'s shape), else π₀. */
function initialModel(inputs: RlInputs, reference: GptModel): GptModel {
  if (inputs.init === undefined) return reference;
  const init = GptModel.load(resolveModelDir(inputs.init)).model;
  if (JSON.stringify(init.config) !== JSON.stringify(reference.config) || init.tokenizer.vocabSize !== reference.tokenizer.vocabSize) {
    throw new ConfigError(`RL init ${inputs.init}: its shape or vocabulary differs from the reference policy ${inputs.policy}'s; start from a policy trained from it`);
  }
  return init;
}

/** 2) π and where it stands: the newest checkpoint of a resumed run, else π₀ (or `inputs.init`) with the algorithm's heads. */
function startingPolicy<C extends RlCommonConfig, A extends string>(run: TrainingRun<RlRunConfig>, algorithm: RlAlgorithm<C, A>, config: C, start: () => GptModel) {
  const restored = run.restore(RlTrainerJsonSchema, RL_TRAINER_JSON);
  if (restored) return { restored: true, policy: restored.model, optimizer: restored.optimizer, step: restored.step, state: restored.trainer.state };
  // withHeads keeps every weight the starting model has (a PPO policy's value head too) and initialises the rest
  const policy = start().withHeads({ lm: true, tokenScalar: algorithm.withValueHead }, hashString32(`${config.seed}:heads`));
  const state: LoopState = { klCoef: config.klCoef, rewardMoments: runningMoments() };
  return { restored: false, policy, optimizer: GraphTrainer.initialState(policy.params), step: 0, state };
}

/** The oracle evaluation and the reward probe of the current weights, each logged (and the evaluation's samples kept). */
function monitors(run: TrainingRun<RlRunConfig>, models: { policy: GptModel; reference: GptModel }, inputs: RlInputs, config: RlCommonConfig, length: number) {
  const evalPrompts = inputs.evalPrompts === undefined ? [] : selectEvalPrompts(inputs.evalPrompts, config.evalPerSet);
  const probePrompts = config.probePrompts > 0 && inputs.probePrompts !== undefined ? selectProbePrompts(inputs.probePrompts, config.probePrompts, config.seed) : [];
  const probe = async (step: number): Promise<void> => {
    if (probePrompts.length === 0) return;
    const row = await measureProbe(models.policy, models.reference, probePrompts, inputs.reward, { ...config, batch: config.batchSize, seed: config.seed, length });
    run.logMetrics({ step, kind: 'probe', ...row });
  };
  const evaluate = async (step: number): Promise<PolicyEvaluation | undefined> => {
    if (evalPrompts.length === 0) return undefined;
    const evaluation = await evaluatePolicy(models.policy, evalPrompts, {
      ...config,
      temperature: config.evalTemperature,
      maxNewTokens: config.evalMaxNewTokens ?? config.maxNewTokens,
      batch: config.batchSize,
      seed: hashString32(`${config.seed}:eval:${step}`),
    });
    run.logMetrics({ step, kind: 'eval', ...evaluationRow(evaluation) });
    writeEvalSamples(run, step, evaluation.samples);
    return evaluation;
  };
  return { probe, evaluate };
}

/**
 * Run (or resume) on-policy RL with `algorithm` into `outDir`.
 * @param input - settings; a resumed run keeps its saved ones (stated differences other than `steps` are refused).
 */
export async function trainRl<C extends RlCommonConfig, A extends string>(
  algorithm: RlAlgorithm<C, A>,
  input: Partial<C>,
  inputs: RlInputs,
  outDir: string,
  options: RlRunOptions = {},
): Promise<RlResult> {
  // 1) settings; 2) models: π₀ frozen, π from the newest checkpoint or π₀ plus the algorithm's heads
  const run = new TrainingRun(outDir, rlRunKind(algorithm.id), options);
  const { config, saved } = rlSettings(run, algorithm, input, inputs);
  run.open(saved, rlDataFingerprint(inputs, config));
  const reference = GptModel.load(resolveModelDir(inputs.policy)).model;
  const start = startingPolicy(run, algorithm, config, () => initialModel(inputs, reference));
  const policy = start.policy;
  const length = rolloutLength(config, policy.config.context);
  // the ptx term (PPO-ptx): demonstrations encoded once, a draw of them in every minibatch
  const ptxRows = config.ptxCoef > 0 ? encodeDemonstrations(policy.tokenizer, inputs.ptxDemonstrations ?? [], { maxPromptTokens: config.maxPromptTokens, length }) : null;
  const graph = new RlUpdateGraph(policy, algorithm, config, { length, withPtxTerm: ptxRows !== null }, start.optimizer, start.step);
  const watch = monitors(run, { policy, reference }, inputs, config, length);
  let step = start.step;
  let state: LoopState = start.state;
  const checkpoint = () => run.saveCheckpoint(policy, graph.state, { step, keep: config.keepCheckpoints, metadata: { kind: algorithm.id, policy: inputs.policy }, trainer: { state } });
  if (!start.restored) {
    policy.params = graph.state.params;
    await watch.evaluate(0);
    await watch.probe(0);
  }
  // 3) the loop
  while (step < config.steps) {
    stopIfAborted(options.signal, step);
    await graph.beginIteration(step);
    policy.params = graph.state.params;
    // 3.1) rollout and score; 3.2) advantages; 3.3) update
    const prompts = iterationPrompts(inputs.prompts, config.batchSize, algorithm.samplesPerPrompt(config), config.seed, step);
    const iteration = await rolloutAndScore({ policy, reference }, prompts, inputs.reward, config, { step, length, moments: state.rewardMoments });
    state = { ...state, rewardMoments: iteration.moments };
    const updateStarted = performance.now();
    const prepared = algorithm.prepare(iteration.scored, config, state.klCoef);
    const means = await updatePolicy(graph, iteration.scored, prepared, algorithm.actionArrays, config, { step, length, ptxRows });
    step += 1;
    // 3.4) log, adapt λ_KL, evaluate, probe, checkpoint
    const row = iterationRow(iteration, { means, prepared: prepared.metrics, seconds: (performance.now() - updateStarted) / 1000 }, { step, klCoef: state.klCoef });
    run.logMetrics({ kind: 'train', ...row });
    state = { ...state, klCoef: nextKlCoef(config, state.klCoef, row.kl, iteration.scored.length) };
    policy.params = graph.state.params;
    const evaluation = (config.evalEvery > 0 && step % config.evalEvery === 0) || step === config.steps ? await watch.evaluate(step) : undefined;
    if (step % config.probeEvery === 0 || step === config.steps) await watch.probe(step);
    if (step % config.checkpointEvery === 0 || step === config.steps) checkpoint();
    options.onProgress?.({ step, totalSteps: config.steps, row, evaluation });
  }
  await graph.release();
  policy.params = graph.state.params;
  const checkpointDir = run.latestCheckpoint()?.dir ?? checkpoint();
  const summary = summarizeRun(run, algorithm.id);
  writeFileAtomic(`${outDir}/summary.json`, `${JSON.stringify(summary, null, 2)}\n`);
  await reference.release();
  return { policy, checkpointDir, summary };
}
