/**
 * `npm run bench:engine -- --json FILE [--rounds N] [--quick]`
 *
 * The reference GPT (vocab 256, 4 layers, d_model 128, 4 heads, context 64, batch 16, AdamW):
 * training tokens/s (one step per graph run, and `stepMany` with 4 steps per run — what `lm train`
 * and `sft` run) and KV-cache
 * generation tokens/s (batch 16, 64 new tokens) for hhrl and for PyTorch (bench/torch_gpt.py under
 * Debian's /usr/bin/python3), alternating in one sitting; medians.
 * Also the float32 GEMM peak ORT reaches here and the GFLOP/s the training step achieves.
 * Run with `HHRL_SPIN=1` to measure hhrl with spinning intra-op threads (recorded as `machine.spinning`).
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as E from '../src/engine/index.ts';
import { gptParamSpecs } from '../src/model/gpt.ts';
import { GPT_SIZES, parseGptConfig, type GptConfig } from '../src/model/gpt-config.ts';
import { GptModel } from '../src/model/gpt-model.ts';
import { lmBatchSpec, lmLoss } from '../src/model/lm-loss.ts';
import { BpeTokenizer } from '../src/model/tokenizer/index.ts';
import { Random } from '../src/util/random.ts';
import { writeFileAtomic } from '../src/util/atomic-write.ts';
import { runTorchBench, TORCH_INSTALL_HINT, type TorchResult } from './torch-runner.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string', default: '.bench-out/engine-bench.json' },
    rounds: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    threads: { type: 'string', default: '2' },
  },
});
const rounds = Number(args.rounds);
const threads = Number(args.threads);
const B = 16;
const T = 64;
const NEW_TOKENS = 64;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Matmul FLOPs of one forward pass per token (weights and attention; LayerNorm etc. excluded). */
function forwardFlopsPerToken(config: GptConfig): number {
  const c = config.dModel;
  const perLayer = 2 * c * 3 * c + 2 * c * c + 2 * 2 * c * config.mlpRatio * c + 2 * 2 * config.context * c;
  return config.layers * perLayer + 2 * c * config.vocabSize;
}

/** Best float32 GEMM rate ORT reaches here over square sizes 256–1024 (median of 10 runs each). */
async function gemmPeak(): Promise<number> {
  let best = 0;
  for (const n of [256, 512, 768, 1024]) {
    const g = new E.Graph('gemm');
    const a = g.input('a', 'float32', [n, n]);
    const b = g.input('b', 'float32', [n, n]);
    g.output(E.matmul(a, b), 'c');
    const compiled = await E.CompiledGraph.compile(g, { threads, spinning: true });
    const random = new Random(1);
    const data = Float32Array.from({ length: n * n }, () => random.next());
    const feeds = { a: { data, shape: [n, n] }, b: { data, shape: [n, n] } };
    for (let i = 0; i < 3; i++) await compiled.run(feeds);
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const start = performance.now();
      await compiled.run(feeds);
      times.push((performance.now() - start) / 1000);
    }
    await compiled.release();
    best = Math.max(best, (2 * n * n * n) / median(times) / 1e9);
  }
  return best;
}

/** Steps per run of the multi-step measurement (`GraphTrainer.stepMany`). */
const STEPS_PER_RUN = 4;

/** Median training tokens/s over timed windows: one step per run, or STEPS_PER_RUN steps per run. */
async function hhrlTrain(config: GptConfig, stepsPerRun = 1): Promise<number> {
  const layout = new E.ParamLayout(gptParamSpecs(config));
  const random = new Random(7);
  const trainer = new E.GraphTrainer(
    layout,
    lmBatchSpec(B, T),
    lmLoss(config),
    E.AdamWConfigSchema.parse({ learningRate: 3e-4 }),
    E.GraphTrainer.initialState(layout.initialize(random)),
    { threads },
  );
  const batch = {
    tokens: { data: BigInt64Array.from({ length: B * T }, () => BigInt(random.int(256))), shape: [B, T] },
    targets: { data: BigInt64Array.from({ length: B * T }, () => BigInt(random.int(256))), shape: [B, T] },
    weights: { data: new Float32Array(B * T).fill(1), shape: [B, T] },
  };
  const runs = Array.from({ length: stepsPerRun }, () => batch);
  const advance = () => (stepsPerRun === 1 ? trainer.step([batch]) : trainer.stepMany(runs));
  for (let i = 0; i < 5; i += stepsPerRun) await advance();
  const windows: number[] = [];
  for (let w = 0; w < (args.quick ? 3 : 5); w++) {
    const steps = 12; // a multiple of STEPS_PER_RUN
    const start = performance.now();
    for (let i = 0; i < steps; i += stepsPerRun) await advance();
    windows.push((steps * B * T) / ((performance.now() - start) / 1000));
  }
  await trainer.release();
  return median(windows);
}

