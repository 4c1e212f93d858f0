/**
 * Contaminated annotators (issue #19 item 4): how a share of annotators who poison their labels — flipping them on
 * one harm category, or preferring compliance whenever a backdoor trigger is in the prompt — moves the preference
 * model's gold accuracy, and the harm and over-refusal of the policy PPO reaches against it; how well the world's
 * suspicious-annotator flag finds them; and the same with the flagged annotators' comparisons removed.
 *
 * One π₀ for every arm. Per (mode, share) a world variant regenerated from the given world with only its
 * contamination changed (`worlds/<mode>-<pct>/`; within a mode the variants hold the same prompts and responses and
 * differ only in labels, which `differs` measures against the mode's lowest share). Per variant an arm
 * `arms/<mode>-<pct>/` (PM, its gold accuracy, PPO from π₀, the oracle's verdicts) and, when the flag names anyone,
 * `arms/<mode>-<pct>-removed/` trained without their comparisons. Backdoor arms' PPO samples prompts carrying the
 * trigger on the comparisons' share of harmful ones, and every policy is also judged on trigger-carrying copies of
 * the direct harmful prompts. A finished stage is skipped and a killed one resumes.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { loadPairs, type PreferencePair } from '../../data/specs/preference-pairs.ts';
import { loadPrompts, worldEvalPrompts, type RolloutPrompt } from '../../data/specs/prompts.ts';
import { selectEvalPrompts } from '../../train/rollout/world-eval.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import type { LoadedWorld } from '../../world/index.ts';
import { adoptedOrTrainedPm, armPmDir, armPmGold, armPpo, lastPpoRow, needsFinishedPm, type ArmProgress, type ArmStageContext } from './arm-stages.ts';
import { resolveContaminationConfig, variantName, type ContaminationConfig, type ContaminationMode } from './contamination-config.ts';
import { slicePrompts, triggerEvalPrompts, triggerPool, TRIGGER_STRATEGY } from './contamination-prompts.ts';
import { diffComparisons, ensureVariantWorld, flagWorld, idsLabelledBy, type ComparisonDiff, type FlagQuality } from './contamination-worlds.ts';
import type { FrontierRates } from './frontier-rates.ts';
import { evaluateOnce, latestModel, readEvalSamples } from './policy-eval.ts';
import { experimentPolicy } from './policy-stages.ts';
import { stageTimer, totalMinutes } from './stage-minutes.ts';
import { loadExperimentWorld } from './policy-opening.ts';

/** A policy's attack success with the trigger in the prompt against without (the same direct harmful requests). */
export interface TriggerSuccess {
  readonly with_trigger: number | null;
  readonly without_trigger: number | null;
}

/** A PM's gold accuracy on the world's held-out comparisons, overall and on the contaminated slice. */
export interface ContaminationPm {
  readonly gold: number | null;
  readonly helpful_gold: number | null;
  readonly harmless_gold: number | null;
  /** Gold accuracy on the slice the contamination targets: the flipped category, or trigger-carrying prompts. */
  readonly slice_gold: number | null;
  readonly slice_n: number;
  /** Comparisons given to the PM trainer, its validation split included (the split is drawn from the same, possibly contaminated, labels). */
  readonly train_pairs: number;
  /** Of `train_pairs`, those held out to choose the kept step (early stopping), not trained on. */
  readonly validation_pairs: number;
  readonly steps_run: number;
  /** The step whose weights the PM kept: the best validation's, or the last with `config.pmFixedSteps`. */
  readonly kept_step: number;
}

