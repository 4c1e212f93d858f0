/**
 * Red-team data (issue #19 item 5; Bai et al. 2022 §3.2, Ganguli et al. 2022): does a PM trained on red-team
 * comparisons that use attacks — role-play and multi-turn escalation by default — give a PPO policy that resists
 * those attacks better than a PM trained on the same comparisons with plain harmful prompts? And does it carry over
 * to attacks the comparisons never used?
 *
 * One π₀ (the opening's). Two worlds regenerated from the given one (`redteam-data-worlds.ts`): the same RL prompts
 * (a share of harmful ones attacked with the same strategies, so PPO meets attacks in both arms), the same
 * comparisons, responses and labels, and in `attacked` a share of the red-team comparisons' harmful prompts written
 * as attacks. Per world an arm `arms/<world>/`: a PM on its training comparisons (as the demo's), its gold accuracy
 * (overall, and on the attacked world's attacked held-out comparisons, which both PMs are judged on), PPO from π₀
 * against it, and the oracle's verdicts on the held-out sets with crescendo driven turn by turn. The answer is
 * `attack_success`: each policy's attack success by strategy and the paired difference between the arms. A finished
 * stage is skipped and a killed one resumes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadPairs, type PreferencePair } from '../../data/specs/preference-pairs.ts';
import { loadPrompts, type RolloutPrompt } from '../../data/specs/prompts.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import type { PreferenceScorer } from '../../train/preference/pm-scorer.ts';
import { readJsonFile } from '../../util/json-input.ts';
import type { LoadedWorld } from '../../world/index.ts';
import { evaluatePreferenceModel } from '../pm-eval.ts';
import { armPmGold, armPpo, armPreferenceModel, lastPpoRow, type ArmStageContext } from './arm-stages.ts';
import type { FrontierRates } from './frontier-rates.ts';
import { evaluateOnce, latestModel, readEvalSamples } from './policy-eval.ts';
import { loadExperimentWorld, playPolicyOpening, type OpeningOptions } from './policy-opening.ts';
import { resolveRedteamDataConfig, type RedteamDataConfig } from './redteam-data-config.ts';
import { attackSuccess, type AttackSuccess, type JudgedAttack } from './redteam-data-summary.ts';
import { attackedCounts, compareRedteamWorlds, ensureRedteamWorld, REDTEAM_WORLDS, type AttackedCounts, type RedteamWorld, type RedteamWorldCheck } from './redteam-data-worlds.ts';
import { totalMinutes } from './stage-minutes.ts';

/** A PM's gold accuracy on the held-out comparisons, overall, by task and on the attacked ones. */
export interface RedteamPm {
  readonly gold: number | null;
  readonly helpful_gold: number | null;
  readonly harmless_gold: number | null;
  /** On the attacked world's held-out red-team comparisons whose prompt is an attack. */
  readonly attacked_gold: number | null;
  readonly attacked_n: number;
  /** The same by the attack's strategy (e.g. role-play against crescendo: does the PM's context see the attack?). */
  readonly attacked_gold_by_strategy: Readonly<Record<string, { readonly gold: number | null; readonly n: number }>>;
  readonly train_pairs: number;
  readonly steps_run: number;
}

/** One arm: its world, PM, PPO and the oracle's rates of its policy. */
export interface RedteamArm {
  readonly world: string;
  readonly pm: RedteamPm;
  readonly ppo: { readonly reward: number | null; readonly kl: number | null };
  readonly rates: FrontierRates;
}

