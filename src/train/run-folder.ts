/**
 * Run folders (`runs/<name>/`): `config.json`, append-only `metrics.jsonl`, `checkpoints/<step>/`.
 * Checkpoints are written atomically; on resume, metric lines past the checkpoint (or cut short by a
 * kill) are dropped so the log reads as if the run had never stopped. A folder is only ever written by
 * the command that made it: `--out` at a checkpoint, a world or any other non-empty folder is refused
 * before anything in it is renamed, overwritten or deleted.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CheckpointError, ConfigError, DataFormatError } from '../spec/errors.ts';
import { leftoverOf, recoverFolder, writeFileAtomic } from '../util/atomic-write.ts';
import { jsonLines, parseJsonValue, readJsonFile } from '../util/json-input.ts';

/** What one command's run folder holds. */
export interface RunKind<T> {
  /** The command as a user types it after `hhrl` (e.g. `lm train`), for messages. */
  readonly command: string;
  /** Schema of the run's `config.json`: a folder whose config.json does not match is another command's. */
  readonly config: z.ZodType<T>;
  /** Names the command writes besides `config.json`, `metrics.jsonl`, `checkpoints/` and `summary.json`. */
  readonly entries?: readonly string[];
}

const COMMON_ENTRIES = ['config.json', 'metrics.jsonl', 'checkpoints', 'summary.json'];
const MetricRowSchema = z.looseObject({ step: z.number() });
const METRIC_ROW = 'a metrics row: a JSON object with a numeric "step"';
const AnyObject = z.looseObject({});

/** One run folder; `kind` (needed by {@link RunFolder.start}) says which command's. */
export class RunFolder<T = Record<string, unknown>> {
  constructor(
    readonly dir: string,
    readonly kind?: RunKind<T>,
    /** Where the folder reports what it cleaned up after a kill (the CLI prints it on stderr). */
    private readonly log: (message: string) => void = () => {},
  ) {}

  /** The run's settings, written when it starts. */
  get configPath(): string {
    return join(this.dir, 'config.json');
  }

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
   * Prepare the folder: refuse a folder that is not this command's run folder (before touching
   * anything in it), clean up what a kill left (staging folders, temp files, `.old-*` folders; logged),
   * then: a fresh run refuses a folder that already has checkpoints (unless `resume`) and writes
   * `config.json`; a resumed run must find its `config.json`.
   * @throws ConfigError or DataFormatError (naming the file) for a folder this run must not write.
   */
  start(config: T, resume: boolean): void {
    this.claim();
    if (resume) {
      if (!existsSync(this.configPath)) throw new ConfigError(`${this.dir}: nothing to resume (no config.json)`);
      return;
    }
    if (this.checkpointSteps().length > 0) {
      throw new ConfigError(`${this.dir} already holds a run; pass --resume to continue it or choose another --out`);
    }
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(this.configPath, `${JSON.stringify(config, null, 2)}\n`);
    rmSync(this.metricsPath, { force: true });
  }

  /** Refuse a folder of anything but this command's runs; then clean up after a kill. */
  private claim(): void {
    const kind = this.requireKind();
    if (!existsSync(this.dir)) return;
    if (!statSync(this.dir).isDirectory()) throw new ConfigError(`${this.dir} is a file, not a run folder of hhrl ${kind.command}; choose another --out`);
    const allowed = new Set([...COMMON_ENTRIES, ...(kind.entries ?? [])]);
    // a kill's leftovers count as what they were for (`.config.json.12.0.tmp` is config.json's)
    const foreign = readdirSync(this.dir).filter((name) => !allowed.has(leftoverOf(name) ?? name));
    if (foreign.length > 0) {
      throw new ConfigError(
        `${this.dir} is not a run folder of hhrl ${kind.command} (it holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}); choose another --out`,
      );
    }
    if (existsSync(this.configPath)) this.savedConfig();
    for (const note of recoverFolder(this.dir)) this.log(note);
    for (const name of readdirSync(this.dir)) for (const note of recoverFolder(join(this.dir, name))) this.log(note);
  }

  private requireKind(): RunKind<T> {
    if (this.kind === undefined) throw new TypeError(`RunFolder ${this.dir}: a run kind is needed to write it`);
    return this.kind;
  }

  /**
   * The saved `config.json` (for resuming with the same settings), checked against the command's schema
   * (without a kind: any JSON object).
   * @throws DataFormatError naming the file when it is missing, not JSON, or another command's.
   */
  savedConfig(): T {
    const expected = this.kind === undefined ? 'a run config (a JSON object)' : `the config.json of an hhrl ${this.kind.command} run`;
    return readJsonFile(this.configPath, (this.kind?.config ?? AnyObject) as z.ZodType<T>, expected);
  }

  /**
   * The rows of `metrics.jsonl`. A last line without its newline that is not JSON was cut short by a
   * kill and is left out; any other malformed line is an error.
   * @throws DataFormatError naming the file and line.
   */
  metricRows(): Record<string, unknown>[] {
    if (!existsSync(this.metricsPath)) return [];
    return this.metricLines(readFileSync(this.metricsPath, 'utf8')).map(({ row }) => row);
  }

  private metricLines(text: string): { raw: string; row: Record<string, unknown> }[] {
    const lines = jsonLines(text);
    const rows: { raw: string; row: Record<string, unknown> }[] = [];
    for (const [index, { line, text: raw }] of lines.entries()) {
      const cutShort = index === lines.length - 1 && !text.endsWith('\n') && !isJson(raw);
      if (!cutShort) rows.push({ raw, row: parseJsonValue(this.metricsPath, line, raw, MetricRowSchema, METRIC_ROW) });
    }
    return rows;
  }

  /**
   * Keep only the metric rows with `step` ≤ `step`, byte for byte (after a kill, before resuming); a file with
   * nothing to drop is left untouched.
   */
  truncateMetrics(step: number): void {
    if (!existsSync(this.metricsPath)) return;
    const text = readFileSync(this.metricsPath, 'utf8');
    const kept = this.metricLines(text).filter(({ row }) => (row.step as number) <= step);
    const truncated = kept.map(({ raw }) => `${raw}\n`).join('');
    if (truncated !== text) writeFileAtomic(this.metricsPath, truncated);
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

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A checkpoint's `trainer.json` checked against the trainer's schema.
 * @throws DataFormatError naming the file when it is missing or does not match.
 */
export function trainerState<S>(checkpointDir: string, schema: z.ZodType<S>, expected: string): S {
  return readJsonFile(join(checkpointDir, 'trainer.json'), schema, expected);
}

/** Rethrow a ConfigError from re-validating a run's saved settings as a DataFormatError naming its config.json. */
export function savedSettings<C>(run: RunFolder<unknown>, parse: () => C): C {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ConfigError) throw new DataFormatError(run.configPath, undefined, `expected this run's settings (${error.message})`, { cause: error });
    throw error;
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
