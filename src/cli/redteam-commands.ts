/**
 * `hhrl redteam run|grade|strategies` — red-team a target on public suites and grade response files.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { STRATEGIES, STRATEGY_IDS, isStrategyId } from '../attacks/index.ts';
import { ConfigError } from '../spec/errors.ts';
import type { StrategyId } from '../spec/strategy.ts';
import { COMBINE_RULES, type CombineRule } from '../redteam/graders/compose.ts';
import { GRADER_KINDS, gradersFromSpec } from '../redteam/graders/grader-spec.ts';
import { gradeFile } from '../redteam/grade-file.ts';
import { runRedteam } from '../redteam/runner/runner.ts';
import { renderReportTable } from '../redteam/runner/report-table.ts';
import { writeReviewQueue } from '../redteam/runner/report-disagreements.ts';
import { loadSuites, parseSuiteSpecs, SUITE_KINDS } from '../redteam/suites/index.ts';
import { targetFromSpec } from '../redteam/targets/target-spec.ts';
import { checkpointDigest } from '../redteam/targets/checkpoint-digest.ts';
import { interruptible } from './interrupt.ts';
import { positiveInteger, wholeNumber } from './number-options.ts';
import { DRIVER_MAX_TURNS } from '../train/rollout/driven-attacks.ts';

function finiteNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number)) throw new InvalidArgumentError('expected a number');
  return number;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Parse `--strategies`: a comma list of ids, or `all`. */
export function parseStrategyList(text: string): StrategyId[] {
  if (text.trim() === 'all') return [...STRATEGY_IDS];
  const ids = text.split(',').map((id) => id.trim()).filter((id) => id !== '');
  for (const id of ids) if (!isStrategyId(id)) throw new ConfigError(`unknown strategy "${id}"; expected one of ${STRATEGY_IDS.join(', ')} or all`);
  if (ids.length === 0) throw new ConfigError('--strategies needs at least one strategy');
  return ids as StrategyId[];
}

interface EndpointOptions {
  baseUrl?: string;
  apiKeyEnv?: string;
  header?: string[];
  timeoutMs?: number;
  maxRetries?: number;
  targetConcurrency?: number;
  maxTokens?: number;
  temperature?: number;
  systemPrompt?: string;
  judgeModel?: string;
  judgeBaseUrl?: string;
  judgeApiKeyEnv?: string;
  judgeConcurrency?: number;
  world?: string;
  pm?: string;
  grader: string;
  combine: CombineRule;
}

function addGraderOptions(command: Command): Command {
  return command
    .option('--grader <list>', `graders, comma-separated: ${Object.keys(GRADER_KINDS).join(', ')}`, 'refusal')
    .addOption(new Option('--combine <rule>', 'how several graders combine').choices(Object.keys(COMBINE_RULES)).default('any'))
    .option('--judge-model <name>', 'model of the LLM judge')
    .option('--judge-base-url <url>', 'OpenAI-compatible base URL of the judge (…/v1)')
    .option('--judge-api-key-env <name>', 'environment variable holding the judge API key')
    .option('--judge-concurrency <n>', 'requests in flight to the judge (default: --concurrency)', positiveInteger)
    .option('--world <dir>', 'world folder for --grader world')
    .option('--pm <dir>', 'preference-model checkpoint for --grader harm');
}

function graders(options: EndpointOptions & { concurrency: number }) {
  return gradersFromSpec(options.grader, options.combine, {
    model: options.judgeModel,
    baseUrl: options.judgeBaseUrl,
    apiKeyEnv: options.judgeApiKeyEnv,
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
    concurrency: options.judgeConcurrency ?? options.concurrency,
  }, { worldDir: options.world, pmDir: options.pm });
}

interface RunFlags extends EndpointOptions {
  target: string;
  suite: string;
  strategies: string;
  out: string;
  concurrency: number;
  resume: boolean;
  retryErrors: boolean;
  seed: number;
  maxTurns: number;
  limit?: number;
  promptCol?: string;
  categoryCol?: string;
  idCol?: string;
  expectedCol?: string;
  reviewOut?: string;
}

