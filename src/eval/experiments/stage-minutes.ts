/**
 * Wall time of each stage of a resumable experiment, summed over every process that worked on it and kept in
 * `stage-minutes.json` of its folder (rewritten atomically after each stage, so a killed run keeps what it spent).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { readJsonFile } from '../../util/json-input.ts';

/** Runs a stage and adds its minutes to the stage's total. */
export type StageTimer = <T>(stage: string, work: () => Promise<T>) => Promise<T>;

/**
 * The timer of the experiment in `dir` and its totals so far (the object the timer updates).
 * @throws DataFormatError when `stage-minutes.json` there is not an object of numbers.
 * @example
 * const { timed, minutes } = stageTimer('runs/frontier');
 * await timed('sft/eval', () => evaluate());
 */
export function stageTimer(dir: string): { timed: StageTimer; minutes: Record<string, number> } {
  const path = join(dir, 'stage-minutes.json');
  const minutes: Record<string, number> = existsSync(path) ? { ...readJsonFile(path, z.record(z.string(), z.number()), 'an object of stage → minutes') } : {};
  const timed: StageTimer = async (stage, work) => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      minutes[stage] = (minutes[stage] ?? 0) + (performance.now() - started) / 60000;
      writeFileAtomic(path, `${JSON.stringify(minutes, null, 2)}\n`);
    }
  };
  return { timed, minutes };
}

/**
 * The minutes of every stage together (what a result's `minutes` reports).
 * @example totalMinutes({ lm: 3.2, sft: 0.9 }) // 4.1
 */
export function totalMinutes(minutes: Readonly<Record<string, number>>): number {
  return Object.values(minutes).reduce((a, b) => a + b, 0);
}
