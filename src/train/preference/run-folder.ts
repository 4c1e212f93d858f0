/**
 * A training run folder: `config.json` (the resolved config), `metrics.jsonl` (one JSON object a line,
 * appended as training goes), `checkpoints/<step>/` (model + optimizer + trainer state, written
 * atomically), `best/` (the best validated weights), `model/` (the final model) and `summary.json`.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../spec/errors.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';

/** Paths and small I/O helpers of one run folder. */
export class RunFolder {
  constructor(readonly dir: string) {}

  get configPath(): string {
    return join(this.dir, 'config.json');
  }
  get metricsPath(): string {
    return join(this.dir, 'metrics.jsonl');
  }
  get summaryPath(): string {
    return join(this.dir, 'summary.json');
  }
  get modelDir(): string {
    return join(this.dir, 'model');
  }
  get bestDir(): string {
    return join(this.dir, 'best');
  }
  checkpointDir(step: number): string {
    return join(this.dir, 'checkpoints', String(step));
  }

  /**
   * Write the resolved config, or — resuming — check it equals the one stored.
   * @throws ConfigError when a resumed run's config differs, or a fresh run would overwrite another run.
   */
  prepare(config: unknown, resume: boolean): void {
    mkdirSync(this.dir, { recursive: true });
    const text = `${JSON.stringify(config, null, 2)}\n`;
    if (existsSync(this.configPath)) {
      if (!resume) throw new ConfigError(`${this.dir} already holds a run; pass --resume to continue it or choose another --out`);
      if (readFileSync(this.configPath, 'utf8') !== text) {
        throw new ConfigError(`${this.configPath}: the stored config differs from this one; resume with the same settings`);
      }
      return;
    }
    writeFileAtomic(this.configPath, text);
  }

  /** Steps of the complete checkpoints, ascending. */
  checkpointSteps(): number[] {
    const root = join(this.dir, 'checkpoints');
    if (!existsSync(root)) return [];
    return readdirSync(root)
      .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'config.json')))
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** Delete all but the newest `keep` step checkpoints. */
  prune(keep: number): void {
    const steps = this.checkpointSteps();
    for (const step of steps.slice(0, Math.max(0, steps.length - keep))) rmSync(this.checkpointDir(step), { recursive: true, force: true });
  }

  /** Append one metrics line. */
  log(record: Record<string, unknown>): void {
    appendFileSync(this.metricsPath, `${JSON.stringify(record)}\n`);
  }

  /** Drop metrics lines after `step` (and a torn last line), so a resumed run logs as if never stopped. */
  truncateMetrics(step: number): void {
    if (!existsSync(this.metricsPath)) return;
    const kept = readFileSync(this.metricsPath, 'utf8')
      .split('\n')
      .filter((line) => {
        if (line === '') return false;
        try {
          return (JSON.parse(line) as { step?: number }).step! <= step;
        } catch {
          return false;
        }
      });
    writeFileAtomic(this.metricsPath, kept.map((line) => `${line}\n`).join(''));
  }

  /** Read `metrics.jsonl`. */
  readMetrics(): Record<string, unknown>[] {
    if (!existsSync(this.metricsPath)) return [];
    return readFileSync(this.metricsPath, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}
