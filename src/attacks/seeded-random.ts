/**
 * Seeded uniform sources for strategies, built on the project's generator (`src/util/random.ts`): a string key
 * (e.g. `seed|suite|item|strategy`) always gives the same stream, so an attempt re-run on resume draws the same
 * wording it drew the first time, whatever order the attempts run in.
 */
import type { UniformSource } from '../spec/strategy.ts';
import { Random } from '../util/random.ts';

/**
 * A uniform source in [0, 1) determined by `key` alone.
 * @example
 * const random = seededUniform('7|advbench|12|roleplay');
 * random(); // the same value on every run
 */
export function seededUniform(key: string | number): UniformSource {
  return new Random(key).uniform();
}

/** Pick one of `options` with a draw from `random` (the first when `random` returns 0). */
export function pick<T>(options: readonly T[], random: UniformSource): T {
  if (options.length === 0) throw new RangeError('pick: no options');
  const index = Math.min(options.length - 1, Math.floor(random() * options.length));
  return options[index];
}