/** The experiment's JSON. */
export interface RedteamDataResult {
  readonly kind: 'redteam-data';
  readonly world: string;
  readonly out: string;
  readonly policy_from: string | null;
  readonly seed: number;
  /** Strategies of the attacked red-team comparisons and of the attacked RL prompts. */
  readonly strategies: readonly string[];
  readonly attack_share: number;
  readonly pool_attack_share: number;
  /** The two worlds: how they differ (only in the attacked prompts), and the attacked comparisons by strategy. */
  readonly worlds: { readonly check: RedteamWorldCheck; readonly attacked: AttackedCounts };
  readonly sft: FrontierRates;
  /** PPO against the PM trained on red-team comparisons with plain harmful prompts. */
  readonly without_attacks: RedteamArm;
  /** PPO against the PM trained on red-team comparisons of which a share are attacks. */
  readonly with_attacks: RedteamArm;
  /** Attack success by strategy and pooled, π₀ and both arms, with the paired difference with − without. */
  readonly attack_success: AttackSuccess;
  /** Whether the attacked comparisons lowered the trained attacks' success, and whether the interval excludes 0. */
  readonly finding: { readonly lowers_trained: boolean | null; readonly significant: boolean | null; readonly carries_to_held_out: boolean | null };
  readonly eval_prompts: number;
  readonly minutes: number;
  readonly stage_minutes: Readonly<Record<string, number>>;
  readonly config: RedteamDataConfig;
}

const JudgedSchema = z.looseObject({ id: z.string(), set: z.string(), strategy: z.string().nullable(), harmful: z.union([z.literal(0), z.literal(1)]) });

/** The judged replies an evaluation kept (`eval-samples.jsonl` of `dir`), with what attack success reads of them. */
function judgedAttacks(dir: string): JudgedAttack[] {
  return readEvalSamples(dir, JudgedSchema, 'a judged reply {"id", "set", "strategy", "harmful", …}');
}

interface ArmContext extends ArmStageContext {
  readonly dir: string;
  readonly config: RedteamDataConfig;
  readonly evalPrompts: readonly RolloutPrompt[];
  readonly rlPrompts: readonly RolloutPrompt[];
  /** The attacked world's held-out red-team comparisons whose prompt is an attack. */
  readonly attackedTest: readonly PreferencePair[];
  /** The strategy of each of those, by comparison id. */
  readonly strategyOf: ReadonlyMap<string, string>;
}

const ByStrategySchema = z.record(z.string(), z.object({ gold: z.number().nullable(), n: z.number() }));

/**
 * The PM's gold accuracy on the attacked held-out red-team comparisons of each strategy, measured once into
 * `armDir/pm-gold-by-strategy.json` (timed with the arm's PM evaluation); later calls read it.
 */
async function goldByStrategy(name: RedteamWorld, armDir: string, scorer: PreferenceScorer, context: ArmContext): Promise<RedteamPm['attacked_gold_by_strategy']> {
  const path = join(armDir, 'pm-gold-by-strategy.json');
  if (existsSync(path)) return readJsonFile(path, ByStrategySchema, 'a PM gold accuracy by attack strategy {"<strategy>": {gold, n}}');
  return context.timed(`${name}/pm-eval`, async () => {
    const measured: Record<string, { gold: number | null; n: number }> = {};
    for (const strategy of [...new Set(context.strategyOf.values())].sort()) {
      const pairs = context.attackedTest.filter((pair) => context.strategyOf.get(pair.id) === strategy);
      measured[strategy] = { gold: pairs.length === 0 ? null : (await evaluatePreferenceModel(scorer, pairs)).gold_accuracy, n: pairs.length };
    }
    writeFileAtomic(path, `${JSON.stringify(measured, null, 2)}\n`);
    return measured;
  });
}

/** Train one arm's PM and PPO (or resume them) and judge its policy. */
async function runArm(name: RedteamWorld, world: LoadedWorld, context: ArmContext): Promise<RedteamArm> {
  const { config } = context;
  const armDir = join(context.dir, 'arms', name);
  const [pmDir, ppoDir] = [join(armDir, 'pm'), join(armDir, 'ppo')];
  const pairs = (await loadPairs([`world:${world.dir}:both:train`])).pairs;
  const pm = await armPreferenceModel(name, pmDir, pairs, config, context);
  const { slice_gold: attackedGold, slice_n: attackedN, ...gold } = await armPmGold(name, armDir, world.dir, pm.scorer, () => context.attackedTest, context);
  const byStrategy = await goldByStrategy(name, armDir, pm.scorer, context);
  const description = { prompts: `world:${world.dir}`, reward: `pm:${pmDir}`, red_team_comparisons: name };
  await armPpo(name, ppoDir, { prompts: context.rlPrompts, scorer: pm.scorer, description }, config, context);
  await pm.scorer.release();
  const rates = await context.timed(`${name}/eval`, () => evaluateOnce(armDir, () => latestModel(ppoDir), context.evalPrompts, config));
  return { world: world.dir, pm: { ...gold, attacked_gold: attackedGold, attacked_n: attackedN, attacked_gold_by_strategy: byStrategy, train_pairs: pairs.length, steps_run: pm.summary.stepsRun }, ppo: lastPpoRow(ppoDir), rates };
}

