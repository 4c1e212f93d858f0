/**
 * What the experiments' end-to-end tests share: a small world in a temporary folder (removed after the file's
 * tests) and the toy sizes of π₀, a PM and PPO on it. Their rates mean nothing; their folders have every shape a
 * full run's have.
 */
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateWorld, resolveWorldConfig, writeWorld } from '../../src/world/index.ts';

/** A small world (seed 3) under a fresh temporary folder `root`, at `root/world`. */
export function toyWorld(prefix: string): { root: string; worldDir: string } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const worldDir = join(root, 'world');
  writeWorld(generateWorld(resolveWorldConfig(3, 'small')), worldDir);
  after(() => rmSync(root, { recursive: true, force: true }));
  return { root, worldDir };
}

/** Toy sizes of the stages every experiment trains: a tiny GPT, a few steps each, 3 prompts per evaluation set. */
export const TOY_STAGES = {
  seed: 1,
  lmSize: 'tiny',
  vocabSize: 300,
  lmSteps: 20,
  sftSteps: 10,
  pmSteps: 10,
  ppoSteps: 2,
  ppoBatch: 8,
  evalPerSet: 3,
  evalMaxNewTokens: 24,
  maxNewTokens: 16,
} as const;
