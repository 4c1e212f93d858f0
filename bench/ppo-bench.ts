/**
 * `npm run bench:ppo -- [--json FILE] [--runs N] [--threads N] [--no-torch]`
 *
 * One PPO iteration on the reference GPT (vocab 256, 4 layers, d_model 128, 4 heads, context 64), split
 * into generation, scoring and update, with tokens/s for each — hhrl's pipeline functions against the same
 * iteration in PyTorch (bench/torch_ppo.py under Debian's /usr/bin/python3), in one sitting:
 *   generate  16 rows × 48 new tokens after a 16-token prompt, temperature 1, KV cache (`generateSamples`);
 *   score     policy log-probs + entropies + values, reference log-probs (`scoreRows`) and the PM's
 *             sequence scores (`GptModel.scores`), three [16, 64] forwards;
 *   update    GAE and whitening (`PPO.prepare`), then 2 epochs × 2 minibatches of 8 rows of the fused
 *             PPO step graph (forward, backward, clip, AdamW).
 * Medians of --runs iterations after one warm-up. PyTorch runs each thread configuration of
 * torch_gpt.py (torch threads × OPENBLAS_NUM_THREADS) in its own process and the best is reported.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { GraphTrainer } from '../src/engine/index.ts';
import { GPT_SIZES, parseGptConfig } from '../src/model/gpt-config.ts';
import { GptModel } from '../src/model/gpt-model.ts';
import { BpeTokenizer } from '../src/model/tokenizer/index.ts';
import { parsePpoConfig } from '../src/train/ppo/ppo-config.ts';
import { PPO } from '../src/train/ppo/ppo-trainer.ts';
import { tokenKl } from '../src/train/rollout/kl.ts';
import { actionBatchSpec } from '../src/train/rollout/policy-graph.ts';
import { rlOptimizer } from '../src/train/rollout/rl-config.ts';
import type { ScoredSample } from '../src/train/rollout/rl-algorithm.ts';
import { generateSamples, scoreRows } from '../src/train/rollout/rollout.ts';
import { actionTensor, packRows } from '../src/train/rollout/sequences.ts';
import { writeFileAtomic } from '../src/util/atomic-write.ts';
import { Random } from '../src/util/random.ts';
import { DEFAULT_PYTHON } from './torch-runner.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    runs: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const runs = Number(args.runs);
const threads = Number(args.threads);
const B = 16;
const PROMPT = 16;
const NEW = 48;
const T = PROMPT + NEW;
const MINI = 8;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** hhrl: one PPO iteration per call, timed by phase. */
async function hhrlIterations(): Promise<{ generate: number; score: number; update: number }[]> {
  const tokenizer = BpeTokenizer.fromBytes();
  const modelConfig = parseGptConfig({ ...GPT_SIZES.reference, vocabSize: 256 });
  const reference = new GptModel(modelConfig, { lm: true }, GptModel.create(modelConfig, { lm: true }, tokenizer, 1).params, tokenizer, { threads });
  const policy = reference.withHeads({ lm: true, tokenScalar: true }, 2);
  const policyModel = new GptModel(modelConfig, policy.heads, policy.params, tokenizer, { threads });
  const pmBase = GptModel.create(modelConfig, { sequenceScalar: true }, tokenizer, 3);
  const pm = new GptModel(modelConfig, pmBase.heads, pmBase.params, tokenizer, { threads });
  const config = parsePpoConfig({ batchSize: B, miniBatchSize: MINI, epochs: 2, maxPromptTokens: PROMPT, maxNewTokens: NEW, threads });
  const trainer = new GraphTrainer(policyModel.layout, actionBatchSpec(MINI, T, PPO.actionArrays), PPO.loss(modelConfig, config), rlOptimizer(config), GraphTrainer.initialState(policyModel.params), { threads });
  const random = new Random(0);
  const out: { generate: number; score: number; update: number }[] = [];
  for (let run = 0; run <= runs; run++) {
    // prompts of exactly 16 byte tokens (no stop string or end token appears in them)
    const prompts = Array.from({ length: B }, (_, i) => {
      const text = Array.from({ length: PROMPT }, () => String.fromCharCode(97 + random.int(26))).join('');
      return { id: `b${i}`, conversation: [], prompt: text };
    });
    policyModel.params = trainer.state.params;
    const t0 = performance.now();
    const samples = await generateSamples(policyModel, prompts, { ...config, batch: B, seed: run });
    const t1 = performance.now();
    const policyRows = await scoreRows(policyModel, samples, B, T);
    const referenceRows = await scoreRows(reference, samples, B, T);
    const packed = packRows(samples, B, T);
    const lengths = BigInt64Array.from(samples, (sample) => BigInt(sample.promptTokens.length + sample.responseTokens.length));
    const scores = await pm.scores(packed.tokens.data as BigInt64Array, lengths, B, T);
    const t2 = performance.now();
    const scored: ScoredSample[] = samples.map((sample, i) => ({
      ...sample, ...policyRows[i], refLogProbs: referenceRows[i].logProbs,
      kl: tokenKl(policyRows[i].logProbs, referenceRows[i].logProbs), rawScore: scores[i], score: scores[i],
    }));
    const prepared = PPO.prepare(scored, config, config.klCoef);
    for (let epoch = 0; epoch < 2; epoch++) {
      const order = new Random(`bench:${run}:${epoch}`).shuffle(scored.map((_, i) => i));
      for (let start = 0; start < B; start += MINI) {
        const indices = order.slice(start, start + MINI);
        const rows = indices.map((i) => scored[i]);
        const mini = packRows(rows, MINI, T);
        const feeds: Record<string, ReturnType<typeof actionTensor>> = { tokens: mini.tokens, mask: mini.mask };
        for (const name of PPO.actionArrays) feeds[name] = actionTensor(rows, indices.map((i) => prepared.arrays[name][i]), MINI, T);
        await trainer.step([feeds]);
      }
    }
    const t3 = performance.now();
    const newTokens = samples.reduce((total, sample) => total + sample.responseTokens.length, 0);
    if (newTokens !== B * NEW) throw new Error(`expected ${B * NEW} new tokens, got ${newTokens} (a row stopped early)`);
    if (run > 0) out.push({ generate: (t1 - t0) / 1000, score: (t2 - t1) / 1000, update: (t3 - t2) / 1000 });
  }
  return out;
}

