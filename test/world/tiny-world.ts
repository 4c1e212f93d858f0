/**
 * Test helper: overrides that shrink a `small` world so it builds in about a second while every path (all
 * families, both tasks and splits, every evaluation set) still gets exercised.
 */
import type { WorldConfigOverrides } from '../../src/world/config.ts';

/** A reduced `small` world: counts still large enough to exercise every path. */
export const TINY_WORLD_OVERRIDES = {
  corpus: { dialogues: 300 },
  sft: { train: 100, test: 40 },
  comparisons: { helpful: { train: 150, test: 50 }, harmless: { train: 150, test: 50 } },
  pools: { train: 80, test: 40 },
  eval: { perCategory: 3, perStrategy: 4, borderline: 10, benign: 10, ambiguous: 10 },
} satisfies WorldConfigOverrides;