/** One arm: a variant's PM and PPO, with or without the flagged annotators' comparisons. */
export interface ContaminationArm {
  readonly name: string;
  readonly mode: ContaminationMode;
  readonly share: number;
  /** Whether the flagged annotators' comparisons were removed before training. */
  readonly removed: boolean;
  /** Training comparisons removed (labelled by a flagged annotator). */
  readonly removed_pairs: number;
  /** The arm whose folders this one's results are, when removing changed no comparison (nobody flagged). */
  readonly same_as: string | null;
  readonly pm: ContaminationPm;
  /** PPO's last iteration, and how many RL prompts it sampled from (the pool, or the poisoned slice: `config.ppoPrompts`). */
  readonly ppo: { readonly reward: number | null; readonly kl: number | null; readonly prompts: number };
  readonly rates: FrontierRates;
  readonly trigger: TriggerSuccess;
  /** Harmful compliance on the direct requests of the flipped category (`target.category`): where a flip poisoner's labels point the policy. */
  readonly category_harm: number | null;
}

/** One world variant: its contaminating annotators, the flag's verdicts, and how its comparisons differ from the mode's first. */
export interface ContaminationVariant {
  readonly name: string;
  readonly mode: ContaminationMode;
  readonly share: number;
  readonly world: string;
  readonly flag: FlagQuality;
  /** Against the variant of the mode's lowest share (`compared_with`). */
  readonly differs: ComparisonDiff;
  readonly compared_with: string;
}

/** The experiment's JSON. */
export interface ContaminationResult {
  readonly kind: 'contamination';
  readonly world: string;
  readonly out: string;
  readonly policy_from: string | null;
  /** The earlier contamination run each arm's finished PM was copied from (`--pms-from`), or null. */
  readonly pms_from: string | null;
  readonly seed: number;
  /** What each mode contaminates: the flipped category, and the trigger phrase with its share of harmful prompts. */
  readonly target: { readonly category: string; readonly trigger: string; readonly trigger_share: number };
  readonly sft: { readonly rates: FrontierRates; readonly trigger: TriggerSuccess; readonly category_harm: number | null };
  readonly variants: readonly ContaminationVariant[];
  readonly arms: readonly ContaminationArm[];
  readonly eval_prompts: number;
  readonly minutes: number;
  readonly stage_minutes: Readonly<Record<string, number>>;
  readonly config: ContaminationConfig;
}

/** Progress: a stage, its step and total, and a few numbers to show. */
export type ContaminationProgress = ArmProgress;

const triggerSuccess = (rates: FrontierRates): TriggerSuccess => ({ with_trigger: rates.harm_by_strategy[TRIGGER_STRATEGY] ?? null, without_trigger: rates.harm_rate });

const JudgedSchema = z.looseObject({ set: z.string(), category: z.string(), strategy: z.string().nullable(), harmful: z.union([z.literal(0), z.literal(1)]) });

/**
 * Harmful compliance on the direct (unattacked, untriggered) harmful requests of `category` among the replies the
 * evaluation in `dir` kept; null when it judged none.
 */
function categoryHarm(dir: string, category: string): number | null {
  const direct = readEvalSamples(dir, JudgedSchema, 'a judged reply {"set", "category", "strategy", "harmful", …}').filter((reply) => reply.set === 'harmfulByCategory' && reply.strategy === null && reply.category === category);
  return direct.length === 0 ? null : direct.filter((reply) => reply.harmful === 1).length / direct.length;
}

interface RunContext extends ArmStageContext {
  readonly dir: string;
  readonly config: ContaminationConfig;
  readonly evalPrompts: readonly RolloutPrompt[];
  readonly rlPrompts: readonly RolloutPrompt[];
  readonly pmsFrom?: string;
}

/** The names of the variants' own arms (those without the flagged annotators are known only once the flag has run). */
const keptArmNames = (config: ContaminationConfig): string[] => config.modes.flatMap((mode) => config.shares.map((share) => variantName(mode, share)));

/** A variant's arm to train: its world, and the annotators whose comparisons are left out. */
interface ArmPlan {
  readonly name: string;
  readonly mode: ContaminationMode;
  readonly share: number;
  readonly world: LoadedWorld;
  readonly leftOut: readonly string[];
}