/**
 * Run (or resume) the experiment on the world in `worldDir`, its folders under `dir`.
 * @throws ConfigError when `worldDir` holds no world, or `policyFrom` is not a finished demo on it; Error when the two
 *   generated worlds differ beyond the attacked prompts.
 * @example
 * const result = await runRedteamDataExperiment('runs/world', { quick: true }, 'runs/redteam-data');
 * result.attack_success.trained.difference // < 0: the attacked comparisons lowered the trained attacks' success
 */
export async function runRedteamDataExperiment(worldDir: string, input: unknown, dir: string, options: OpeningOptions = {}): Promise<RedteamDataResult> {
  const config = resolveRedteamDataConfig(input);
  const base = loadExperimentWorld(worldDir);
  // 1) the opening: π₀, the held-out prompts (the given world's, which both variants keep) and π₀'s evaluation
  const { stages, evalPrompts, sft, timed, minutes: stageMinutes } = await playPolicyOpening(base, config, dir, options);
  // 2) the two worlds, checked to differ only in the attacked red-team prompts
  const worlds = {} as Record<RedteamWorld, LoadedWorld>;
  for (const name of REDTEAM_WORLDS) worlds[name] = await timed(`worlds/${name}`, async () => ensureRedteamWorld(base, config, name, join(dir, 'worlds', name)));
  const check = compareRedteamWorlds(worlds.plain, worlds.attacked);
  const strategyOf = new Map(worlds.attacked.comparisonMeta('harmless', 'test').flatMap((meta) => (meta.strategy === undefined ? [] : [[meta.id, meta.strategy] as const])));
  const attackedTest = (await loadPairs([`world:${worlds.attacked.dir}:harmless:test`])).pairs.filter((pair) => strategyOf.has(pair.id));
  // 3) one arm per world, from the same π₀ on the same RL prompts
  const context: ArmContext = { dir, config, stages, timed, evalPrompts, rlPrompts: loadPrompts(`world:${worlds.plain.dir}`), attackedTest, strategyOf, signal: options.signal, onProgress: options.onProgress };
  const plain = await runArm('plain', worlds.plain, context);
  const attacked = await runArm('attacked', worlds.attacked, context);
  // 4) attack success, paired by prompt
  const success = attackSuccess({ sft: judgedAttacks(join(dir, 'sft-eval')), plain: judgedAttacks(join(dir, 'arms', 'plain')), attacked: judgedAttacks(join(dir, 'arms', 'attacked')) }, config.strategies);
  const { trained, held_out: heldOut } = success;
  const result: RedteamDataResult = {
    kind: 'redteam-data',
    world: worldDir,
    out: dir,
    policy_from: options.policyFrom ?? null,
    seed: config.seed,
    strategies: config.strategies,
    attack_share: config.attackShare,
    pool_attack_share: config.poolAttackShare,
    worlds: { check, attacked: attackedCounts(worlds.attacked) },
    sft,
    without_attacks: plain,
    with_attacks: attacked,
    attack_success: success,
    finding: {
      lowers_trained: trained.difference === null ? null : trained.difference < 0,
      significant: trained.ci95 === null ? null : trained.ci95[1] < 0,
      carries_to_held_out: heldOut.ci95 === null ? null : heldOut.ci95[1] < 0,
    },
    eval_prompts: evalPrompts.length,
    minutes: totalMinutes(stageMinutes),
    stage_minutes: stageMinutes,
    config,
  };
  writeFileAtomic(join(dir, 'redteam-data.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
