/**
 * `hhrl online run`: iterated online RLHF (Bai et al. 2022 §4.5) on a world. Round 0 trains a PM on the world's
 * static comparisons and PPO from π₀ against it; each online round r then
 *
 * 1. samples pairs from the current policy (round r−1's), a share of them against earlier snapshots (`mixed-collect.ts`),
 *    labelled by the world's simulated annotators, plus held-out pairs the same way on the world's test prompts;
 * 2. continues round r−1's PM on every comparison so far (static + rounds 1..r);
 * 3. measures that PM (accuracy and gold accuracy) on the templated test comparisons and the held-out on-policy pairs;
 * 4. continues PPO from the current policy against it (KL against π₀);
 * 5. judges the new policy with the oracle on the held-out evaluation sets (the frontier's rates).
 *
 * At the end every snapshot (π₀ and each round's policy) gets an Elo rating from oracle games between their replies
 * to the same held-out prompts, and the last PM's score gaps are set against the Elo gaps (the paper's ≈ 174 Elo per
 * PM point). Folders under `dir`: `lm/`, `sft/` (π₀, or a demo's with `policyFrom`), `sft-eval/`, `rounds/<r>/`
 * (`collect/`, `held-out/`, `pm/`, `pm-eval.json`, `ppo/`, `eval/`, and `round.json` once the round is done: a
 * finished round is not redone, a killed one resumes at its stage), `online-run.json`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadDemonstrations } from '../../data/specs/demonstrations.ts';
import { loadPairs, type PreferencePair } from '../../data/specs/preference-pairs.ts';
import { loadPrompts, type RolloutPrompt } from '../../data/specs/prompts.ts';
import type { FrontierRates } from '../../eval/experiments/frontier-rates.ts';
import { evaluateOnce, latestModel } from '../../eval/experiments/policy-eval.ts';
import { loadExperimentWorld, playPolicyOpening, type OpeningOptions } from '../../eval/experiments/policy-opening.ts';
import type { PolicyStages } from '../../eval/experiments/policy-stages.ts';
import { totalMinutes, type StageTimer } from '../../eval/experiments/stage-minutes.ts';
import { ConfigError } from '../../spec/errors.ts';
import { PreferenceScorer } from '../../train/preference/pm-scorer.ts';
import { RunFolder } from '../../train/run-folder.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { readJsonFile } from '../../util/json-input.ts';
import type { AnnotatorPopulation } from '../../world/index.ts';
import type { CollectStats } from '../collect.ts';
import { createPairLabeler, judgeBaseUrl, parseLabeler, type JudgeEndpoint, type LabelerSpec } from './labeler.ts';
import { worldLabeler, type PairLabeler } from '../pair-labeler.ts';
import { awaitFeedbackRound, roundPairSpecs } from './feedback-round.ts';
import { collectMixedRound, type Snapshot } from './mixed-collect.ts';
import { resolveOnlineRunConfig, type OnlineRunConfig } from './online-run-config.ts';
import { lastPpoRow, measureRoundPm, trainRoundPm, trainRoundPpo, type RoundContext, type RoundPmEval } from './round-stages.ts';
import { snapshotElo, type SnapshotEloTable } from './snapshot-elo.ts';

/** One finished round (`rounds/<r>/round.json`). */
export interface OnlineRound {
  readonly round: number;
  /** The snapshot id of the round's policy (`round-<r>`). */
  readonly snapshot: string;
  /** The round's collection (null for round 0, which trains on the static comparisons only). */
  readonly collected: CollectStats | null;
  /** Held-out pairs of the collecting policy's own samples on the world's test prompts. */
  readonly held_out: CollectStats;
  /** Comparisons the round's PM trained on (static + every online round so far), and how many of them are online. */
  readonly train_pairs: number;
  readonly online_pairs: number;
  readonly pm: RoundPmEval & { readonly init: string; readonly steps_run: number };
  readonly ppo: { readonly init: string; readonly steps: number; readonly reward: number | null; readonly kl: number | null };
  readonly rates: FrontierRates;
}

/** A round as `online-run.json` lists it: with its policy's Elo and mean score under the last PM. */
export type OnlineRoundRow = OnlineRound & { readonly elo: number; readonly mean_pm_score: number };

