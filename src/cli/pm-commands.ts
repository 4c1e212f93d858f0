/**
 * `hhrl pm train|eval|score` — train a preference model on comparisons, evaluate it (accuracy, gold
 * accuracy, calibration; JSON and HTML), and score transcripts with it. Data SPECs: see `data/specs/preference-pairs.ts`
 * (`world:DIR[:TASK][:SPLIT]`, `store:DB[:TASK][:SPLIT]`, `[file:]PATH[:TASK][:SPLIT]`).
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { GPT_SIZES } from '../model/gpt-config.ts';
import { ConfigError, DataFormatError } from '../spec/errors.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { evaluatePreferenceModel, type PmEvalReport } from '../eval/pm-eval.ts';
import { renderPmReportHtml } from '../report/pm-report.ts';
import { PmTrainConfigSchema, parsePmTrainConfig, type PmTrainConfigInput } from '../train/preference/pm-config.ts';
import { loadPairs } from '../data/specs/preference-pairs.ts';
import { PreferenceScorer, responseTranscript } from '../train/preference/pm-scorer.ts';
import { trainPreferenceModel, type PmProgress, type PmSummary } from '../train/preference/pm-trainer.ts';
import { trainWithPmp } from '../train/preference/pmp.ts';
import { sigmoid } from '../eval/calibration.ts';
import { logNote, progressBar } from './progress.ts';
import { interruptible } from './interrupt.ts';

const DATA_HELP = 'data SPEC (repeatable): world:DIR[:helpful|harmless|both][:train|test], store:DB[:TASK][:SPLIT] (DB: SQLite file or postgres:// URL), online:DIR[:TASK][:SPLIT] (hhrl online collect), or [file:]PATH.jsonl[.gz][:TASK][:train|test|all]';
const describe = (field: keyof typeof PmTrainConfigSchema.shape) => PmTrainConfigSchema.shape[field].description ?? field;

const collect = (value: string, previous: string[] = []) => [...previous, value];
const number = (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new InvalidArgumentError('expected a number');
  return parsed;
};

/** `helpful=1,harmless=2` → `{ helpful: 1, harmless: 2 }`. */
export function parseMix(text: string): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const part of text.split(',')) {
    const match = /^(helpful|harmless)=(\d+(?:\.\d+)?)$/.exec(part.trim());
    if (!match) throw new InvalidArgumentError(`expected TASK=WEIGHT[,TASK=WEIGHT] with TASK helpful or harmless, got "${part}"`);
    mix[match[1]] = Number(match[2]);
  }
  return mix;
}

interface TrainFlags {
  data: string[];
  out: string;
  config?: string;
  size?: string;
  steps?: number;
  batchPairs?: number;
  learningRate?: number;
  context?: number;
  tokenizer?: 'bpe' | 'bytes';
  vocabSize?: number;
  seed?: number;
  mix?: Record<string, number>;
  marginScale?: number;
  validationShare?: number;
  evalEvery?: number;
  patience?: number | 'null';
  keep?: 'best' | 'last';
  init?: string;
  pmpData?: string[];
  pmpSteps?: number;
  resume?: boolean;
  strict?: boolean;
}

/**
 * The settings stated by `--config FILE` overlaid with explicit flags, checked but before defaults: a resumed run
 * compares only these with its saved settings (`train/common/resume-rule.ts`).
 * @throws ConfigError naming every bad field.
 */
