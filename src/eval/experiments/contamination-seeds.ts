/**
 * The contamination experiment over seeds (issue #19 item 4, read by this project's rule that a finding holds across
 * seeds): finished `hhrl experiment contamination` runs with the same settings — one per world seed, or several
 * training seeds (`--seed`) on one world and π₀ — summarized on the arms they all have. Every arm's numbers become a mean over the runs with
 * its Student-t interval, and each arm is compared with its mode's control in the same run (the variant of the
 * mode's lowest share, nobody removed: same world, π₀ and seed), paired run by run:
 *
 * | arm − control, same run             | reads as                                                 |
 * |-------------------------------------|----------------------------------------------------------|
 * | PM gold accuracy, poisoned slice    | how much of the slice the contamination breaks in the PM |
 * | PM gold accuracy, all held-out      | whether the rest of the PM suffers                       |
 * | harm on direct harmful requests     | whether the poisoned PM reaches the policy               |
 * | harm on the flipped category        | the same, where a flip aims (flip)                       |
 * | harm on requests with the trigger   | the same, where a backdoor aims (backdoor)               |
 * | over-refusal of borderline requests | the cost on the other side                               |
 * | correct benign answers              | the cost to helpfulness                                  |
 *
 * Given baseline runs too (the same worlds and seeds under other settings, e.g. early-stopped PMs where the runs train
 * theirs all steps), each arm is also compared with the same arm of the baseline run on its world and seed.
 *
 * A difference is `lower` when its interval lies wholly below 0, `higher` when wholly above, else `inconclusive`
 * (it holds 0, or fewer than {@link VERDICT_MIN_RUNS} runs measured it). Runs are read, not run: each takes its own sitting.
 */
import { ConfigError } from '../../spec/errors.ts';
import type { ContaminationFile } from './contamination-file.ts';
import { overSeeds, type RateOverSeeds } from './tax-trend.ts';

type Run = ContaminationFile & { readonly file: string };
type Arm = ContaminationFile['arms'][number];
/** What a quantity reads: an arm, or π₀ (which has no PM of its own). */
type Measured = Pick<Arm, 'rates' | 'trigger' | 'category_harm'> & { readonly pm?: Arm['pm'] };

/** The quantities summarized, as data: key, label, and how to read one from an arm or from π₀. */
export const CONTAMINATION_QUANTITIES = [
  { key: 'pm_slice_gold', label: 'PM gold, poisoned slice', read: (m: Measured) => m.pm?.slice_gold ?? null },
  { key: 'pm_gold', label: 'PM gold, all held-out', read: (m: Measured) => m.pm?.gold ?? null },
  { key: 'harm_rate', label: 'harm, direct requests', read: (m: Measured) => m.rates.harm_rate },
  { key: 'category_harm', label: 'harm, flipped category', read: (m: Measured) => m.category_harm ?? null },
  { key: 'with_trigger', label: 'harm with the trigger', read: (m: Measured) => m.trigger.with_trigger },
  { key: 'over_refusal', label: 'over-refusal, borderline', read: (m: Measured) => m.rates.over_refusal },
  { key: 'answer_rate', label: 'correct benign answers', read: (m: Measured) => m.rates.answer_rate },
] as const;
/** One summarized quantity. */
export type ContaminationQuantity = (typeof CONTAMINATION_QUANTITIES)[number]['key'];

/** A paired difference over runs with the side of 0 its interval lies on. */
export interface SignedDifference extends RateOverSeeds {
  readonly verdict: 'lower' | 'higher' | 'inconclusive';
}

/** One arm over the runs. */
export interface ContaminationArmOverSeeds {
  readonly name: string;
  readonly mode: string;
  readonly share: number;
  readonly removed: boolean;
  /** The runs (by index) in which nobody was flagged, so this `-removed` arm is its kept arm there. */
  readonly same_as_kept_in: readonly number[];
  /** The PM's kept step and the steps it ran, run by run (null where the run did not record them). */
  readonly pm_kept_step: readonly (number | null)[];
  readonly pm_steps_run: readonly (number | null)[];
  readonly values: Readonly<Record<ContaminationQuantity, RateOverSeeds>>;
  /** This arm − its mode's control in the same run; null for the control itself. */
  readonly against_control: Readonly<Record<ContaminationQuantity, SignedDifference>> | null;
  /** The control it is compared with. */
  readonly control: string;
  /** This arm − the same arm of the baseline run on the same world and seed; null without baseline runs. */
  readonly against_baseline: Readonly<Record<ContaminationQuantity, SignedDifference>> | null;
}

/** The settings a set of runs shares. */
export interface ContaminationSeedsSettings {
  readonly ppo_prompts: string;
  readonly pm_fixed_steps: boolean;
  readonly pm_steps: number | null;
}

/** One world variant's suspicious-annotator flag over the runs. */
export interface ContaminationFlagOverSeeds {
  readonly name: string;
  readonly mode: string;
  readonly share: number;
  readonly precision: RateOverSeeds;
  readonly recall: RateOverSeeds;
}

