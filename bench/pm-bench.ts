/**
 * Preference-model training speed, hhrl against PyTorch in the same sitting (issue 4, item 7).
 *
 *   npm run bench:pm -- [--json FILE] [--windows N] [--quick] [--no-torch]
 *
 * Model: the reference trunk of ARCHITECTURE.md (vocab 256, 4 layers, d_model 128, 4 heads, context 64) with
 * the sequence-scalar head; a step is B = 16 comparisons as one batch of 32 right-padded sequences of length
 * 64 (real lengths 32–64), loss −log σ(r_c − r_r), backward, clip, AdamW — one fused ONNX graph in hhrl,
 * eager PyTorch in `bench/torch_pm.py` (same shapes and optimizer). Reports the median pairs/s of timed
 * windows after warm-up, and the 1-minute load average around each side (2-core machine: numbers are
 * noisy when other work runs).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as E from '../src/engine/index.ts';
import { gptParamSpecs } from '../src/model/gpt.ts';
import { GPT_SIZES, parseGptConfig } from '../src/model/gpt-config.ts';
import { pmBatchSpec, pmLoss } from '../src/train/preference/pm-loss.ts';
import { writeFileAtomic } from '../src/util/atomic-write.ts';
import { Random } from '../src/util/random.ts';
import { DEFAULT_PYTHON } from './torch-runner.ts';

const { values } = parseArgs({
  options: { json: { type: 'string' }, windows: { type: 'string', default: '7' }, quick: { type: 'boolean', default: false }, 'no-torch': { type: 'boolean', default: false } },
});
const PAIRS = 16;
const LENGTH = 64;
const windows = values.quick ? 3 : Number(values.windows);
const stepsPerWindow = values.quick ? 5 : 20;
const warmup = values.quick ? 3 : 10;

async function measureHhrl(): Promise<{ params: number; pairsPerSecond: number; windows: number[]; lossFirst: number; lossLast: number; load: number[] }> {
  const config = parseGptConfig({ vocabSize: 256, ...GPT_SIZES.reference });
  const layout = new E.ParamLayout(gptParamSpecs(config, { sequenceScalar: true }));
  const optimizer = E.AdamWConfigSchema.parse({ learningRate: 3e-4, beta1: 0.9, beta2: 0.95, weightDecay: 0.1, clipNorm: 1, totalSteps: 1_000_000 });
  const trainer = new E.GraphTrainer(layout, pmBatchSpec(PAIRS, LENGTH), pmLoss(config), optimizer, E.GraphTrainer.initialState(layout.initialize(new Random(0))));
  const random = new Random(1);
  const pool = Array.from({ length: 8 }, () => ({
    tokens: { data: BigInt64Array.from({ length: 2 * PAIRS * LENGTH }, () => BigInt(random.int(256))), shape: [2 * PAIRS, LENGTH] },
    lengths: { data: BigInt64Array.from({ length: 2 * PAIRS }, () => BigInt(LENGTH / 2 + random.int(LENGTH / 2 + 1))), shape: [2 * PAIRS] },
    margins: { data: new Float32Array(PAIRS), shape: [PAIRS] },
    weights: { data: new Float32Array(PAIRS).fill(1), shape: [PAIRS] },
  }));
  const load = [loadavg()[0]];
  const losses: number[] = [];
  for (let i = 0; i < warmup; i++) losses.push((await trainer.step([pool[i % pool.length]])).loss);
  const rates: number[] = [];
  for (let w = 0; w < windows; w++) {
    const start = performance.now();
    let loss = 0;
    for (let i = 0; i < stepsPerWindow; i++) loss = (await trainer.step([pool[i % pool.length]])).loss;
    rates.push((PAIRS * stepsPerWindow) / ((performance.now() - start) / 1000));
    losses.push(loss);
  }
  load.push(loadavg()[0]);
  await trainer.release();
  const sorted = [...rates].sort((a, b) => a - b);
  return { params: layout.total, pairsPerSecond: sorted[Math.floor(sorted.length / 2)], windows: rates, lossFirst: losses[0], lossLast: losses.at(-1)!, load };
}

function measureTorch(): Promise<Record<string, unknown> | null> {
  if (values['no-torch']) return Promise.resolve(null);
  const out = join(mkdtempSync(join(tmpdir(), 'hhrl-bench-pm-')), 'torch.json');
  const script = fileURLToPath(new URL('./torch_pm.py', import.meta.url));
  const args = [script, '--json', out, '--pairs', String(PAIRS), ...(values.quick ? ['--quick'] : [])];
  return new Promise((resolve) => {
    execFile(DEFAULT_PYTHON, args, { timeout: 30 * 60 * 1000 }, (error, _stdout, stderr) => {
      if (error) {
        process.stderr.write(`PyTorch side skipped: ${error.message.split('\n')[0]}\n${stderr.split('\n').slice(-3).join('\n')}\n(install: apt-get install python3-torch libopenblas0-pthread)\n`);
        resolve(null);
        return;
      }
      resolve(JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>);
    });
  });
}

const hhrl = await measureHhrl();
const torch = await measureTorch();
const torchBest = torch === null ? null : ((torch.best as { pairs_per_s: number }).pairs_per_s);
const result = {
  model: { vocab: 256, ...GPT_SIZES.reference, head: 'sequence scalar', pairs_per_step: PAIRS, length: LENGTH },
  hhrl: { params: hhrl.params, pairs_per_s: hhrl.pairsPerSecond, windows_pairs_per_s: hhrl.windows, loss_first: hhrl.lossFirst, loss_last: hhrl.lossLast, loadavg_1min: hhrl.load },
  torch,
  ratio_hhrl_over_torch: torchBest === null ? null : hhrl.pairsPerSecond / torchBest,
};
if (values.json !== undefined) writeFileAtomic(values.json, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`PM training, reference trunk + scalar head, ${PAIRS} pairs × ${LENGTH} tokens per step (median of ${windows} windows)\n`);
process.stdout.write(`| side | params | pairs/s | load 1m |\n|---|---|---|---|\n`);
process.stdout.write(`| hhrl (ONNX Runtime, fused step) | ${hhrl.params.toLocaleString('en')} | ${hhrl.pairsPerSecond.toFixed(1)} | ${Math.max(...hhrl.load).toFixed(1)} |\n`);
if (torch !== null) {
  const best = torch.best as { pairs_per_s: number; config: Record<string, unknown> };
  process.stdout.write(`| PyTorch ${String(torch.torch_version)} best (${JSON.stringify(best.config)}) | ${Number(torch.params).toLocaleString('en')} | ${best.pairs_per_s.toFixed(1)} | |\n`);
  process.stdout.write(`hhrl / PyTorch: ${result.ratio_hhrl_over_torch!.toFixed(2)}×\n`);
}