export function trainConfigFromFlags(flags: TrainFlags): PmTrainConfigInput {
  let base: Record<string, unknown> = {};
  if (flags.config !== undefined) {
    try {
      base = JSON.parse(readFileSync(flags.config, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new DataFormatError(flags.config, undefined, `expected a JSON config (${(error as Error).message})`);
    }
  }
  const section = (name: string) => ({ ...((base[name] as Record<string, unknown> | undefined) ?? {}) });
  const model = section('model');
  const tokenizer = section('tokenizer');
  const optimizer = section('optimizer');
  if (flags.size !== undefined) model.size = flags.size;
  if (flags.context !== undefined) model.context = flags.context;
  if (flags.tokenizer !== undefined) tokenizer.kind = flags.tokenizer;
  if (flags.vocabSize !== undefined) tokenizer.vocabSize = flags.vocabSize;
  if (flags.learningRate !== undefined) optimizer.learningRate = flags.learningRate;
  const scalar = { steps: flags.steps, batchPairs: flags.batchPairs, seed: flags.seed, mix: flags.mix, marginScale: flags.marginScale,
    validationShare: flags.validationShare, evalEvery: flags.evalEvery, patience: flags.patience === 'null' ? null : flags.patience, keep: flags.keep, initFrom: flags.init };
  const overrides = Object.fromEntries(Object.entries(scalar).filter(([, value]) => value !== undefined));
  const stated = { ...base, ...overrides, model, tokenizer, optimizer };
  parsePmTrainConfig(stated);
  return stated as PmTrainConfigInput;
}

/** A progress bar over the run's steps (a resumed run's saved ones), shown from its first step. */
function progressReporter(label: string) {
  let bar: ReturnType<typeof progressBar> | undefined;
  let validation = '';
  return {
    update(progress: PmProgress) {
      bar ??= progressBar(label, progress.steps, ['loss', 'acc', 'val', 'pairs/s']);
      if (progress.validation) validation = `${(100 * progress.validation.accuracy).toFixed(1)}%`;
      bar.update(progress.step, { loss: progress.loss.toFixed(3), acc: progress.accuracy.toFixed(2), val: validation, 'pairs/s': progress.pairsPerSecond.toFixed(0) });
    },
    stop: () => bar?.stop(),
  };
}

function printSummary(out: string, summary: PmSummary): void {
  const validation = summary.validation === null ? 'no validation' : `validation accuracy ${(100 * summary.validation.accuracy).toFixed(1)}% (loss ${summary.validation.loss.toFixed(4)}, ${summary.validation.pairs} pairs)`;
  process.stdout.write(
    `${out}: ${summary.parameters.toLocaleString('en')} parameters, ${summary.stepsRun} steps${summary.stoppedEarly ? ' (stopped early)' : ''}, kept step ${summary.keptStep}; ${validation}; ` +
      `${summary.trainPairs} train pairs, ${summary.seconds.toFixed(1)} s, ${summary.pairsPerSecond.toFixed(0)} pairs/s\n`,
  );
}

function printReport(report: PmEvalReport): void {
  const percent = (value: number | null) => (value === null ? '—' : `${(100 * value).toFixed(1)}%`);
  const ci = report.ci95 === null ? '' : ` (95% CI ${percent(report.ci95[0])}–${percent(report.ci95[1])})`;
  process.stdout.write(`${report.n} comparisons: accuracy ${percent(report.accuracy)}${ci}, gold accuracy ${percent(report.gold_accuracy)}, ECE ${report.ece.toFixed(4)}\n`);
  process.stdout.write(`baselines: chance 50.0%, longer wins ${percent(report.baselines.longer_wins)}, shorter wins ${percent(report.baselines.shorter_wins)}\n`);
  for (const [task, slice] of Object.entries(report.by_task)) {
    process.stdout.write(`  ${task.padEnd(10)} n ${String(slice.n).padStart(6)}  accuracy ${percent(slice.accuracy).padStart(6)}  gold ${percent(slice.gold_accuracy).padStart(6)}\n`);
  }
}

/** `pm score` input rows: `text`, or `prompt`/`conversation` + `response`, or `chosen` + `rejected`. */
async function scoreFile(scorer: PreferenceScorer, input: string): Promise<string[]> {
  const lines = readFileSync(input, 'utf8').split('\n').filter((line) => line.trim() !== '');
  const rows = lines.map((line, index) => {
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      throw new DataFormatError(input, index + 1, `expected one JSON object per line (${(error as Error).message})`);
    }
    const record = row as Record<string, unknown>;
    const isText = (key: string) => typeof record[key] === 'string';
    if (isText('chosen') && isText('rejected')) return { record, texts: [record.chosen as string, record.rejected as string] };
    if (isText('text')) return { record, texts: [record.text as string] };
    const conversation = record.conversation ?? record.prompt;
    if (isText('response') && (typeof conversation === 'string' || Array.isArray(conversation))) {
      return { record, texts: [responseTranscript({ conversation: conversation as string, response: record.response as string })] };
    }
    throw new DataFormatError(input, index + 1, 'expected {"text"}, {"prompt" or "conversation", "response"} or {"chosen", "rejected"}');
  });
  const scores = await scorer.scoreTexts(rows.flatMap((row) => row.texts));
  let next = 0;
  return rows.map(({ record, texts }) => {
    if (texts.length === 2) {
      const [chosen, rejected] = [scores[next++], scores[next++]];
      return JSON.stringify({ ...record, score_chosen: chosen, score_rejected: rejected, p_chosen: sigmoid(chosen - rejected) });
    }
    return JSON.stringify({ ...record, score: scores[next++] });
  });
}

/** `hhrl pm train`: one run, or PMP then fine-tuning with --pmp-data. */
function registerPmTrain(pm: Command): void {
  pm.command('train')
    .description('Train a preference model (GPT + scalar head, Bradley–Terry loss); writes config.json, metrics.jsonl, checkpoints/, model/, summary.json')
    .requiredOption('--data <spec>', DATA_HELP, collect)
    .requiredOption('--out <dir>', 'run folder')
    .option('--config <file>', 'JSON config (see PmTrainConfigSchema); flags override it')
    .addOption(new Option('--size <size>', describe('model')).choices(Object.keys(GPT_SIZES)))
    .option('--steps <n>', describe('steps'), number)
    .option('--batch-pairs <n>', describe('batchPairs'), number)
    .option('--learning-rate <lr>', 'peak learning rate', number)
    .option('--context <n>', 'tokens per sequence (left-truncated)', number)
    .addOption(new Option('--tokenizer <kind>', 'bpe (trained on the data) or bytes').choices(['bpe', 'bytes']))
    .option('--vocab-size <n>', 'BPE vocabulary size', number)
    .option('--seed <n>', describe('seed'), number)
    .option('--mix <weights>', `${describe('mix')}: helpful=W,harmless=W`, parseMix)
    .option('--margin-scale <x>', describe('marginScale'), number)
    .option('--validation-share <x>', describe('validationShare'), number)
    .option('--eval-every <n>', describe('evalEvery'), number)
    .option('--patience <n>', describe('patience'), (value: string) => (value === 'null' ? value : number(value)))
    .addOption(new Option('--keep <which>', describe('keep')).choices(['best', 'last']))
    .option('--init <dir>', describe('initFrom'))
    .option('--pmp-data <spec>', 'preference-model pretraining data (repeatable); trains <out>/pmp first, then fine-tunes', collect)
    .option('--pmp-steps <n>', 'PMP steps', number, 300)
    .option('--resume', 'continue the run in --out from its newest checkpoint')
    .option('--strict', 'stop at the first unreadable data row instead of skipping it')
    .action(async (flags: TrainFlags) => {
      const config = trainConfigFromFlags(flags);
      const { pairs, skipped } = await loadPairs(flags.data, { strict: flags.strict });
      if (skipped.count > 0) process.stderr.write(`hhrl: skipped ${skipped.count} unreadable rows, e.g. ${skipped.examples[0]}\n`);
      process.stderr.write(`${pairs.length} training comparisons from ${flags.data.join(', ')}\n`);
      if (flags.pmpData !== undefined) {
        const pmpPairs = (await loadPairs(flags.pmpData, { strict: flags.strict })).pairs;
        const bars = { pmp: progressReporter('pmp'), finetune: progressReporter('pm') };
        const result = await trainWithPmp(config, pmpPairs, pairs, { pmpSteps: flags.pmpSteps!, runDir: flags.out, resume: flags.resume, log: logNote, onProgress: (stage, progress) => bars[stage].update(progress) });
        bars.pmp.stop();
        bars.finetune.stop();
        printSummary(`${flags.out}/pmp`, result.pmp.summary);
        printSummary(flags.out, result.finetuned.summary);
        return;
      }
      const bar = progressReporter('pm');
      const { summary } = await interruptible((signal) =>
        trainPreferenceModel(config, pairs, { runDir: flags.out, resume: flags.resume, signal, log: logNote, onProgress: (progress) => bar.update(progress) }),
      );
      bar.stop();
      printSummary(flags.out, summary);
    });
}

/** `hhrl pm eval`: accuracy, breakdowns and calibration of a PM on comparisons. */
function registerPmEval(pm: Command): void {
  pm.command('eval')
    .description('Accuracy (labels and, on world data, gold), 95% CI, breakdowns, calibration (ECE); JSON and optional HTML report')
    .requiredOption('--model <dir>', 'PM checkpoint or pm train run folder')
    .requiredOption('--data <spec>', DATA_HELP, collect)
    .option('--json <file>', 'write the report JSON here')
    .option('--html <file>', 'write an HTML report with a reliability diagram')
    .option('--bins <n>', 'reliability bins', number, 10)
    .action(async (flags: { model: string; data: string[]; json?: string; html?: string; bins: number }) => {
      const scorer = PreferenceScorer.load(flags.model);
      const { pairs } = await loadPairs(flags.data);
      if (pairs.length === 0) throw new ConfigError(`no comparisons in ${flags.data.join(', ')}`);
      const report = await evaluatePreferenceModel(scorer, pairs, flags.bins);
      await scorer.release();
      if (flags.json !== undefined) writeFileAtomic(flags.json, `${JSON.stringify(report, null, 2)}\n`);
      if (flags.html !== undefined) writeFileAtomic(flags.html, await renderPmReportHtml(report, { model: flags.model, data: flags.data }));
      printReport(report);
    });
}

/** `hhrl pm score`: score JSONL rows with a PM. */
function registerPmScore(pm: Command): void {
  pm.command('score')
    .description('Score JSONL rows: {"text"} → score; {"prompt"|"conversation","response"} → score; {"chosen","rejected"} → both and p_chosen')
    .requiredOption('--model <dir>', 'PM checkpoint or pm train run folder')
    .requiredOption('--input <file>', 'JSONL input')
    .option('--out <file>', 'write JSONL here (default: stdout)')
    .action(async (flags: { model: string; input: string; out?: string }) => {
      const scorer = PreferenceScorer.load(flags.model);
      const lines = await scoreFile(scorer, flags.input);
      await scorer.release();
      const text = lines.map((line) => `${line}\n`).join('');
      if (flags.out === undefined) process.stdout.write(text);
      else writeFileAtomic(flags.out, text);
    });
}

/** Register `hhrl pm …`. */
export function registerPmCommands(program: Command): void {
  const pm = program.command('pm').description('Preference models (Bai et al. 2022 §3): train, evaluate, score');
  registerPmTrain(pm);
  registerPmEval(pm);
  registerPmScore(pm);
}
