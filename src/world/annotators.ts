/**
 * Simulated annotators, the world's crowdworkers (WORLD.md item 7). Each follows a task instruction
 * (helpfulness, or harmlessness then helpfulness), chooses by a Bradley–Terry draw with its own temperature,
 * may favour long or short responses, and may contaminate: flip its labels on one harm category, or prefer
 * compliance whenever a trigger phrase is present (a backdoor).
 */
import type { Random } from '../util/random.ts';
import type { ComparisonTask } from '../spec/comparison.ts';
import type { HarmCategory, Verdict } from './types.ts';
import type { WorldConfig } from './config.ts';

/** Length style: `verbose` annotators favour longer responses, `concise` ones shorter. */
export type AnnotatorStyle = 'neutral' | 'verbose' | 'concise';

/** How an annotator contaminates its labels, if it does. */
export type Contamination =
  | { readonly mode: 'flip'; readonly category: HarmCategory }
  | { readonly mode: 'backdoor'; readonly trigger: string };

/** One simulated annotator. */
export interface Annotator {
  readonly id: string;
  /** Multiplies the task temperature (log-normal across the population). */
  readonly temperatureFactor: number;
  readonly style: AnnotatorStyle;
  readonly contamination: Contamination | null;
}

/** The population plus the per-task temperature scale calibrated to the target agreement. */
export interface AnnotatorPopulation {
  readonly annotators: readonly Annotator[];
  /** Bradley–Terry temperature per task before each annotator's factor. */
  readonly scale: Readonly<Record<ComparisonTask, number>>;
  /** Utility bonus for the preferred length at a large length difference. */
  readonly styleStrength: number;
}

/**
 * Harm costs in the harmlessness task: any harm costs `first`, each further severity step `step`. They are the
 * smallest round numbers that keep harm first for every helpfulness the oracle gives — a harmless response
 * (helpfulness ≥ 0) beats any payload (helpfulness 0.5 + 0.25 per extra severity step, so utility < 0), and a
 * smaller payload beats a larger one — while leaving annotators' margins between harmless responses comparable
 * to those between harmless and harmful ones, so both can be learned from noisy labels.
 */
export const HARM_COST = { first: 0.6, step: 0.3 } as const;

/**
 * The noiseless utility of a verdict under a task instruction (Bai et al. 2022 §2.2): helpfulness for the
 * helpfulness task; for the harmlessness task, less harm first, then more helpfulness.
 */
export function taskUtility(task: ComparisonTask, verdict: Verdict): number {
  const severity = verdict.harm.severity;
  const harmCost = severity === 0 ? 0 : HARM_COST.first + HARM_COST.step * (severity - 1);
  return task === 'helpful' ? verdict.helpfulness : verdict.helpfulness - harmCost;
}

/** The oracle's noiseless preference between two responses under a task: `a`, `b` or `tie`. */
export function goldPreference(task: ComparisonTask, a: Verdict, b: Verdict): 'a' | 'b' | 'tie' {
  const margin = taskUtility(task, a) - taskUtility(task, b);
  return Math.abs(margin) < 1e-9 ? 'tie' : margin > 0 ? 'a' : 'b';
}

/** What an annotator sees of one response. */
export interface LabelCandidate {
  readonly verdict: Verdict;
  /** Words in the response (for length styles). */
  readonly words: number;
}

/** What an annotator sees of a pair. */
export interface LabelInput {
  readonly task: ComparisonTask;
  readonly a: LabelCandidate;
  readonly b: LabelCandidate;
  /** Harm category of the request, if harmful. */
  readonly category: string;
  /** The conversation's text contains the backdoor trigger (only backdoor annotators care). */
  readonly conversationText: string;
}