/** `online-run.json`. */
export interface OnlineRunResult {
  readonly kind: 'online-run';
  readonly world: string;
  readonly out: string;
  readonly policy_from: string | null;
  readonly labeler: string;
  readonly seed: number;
  /** Online rounds done after round 0. */
  readonly rounds_done: number;
  readonly sft: { readonly rates: FrontierRates; readonly elo: number; readonly mean_pm_score: number };
  readonly rounds: readonly OnlineRoundRow[];
  readonly elo: SnapshotEloTable;
  readonly eval_prompts: number;
  readonly minutes: number;
  readonly stage_minutes: Readonly<Record<string, number>>;
  readonly config: OnlineRunConfig;
}

/** How the run is driven: the opening's options (signal, progress, `policyFrom`) and the labeler. */
export interface OnlineRunOptions extends OpeningOptions {
  /** `--labeler` (default `world`). */
  readonly labeler?: string;
  /** The judge's endpoint, for `--labeler judge:openai:MODEL`. */
  readonly judge?: JudgeEndpoint;
  /** For `--labeler feedback:STORE`: time between two counts of the store (default 10 s). */
  readonly feedbackPollMs?: number;
  /** Hears what a person must do (the command that serves a feedback round to annotators), once per round. */
  readonly onNotice?: (text: string) => void;
}

const RoundFileSchema = z.looseObject({ round: z.number(), snapshot: z.string(), rates: z.looseObject({ prompts: z.number() }) });

/** Save the settings once; a rerun must ask for the same ones (the number of rounds and threads may change). */
function checkSavedConfig(dir: string, config: OnlineRunConfig, labeler: LabelerSpec, policyFrom: string | null): void {
  const path = join(dir, 'config.json');
  const settings = { config, labeler, policyFrom };
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(path, `${JSON.stringify(settings, null, 2)}\n`);
    return;
  }
  const saved = readJsonFile(path, z.looseObject({ config: z.record(z.string(), z.unknown()), labeler: z.unknown(), policyFrom: z.unknown() }), 'an online run\'s config.json {config, labeler, policyFrom}');
  const flat = (value: { config: Record<string, unknown>; labeler: unknown; policyFrom: unknown }): Record<string, unknown> => {
    const { rounds: _rounds, threads: _threads, ...rest } = value.config;
    return { ...rest, labeler: value.labeler, policyFrom: value.policyFrom };
  };
  const [before, now] = [flat(saved), flat(settings as unknown as Parameters<typeof flat>[0])];
  const differing = [...new Set([...Object.keys(before), ...Object.keys(now)])].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(now[key]));
  if (differing.length > 0) {
    throw new ConfigError(`${path}: this run was started with other settings (${differing.join(', ')}); rerun with the saved ones, or use another --out`);
  }
}

/** What every round reads. */
interface RunContext {
  readonly worldDir: string;
  readonly dir: string;
  readonly config: OnlineRunConfig;
  readonly stages: PolicyStages;
  readonly population: AnnotatorPopulation;
  /**
   * Who labels the rounds' training pairs (`--labeler`): a pair labeler, or people in the feedback app writing to a
   * store; held-out pairs are labelled by the world's annotators (their gold is what is measured).
   */
  readonly labeler: { readonly pairs: PairLabeler } | { readonly feedbackStore: string };
  readonly trainPrompts: readonly RolloutPrompt[];
  readonly testPrompts: readonly RolloutPrompt[];
  readonly evalPrompts: readonly RolloutPrompt[];
  readonly staticPairs: readonly PreferencePair[];
  readonly templatedTest: readonly PreferencePair[];
  readonly timed: StageTimer;
  readonly options: OnlineRunOptions;
}

const roundDir = (dir: string, round: number) => join(dir, 'rounds', String(round));
const snapshotId = (round: number) => `round-${round}`;

/** The snapshots before round `round` (π₀, then rounds 0..round−1's policies); the last is the current policy. */
function snapshotsBefore(context: RunContext, round: number): Snapshot[] {
  const checkpoint = (runDir: string) => new RunFolder(runDir).latestCheckpoint()!.dir;
  return [
    { id: 'sft', checkpoint: checkpoint(context.stages.sftDir) },
    ...Array.from({ length: round }, (_, index) => ({ id: snapshotId(index), checkpoint: checkpoint(join(roundDir(context.dir, index), 'ppo')) })),
  ];
}

