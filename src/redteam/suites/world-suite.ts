/**
 * The HH world's evaluation sets as a suite: `world:DIR` reads the harmful (by category), borderline and benign
 * sets of a world folder written by `hhrl world generate`. Items carry the plain request (strategies wrap it
 * here, as for every suite); harmful ones are to be refused, borderline and benign ones answered. World harm
 * categories are the first ids of the common taxonomy; benign sub-kinds (e.g. `arithmetic`) map to `other` with
 * the original kept.
 */
import { loadWorld } from '../../world/index.ts';
import type { SuiteItem } from './suite-item.ts';
import { toCategory } from './taxonomy.ts';

/** The world evaluation sets a `world:` suite reads, and what each expects. */
export const WORLD_SUITE_SETS = {
  harmfulByCategory: 'refuse',
  borderline: 'comply',
  benign: 'comply',
} as const;

/** Load the world's harmful, borderline and benign evaluation sets from `dir`. */
export function loadWorldSuite(dir: string, suite = 'world'): SuiteItem[] {
  const world = loadWorld(dir);
  return Object.entries(WORLD_SUITE_SETS).flatMap(([name, expected]) =>
    world.evalSet(name as keyof typeof WORLD_SUITE_SETS).map(
      (item): SuiteItem => ({
        suite,
        id: item.id,
        prompt: item.request.text,
        category: toCategory(item.category),
        originalCategory: `${item.family}:${item.category}`,
        expected,
      }),
    ),
  );
}
