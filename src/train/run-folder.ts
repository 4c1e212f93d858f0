/**
 * Run folders (`runs/<name>/`): `config.json`, append-only `metrics.jsonl`, `checkpoints/<step>/`.
 * Checkpoints are written atomically; on resume, metric lines past the checkpoint (or cut short by a
 * kill) are dropped so the log reads as if the run had never stopped.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, ConfigError } from '../spec/errors.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';

/** One run folder. */
export class RunFolder {
  constructor(readonly dir: string) {}

  get metricsPath(): string {
    return join(this.dir, 'metrics.jsonl');
  }

  get checkpointsDir(): string {
    return join(this.dir, 'checkpoints');
  }

  /** Folder of the checkpoint at `step`. */
  checkpointDir(step: number): string {
    return join(this.checkpointsDir, String(step).padStart(8, '0'));
  }

  /** Steps of the finished checkpoints, ascending (staging folders are ignored). */
  checkpointSteps(): number[] {
    if (!existsSync(this.checkpointsDir)) return [];
    return readdirSync(this.checkpointsDir)
      .filter((name) => /^\d+$/.test(name) && existsSync(join(this.checkpointsDir, name, 'config.json')))
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** The newest checkpoint folder, or undefined. */
  latestCheckpoint(): { step: number; dir: string } | undefined {
    const steps = this.checkpointSteps();
    if (steps.length === 0) return undefined;
    const step = steps[steps.length - 1];
    return { step, dir: this.checkpointDir(step) };
  }

  /**
   * Prepare the folder: a fresh run refuses a folder that already has checkpoints (unless `resume`);
   * a resumed run must find its `config.json`. Writes `config.json` for fresh runs.
   */
  start(config: unknown, resume: boolean): void {
    const configPath = join(this.dir, 'config.json');
    if (resume) {
      if (!existsSync(configPath)) throw new ConfigError(`${this.dir}: nothing to resume (no config.json)`);
      return;
    }
    if (this.checkpointSteps().length > 0) {
      throw new ConfigError(`${this.dir} already holds a run; pass --resume to continue it or choose another --out`);
    }
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(configPath, `${JSON.stringify(config, null, 2)}\n`);
    rmSync(this.metricsPath, { force: true });
  }

  /** The saved `config.json` (for resuming with the same settings). */
  savedConfig(): unknown {
    return JSON.parse(readFileSync(join(this.dir, 'config.json'), 'utf8'));
  }

  /** Keep only well-formed metric lines with `step` ≤ `step` (after a kill, before resuming). */
  truncateMetrics(step: number): void {
    if (!existsSync(this.metricsPath)) return;
    const kept: string[] = [];
    for (const line of readFileSync(this.metricsPath, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        const row = JSON.parse(line) as { step?: number };
        if (typeof row.step === 'number' && row.step <= step) kept.push(line);
      } catch {
        // a line cut short by a kill
      }
    }
    writeFileAtomic(this.metricsPath, kept.map((line) => `${line}\n`).join(''));
  }

  /** Append one metrics row. */
  logMetrics(row: Record<string, unknown>): void {
    mkdirSync(this.dir, { recursive: true });
    appendFileSync(this.metricsPath, `${JSON.stringify(row)}\n`);
  }

  /** Remove all but the newest `keep` checkpoints. */
  pruneCheckpoints(keep: number): void {
    const steps = this.checkpointSteps();
    for (const step of steps.slice(0, Math.max(0, steps.length - keep))) rmSync(this.checkpointDir(step), { recursive: true, force: true });
  }
}

/**
 * Resolve a model path: a checkpoint folder; a run folder's `model/` (the best-validated weights, as
 * `pm train` writes); or a run folder's newest checkpoint.
 */
export function resolveModelDir(path: string): string {
  const isCheckpoint = (dir: string) => existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'model.safetensors'));
  if (isCheckpoint(path)) return path;
  if (isCheckpoint(join(path, 'model'))) return join(path, 'model');
  const latest = new RunFolder(path).latestCheckpoint();
  if (latest === undefined) throw new CheckpointError(`${path}: neither a checkpoint nor a run folder with model/ or checkpoints/`);
  return latest.dir;
}