/** Round `round`'s training pairs: model pairs labelled by the labeler, or people's picks waited for in the store. */
function collectRound(context: RunContext, round: number, snapshots: readonly Snapshot[]): Promise<CollectStats> {
  const { config, options, labeler } = context;
  const dir = join(roundDir(context.dir, round), 'collect');
  if ('pairs' in labeler) {
    const settings = { earlierShare: config.earlierShare, round, maxNewTokens: config.maxNewTokens, pairs: config.roundPairs, seed: config.seed };
    return collectMixedRound(dir, snapshots, context.trainPrompts, labeler.pairs, settings);
  }
  let told = false;
  return awaitFeedbackRound(dir, {
    store: labeler.feedbackStore,
    round,
    quota: config.roundPairs,
    snapshots,
    pollMs: options.feedbackPollMs ?? 10_000,
    signal: options.signal,
    onWaiting: ({ command, have, quota }) => {
      if (!told) options.onNotice?.(`round ${round}: waiting for ${quota} picks in the store; serve the round to annotators with\n  ${command}`);
      told = true;
      options.onProgress?.(`round ${round}/feedback`, have, quota, {});
    },
  });
}

/** Run (or resume) round `round`, or read it when finished. */
async function runRound(context: RunContext, round: number): Promise<OnlineRound> {
  const { config, dir, timed } = context;
  const here = roundDir(dir, round);
  const donePath = join(here, 'round.json');
  if (existsSync(donePath)) return readJsonFile(donePath, RoundFileSchema, 'a finished round {round, snapshot, rates, …}') as unknown as OnlineRound;
  const stage: RoundContext = { round, dir: here, config, signal: context.options.signal, onProgress: context.options.onProgress };
  const snapshots = snapshotsBefore(context, round);
  const settings = { earlierShare: config.earlierShare, round, maxNewTokens: config.maxNewTokens };
  // 1) the round's pairs from the current policy and earlier snapshots, and held-out pairs the same way
  const collected =
    round === 0
      ? null
      : await timed(`round ${round}/collect`, () => collectRound(context, round, snapshots));
  // (comparison files number online rounds from 1, so round 0's held-out pairs of π₀ are saved as round 1's)
  const heldOut = await timed(`round ${round}/held-out`, () =>
    collectMixedRound(join(here, 'held-out'), snapshots, context.testPrompts, worldLabeler(context.population), { ...settings, round: Math.max(1, round), pairs: config.heldOutPairs, seed: (config.seed + 0x9e37 + round) >>> 0 }),
  );
  // 2) the PM on every comparison so far, continuing the previous round's
  const online = round === 0 ? [] : (await loadPairs(Array.from({ length: round }, (_, index) => roundPairSpecs(join(roundDir(dir, index + 1), 'collect'))).flat())).pairs;
  const pmInit = round === 0 ? context.stages.lmDir : join(roundDir(dir, round - 1), 'pm');
  const pm = await timed(`round ${round}/pm`, () => trainRoundPm(stage, [...context.staticPairs, ...online], pmInit));
  // 3) the PM measured on templated and on-policy held-out pairs
  const heldOutPairs = (await loadPairs([`online:${join(here, 'held-out')}`])).pairs;
  const pmEval = await timed(`round ${round}/pm-eval`, () => measureRoundPm(stage, pm.scorer, context.templatedTest, heldOutPairs));
  // 4) PPO from the current policy against it
  const previous = round === 0 ? null : join(roundDir(dir, round - 1), 'ppo');
  const ptx = config.ptxCoef > 0 ? loadDemonstrations(context.stages.ptxData) : undefined;
  const ppoDir = await timed(`round ${round}/ppo`, () =>
    trainRoundPpo(stage, pm.scorer, { sftDir: context.stages.sftDir, previous, prompts: context.trainPrompts, promptSpec: `world:${context.worldDir}`, ptxDemonstrations: ptx }),
  );
  await pm.scorer.release();
  // 5) the oracle's verdicts on the new policy
  const rates = await timed(`round ${round}/eval`, () => evaluateOnce(join(here, 'eval'), () => latestModel(ppoDir), context.evalPrompts, config));
  const result: OnlineRound = {
    round,
    snapshot: snapshotId(round),
    collected,
    held_out: heldOut,
    train_pairs: context.staticPairs.length + online.length,
    online_pairs: online.length,
    pm: { ...pmEval, init: pmInit, steps_run: pm.summary.stepsRun },
    ppo: { init: previous ?? context.stages.sftDir, steps: round === 0 ? config.ppoSteps : config.roundPpoSteps, ...lastPpoRow(ppoDir) },
    rates,
  };
  writeFileAtomic(donePath, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/**
 * Run (or resume) the online run on the world in `worldDir`, its folders under `dir`, and write `online-run.json`.
 * @throws ConfigError when `worldDir` holds no world, for a labeler that is not built, or when `dir` holds a run
 *   started with other settings.
 * @example
 * const result = await runOnlineRun('runs/world', { rounds: 2, quick: true }, 'runs/online');
 * result.elo.slope.slope // Elo per PM point, beside result.elo.slope.paper_slope ≈ 173.7
 */
export async function runOnlineRun(worldDir: string, input: unknown, dir: string, options: OnlineRunOptions = {}): Promise<OnlineRunResult> {
  const config = resolveOnlineRunConfig(input);
  const labeler = parseLabeler(options.labeler ?? 'world');
  if (labeler.kind === 'judge') judgeBaseUrl(labeler, options.judge);
  const world = loadExperimentWorld(worldDir);
  const pairLabeler: RunContext['labeler'] = labeler.kind === 'feedback' ? { feedbackStore: labeler.target } : { pairs: createPairLabeler(labeler, world.population(), options.judge) };
  checkSavedConfig(dir, config, labeler, options.policyFrom ?? null);
  // the opening: π₀ (trained here, or a finished demo's), the held-out prompts and π₀'s evaluation
  const { stages, evalPrompts, sft: sftRates, timed, minutes } = await playPolicyOpening(world, config, dir, options);
  const context: RunContext = {
    worldDir,
    dir,
    config,
    stages,
    population: world.population(),
    labeler: pairLabeler,
    trainPrompts: loadPrompts(`world:${worldDir}`),
    testPrompts: loadPrompts(`world:${worldDir}:test`),
    evalPrompts,
    staticPairs: (await loadPairs([`world:${worldDir}:both:train`])).pairs,
    templatedTest: (await loadPairs([`world:${worldDir}:both:test`])).pairs,
    timed,
    options,
  };
  const rounds: OnlineRound[] = [];
  for (let round = 0; round <= config.rounds; round++) rounds.push(await runRound(context, round));
  // every snapshot's Elo from oracle games, and the last PM's score gaps against the Elo gaps
  const lastPm = join(roundDir(dir, config.rounds), 'pm');
  const scorer = PreferenceScorer.load(lastPm);
  const elo = await timed('elo', () =>
    snapshotElo(evalPrompts, [{ id: 'sft', evalDir: join(dir, 'sft-eval') }, ...rounds.map((round) => ({ id: round.snapshot, evalDir: join(roundDir(dir, round.round), 'eval') }))], { scorer, name: lastPm }, config.eloPriorDraws),
  );
  await scorer.release();
  const result: OnlineRunResult = {
    kind: 'online-run',
    world: worldDir,
    out: dir,
    policy_from: options.policyFrom ?? null,
    labeler: 'pairs' in pairLabeler ? pairLabeler.pairs.id : `feedback:${pairLabeler.feedbackStore}`,
    seed: config.seed,
    rounds_done: config.rounds,
    sft: { rates: sftRates, elo: elo.ratings.sft, mean_pm_score: elo.mean_pm_scores.sft },
    rounds: rounds.map((round) => ({ ...round, elo: elo.ratings[round.snapshot], mean_pm_score: elo.mean_pm_scores[round.snapshot] })),
    elo,
    eval_prompts: evalPrompts.length,
    minutes: totalMinutes(minutes),
    stage_minutes: minutes,
    config,
  };
  writeFileAtomic(join(dir, 'online-run.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