async function hhrlGenerate(config: GptConfig): Promise<number> {
  const tokenizer = BpeTokenizer.fromBytes([]);
  const model = new GptModel(config, { lm: true }, new E.ParamLayout(gptParamSpecs(config)).initialize(new Random(3)), tokenizer, { threads });
  const prompts = Array.from({ length: B }, (_, i) => [i]);
  const options = { maxNewTokens: NEW_TOKENS, temperature: 1, seed: 1, chunk: NEW_TOKENS };
  // warm-up: the second call with unchanged weights compiles the decoding session with the weights
  // baked in (see src/model/decoder-sessions.ts), which the timed calls then use
  for (let i = 0; i < 2; i++) await model.generate(prompts, options);
  const runs: number[] = [];
  for (let r = 0; r < (args.quick ? 3 : 7); r++) {
    const start = performance.now();
    const out = await model.generate(prompts, { ...options, seed: r });
    const tokens = out.reduce((n, g) => n + g.tokens.length, 0);
    runs.push(tokens / ((performance.now() - start) / 1000));
  }
  await model.release();
  return median(runs);
}

const config = parseGptConfig({ ...GPT_SIZES.reference, vocabSize: 256 });
const hhrlTrainRuns: number[] = [];
const hhrlTrainManyRuns: number[] = [];
const hhrlGenerateRuns: number[] = [];
const torchRuns: TorchResult[] = [];
let torchMissing = false;
for (let round = 0; round < rounds; round++) {
  hhrlTrainRuns.push(await hhrlTrain(config));
  hhrlTrainManyRuns.push(await hhrlTrain(config, STEPS_PER_RUN));
  hhrlGenerateRuns.push(await hhrlGenerate(config));
  process.stderr.write(
    `round ${round + 1}: hhrl train ${hhrlTrainRuns.at(-1)!.toFixed(0)} tok/s (${STEPS_PER_RUN} steps/run ${hhrlTrainManyRuns.at(-1)!.toFixed(0)}), generate ${hhrlGenerateRuns.at(-1)!.toFixed(0)} tok/s\n`,
  );
  if (!torchMissing) {
    const torch = await runTorchBench({ quick: true });
    if (torch === null) torchMissing = true;
    else {
      torchRuns.push(torch);
      process.stderr.write(`round ${round + 1}: torch train ${torch.train.tokens_per_s.toFixed(0)} tok/s, generate ${torch.generate.tokens_per_s.toFixed(0)} tok/s\n`);
    }
  }
}
const gemm = await gemmPeak();
const hhrlTrainTps = median(hhrlTrainRuns);
const hhrlTrainManyTps = median(hhrlTrainManyRuns);
const hhrlGenerateTps = median(hhrlGenerateRuns);
const torchTrain = torchRuns.length ? median(torchRuns.map((r) => r.train.tokens_per_s)) : null;
const torchGenerate = torchRuns.length ? median(torchRuns.map((r) => r.generate.tokens_per_s)) : null;
const trainGflops = (3 * forwardFlopsPerToken(config) * hhrlTrainTps) / 1e9;
const result = {
  train: { hhrl_tokens_per_s: hhrlTrainTps, torch_tokens_per_s: torchTrain, ratio: torchTrain ? hhrlTrainTps / torchTrain : null },
  train_multi_step: {
    steps_per_run: STEPS_PER_RUN,
    hhrl_tokens_per_s: hhrlTrainManyTps,
    torch_tokens_per_s: torchTrain,
    ratio: torchTrain ? hhrlTrainManyTps / torchTrain : null,
  },
  generate: {
    hhrl_tokens_per_s: hhrlGenerateTps,
    torch_tokens_per_s: torchGenerate,
    ratio: torchGenerate ? hhrlGenerateTps / torchGenerate : null,
  },
  gemm_gflops: gemm,
  train_gflops_achieved: trainGflops,
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, threads, spinning: process.env.HHRL_SPIN === '1', loadAverage1m: loadavg()[0], onnxruntime: E.ORT_VERSION },
  rounds,
  raw: { hhrl_train: hhrlTrainRuns, hhrl_train_multi_step: hhrlTrainManyRuns, hhrl_generate: hhrlGenerateRuns, torch: torchRuns },
  ...(torchMissing ? { torch_note: `PyTorch not found; install it with: ${TORCH_INSTALL_HINT}` } : {}),
};
const fmt = (x: number | null, digits = 0) => (x === null ? '—' : x.toFixed(digits));
process.stdout.write(
  [
    '',
    '| measure | hhrl tok/s | torch tok/s | ratio |',
    '|---|---|---|---|',
    `| train (B16 T64) | ${fmt(hhrlTrainTps)} | ${fmt(torchTrain)} | ${fmt(result.train.ratio, 2)} |`,
    `| train, ${STEPS_PER_RUN} steps per run (stepMany; lm train and sft) | ${fmt(hhrlTrainManyTps)} | ${fmt(torchTrain)} | ${fmt(result.train_multi_step.ratio, 2)} |`,
    `| generate (B16, 64 new) | ${fmt(hhrlGenerateTps)} | ${fmt(torchGenerate)} | ${fmt(result.generate.ratio, 2)} |`,
    `hhrl intra-op spinning ${result.machine.spinning ? 'on (HHRL_SPIN=1)' : 'off (set HHRL_SPIN=1 on a dedicated machine)'}; load average ${loadavg()[0].toFixed(1)}`,
    `GEMM peak ${gemm.toFixed(0)} GFLOP/s; training step achieves ${trainGflops.toFixed(1)} GFLOP/s (${((100 * trainGflops) / gemm).toFixed(0)}% of peak)`,
    ...(torchMissing ? [result.torch_note ?? ''] : []),
    '',
  ].join('\n'),
);
if (args.json) writeFileAtomic(args.json, `${JSON.stringify(result, null, 2)}\n`);
