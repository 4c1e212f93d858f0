/**
 * The preference-model run folder: the shared training layout (`config.json`, `metrics.jsonl`,
 * `checkpoints/<step>/`, see `train/run-folder.ts`) plus `best/` (the best validated weights so far),
 * `model/` (the kept model) and `summary.json` (written last: the run is complete).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from '../../spec/errors.ts';
import { RunFolder } from '../run-folder.ts';

/** A PM run folder. */
export class PmRunFolder extends RunFolder {
  get summaryPath(): string {
    return join(this.dir, 'summary.json');
  }
  get modelDir(): string {
    return join(this.dir, 'model');
  }
  /** The best validated weights found at `step` (one folder per improvement, so a resumed run finds the best it knew). */
  bestDir(step: number): string {
    return join(this.dir, 'best', String(step).padStart(8, '0'));
  }

  /**
   * Delete best-weights folders no kept checkpoint refers to, and older than `current` (the best step now).
   * Each checkpoint's `trainer.json` names the best step it knew (`best.step`).
   */
  pruneBest(current: number | null): void {
    const root = join(this.dir, 'best');
    if (!existsSync(root)) return;
    const referenced = new Set<number>(current === null ? [] : [current]);
    for (const step of this.checkpointSteps()) {
      const path = join(this.checkpointDir(step), 'trainer.json');
      if (!existsSync(path)) continue;
      const best = (JSON.parse(readFileSync(path, 'utf8')) as { best?: { step?: number } | null }).best;
      if (typeof best?.step === 'number') referenced.add(best.step);
    }
    for (const name of readdirSync(root)) {
      if (/^\d+$/.test(name) && !referenced.has(Number(name))) rmSync(join(root, name), { recursive: true, force: true });
    }
  }

  /**
   * Start fresh (writing `config.json`) or, with `resume` and a stored config, check it equals `config`.
   * Returns whether the run resumes.
   * @throws ConfigError when a resumed run's config differs, or a fresh run would overwrite one.
   */
  prepare(config: unknown, resume: boolean): boolean {
    if (resume && existsSync(join(this.dir, 'config.json'))) {
      if (!isDeepStrictEqual(this.savedConfig(), JSON.parse(JSON.stringify(config)))) {
        throw new ConfigError(`${this.dir}/config.json: the stored config differs from this one; resume with the same settings`);
      }
      return true;
    }
    if (existsSync(this.summaryPath)) throw new ConfigError(`${this.dir} already holds a finished run; choose another --out`);
    this.start(config, false);
    return false;
  }
}