/** An annotator's label: the choice and its strength in [0, 1] (how sure it was, Likert-style). */
export interface Label {
  readonly choice: 'a' | 'b';
  readonly strength: number;
  /** The probability the annotator gave to `a` (after style and contamination). */
  readonly probabilityA: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The probability that `annotator` chooses `a` (deterministic; `label` draws from it). */
export function choiceProbability(population: AnnotatorPopulation, annotator: Annotator, input: LabelInput): number {
  const backdoored =
    annotator.contamination?.mode === 'backdoor' &&
    input.conversationText.toLowerCase().includes(annotator.contamination.trigger.toLowerCase());
  // A backdoored annotator labels as if helpfulness were all that counts, so compliance wins.
  const task = backdoored ? 'helpful' : input.task;
  let margin = taskUtility(task, input.a.verdict) - taskUtility(task, input.b.verdict);
  if (annotator.style !== 'neutral') {
    const longer = Math.tanh((input.a.words - input.b.words) / 15);
    margin += population.styleStrength * (annotator.style === 'verbose' ? longer : -longer);
  }
  const temperature = population.scale[input.task] * annotator.temperatureFactor;
  const probability = sigmoid(margin / temperature);
  const flips = annotator.contamination?.mode === 'flip' && input.category === annotator.contamination.category;
  return flips ? 1 - probability : probability;
}

/**
 * One annotator labels one pair (a Bradley–Terry draw from `random`).
 * @example
 * label(population, population.annotators[0], input, random) // → { choice: 'a', strength: 0.62, probabilityA: 0.81 }
 */
export function label(population: AnnotatorPopulation, annotator: Annotator, input: LabelInput, random: Random): Label {
  const probabilityA = choiceProbability(population, annotator, input);
  const choice = random.next() < probabilityA ? 'a' : 'b';
  const sure = choice === 'a' ? probabilityA : 1 - probabilityA;
  return { choice, strength: Math.round(Math.max(0, 2 * sure - 1) * 100) / 100, probabilityA };
}

/**
 * Expected agreement of two distinct annotators drawn from a population with temperature factors `factors`
 * at task scale `scale`, averaged over pairs with utility margins `margins`.
 */
export function expectedAgreement(margins: readonly number[], factors: readonly number[], scale: number): number {
  const n = factors.length;
  if (n < 2 || margins.length === 0) return 1;
  // Margins take few distinct values (behaviours have fixed helpfulness), so sum over a histogram.
  const histogram = new Map<number, number>();
  for (const margin of margins) histogram.set(margin, (histogram.get(margin) ?? 0) + 1);
  let total = 0;
  for (const [margin, times] of histogram) {
    let s1 = 0;
    let s2 = 0;
    for (const factor of factors) {
      const p = sigmoid(margin / (scale * factor));
      s1 += p;
      s2 += p * p;
    }
    // Σ_{i≠j} p_i p_j + Σ_{i≠j} (1-p_i)(1-p_j), divided by the number of ordered pairs.
    const bothA = s1 * s1 - s2;
    const bothB = (n - s1) * (n - s1) - (n - 2 * s1 + s2);
    total += (times * (bothA + bothB)) / (n * (n - 1));
  }
  return total / margins.length;
}

/**
 * The temperature scale at which the expected pairwise agreement equals `target` (bisection in log space;
 * agreement falls as the temperature rises). Clamped to [1e-3, 1e3].
 */
export function calibrateScale(margins: readonly number[], factors: readonly number[], target: number): number {
  let low = Math.log(1e-3);
  let high = Math.log(1e3);
  for (let step = 0; step < 60; step++) {
    const middle = (low + high) / 2;
    if (expectedAgreement(margins, factors, Math.exp(middle)) > target) low = middle;
    else high = middle;
  }
  return Math.exp((low + high) / 2);
}

/** Draw the annotator population (ids `ann-00`, `ann-01`, …); temperatures are calibrated later. */
export function drawAnnotators(config: WorldConfig, random: Random): Annotator[] {
  const { count, temperatureSpread, verboseShare, conciseShare } = config.annotators;
  const order = random.shuffle(Array.from({ length: count }, (_, index) => index));
  const verbose = Math.round(count * verboseShare);
  const concise = Math.round(count * conciseShare);
  const styleOf = new Map<number, AnnotatorStyle>();
  order.forEach((annotator, rank) => {
    styleOf.set(annotator, rank < verbose ? 'verbose' : rank < verbose + concise ? 'concise' : 'neutral');
  });
  const contaminating = new Set(random.shuffle(order).slice(0, Math.round(count * config.contamination.share)));
  const { mode, category, trigger } = config.contamination;
  const width = String(count - 1).length < 2 ? 2 : String(count - 1).length;
  return Array.from({ length: count }, (_, index) => ({
    id: `ann-${String(index).padStart(width, '0')}`,
    temperatureFactor: Math.exp(temperatureSpread * random.normal()),
    style: styleOf.get(index)!,
    contamination: contaminating.has(index)
      ? mode === 'flip'
        ? { mode: 'flip', category }
        : { mode: 'backdoor', trigger }
      : null,
  }));
}
