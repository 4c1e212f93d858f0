/**
 * The red-team runner: items × strategies → target → graders → `results.jsonl`, `report.json`, `report.html`.
 * Attempts run concurrently; each finished row is appended at once, so a killed run loses at most the attempts in
 * flight, and `resume` runs only what is missing. Per-attempt random streams are keyed by seed and attempt key, so
 * a resumed run sends the same attacks as an uninterrupted one.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatTarget } from '../../spec/chat-target.ts';
import { ConfigError } from '../../spec/errors.ts';
import type { Grader } from '../../spec/grader.ts';
import type { StrategyId } from '../../spec/strategy.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import type { SuiteItem } from '../suites/suite-item.ts';
import { attemptKey, attemptRow, runAttempt, type AttemptRow } from './attempt.ts';
import { buildReport, type RedteamReport } from './report.ts';
import { renderReportHtml } from './report-html.ts';
import { openResults, readResults, rewriteResults } from './results-file.ts';
import { checkResumable, inspectRunFolder, itemsDigest, RUN_COMMAND, type RunConfig } from './run-folder.ts';
import { acquireRunLock } from './run-lock.ts';

/** Everything one run needs. */
export interface RedteamRunOptions {
  readonly outDir: string;
  readonly items: readonly SuiteItem[];
  /** The suite specs as given (recorded in config.json; resume checks them). */
  readonly suiteSpecs: readonly string[];
  readonly strategies: readonly StrategyId[];
  readonly target: ChatTarget;
  readonly refusalGrader: Grader;
  readonly mainGrader: Grader;
  readonly concurrency: number;
  readonly seed: number;
  readonly maxTurns: number;
  /**
   * Settings outside these options that change results, by flag name (max tokens, temperature, system prompt,
   * base URL, checkpoint digest, judge model, `--limit`, …); a resume with any of them different is refused.
   */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Continue a run in `outDir` instead of refusing to touch it. */
  readonly resume: boolean;
  /** With resume: run errored attempts again (their rows are replaced). */
  readonly retryErrors: boolean;
  /** Stop starting new attempts when aborted (in-flight ones finish and are written). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

/** What a run returns. */
export interface RedteamRunResult {
  readonly report: RedteamReport;
  readonly rows: readonly AttemptRow[];
  /** Attempts run by this call (not counting ones found done on resume). */
  readonly ran: number;
  /** True when every planned attempt has a row. */
  readonly complete: boolean;
}

/** Run (or resume) a red-team evaluation. */
export async function runRedteam(options: RedteamRunOptions): Promise<RedteamRunResult> {
  if (!(options.concurrency >= 1)) throw new ConfigError(`concurrency must be at least 1, got ${options.concurrency}`);
  const resultsPath = join(options.outDir, 'results.jsonl');
  const configPath = join(options.outDir, 'config.json');
  const config: RunConfig = {
    command: RUN_COMMAND,
    target: options.target.id,
    suites: [...options.suiteSpecs],
    strategies: [...options.strategies],
    grader: options.mainGrader.id,
    seed: options.seed,
    max_turns: options.maxTurns,
    items_sha256: itemsDigest(options.items),
    settings: options.settings ?? {},
    concurrency: options.concurrency,
  };

  // 1) what is done already; the folder is checked before anything in it is written, and held while we write
  const state = inspectRunFolder(options.outDir, options.resume);
  mkdirSync(options.outDir, { recursive: true });
  const lock = acquireRunLock(options.outDir);
  try {
    let done: AttemptRow[] = [];
    if (state === 'resume') {
      checkResumable(configPath, config);
      done = readResults(resultsPath);
      if (options.retryErrors && done.some((row) => row.error !== null)) {
        done = done.filter((row) => row.error === null);
        rewriteResults(resultsPath, done);
      }
    }
    writeFileAtomic(configPath, `${JSON.stringify(config, null, 2)}\n`);
    return await runPending(options, done, resultsPath);
  } finally {
    lock.release();
  }
}

async function runPending(options: RedteamRunOptions, done: AttemptRow[], resultsPath: string): Promise<RedteamRunResult> {
  // 2) what is left
  const finished = new Set(done.map((row) => row.key));
  const plan = options.items.flatMap((item) => options.strategies.map((strategy) => ({ item, strategy })));
  const pending = plan.filter(({ item, strategy }) => !finished.has(attemptKey(item, strategy)));

  // 3) run with a worker pool, appending each row as it finishes
  const rows = [...done];
  const appender = openResults(resultsPath);
  let next = 0;
  let ran = 0;
  const context = {
    target: options.target,
    refusalGrader: options.refusalGrader,
    mainGrader: options.mainGrader,
    seed: options.seed,
    maxTurns: options.maxTurns,
  };
  const worker = async () => {
    while (next < pending.length && options.signal?.aborted !== true) {
      const { item, strategy } = pending[next++];
      let row: AttemptRow;
      try {
        row = await runAttempt(item, strategy, context);
      } catch (error) {
        row = attemptRow(item, strategy, { error: `unexpected failure: ${(error as Error).message}` });
      }
      appender.append(row);
      rows.push(row);
      ran++;
      options.onProgress?.(rows.length, plan.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, Math.max(1, pending.length)) }, worker));
  } finally {
    appender.close();
  }

  // 4) report over every row of the run, in plan order
  const order = new Map(plan.map(({ item, strategy }, index) => [attemptKey(item, strategy), index]));
  rows.sort((a, b) => (order.get(a.key) ?? Infinity) - (order.get(b.key) ?? Infinity));
  const report = buildReport(rows);
  writeFileAtomic(join(options.outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileAtomic(join(options.outDir, 'report.html'), renderReportHtml(report, rows, { target: options.target.id, suites: [...options.suiteSpecs] }));
  return { report, rows, ran, complete: rows.length >= plan.length };
}
