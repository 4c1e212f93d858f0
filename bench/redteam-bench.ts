/**
 * Red-team benchmark:
 *   1. runner attempts/s against a loopback mock OpenAI-compatible target (a plain HTTP server in a child process
 *      answering every request with a short canned completion), concurrency 64, AdvBench × 4 strategies, refusal
 *      grader — the harness's own overhead (goal ≥ 1,000 attempts/s);
 *   2. `hhrl serve` requests/s for short completions (non-streaming and SSE), the server in a child process over a
 *      constant-reply ChatModel, so the figure is the server's overhead, not a model's generation speed; 64 clients
 *      on keep-alive node:http connections (the same transport the targets use).
 *
 *   npm run bench:redteam -- [--json FILE (default .bench-out/redteam-bench.json)] [--runs N]
 *
 * Each figure is the median of N runs (default 5).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { referenceDataPath } from '../src/data/reference-data.ts';
import { loadAdvBench } from '../src/redteam/suites/index.ts';
import { createRefusalGrader } from '../src/redteam/graders/index.ts';
import { createOpenAiTarget } from '../src/redteam/targets/openai-target.ts';
import { runRedteam } from '../src/redteam/runner/runner.ts';
import { nodeHttpFetch } from '../src/redteam/targets/node-http-fetch.ts';
import { createOpenAiApp } from '../src/web/serve/openai-app.ts';
import { listen } from '../src/web/serve/listen.ts';
import type { StrategyId } from '../src/spec/strategy.ts';

const { values } = parseArgs({
  options: { json: { type: 'string', default: '.bench-out/redteam-bench.json' }, runs: { type: 'string', default: '5' }, child: { type: 'string' } },
});

// ---- child modes: the servers under load live in their own process -------------------------------------------
if (values.child === 'mock') {
  const body = JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: "I'm sorry, but I can't help with that." }, finish_reason: 'stop' }] });
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(body));
  });
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
} else if (values.child === 'serve') {
  const model = { id: 'bench', complete: async () => ({ text: 'Paris is the capital of France.', finishReason: 'stop' as const }) };
  const server = await listen(createOpenAiApp(model), { port: 0 });
  process.send!({ port: server.port });
} else {
  await main();
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function startChild(mode: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), ['--child', mode], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, port: (message as { port: number }).port }));
    child.once('exit', (code) => reject(new Error(`bench child ${mode} exited with ${code}`)));
  });
}

async function runnerRun(baseUrl: string): Promise<{ attempts: number; seconds: number; errors: number }> {
  const items = loadAdvBench(referenceDataPath('advbench'));
  const strategies: StrategyId[] = ['direct', 'roleplay', 'base64', 'rot13'];
  const outDir = mkdtempSync(join(tmpdir(), 'hhrl-bench-'));
  const refusal = createRefusalGrader();
  const start = performance.now();
  const result = await runRedteam({
    outDir, items, suiteSpecs: ['advbench'], strategies,
    target: createOpenAiTarget({ baseUrl, model: 'mock', concurrency: 64, maxRetries: 0 }),
    refusalGrader: refusal, mainGrader: refusal, concurrency: 64, seed: 0, maxTurns: 8, resume: false, retryErrors: false,
  });
  const seconds = (performance.now() - start) / 1000;
  rmSync(outDir, { recursive: true, force: true });
  return { attempts: result.rows.length, seconds, errors: result.report.errors };
}

async function serveRun(baseUrl: string, requests: number, stream: boolean): Promise<number> {
  const body = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'What is the capital of France?' }], max_tokens: 16, stream });
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < requests) {
        next++;
        const response = await nodeHttpFetch(`${baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const text = await response.text();
        if (response.status !== 200 || !text.includes('Paris')) throw new Error(`bad reply ${response.status}: ${text.slice(0, 100)}`);
      }
    }),
  );
  return requests / ((performance.now() - start) / 1000);
}

async function main(): Promise<void> {
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer (got ${values.runs})`);

  const loadBefore = loadavg()[0];
  const mock = await startChild('mock');
  const runner: number[] = [];
  let attempts = 0;
  try {
    await runnerRun(`http://127.0.0.1:${mock.port}/v1`); // warm-up
    for (let run = 0; run < runs; run++) {
      const result = await runnerRun(`http://127.0.0.1:${mock.port}/v1`);
      if (result.errors > 0) throw new Error(`${result.errors} errors against the mock target`);
      attempts = result.attempts;
      runner.push(result.attempts / result.seconds);
    }
  } finally {
    mock.child.kill();
  }

  const serve = await startChild('serve');
  const plain: number[] = [];
  const streamed: number[] = [];
  const requests = 4000;
  try {
    const baseUrl = `http://127.0.0.1:${serve.port}/v1`;
    await serveRun(baseUrl, 1000, false); // warm-up
    for (let run = 0; run < runs; run++) {
      plain.push(await serveRun(baseUrl, requests, false));
      streamed.push(await serveRun(baseUrl, requests, true));
    }
  } finally {
    serve.child.kill();
  }

  const result = {
    // Other processes on the machine change these figures a lot: the 1-minute load average is recorded with them.
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, load_average_before: loadBefore, load_average_after: loadavg()[0] },
    runs,
    runner: { attempts_per_run: attempts, concurrency: 64, strategies: 4, median_attempts_per_s: Math.round(median(runner)), samples: runner.map(Math.round), goal: 1000 },
    serve: {
      requests_per_run: requests,
      concurrency: 64,
      median_requests_per_s: Math.round(median(plain)),
      median_stream_requests_per_s: Math.round(median(streamed)),
      samples: plain.map(Math.round),
      stream_samples: streamed.map(Math.round),
    },
  };
  mkdirSync(dirname(values.json), { recursive: true });
  writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n\n`);
  process.stdout.write(`| measure | median of ${runs} | samples |\n|---|---|---|\n`);
  process.stdout.write(`| runner attempts/s (concurrency 64, ${attempts} attempts, goal ≥ 1000) | ${result.runner.median_attempts_per_s} | ${result.runner.samples.join(', ')} |\n`);
  process.stdout.write(`| serve requests/s, non-streaming (64 clients) | ${result.serve.median_requests_per_s} | ${result.serve.samples.join(', ')} |\n`);
  process.stdout.write(`| serve requests/s, SSE streaming (64 clients) | ${result.serve.median_stream_requests_per_s} | ${result.serve.stream_samples.join(', ')} |\n`);
}