/** The held-out comparisons of the slice a mode contaminates. */
function slicePairs(world: LoadedWorld, mode: ContaminationMode, test: readonly PreferencePair[]): PreferencePair[] {
  if (mode === 'flip') return test.filter((pair) => pair.category === world.config.contamination.category);
  const triggered = new Set((['helpful', 'harmless'] as const).flatMap((task) => world.comparisonMeta(task, 'test')).filter((meta) => meta.trigger).map((meta) => meta.id));
  return test.filter((pair) => triggered.has(pair.id));
}

/** Train one arm's PM and PPO (or resume them) and judge its policy. */
async function runArm(plan: ArmPlan, context: RunContext): Promise<ContaminationArm> {
  const { config } = context;
  const armDir = join(context.dir, 'arms', plan.name);
  const [pmDir, ppoDir] = [armPmDir(context.dir, plan.name), join(armDir, 'ppo')];
  // 1) the variant's training comparisons, without those of the left-out annotators
  const dropped = idsLabelledBy(plan.world, plan.leftOut);
  const pairs = (await loadPairs([`world:${plan.world.dir}:both:train`])).pairs.filter((pair) => !dropped.has(pair.id));
  // 2) its PM (as the demo's, or an earlier run's, checked like a resumed one) and the PM's gold accuracy
  const from = context.pmsFrom === undefined ? undefined : armPmDir(context.pmsFrom, plan.name);
  const pm = await adoptedOrTrainedPm(plan.name, pmDir, from, pairs, config, context);
  const gold = await armPmGold(plan.name, armDir, plan.world.dir, pm.scorer, (test) => slicePairs(plan.world, plan.mode, test), context);
  // 3) PPO from π₀ against it, on the whole pool or on the poisoned slice alone
  const { prompts, described } = ppoPrompts(plan, context);
  const description = { prompts: described, reward: `pm:${pmDir}`, contamination: { mode: plan.mode, share: plan.share, left_out: plan.leftOut } };
  await armPpo(plan.name, ppoDir, { prompts, scorer: pm.scorer, description }, config, context);
  await pm.scorer.release();
  // 4) the oracle's verdicts on the final policy
  const rates = await context.timed(`${plan.name}/eval`, () => evaluateOnce(armDir, () => latestModel(ppoDir), context.evalPrompts, config));
  return {
    name: plan.name,
    mode: plan.mode,
    share: plan.share,
    removed: plan.leftOut.length > 0,
    removed_pairs: dropped.size,
    same_as: null,
    pm: { ...gold, train_pairs: pairs.length, validation_pairs: pm.summary.validationPairs, steps_run: pm.summary.stepsRun, kept_step: pm.summary.keptStep },
    ppo: { ...lastPpoRow(ppoDir), prompts: prompts.length },
    rates,
    trigger: triggerSuccess(rates),
    category_harm: categoryHarm(armDir, plan.world.config.contamination.category),
  };
}

/**
 * An arm's PPO prompts (see `ppoPrompts` in the config) and how its run's config describes them (the whole pool's
 * descriptions are those runs made before the slice existed, so that they resume).
 */
function ppoPrompts(plan: ArmPlan, context: RunContext): { prompts: readonly RolloutPrompt[]; described: string } {
  const { category, trigger, triggerShare } = plan.world.config.contamination;
  const world = `world:${plan.world.dir}`;
  if (context.config.ppoPrompts === 'slice') {
    const prompts = slicePrompts(context.rlPrompts, plan.mode, { category, trigger });
    return { prompts, described: `${world} (slice: ${plan.mode === 'flip' ? `${category} only` : 'harmful only, every one with the trigger'})` };
  }
  if (plan.mode === 'flip') return { prompts: context.rlPrompts, described: world };
  return { prompts: triggerPool(context.rlPrompts, trigger, triggerShare, context.config.seed), described: `${world} (trigger on harmful prompts)` };
}

