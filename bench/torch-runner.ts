/**
 * Runs the PyTorch side of the engine benchmark (`bench/torch_gpt.py`) with Debian's `/usr/bin/python3` and returns
 * its measurements, typed. Returns null (and logs how to install PyTorch) where Python or `import torch` is missing.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DataFormatError, HhrlError } from '../src/spec/errors.ts';

/** The command that installs the PyTorch the benchmark expects (Debian's, with a threaded OpenBLAS). */
export const TORCH_INSTALL_HINT = 'apt-get install python3-torch libopenblas0-pthread';

/** Debian's Python, which is the one `apt-get install python3-torch` installs PyTorch for. */
export const DEFAULT_PYTHON = '/usr/bin/python3';

/** The benchmark script shipped next to this file. */
export const TORCH_SCRIPT = fileURLToPath(new URL('./torch_gpt.py', import.meta.url));

const measureConfig = z.looseObject({
  torch_threads: z.number().int().positive().describe('torch.set_num_threads value'),
  openblas_threads: z.string().describe('OPENBLAS_NUM_THREADS the process ran with ("unset" if none)'),
});

const best = z.object({
  tokens_per_s: z.number().positive().describe('the best median tokens/s over all configurations'),
  config: measureConfig.describe('the configuration that reached it'),
});

const run = z.looseObject({
  measure: z.enum(['train', 'generate']).describe('which measurement'),
  config: measureConfig.describe('threads and variant of this run'),
  tokens_per_s: z.number().positive().describe('median over timed windows (train) or runs (generate)'),
});

/** The JSON `bench/torch_gpt.py --json FILE` writes. Extra fields are kept. */
export const TorchResultSchema = z.looseObject({
  torch_version: z.string().describe('torch.__version__'),
  params: z.number().int().describe('parameter count of the reference GPT (867,072)'),
  train: best.describe('training tokens/s: B*T per full step (forward, backward, clip, AdamW)'),
  generate: best.describe('generation tokens/s: batch 16, 64 new tokens with a KV cache, multinomial sampling'),
  runs: z.array(run).min(1).describe('every raw measurement, one per configuration and variant'),
});

/** Typed PyTorch benchmark result. */
export type TorchResult = z.infer<typeof TorchResultSchema>;

/** Options of {@link runTorchBench}. */
export interface TorchBenchOptions {
  /** Fewer repetitions (passes `--quick`). */
  quick: boolean;
  /** Python interpreter to use; defaults to {@link DEFAULT_PYTHON}. */
  python?: string;
  /** Benchmark script; defaults to {@link TORCH_SCRIPT}. */
  script?: string;
  /** Measure only this torch thread count in one process (passes `--threads`); default: every configuration. */
  threads?: number;
  /** Extra environment for the Python process (e.g. `OPENBLAS_NUM_THREADS` together with `threads`). */
  env?: Record<string, string>;
  /** Kill the benchmark after this many milliseconds; default 30 minutes. */
  timeoutMs?: number;
  /** Where notices go (missing PyTorch); default: stderr. */
  log?: (line: string) => void;
}

const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;

/**
 * Parse and validate the benchmark's JSON.
 * @throws DataFormatError naming `source` and what was expected.
 */
export function parseTorchResult(text: string, source: string): TorchResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DataFormatError(source, undefined, `expected JSON from ${TORCH_SCRIPT}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = TorchResultSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new DataFormatError(source, undefined, `field ${field}: ${issue.message}`);
  }
  return parsed.data;
}

/** Whether `path` is an executable file. */
function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

interface ProcessOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run `file args` without a shell and collect its output; never rejects on a non-zero exit. */
function runProcess(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code === 'string') {
        reject(new HhrlError(`could not start ${file}: ${error.message}`, { cause: error }));
        return;
      }
      const code = error ? ((error.code as number | undefined) ?? null) : 0;
      resolve({ code, signal: error?.signal ?? null, stdout, stderr });
    });
  });
}

/** Last lines of a process's error output, for an error message. */
function tail(text: string, lines = 12): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Probe that `python` can `import torch`; resolves to its version, or to null with the reason.
 */
export async function probeTorch(python: string): Promise<{ version: string } | { version: null; reason: string }> {
  if (!isExecutable(python)) return { version: null, reason: `${python} is not an executable file` };
  const outcome = await runProcess(python, ['-c', 'import torch; print(torch.__version__)'], process.env, 60_000);
  if (outcome.code !== 0) {
    return { version: null, reason: `${python} cannot import torch: ${tail(outcome.stderr, 1) || `exit ${outcome.code}`}` };
  }
  return { version: outcome.stdout.trim() };
}

/**
 * Run the PyTorch benchmark of the reference GPT and return its measurements, or null where PyTorch is not installed.
 * @throws HhrlError when the script fails; DataFormatError when its JSON is malformed.
 * @example
 *   const torch = await runTorchBench({ quick: true });
 *   if (torch) console.log(torch.train.tokens_per_s, torch.generate.tokens_per_s);
 */
export async function runTorchBench(options: TorchBenchOptions): Promise<TorchResult | null> {
  const python = options.python ?? DEFAULT_PYTHON;
  const script = options.script ?? TORCH_SCRIPT;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const probe = await probeTorch(python);
  if (probe.version === null) {
    log(`PyTorch benchmark skipped: ${probe.reason}. Install it with: ${TORCH_INSTALL_HINT}`);
    return null;
  }
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
    throw new HhrlError(`threads must be an integer >= 1, got ${options.threads}`);
  }
  const folder = mkdtempSync(join(tmpdir(), 'hhrl-torch-bench-'));
  try {
    const jsonPath = join(folder, 'torch.json');
    const args = [script, '--json', jsonPath];
    if (options.quick) args.push('--quick');
    if (options.threads !== undefined) args.push('--threads', String(options.threads));
    const env = { ...process.env, ...options.env };
    const outcome = await runProcess(python, args, env, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (outcome.code !== 0) {
      const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with ${outcome.code}`;
      throw new HhrlError(`${python} ${script} ${how}:\n${tail(outcome.stderr)}`);
    }
    let text: string;
    try {
      text = readFileSync(jsonPath, 'utf8');
    } catch (error) {
      throw new DataFormatError(jsonPath, undefined, `expected ${script} to write its results here`, { cause: error });
    }
    return parseTorchResult(text, jsonPath);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
