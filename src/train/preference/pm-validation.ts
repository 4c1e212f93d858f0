/**
 * What a PM run holds out and how it is judged: the seeded validation split, the fingerprint of both halves
 * (kept in every checkpoint, so a resume on other data is refused), and the host-side twin of the loss that
 * scores the held-out pairs (mean −log σ(Δr) and accuracy).
 */
import type { PreferencePair } from '../../data/specs/preference-pairs.ts';
import { Random } from '../../util/random.ts';
import { dataFingerprint } from '../common/fingerprint.ts';
import type { PmTrainConfig } from './pm-config.ts';

/** Validation result: mean loss −log σ(Δr) and accuracy (Δr > 0) over the validation pairs. */
export interface ValidationResult {
  readonly loss: number;
  readonly accuracy: number;
  readonly pairs: number;
}

/** The pairs a run trains on and the ones it validates on. */
export interface PmSplit {
  readonly train: readonly PreferencePair[];
  readonly validation: readonly PreferencePair[];
}

/** Host-side twin of the loss: mean −log σ(Δr) and accuracy over scored pairs. */
export function pairLossAndAccuracy(chosen: ArrayLike<number>, rejected: ArrayLike<number>): ValidationResult {
  let loss = 0;
  let right = 0;
  for (let i = 0; i < chosen.length; i++) {
    const delta = chosen[i] - rejected[i];
    loss += delta > 0 ? Math.log1p(Math.exp(-delta)) : -delta + Math.log1p(Math.exp(delta)); // −log σ(Δ), stable
    if (delta > 0) right++;
  }
  return { loss: loss / Math.max(1, chosen.length), accuracy: right / Math.max(1, chosen.length), pairs: chosen.length };
}

/** Split off the validation pairs (seeded), unless given. */
export function splitValidation(config: PmTrainConfig, train: readonly PreferencePair[], given: readonly PreferencePair[] | undefined): PmSplit {
  if (given !== undefined) return { train: [...train], validation: given.slice(0, config.maxValidationPairs) };
  const count = Math.min(config.maxValidationPairs, Math.floor(train.length * config.validationShare));
  const order = new Random(config.seed).fork('validation-split').shuffle(train.map((_, index) => index));
  const held = new Set(order.slice(0, count));
  return { train: train.filter((_, index) => !held.has(index)), validation: order.slice(0, count).sort((a, b) => a - b).map((index) => train[index]) };
}

/**
 * The fingerprint of what a PM run learns from: for both halves of the split, in order, every pair's id, task,
 * strength (the margin reads it) and both transcripts.
 */
export function splitFingerprint(split: PmSplit): string {
  const rows = (pairs: readonly PreferencePair[]) => pairs.map((pair) => `${pair.id}\u0000${pair.task}\u0000${pair.strength}\u0000${pair.chosen}\u0000${pair.rejected}`);
  return dataFingerprint([dataFingerprint(rows(split.train)), dataFingerprint(rows(split.validation))]);
}
