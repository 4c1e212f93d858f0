/**
 * KL coefficient controllers (Ziegler et al. 2019 §2.2): a fixed λ_KL, or an adaptive one that moves
 * λ_KL so the observed KL(π‖π₀) tracks a target. Controllers are pure: state in, state out.
 */
import { z } from 'zod';

/** Controller settings. */
export const KlControlSchema = z
  .object({
    kind: z.enum(['fixed', 'adaptive']).default('fixed').describe('fixed λ_KL, or adaptive toward klTarget (Ziegler et al. 2019)'),
    klTarget: z.number().positive().default(6).describe('adaptive: target KL(π‖π₀) in nats per response'),
    horizon: z.number().positive().default(10_000).describe('adaptive: horizon H; λ moves by a factor 1 + e·n/H per batch of n samples'),
  })
  .strict();

/** Controller settings (see `KlControlSchema`). */
export type KlControl = z.infer<typeof KlControlSchema>;

/** One controller: the next λ_KL given the current one and the KL measured on a batch of `samples`. */
export type KlController = (klCoef: number, observedKl: number, samples: number, control: KlControl) => number;

/** Controllers by kind. */
export const KL_CONTROLLERS: Readonly<Record<KlControl['kind'], KlController>> = {
  fixed: (klCoef) => klCoef,
  /** e = clip(KL/KL_target − 1, −0.2, 0.2); λ ← λ·(1 + e·n/H) (Ziegler et al. 2019 §2.2). */
  adaptive: (klCoef, observedKl, samples, control) => {
    const error = Math.min(0.2, Math.max(-0.2, observedKl / control.klTarget - 1));
    return klCoef * (1 + (error * samples) / control.horizon);
  },
};

/** The next λ_KL. */
export function nextKlCoef(control: KlControl, klCoef: number, observedKl: number, samples: number): number {
  return KL_CONTROLLERS[control.kind](klCoef, observedKl, samples, control);
}
