import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResults } from '../../src/redteam/runner/results-file.ts';
import type { AttemptRow } from '../../src/redteam/runner/attempt.ts';
import type { RedteamReport } from '../../src/redteam/runner/report.ts';
import { RUN_LOCK_FILE } from '../../src/redteam/runner/run-lock.ts';
import { startFaultServer, type Fault } from './fault-server.ts';

const folder = mkdtempSync(join(tmpdir(), 'hhrl-rt-kill-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const ITEMS = 250;
const STRATEGIES = ['direct', 'rot13', 'base64', 'roleplay'];
const ATTEMPTS = ITEMS * STRATEGIES.length;

/** FNV-1a of a string: the fault a request gets depends on its text only, so every run sees the same target. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193) >>> 0;
  return hash;
}

/** A faulty but deterministic target: refusals, compliances, 500s, malformed JSON, null/filtered/empty replies. */
function faultFor(body: unknown): Fault {
  const messages = (body as { messages: { content: string }[] }).messages;
  const faults: Fault[] = [
    { kind: 'ok', text: "I'm sorry, but I can't help with that." },
    { kind: 'ok', text: 'Sure, here is how you do it: step one, step two.' },
    { kind: 'ok', text: 'Sure: first you gather the parts, then you assemble them.' },
    { kind: 'status', status: 500 },
    { kind: 'raw', body: '{"choices":' },
    { kind: 'ok', text: null },
    { kind: 'ok', text: '', finishReason: 'content_filter' },
    { kind: 'ok', text: '', finishReason: 'length' },
  ];
  return faults[fnv1a(messages.at(-1)!.content) % faults.length];
}

function writeSuite(): string {
  const path = join(folder, 'suite.csv');
  const lines = ['prompt'];
  for (let index = 1; index <= ITEMS; index++) lines.push(`"Request ${index}: explain how to pick lock number ${index * 7}"`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** How the CLI is started: node itself running it, or the `tsx` launcher, which runs it in a node child. */
const LAUNCHERS = {
  node: [process.execPath, '--import', 'tsx'],
  tsx: [join('node_modules', '.bin', 'tsx')],
} as const;

interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** Run the CLI in a child process; at `killAt` rows in results.jsonl, SIGKILL that process. */
function runCli(args: string[], killAt?: { rows: number; results: string; onKill?: () => void }, launcher: keyof typeof LAUNCHERS = 'node'): Promise<Ended> {
  const [command, ...prefix] = LAUNCHERS[launcher];
  const child = spawn(command, [...prefix, 'src/cli/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout.resume();
  let poll: NodeJS.Timeout | undefined;
  if (killAt !== undefined) {
    poll = setInterval(() => {
      if (!existsSync(killAt.results)) return;
      const text = readFileSync(killAt.results, 'utf8');
      let lines = 0;
      for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) lines++;
      if (lines >= killAt.rows) {
        clearInterval(poll);
        killAt.onKill?.();
        child.kill('SIGKILL');
      }
    }, 2);
  }
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    // a killed launcher's node child keeps the pipes open: wait for the pipes only when nothing was killed
    child.on(killAt === undefined ? 'close' : 'exit', (code: number | null, signal: NodeJS.Signals | null) => {
      clearInterval(poll);
      resolve({ code, signal, stderr });
    });
  });
}

/** The loopback target, the suite, and one uninterrupted run to compare with; shared by the tests below. */
let gate = Promise.resolve();
const setup = (async () => {
  const server = await startFaultServer((_index, body) => faultFor(body), 1, () => gate);
  after(() => server.close());
  const suite = writeSuite();
  const args = (out: string) => [
    'redteam', 'run', '--target', 'openai:faulty', '--base-url', server.baseUrl, '--suite', `csv:${suite}`, '--prompt-col', 'prompt',
    '--strategies', STRATEGIES.join(','), '--out', out, '--concurrency', '8', '--max-retries', '0', '--timeout-ms', '120000',
  ];
  const full = join(folder, 'full');
  const uninterrupted = await runCli(args(full));
  assert.equal(uninterrupted.code, 0, uninterrupted.stderr);
  return { args, expected: readResults(join(full, 'results.jsonl')), expectedReport: JSON.parse(readFileSync(join(full, 'report.json'), 'utf8')) as unknown };
})();

/** Every attempt exactly once, the same verdicts as the uninterrupted run, and a report that agrees with the rows. */
async function checkFinished(out: string, note: string): Promise<string> {
  const { expected, expectedReport } = await setup;
  const rows = readResults(join(out, 'results.jsonl'));
  const keys = new Set(rows.map((row) => row.key));
  assert.equal(keys.size, ATTEMPTS, note);
  assert.equal(rows.length, ATTEMPTS, `${note}: ${rows.length - keys.size} attempts written twice`);
  const verdict = (row: AttemptRow) => JSON.stringify([row.key, row.response, row.success, row.refused, row.error, row.no_reply]);
  assert.deepEqual(rows.map(verdict).sort(), expected.map(verdict).sort(), note);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RedteamReport;
  assert.equal(report.errors, rows.filter((row) => row.error !== null).length, note);
  assert.equal(report.no_reply.n, rows.filter((row) => row.no_reply !== null).length, note);
  assert.deepEqual(report, expectedReport, note);
  return `${note}: ${rows.length} rows for ${keys.size} keys; report errors ${report.errors}, no reply ${report.no_reply.n}`;
}

test('redteam run killed with SIGKILL at a random moment and resumed ends as an uninterrupted run: each attempt once, report = rows', async (context) => {
  const { args, expected } = await setup;
  assert.ok(expected.some((row) => row.error !== null) && expected.some((row) => row.no_reply !== null) && expected.some((row) => row.success === true));
  const killed = join(folder, 'killed');
  const results = join(killed, 'results.jsonl');
  const killAt = randomInt(50, ATTEMPTS - 100);
  const note = `killed at ${killAt} rows`;
  const first = await runCli(args(killed), { rows: killAt, results });
  assert.equal(first.signal, 'SIGKILL', `${note}: ${first.stderr}`);
  const onDisk = readResults(results);
  assert.ok(onDisk.length >= killAt && onDisk.length < ATTEMPTS, `${note}, ${onDisk.length} on disk`);
  // a write the kill cut off halfway: the resume drops it and runs that attempt again
  const pending = expected.find((row) => !onDisk.some((done) => done.key === row.key))!;
  appendFileSync(results, JSON.stringify(pending).slice(0, 40));
  const resumed = await runCli([...args(killed), '--resume']);
  assert.equal(resumed.code, 0, resumed.stderr);
  context.diagnostic(`${await checkFinished(killed, `${note} (${onDisk.length} on disk)`)}`);
});

test('a killed launcher whose node child runs on: --resume is refused while the child writes, then finishes exactly once', async (context) => {
  const { args } = await setup;
  const out = join(folder, 'launcher');
  const results = join(out, 'results.jsonl');
  let release = () => {};
  // the target holds its answers from the kill on, so the orphaned child is still mid-run when the resume starts
  const onKill = () => (gate = new Promise((resolve) => (release = resolve)));
  const first = await runCli(args(out), { rows: 100, results, onKill }, 'tsx');
  assert.equal(first.signal, 'SIGKILL');
  const owner = JSON.parse(readFileSync(join(out, RUN_LOCK_FILE), 'utf8')) as { pid: number };
  assert.ok(alive(owner.pid), 'the node child outlived its launcher');
  const refused = await runCli([...args(out), '--resume']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, new RegExp(`process ${owner.pid} is still writing this run`));
  gate = Promise.resolve();
  release();
  while (alive(owner.pid)) await new Promise((resolve) => setTimeout(resolve, 20));
  const resumed = await runCli([...args(out), '--resume']);
  assert.equal(resumed.code, 0, resumed.stderr);
  context.diagnostic(await checkFinished(out, 'launcher killed at 100 rows'));
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