interface GradeFlags extends EndpointOptions {
  input: string;
  promptCol: string;
  responseCol: string;
  idCol?: string;
  out: string;
  concurrency: number;
}

/**
 * The flags of `redteam run` that change its results, besides those the runner records itself (target id,
 * suites, strategies, grader, seed, turns): a resume with any of them different is refused, naming the flag.
 * Null means the flag was left at its default.
 */
function resultSettings(o: RunFlags): Record<string, unknown> {
  const checkpoint = o.target.startsWith('hhrl:') ? checkpointDigest(o.target.slice('hhrl:'.length)) : null;
  const flags = {
    '--base-url': o.baseUrl, 'checkpoint sha256': checkpoint, '--max-tokens': o.maxTokens, '--temperature': o.temperature,
    '--system-prompt': o.systemPrompt, '--limit': o.limit, '--prompt-col': o.promptCol, '--category-col': o.categoryCol,
    '--id-col': o.idCol, '--expected-col': o.expectedCol, '--grader': o.grader, '--combine': o.combine,
    '--judge-model': o.judgeModel, '--judge-base-url': o.judgeBaseUrl, '--world': o.world, '--pm': o.pm,
  };
  return Object.fromEntries(Object.entries(flags).map(([name, value]) => [name, value ?? null]));
}

function registerRun(group: Command): void {
  const run = group
    .command('run')
    .description('attack a target with strategies on suites; write results.jsonl, report.json, report.html')
    .requiredOption('--target <spec>', 'openai:MODEL (with --base-url) or hhrl:DIR')
    .requiredOption('--suite <specs>', `KIND:PATH[,KIND:PATH…]; kinds: ${Object.keys(SUITE_KINDS).join(', ')}`)
    .option('--strategies <list>', `comma list or "all": ${STRATEGY_IDS.join(', ')}`, 'direct')
    .requiredOption('--out <dir>', 'run folder')
    .option('--concurrency <n>', 'attempts in flight', positiveInteger, 8)
    .option('--resume', 'continue the run in --out without repeating finished attempts', false)
    .option('--retry-errors', 'with --resume: run errored attempts again', false)
    .option('--seed <n>', 'seed of strategy wording', wholeNumber, 0)
    .option('--max-turns <n>', 'turn limit of multi-turn strategies (crescendo)', positiveInteger, DRIVER_MAX_TURNS)
    .option('--limit <n>', 'use only the first N items of each suite', positiveInteger)
    .option('--base-url <url>', 'OpenAI-compatible base URL, up to /v1')
    .option('--api-key-env <name>', 'environment variable holding the API key')
    .option('--header <name: value>', 'extra HTTP header (repeatable)', collect)
    .option('--timeout-ms <n>', 'per-request timeout', positiveInteger)
    .option('--max-retries <n>', 'retries on 429/5xx/timeouts', wholeNumber)
    .option('--target-concurrency <n>', 'requests in flight to the target (default: --concurrency)', positiveInteger)
    .option('--max-tokens <n>', 'max_tokens per reply', positiveInteger)
    .option('--temperature <t>', 'sampling temperature', finiteNumber)
    .option('--system-prompt <text>', 'system message sent before each conversation')
    .option('--prompt-col <name>', 'csv/jsonl suites: prompt column')
    .option('--category-col <name>', 'csv/jsonl suites: category column')
    .option('--id-col <name>', 'csv/jsonl suites: id column (default: row number)')
    .option('--expected-col <name>', 'csv/jsonl suites: column saying safe/unsafe')
    .option('--review-out <file>', 'write the attempts where the graders disagree to FILE (.jsonl, or .csv) for human review');
  addGraderOptions(run).action(async (o: RunFlags) => {
    const strategies = parseStrategyList(o.strategies);
    const specs = parseSuiteSpecs(o.suite);
    let items = loadSuites(specs, { promptColumn: o.promptCol, categoryColumn: o.categoryCol, idColumn: o.idCol, expectedColumn: o.expectedCol });
    if (o.limit !== undefined) {
      const seen = new Map<string, number>();
      items = items.filter((item) => {
        const count = (seen.get(item.suite) ?? 0) + 1;
        seen.set(item.suite, count);
        return count <= o.limit!;
      });
    }
    const target = targetFromSpec(o.target, {
      baseUrl: o.baseUrl, apiKeyEnv: o.apiKeyEnv, headers: o.header, timeoutMs: o.timeoutMs, maxRetries: o.maxRetries,
      concurrency: o.targetConcurrency ?? o.concurrency, maxTokens: o.maxTokens, temperature: o.temperature, seed: o.seed, systemPrompt: o.systemPrompt,
    });
    const { refusal, main } = graders(o);
    const settings = resultSettings(o);
    const bar = new SingleBar({ stream: process.stderr, format: 'redteam {bar} {value}/{total} attempts | {eta}s left', hideCursor: true });
    bar.start(items.length * strategies.length, 0);
    const result = await interruptible(
      (signal) =>
        runRedteam({
          outDir: o.out, items, suiteSpecs: o.suite.split(','), strategies, target, refusalGrader: refusal, mainGrader: main,
          concurrency: o.concurrency, seed: o.seed, maxTurns: o.maxTurns, resume: o.resume, retryErrors: o.retryErrors, settings,
          signal, onProgress: (done) => bar.update(done),
        }),
      { message: 'stopping after the attempts in flight (Ctrl-C again to quit now; --resume continues)', signals: ['SIGINT'] },
    ).finally(() => bar.stop());
    process.stdout.write(`${renderReportTable(result.report)}\n`);
    if (o.reviewOut !== undefined) process.stdout.write(`${writeReviewQueue(result.rows, o.reviewOut)} attempts where the graders disagree written to ${o.reviewOut}\n`);
    process.stdout.write(`${result.ran} attempts run now; ${result.rows.length} in ${o.out}/results.jsonl${result.complete ? '' : ' (incomplete: rerun with --resume)'}\n`);
  });
}

