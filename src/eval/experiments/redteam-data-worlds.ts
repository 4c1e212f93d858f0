/**
 * The two worlds of the red-team-data experiment, regenerated from the given one: both with the same attacked share of
 * harmful RL prompts, one whose red-team (harmlessness) comparisons keep every harmful prompt plain (`plain`) and one
 * whose comparisons write a share of them as attacks (`attacked`). The world draws attacks from streams of their own
 * after a pair is built, so the two hold the same requests, responses and labels and differ only in the attacked
 * prompts — which {@link compareRedteamWorlds} checks, file by file, before anything is trained on them.
 */
import { parseWorldConfig, type LoadedWorld, type WorldConfig } from '../../world/index.ts';
import { diffComparisons, ensureWorldAt, type ComparisonDiff } from './contamination-worlds.ts';
import type { RedteamDataConfig } from './redteam-data-config.ts';

/** The two worlds' names (their folders under `worlds/` and the arms' under `arms/`). */
export const REDTEAM_WORLDS = ['plain', 'attacked'] as const;

/** One of the two worlds. */
export type RedteamWorld = (typeof REDTEAM_WORLDS)[number];

/** The config of `base` with the experiment's attacked RL prompts, and attacked red-team comparisons for `attacked`. */
export function redteamWorldConfig(base: WorldConfig, config: Pick<RedteamDataConfig, 'attackShare' | 'strategies' | 'poolAttackShare'>, world: RedteamWorld): WorldConfig {
  return parseWorldConfig(
    {
      ...base,
      comparisons: { ...base.comparisons, attackShare: world === 'attacked' ? config.attackShare : 0, attackStrategies: config.strategies },
      pools: { ...base.pools, attackShare: config.poolAttackShare, attackStrategies: config.strategies },
    },
    `red-team data world ${world}`,
  );
}

/** The world `world` of the experiment in `dir`, generated when missing (see `ensureWorldAt`). */
export function ensureRedteamWorld(base: LoadedWorld, config: RedteamDataConfig, world: RedteamWorld, dir: string): LoadedWorld {
  return ensureWorldAt(redteamWorldConfig(base.config, config, world), dir, `${base.dir}'s with ${world} red-team comparisons`);
}

/** How many red-team comparisons write their harmful prompt as an attack, by split and strategy. */
export interface AttackedCounts {
  /** Harmlessness-task comparisons of harmful requests, train and test. */
  readonly harmful: Readonly<Record<'train' | 'test', number>>;
  /** Of those, the attacked ones by strategy. */
  readonly by_strategy: Readonly<Record<'train' | 'test', Readonly<Record<string, number>>>>;
}

/** Count a world's attacked red-team comparisons (`strategy` in their metadata). */
export function attackedCounts(world: LoadedWorld): AttackedCounts {
  const count = (split: 'train' | 'test') => {
    const harmful = world.comparisonMeta('harmless', split).filter((meta) => meta.family === 'harmful');
    const byStrategy: Record<string, number> = {};
    for (const meta of harmful) if (meta.strategy !== undefined) byStrategy[meta.strategy] = (byStrategy[meta.strategy] ?? 0) + 1;
    return { harmful: harmful.length, byStrategy };
  };
  const [train, test] = [count('train'), count('test')];
  return { harmful: { train: train.harmful, test: test.harmful }, by_strategy: { train: train.byStrategy, test: test.byStrategy } };
}

/** What the two worlds share and where they differ. */
export interface RedteamWorldCheck {
  /** Files other than the comparisons and `world.json` that differ (none: same corpus, SFT data, RL prompts, evaluation sets). */
  readonly other_files_differ: readonly string[];
  /** Pair by pair: pairs whose conversation differs (the attacked ones), and same pairs labelled differently. */
  readonly comparisons: ComparisonDiff;
  /** Comparisons the attacked world writes as attacks. */
  readonly attacked: number;
}

/**
 * Compare the two worlds from their manifests' file hashes and their comparisons pair by pair.
 * @throws Error when they differ beyond the attacked prompts (the experiment would compare more than the red-team data).
 */
export function compareRedteamWorlds(plain: LoadedWorld, attacked: LoadedWorld): RedteamWorldCheck {
  const hashes = (world: LoadedWorld) => new Map(world.manifest.files.map((file) => [file.path, file.sha256]));
  const [a, b] = [hashes(plain), hashes(attacked)];
  const other = [...new Set([...a.keys(), ...b.keys()])].filter((path) => !path.startsWith('comparisons/') && a.get(path) !== b.get(path)).sort();
  const comparisons = diffComparisons(plain, attacked);
  const counts = attackedCounts(attacked);
  const total = Object.values(counts.by_strategy.train).reduce((sum, n) => sum + n, 0) + Object.values(counts.by_strategy.test).reduce((sum, n) => sum + n, 0);
  if (other.length > 0 || comparisons.primary_labels_differ > 0 || comparisons.different_pairs !== total) {
    throw new Error(
      `red-team data worlds ${plain.dir} and ${attacked.dir} differ beyond the attacked prompts: files ${other.join(', ') || 'none'}, ` +
        `${comparisons.different_pairs} pairs differ against ${total} attacked, ${comparisons.primary_labels_differ} labels differ`,
    );
  }
  return { other_files_differ: other, comparisons, attacked: total };
}