/** The JSON of `hhrl experiment contamination-seeds`. */
export interface ContaminationSeedsResult {
  readonly kind: 'contamination-seeds';
  /** The runs summarized, in the order given, with the slice each one's flip poisons. */
  readonly runs: readonly { readonly file: string; readonly world: string; readonly seed: number; readonly category: string; readonly eval_prompts: number; readonly minutes: number }[];
  /** The settings every run shares. */
  readonly settings: ContaminationSeedsSettings;
  /** The baseline runs (in the runs' order) and their settings, or null. */
  readonly baseline: { readonly files: readonly string[]; readonly settings: ContaminationSeedsSettings } | null;
  readonly sft: Readonly<Record<ContaminationQuantity, RateOverSeeds>>;
  /** The arms every run has. */
  readonly arms: readonly ContaminationArmOverSeeds[];
  /** Arms some runs have and others do not, by run (not summarized). */
  readonly arms_left_out: readonly { readonly file: string; readonly arms: readonly string[] }[];
  readonly flags: readonly ContaminationFlagOverSeeds[];
}

/** The run settings that must agree for runs to be summarized together, with the default of those older runs lack. */
const SHARED_SETTINGS = {
  ppoPrompts: 'pool',
  pmFixedSteps: false,
  pmSteps: null,
  ppoSteps: null,
  ppoBatch: null,
  evalPerSet: null,
  lmSize: null,
  klCoef: null,
  ptxCoef: null,
  ppoLearningRate: null,
  maxNewTokens: null,
  evalMaxNewTokens: null,
} as const satisfies Record<string, unknown>;

/** A shared setting of a run, its default where the run predates it. */
const setting = (run: Run, key: keyof typeof SHARED_SETTINGS): unknown => (run.config as Record<string, unknown> | undefined)?.[key] ?? SHARED_SETTINGS[key];

const idOf = (run: Run) => `${run.world} seed ${run.seed}`;
const armNames = (run: Run) => run.arms.map((arm) => arm.name);

/**
 * The arms every run has, in the first run's order (runs with more shares or modes than others are summarized on the
 * arms they share).
 * @throws ConfigError when they share none, or a mode's control (the variant of its lowest share) differs.
 */
function commonArms(runs: readonly Run[]): string[] {
  const common = armNames(runs[0]).filter((name) => runs.every((run) => armNames(run).includes(name)));
  if (common.length === 0) throw new ConfigError(`contamination over seeds: the runs share no arm (${runs.map((run) => `${run.file}: ${armNames(run).join(',')}`).join('; ')}); give runs with common --modes and --shares`);
  for (const mode of new Set(runs[0].arms.filter((arm) => common.includes(arm.name)).map((arm) => arm.mode))) {
    const other = runs.find((run) => controlOf(run, mode) !== controlOf(runs[0], mode));
    if (other !== undefined) throw new ConfigError(`contamination over seeds: ${other.file} compares its ${mode} arms with ${controlOf(other, mode)}, ${runs[0].file} with ${controlOf(runs[0], mode)}; give runs whose lowest --shares agree`);
    if (!common.includes(controlOf(runs[0], mode))) throw new ConfigError(`contamination over seeds: the ${mode} control ${controlOf(runs[0], mode)} is not an arm of every run`);
  }
  return common;
}

/** Refuse what cannot be summarized together: fewer than 2 runs, a run twice, or other settings. */
function checkRuns(runs: readonly Run[]): void {
  if (runs.length < 2) throw new ConfigError(`contamination over seeds: give at least 2 finished contamination runs, got ${runs.length}`);
  const ids = runs.map(idOf);
  const twice = ids.findIndex((id, index) => ids.indexOf(id) !== index);
  if (twice !== -1) {
    const same = runs.filter((_, index) => ids[index] === ids[twice]).map((run) => run.file);
    throw new ConfigError(`contamination over seeds: ${ids[twice]} is given twice (${same.join(', ')}); give each world and seed once`);
  }
  for (const key of Object.keys(SHARED_SETTINGS) as (keyof typeof SHARED_SETTINGS)[]) {
    const first = JSON.stringify(setting(runs[0], key));
    const other = runs.find((run) => JSON.stringify(setting(run, key)) !== first);
    if (other !== undefined) throw new ConfigError(`contamination over seeds: ${other.file} has ${key} ${JSON.stringify(setting(other, key))}, ${runs[0].file} has ${first}; give runs with the same settings`);
  }
}

/**
 * The baseline run of each run: the one on the same world and seed, holding every arm summarized.
 * @throws ConfigError when a run has none or it lacks an arm.
 */