function registerGrade(group: Command): void {
  const grade = group
    .command('grade')
    .description('label an existing CSV/JSONL of responses; each output line has the row id and its refusal label')
    .requiredOption('--input <file>', 'CSV or JSONL file')
    .requiredOption('--prompt-col <name>', 'prompt column')
    .requiredOption('--response-col <name>', 'response column')
    .option('--id-col <name>', 'id column (default: "id" when present, else the row number)')
    .requiredOption('--out <file>', 'output JSONL')
    .option('--concurrency <n>', 'rows graded at once (matters for the judge)', positiveInteger, 8)
    .option('--timeout-ms <n>', 'judge request timeout', positiveInteger)
    .option('--max-retries <n>', 'judge retries', wholeNumber);
  addGraderOptions(grade).action(async (o: GradeFlags) => {
    const { refusal, main } = graders(o);
    const { lines, counts } = await gradeFile({
      input: o.input, promptColumn: o.promptCol, responseColumn: o.responseCol, idColumn: o.idCol,
      refusalGrader: refusal, mainGrader: main, out: o.out, concurrency: o.concurrency,
    });
    const summary = Object.entries(counts).map(([label, count]) => `${label} ${count}`).join(', ');
    process.stdout.write(`${o.out}: ${lines.length} rows graded (${summary})\n`);
  });
}

/** Register `hhrl redteam …`. */
export function registerRedteamCommands(program: Command): void {
  const group = program.command('redteam').description('red-team a model: suites × strategies → target → graders → report');
  registerRun(group);
  registerGrade(group);
  group
    .command('graders')
    .description('list the graders (for --grader) and the combine rules (for --combine)')
    .action(() => {
      for (const [name, kind] of Object.entries(GRADER_KINDS)) process.stdout.write(`${name.padEnd(20)} ${kind.description}\n`);
      for (const [rule, meaning] of Object.entries(COMBINE_RULES)) process.stdout.write(`--combine ${rule.padEnd(10)} ${meaning}\n`);
    });
  group
    .command('strategies')
    .description('list the attack strategies')
    .action(() => {
      for (const id of STRATEGY_IDS) process.stdout.write(`${id.padEnd(20)} ${STRATEGIES[id].kind.padEnd(9)} ${STRATEGIES[id].description}\n`);
    });
}
