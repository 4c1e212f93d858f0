/**
 * The KL penalty's coefficient and its controller (Ziegler et al. 2019 §2.2): a fixed λ_KL, or an adaptive one
 * that moves λ_KL so the observed KL(π‖π₀) tracks a target. The settings are defined here once; every RL
 * method's config (`rl-config.ts`) takes them as they are. Controllers are pure: state in, state out.
 */
import { z } from 'zod';

/** The controller kinds. */
export const KL_CONTROLS = ['fixed', 'adaptive'] as const;

/** KL-penalty settings of every RL method (flat, so the CLI generates one flag per field). */
export const KlSettingsSchema = z.object({
  klCoef: z.number().min(0).default(0.05).describe('λ_KL of r = r_PM − λ_KL·KL(π‖π₀) per token (initial value when adaptive)'),
  klControl: z.enum(KL_CONTROLS).default('fixed').describe('fixed λ_KL or adaptive toward klTarget (Ziegler et al. 2019)'),
  klTarget: z.number().positive().default(6).describe('adaptive: target KL(π‖π₀) per response, in nats'),
  klHorizon: z.number().positive().default(10_000).describe('adaptive: horizon H (samples); λ moves by a factor 1 + e·n/H per batch of n samples'),
});

/** KL-penalty settings (see `KlSettingsSchema`). */
export type KlSettings = z.infer<typeof KlSettingsSchema>;

/** One controller: the next λ_KL given the current one and the KL measured on a batch of `samples`. */
export type KlController = (klCoef: number, observedKl: number, samples: number, settings: Pick<KlSettings, 'klTarget' | 'klHorizon'>) => number;

/** Controllers by kind. */
export const KL_CONTROLLERS: Readonly<Record<KlSettings['klControl'], KlController>> = {
  fixed: (klCoef) => klCoef,
  /** e = clip(KL/KL_target − 1, −0.2, 0.2); λ ← λ·(1 + e·n/H) (Ziegler et al. 2019 §2.2). */
  adaptive: (klCoef, observedKl, samples, settings) => {
    const error = Math.min(0.2, Math.max(-0.2, observedKl / settings.klTarget - 1));
    return klCoef * (1 + (error * samples) / settings.klHorizon);
  },
};

/** The next λ_KL. */
export function nextKlCoef(settings: Pick<KlSettings, 'klControl' | 'klTarget' | 'klHorizon'>, klCoef: number, observedKl: number, samples: number): number {
  return KL_CONTROLLERS[settings.klControl](klCoef, observedKl, samples, settings);
}