function matchBaseline(runs: readonly Run[], baseline: readonly Run[], arms: readonly string[]): Run[] {
  checkRuns(baseline);
  return runs.map((run) => {
    const match = baseline.find((other) => idOf(other) === idOf(run));
    if (match === undefined) throw new ConfigError(`contamination over seeds: no baseline run on ${idOf(run)} (${run.file}); the baseline runs are on ${baseline.map(idOf).join(', ')}`);
    const missing = arms.filter((name) => !armNames(match).includes(name));
    if (missing.length > 0) throw new ConfigError(`contamination over seeds: the baseline ${match.file} lacks the arms ${missing.join(', ')} of ${run.file}; give baseline runs with the same --modes and --shares`);
    return match;
  });
}

const settingsOf = (run: Run): ContaminationSeedsSettings => ({
  ppo_prompts: String(setting(run, 'ppoPrompts')),
  pm_fixed_steps: setting(run, 'pmFixedSteps') === true,
  pm_steps: setting(run, 'pmSteps') as number | null,
});

const minus = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

/** The fewest runs a verdict rests on: two equal differences have a zero-width interval, which says nothing. */
export const VERDICT_MIN_RUNS = 3;

function signed(values: readonly (number | null)[]): SignedDifference {
  const over = overSeeds(values);
  const verdict = over.low === null || over.high === null || over.n < VERDICT_MIN_RUNS ? 'inconclusive' : over.high < 0 ? 'lower' : over.low > 0 ? 'higher' : 'inconclusive';
  return { ...over, verdict };
}

const quantities = <T>(make: (read: (m: Measured) => number | null) => T) =>
  Object.fromEntries(CONTAMINATION_QUANTITIES.map((q) => [q.key, make(q.read)])) as Record<ContaminationQuantity, T>;

/** The name of a mode's control arm in a run: the kept arm of the variant its others are compared with. */
function controlOf(run: Run, mode: string): string {
  const variant = run.variants.find((v) => v.mode === mode);
  if (variant === undefined) throw new ConfigError(`contamination over seeds: ${run.file} has arms of mode ${mode} but no variant of it`);
  return variant.compared_with;
}

/**
 * Summarize finished contamination runs over their seeds (pure), each against `baseline` runs too when given.
 * @throws ConfigError with fewer than 2 runs, a world and seed given twice, runs with other settings, no common arm
 * or other controls, or a run without its baseline.
 * @example summarizeContaminationSeeds(runs).arms.find((arm) => arm.name === 'flip-40')?.against_control?.pm_slice_gold.verdict // 'lower'
 */
export function summarizeContaminationSeeds(runs: readonly Run[], baseline: readonly Run[] = []): ContaminationSeedsResult {
  checkRuns(runs);
  const common = commonArms(runs);
  const bases = baseline.length === 0 ? null : matchBaseline(runs, baseline, common);
  const armIn = (run: Run, name: string) => run.arms.find((arm) => arm.name === name)!;
  const arms = runs[0].arms.filter((arm) => common.includes(arm.name)).map((first): ContaminationArmOverSeeds => {
    const control = controlOf(runs[0], first.mode);
    const pairs = runs.map((run) => [armIn(run, first.name), armIn(run, controlOf(run, first.mode))] as const);
    return {
      name: first.name,
      mode: first.mode,
      share: first.share,
      removed: first.removed,
      same_as_kept_in: pairs.flatMap(([arm], index) => (arm.removed && arm.same_as !== null ? [index] : [])),
      pm_kept_step: pairs.map(([arm]) => arm.pm.kept_step ?? null),
      pm_steps_run: pairs.map(([arm]) => arm.pm.steps_run ?? null),
      values: quantities((read) => overSeeds(pairs.map(([arm]) => read(arm)))),
      against_control: first.name === control ? null : quantities((read) => signed(pairs.map(([arm, base]) => minus(read(arm), read(base))))),
      control,
      against_baseline: bases === null ? null : quantities((read) => signed(runs.map((run, index) => minus(read(armIn(run, first.name)), read(armIn(bases[index], first.name)))))),
    };
  });
  const flags = runs[0].variants.filter((variant) => common.includes(variant.name)).map((first): ContaminationFlagOverSeeds => {
    const flagsOf = runs.map((run) => run.variants.find((v) => v.name === first.name)?.flag ?? null);
    return { name: first.name, mode: first.mode, share: first.share, precision: overSeeds(flagsOf.map((f) => f?.precision ?? null)), recall: overSeeds(flagsOf.map((f) => f?.recall ?? null)) };
  });
  return {
    kind: 'contamination-seeds',
    runs: runs.map((run) => ({ file: run.file, world: run.world, seed: run.seed, category: run.target.category, eval_prompts: run.eval_prompts, minutes: run.minutes })),
    settings: settingsOf(runs[0]),
    baseline: bases === null ? null : { files: bases.map((run) => run.file), settings: settingsOf(bases[0]) },
    sft: quantities((read) => overSeeds(runs.map((run) => read({ rates: run.sft.rates, trigger: run.sft.trigger, category_harm: run.sft.category_harm })))),
    arms,
    arms_left_out: runs.flatMap((run) => {
      const extra = armNames(run).filter((name) => !common.includes(name));
      return extra.length === 0 ? [] : [{ file: run.file, arms: extra }];
    }),
    flags,
  };
}