interface TorchPpo {
  generate_s: number;
  score_s: number;
  update_s: number;
  threads: number;
  openblas_threads: string;
  torch_version: string;
}

function torchRun(torchThreads: number, openblas: string): Promise<TorchPpo | null> {
  const dir = mkdtempSync(join(tmpdir(), 'hhrl-torch-ppo-'));
  const json = join(dir, 'out.json');
  const script = fileURLToPath(new URL('./torch_ppo.py', import.meta.url));
  return new Promise((resolve) => {
    execFile(
      DEFAULT_PYTHON,
      [script, '--runs', String(runs), '--threads', String(torchThreads), '--json', json],
      { env: { ...process.env, OPENBLAS_NUM_THREADS: openblas }, timeout: 600_000 },
      (error) => {
        const result = error ? null : (JSON.parse(readFileSync(json, 'utf8')) as TorchPpo);
        if (error) process.stderr.write(`torch_ppo.py (${torchThreads} threads, OPENBLAS ${openblas}) failed: ${error.message}\n`);
        rmSync(dir, { recursive: true, force: true });
        resolve(result);
      },
    );
  });
}

const load = loadavg()[0];
const hhrlRuns = await hhrlIterations();
const hhrl = {
  generate_s: median(hhrlRuns.map((r) => r.generate)),
  score_s: median(hhrlRuns.map((r) => r.score)),
  update_s: median(hhrlRuns.map((r) => r.update)),
};
const torchRuns: TorchPpo[] = [];
if (!args['no-torch']) {
  for (const [torchThreads, openblas] of [[1, '2'], [2, '1'], [2, '2']] as const) {
    const result = await torchRun(torchThreads, openblas);
    if (result) torchRuns.push(result);
  }
}
const bestTorch = (key: 'generate_s' | 'score_s' | 'update_s') => (torchRuns.length ? Math.min(...torchRuns.map((r) => r[key])) : null);
const tokens = { generate: B * NEW, score: 3 * B * T, update: 2 * B * T };
const row = (name: 'generate' | 'score' | 'update') => {
  const mine = hhrl[`${name}_s`];
  const theirs = bestTorch(`${name}_s`);
  return {
    hhrl_s: mine,
    hhrl_tokens_per_s: tokens[name] / mine,
    torch_s: theirs,
    torch_tokens_per_s: theirs === null ? null : tokens[name] / theirs,
  };
};
const result = {
  model: 'reference GPT (vocab 256, 4 layers, d_model 128, 4 heads, context 64) + value head; PM and reference of the same shape',
  iteration: { rows: B, prompt_tokens: PROMPT, new_tokens: NEW, minibatch: MINI, epochs: 2 },
  threads,
  runs,
  load_average_at_start: load,
  generate: row('generate'),
  score: row('score'),
  update: row('update'),
  iteration_s: { hhrl: hhrl.generate_s + hhrl.score_s + hhrl.update_s, torch: torchRuns.length ? bestTorch('generate_s')! + bestTorch('score_s')! + bestTorch('update_s')! : null },
  torch_runs: torchRuns,
  hhrl_runs: hhrlRuns,
};
if (args.json) writeFileAtomic(args.json, `${JSON.stringify(result, null, 2)}\n`);
const fmt = (x: number | null, digits = 0) => (x === null ? '—' : x.toFixed(digits));
process.stdout.write(`PPO iteration (median of ${runs}; load average ${load.toFixed(1)})\n`);
process.stdout.write(`phase      hhrl s   hhrl tok/s   torch s   torch tok/s\n`);
for (const name of ['generate', 'score', 'update'] as const) {
  const r = result[name];
  process.stdout.write(`${name.padEnd(9)} ${fmt(r.hhrl_s, 3).padStart(7)} ${fmt(r.hhrl_tokens_per_s).padStart(12)} ${fmt(r.torch_s, 3).padStart(9)} ${fmt(r.torch_tokens_per_s).padStart(13)}\n`);
}
process.stdout.write(`iteration ${fmt(result.iteration_s.hhrl, 3).padStart(7)} ${''.padStart(12)} ${fmt(result.iteration_s.torch, 3).padStart(9)}\n`);