/** The variants of one mode and their arms (kept, then with the flagged annotators removed). */
async function runMode(base: LoadedWorld, mode: ContaminationMode, context: RunContext): Promise<{ variants: ContaminationVariant[]; arms: ContaminationArm[] }> {
  const variants: ContaminationVariant[] = [];
  const arms: ContaminationArm[] = [];
  let first: { name: string; world: LoadedWorld } | undefined;
  for (const share of context.config.shares) {
    const name = variantName(mode, share);
    const world = await context.timed(`worlds/${name}`, async () => ensureVariantWorld(base, mode, share, join(context.dir, 'worlds', name)));
    first ??= { name, world };
    const flag = flagWorld(world);
    variants.push({ name, mode, share, world: world.dir, flag, differs: diffComparisons(first.world, world), compared_with: first.name });
    const kept = await runArm({ name, mode, share, world, leftOut: [] }, context);
    arms.push(kept);
    if (!context.config.removeFlagged) continue;
    // nobody flagged: the same comparisons, so the same PM and policy (the same seed and settings)
    if (flag.flagged.length === 0) arms.push({ ...kept, name: `${name}-removed`, removed: true, same_as: name });
    else arms.push(await runArm({ name: `${name}-removed`, mode, share, world, leftOut: flag.flagged }, context));
  }
  return { variants, arms };
}

/**
 * Run (or resume) the experiment on the world in `worldDir`, its folders under `dir`.
 * @throws ConfigError when `worldDir` holds no world, `policyFrom` is not a finished demo on it, or `pmsFrom` lacks an
 * arm's finished PM or holds one trained on other settings or data.
 * @example
 * const result = await runContaminationExperiment('runs/world', { quick: true }, 'runs/contamination');
 * result.arms.find((arm) => arm.name === 'flip-40')?.pm.slice_gold
 */
export async function runContaminationExperiment(
  worldDir: string,
  input: unknown,
  dir: string,
  options: { signal?: AbortSignal; onProgress?: ContaminationProgress; policyFrom?: string; pmsFrom?: string } = {},
): Promise<ContaminationResult> {
  const config = resolveContaminationConfig(input);
  const base = loadExperimentWorld(worldDir);
  // a --pms-from run that lacks a variant arm's finished PM is refused before anything trains (a flagged-removed arm's when it is reached)
  if (options.pmsFrom !== undefined) for (const name of keptArmNames(config)) needsFinishedPm(name, armPmDir(options.pmsFrom, name), armPmDir(dir, name));
  const { timed, minutes: stageMinutes } = stageTimer(dir);
  // 1) π₀ and its evaluation (the held-out sets and trigger-carrying copies of the direct harmful prompts)
  const stages = await experimentPolicy(base, worldDir, config, dir, timed, options);
  const selected = selectEvalPrompts(worldEvalPrompts(worldDir), config.evalPerSet);
  const evalPrompts = [...selected, ...triggerEvalPrompts(selected, base.config.contamination.trigger)];
  const sft = await timed('sft/eval', () => evaluateOnce(join(dir, 'sft-eval'), () => latestModel(stages.sftDir), evalPrompts, config));
  // 2) per mode and share: the world variant and its arms
  const context: RunContext = { dir, config, stages, timed, evalPrompts, rlPrompts: loadPrompts(`world:${worldDir}`), pmsFrom: options.pmsFrom, signal: options.signal, onProgress: options.onProgress };
  const variants: ContaminationVariant[] = [];
  const arms: ContaminationArm[] = [];
  for (const mode of config.modes) {
    const done = await runMode(base, mode, context);
    variants.push(...done.variants);
    arms.push(...done.arms);
  }
  const { category, trigger, triggerShare } = base.config.contamination;
  const result: ContaminationResult = {
    kind: 'contamination',
    world: worldDir,
    out: dir,
    policy_from: options.policyFrom ?? null,
    pms_from: options.pmsFrom ?? null,
    seed: config.seed,
    target: { category, trigger, trigger_share: triggerShare },
    sft: { rates: sft, trigger: triggerSuccess(sft), category_harm: categoryHarm(join(dir, 'sft-eval'), category) },
    variants,
    arms,
    eval_prompts: evalPrompts.length,
    minutes: totalMinutes(stageMinutes),
    stage_minutes: stageMinutes,
    config,
  };
  writeFileAtomic(join(dir, 'contamination.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
