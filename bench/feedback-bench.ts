/**
 * Feedback-app benchmark (`npm run bench:feedback`):
 *   1. submissions: picks per second and p50/p99 latency of `POST /api/conversations/:id/picks` on the SQLite store
 *      and on PostgreSQL (a throwaway local cluster, `test/web/pg-server.ts`),
 *      the server in a child process, autocannon on loopback from this one; 5% of requests resend an earlier
 *      idempotency key (a retried click). Afterwards the store must hold exactly one comparison per distinct key:
 *      lost and duplicated submissions are counted, not assumed. (Goal: ≥ 2,000/s, p99 < 50 ms, 0 lost, 0 duplicated.)
 *      Each run first sends `--warm` picks untimed (the server's JIT and caches), then `--picks` timed; `--runs` runs
 *      per store, each on a new store, reported one by one and as medians, with the server's CPU time per request
 *      (steadier than throughput on a shared machine) and the 1-minute load average when each run started.
 *   2. generation: replies per second and time to first token (first streamed text of a reply) with an hhrl
 *      checkpoint of the engine bench's reference shape (random weights: speed does not depend on them), at 1, 8
 *      and 32 annotators each sending messages in a loop.
 *
 *   npm run bench:feedback -- [--json FILE (default .bench-out/feedback-bench.json)] [--picks N] [--warm N] [--runs N] [--connections N] [--max-batch N] [--quick]
 *                              [--only sqlite|postgres|generation (repeatable; default all three)]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import type { FeedbackStore } from '../src/data/store/feedback-store.ts';
import { PgFeedbackStore } from '../src/data/store/pg-feedback-store.ts';
import { SERVER_CHECKPOINT_MS, SqliteFeedbackStore } from '../src/data/store/sqlite-feedback-store.ts';
import { startPgServer } from '../test/web/pg-server.ts';
import { parseGptConfig } from '../src/model/gpt-config.ts';
import { GptModel } from '../src/model/gpt-model.ts';
import { BpeTokenizer } from '../src/model/tokenizer/index.ts';
import { createGptChatModel } from '../src/redteam/targets/gpt-chat-model.ts';
import { writeFileAtomic } from '../src/util/atomic-write.ts';
import { median } from '../src/util/median.ts';
import { createFeedbackApp } from '../src/web/feedback/feedback-app.ts';
import { newSecret, secretHash } from '../src/web/feedback/security.ts';
import { listen } from '../src/web/serve/listen.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'string', default: '.bench-out/feedback-bench.json' },
    picks: { type: 'string', default: '30000' },
    connections: { type: 'string', default: '32' },
    warm: { type: 'string', default: '2000' },
    'max-batch': { type: 'string', default: '16' },
    runs: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    child: { type: 'string' },
    store: { type: 'string' },
  },
});
const ADMIN = 'bench-admin-token-0123456789';
const PARTS = ['sqlite', 'postgres', 'generation'] as const;
const NO_LIMIT = { ratePerMinute: 1e9, rateBurst: 1_000_000, reviewShare: 0, overlapShare: 0 };

/** The store a spec names: a `postgres://` URL or a SQLite file (`serving`: as `hhrl feedback serve` opens it). */
async function openStore(spec: string, serving = false): Promise<FeedbackStore> {
  return spec.startsWith('postgres://') ? PgFeedbackStore.open(spec, { maxConnections: 16 }) : SqliteFeedbackStore.open(spec, serving ? { checkpointEveryMs: SERVER_CHECKPOINT_MS } : {});
}

if (values.child === 'server') {
  const store = await openStore(values.store!, true);
  const policy = { id: 'constant', complete: async () => ({ text: 'ok', finishReason: 'stop' as const }) };
  const server = await listen(createFeedbackApp({ store, policies: [policy], adminToken: ADMIN, config: NO_LIMIT }).app, { port: 0 });
  process.send!({ port: server.port });
  // 'report': the CPU spent so far and how picks were grouped into commits; 'stop': the same, then close and exit
  const report = (): ServerReport => {
    const { user, system } = process.cpuUsage();
    return { cpuMs: (user + system) / 1000, ...(store instanceof SqliteFeedbackStore ? { commits: store.commitCounts() } : {}) };
  };
  process.on('message', async (request) => {
    if (request === 'report') return void process.send!(report());
    const last = report();
    await server.close();
    await store.close();
    process.send!(last, () => process.exit(0));
  });
} else {
  await main();
}

interface Annotator { readonly id: string; readonly cookie: string; readonly csrf: string }

/** What the server child reports when stopped. */
interface ServerReport {
  /** Picks and the transactions they were committed in (SQLite's group commit). */
  readonly commits?: { readonly batches: number; readonly writes: number };
  /** CPU time (user + system) the server process has spent. */
  readonly cpuMs: number;
}

/** Annotators with sessions, and one conversation per pick awaiting it (message and both replies stored). */
async function prepare(store: FeedbackStore, annotators: number, conversations: number): Promise<{ people: Annotator[]; ids: string[] }> {
  const people: Annotator[] = [];
  for (let index = 0; index < annotators; index++) {
    const id = `bench-${index}`;
    const cookie = newSecret();
    const csrf = newSecret();
    await store.createAnnotator({ id, name: id, inviteHash: secretHash(newSecret()) });
    await store.createSession({ tokenHash: secretHash(cookie), annotatorId: id, csrfToken: csrf, expiresAt: '2999-01-01T00:00:00.000Z' });
    people.push({ id, cookie, csrf });
  }
  const ids: string[] = [];
  for (let index = 0; index < conversations; index++) {
    const id = `c${index}`;
    await store.createConversation({ id, annotatorId: people[index % annotators].id, task: index % 2 === 0 ? 'helpful' : 'red-team' });
    await store.setPending(id, `Question number ${index}: how do I do this well?`);
    await store.saveCandidates(id, 0, [
      { slot: 'a', text: `A careful answer to question ${index}.`, model: 'pi-1', seed: 1, finishReason: 'stop', firstTokenMs: 1, totalMs: 2 },
      { slot: 'b', text: `A short answer ${index}.`, model: 'pi-0', seed: 2, finishReason: 'stop', firstTokenMs: 1, totalMs: 2 },
    ]);
    ids.push(id);
  }
  return { people, ids };
}

/** Every conversation of `from`–`to` once, and after every 19th a resend of an earlier one (same key and conversation). */
function resendPlan(from: number, to: number): number[] {
  const plan: number[] = [];
  for (let conversation = from; conversation < to; conversation++) {
    plan.push(conversation);
    if (conversation % 19 === 18) plan.push(conversation - 5);
  }
  return plan;
}

/** The picks of `plan` sent by autocannon; the keys sent and acknowledged (2xx) are added to the sets. */
async function sendPicks(port: number, plan: readonly number[], people: readonly Annotator[], ids: readonly string[], connections: number, sent: Set<string>, acknowledged: Set<string>) {
  let next = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    amount: plan.length,
    requests: [{
      setupRequest: (request, context) => {
        const conversation = plan[next++ % plan.length];
        const person = people[conversation % people.length];
        const key = `bench-key-${conversation}`;
        sent.add(key);
        (context as { key?: string }).key = key;
        return {
          ...request, method: 'POST', path: `/api/conversations/${ids[conversation]}/picks`,
          headers: { 'content-type': 'application/json', cookie: `hhrl_fb_session=${person.cookie}`, 'x-csrf-token': person.csrf },
          body: JSON.stringify({ turn: 0, scale: 1 + (conversation % 6), idempotencyKey: key, latencyMs: 1000 }),
        };
      },
      // One request in flight per connection, so the connection's context names the key being answered.
      onResponse: (status, _body, context) => {
        if (status >= 200 && status < 300) acknowledged.add((context as { key: string }).key);
      },
    }],
  });
}

/** Ask the server child for its CPU time and commit counts so far. */
function serverReport(child: ChildProcess, request: 'report' | 'stop'): Promise<ServerReport> {
  const answer = new Promise<ServerReport>((resolve) => child.once('message', (message) => resolve(message as ServerReport)));
  child.send(request);
  return answer;
}

/**
 * One load run: `warm` picks to warm the server up (JIT, caches; not timed), then `picks` timed; afterwards every
 * acknowledged key must be in the store once.
 */
async function submissions(path: string, picks: number, warm: number, connections: number) {
  const store = await openStore(path);
  const { people, ids } = await prepare(store, 64, warm + picks);
  await store.close();
  const profile = process.env.HHRL_BENCH_CPU_PROF === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', process.env.HHRL_BENCH_CPU_PROF];
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child', 'server', '--store', path], { execArgv: ['--import', 'tsx', ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  const keys = new Set<string>();
  const acknowledged = new Set<string>();
  await sendPicks(port, resendPlan(0, warm), people, ids, connections, keys, acknowledged);
  const before = await serverReport(child, 'report');
  const clientCpu = process.cpuUsage();
  const load = loadavg()[0];
  const result = await sendPicks(port, resendPlan(warm, warm + picks), people, ids, connections, keys, acknowledged);
  const loadCpu = process.cpuUsage(clientCpu);
  const after = await serverReport(child, 'stop');
  await new Promise((resolve) => child.once('exit', resolve));
  const check = await openStore(path);
  const stored = await check.picks();
  const comparisons = await check.comparisonCount();
  await check.close();
  const storedKeys = new Set(stored.map((pick) => pick.idempotencyKey));
  // Lost: acknowledged (2xx) but not in the store. Unanswered requests (errors, timeouts) are counted apart.
  const lost = [...acknowledged].filter((key) => !storedKeys.has(key)).length;
  const requests = result.requests.total;
  const batches = after.commits === undefined ? undefined : after.commits.batches - before.commits!.batches;
  return {
    requests, warm_up_requests: resendPlan(0, warm).length, distinct_submissions: keys.size, acknowledged: acknowledged.size, non_2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts,
    submissions_per_second: requests / result.duration, latency_ms: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    stored_picks: stored.length, stored_comparisons: comparisons, lost, duplicated: stored.length - storedKeys.size + (comparisons - stored.length), connections,
    server_cpu_ms_per_request: (after.cpuMs - before.cpuMs) / requests, load_generator_cpu_ms_per_request: (loadCpu.user + loadCpu.system) / 1000 / requests,
    ...(batches === undefined ? {} : { commits: batches, picks_per_commit: (after.commits!.writes - before.commits!.writes) / Math.max(1, batches) }),
    load_average_1min: load,
  };
}

/** One annotator's loop: a new conversation, then `turns` messages, each waiting for both replies and picking A. */
async function annotatorLoop(base: string, person: Annotator, turns: number, ttft: number[]): Promise<number> {
  const headers = { 'content-type': 'application/json', cookie: `hhrl_fb_session=${person.cookie}`, 'x-csrf-token': person.csrf };
  const call = async (path: string, body?: unknown) => (await fetch(`${base}${path}`, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) })).json() as Promise<{ id: string }>;
  const { id } = await call('/api/conversations', { task: 'helpful' });
  let replies = 0;
  for (let turn = 0; turn < turns; turn++) {
    await call(`/api/conversations/${id}/messages`, { text: `Tell me something useful about topic ${turn}.` });
    const started = performance.now();
    const response = await fetch(`${base}/api/conversations/${id}/candidates`, { method: 'POST', headers });
    const text = await response.text();
    const events = text.split('\n\n').filter((block) => block.startsWith('data: ')).map((block) => JSON.parse(block.slice(6)) as { type: string; ttft?: number });
    if (!events.some((event) => event.type === 'ready')) throw new Error(`turn ${turn} failed: ${text.slice(0, 300)}`);
    replies += 2;
    ttft.push(performance.now() - started);
    await call(`/api/conversations/${id}/picks`, { turn, scale: 2, idempotencyKey: `${id}-${turn}-key`, latencyMs: 1 });
  }
  return replies;
}

async function generation(levels: readonly number[], turns: number) {
  const tokenizer = BpeTokenizer.fromBytes();
  const model = GptModel.create(parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 4, dModel: 128, heads: 4, context: 256 }), { lm: true }, tokenizer, 7);
  const policy = createGptChatModel(model, { id: 'reference-shape', maxBatch: Number(values['max-batch']) });
  const store = SqliteFeedbackStore.open(join(mkdtempSync(join(tmpdir(), 'hhrl-fb-gen-')), 'store.sqlite'));
  const feedback = createFeedbackApp({ store, policies: [policy], adminToken: ADMIN, config: { ...NO_LIMIT, maxTokens: 64 } });
  const server = await listen(feedback.app, { port: 0 });
  const { people } = await prepare(store, Math.max(...levels), 0);
  // untimed: one turn at each level compiles the decoding graphs its batch sizes need
  for (const level of levels) await Promise.all(people.slice(0, level).map((person) => annotatorLoop(server.url, person, 1, [])));
  const rows = [];
  for (const level of levels) {
    const ttft: number[] = [];
    const load = loadavg()[0];
    const cpu = process.cpuUsage();
    const started = performance.now();
    const replies = (await Promise.all(people.slice(0, level).map((person) => annotatorLoop(server.url, person, turns, ttft)))).reduce((a, b) => a + b, 0);
    const seconds = (performance.now() - started) / 1000;
    const { user, system } = process.cpuUsage(cpu);
    const candidates = await Promise.all(people.slice(0, level).map(async (person) => (await store.conversations(person.id))[0]));
    const timings = (await Promise.all(candidates.map(async (conversation) => {
      const all = [];
      for (let turn = 0; turn < conversation.turn; turn++) all.push(...(await store.candidates(conversation.id, turn)));
      return all;
    }))).flat();
    const firstToken = timings.map((candidate) => candidate.firstTokenMs).filter((value): value is number => value !== null);
    rows.push({
      annotators: level, replies, seconds, replies_per_second: replies / seconds,
      time_to_first_token_ms: { p50: median(firstToken), p90: firstToken.sort((a, b) => a - b)[Math.floor(0.9 * (firstToken.length - 1))] },
      time_to_both_replies_ms_p50: median(ttft),
      // this process serves, generates (ORT's threads included) and plays the annotators
      cpu_ms_per_reply: (user + system) / 1000 / replies,
      load_average_1min: load,
    });
    process.stderr.write(`generation, ${level} annotators: ${(replies / seconds).toFixed(1)} replies/s, first token p50 ${median(firstToken)?.toFixed(0)} ms, `
      + `CPU ${((user + system) / 1000 / replies).toFixed(0)} ms/reply (load ${load.toFixed(1)})\n`);
  }
  await server.close();
  await store.close();
  return { model: 'GPT 4 layers, d_model 128, 4 heads, context 256, byte vocabulary (random weights), 64 new tokens, temperature 1', turns_per_annotator: turns, rows };
}

type LoadRun = Awaited<ReturnType<typeof submissions>>;

/** Several load runs and their medians (lost and duplicated summed: any is a failure). */
function summary(runs: readonly LoadRun[]) {
  const of = (pick: (run: LoadRun) => number) => median(runs.map(pick))!;
  return {
    runs: runs.length,
    submissions_per_second: of((run) => run.submissions_per_second),
    latency_ms: { p50: of((run) => run.latency_ms.p50), p99: of((run) => run.latency_ms.p99) },
    server_cpu_ms_per_request: of((run) => run.server_cpu_ms_per_request),
    picks_per_commit: runs[0].picks_per_commit === undefined ? undefined : of((run) => run.picks_per_commit!),
    lost: runs.reduce((sum, run) => sum + run.lost, 0),
    duplicated: runs.reduce((sum, run) => sum + run.duplicated, 0),
    unanswered: runs.reduce((sum, run) => sum + run.errors + run.timeouts + run.non_2xx, 0),
    load_average_1min: of((run) => run.load_average_1min),
  };
}

/** The short table of the submission figures (markdown). */
function table(rows: readonly [string, ReturnType<typeof summary>][]): string {
  const lines = ['| store | runs | submissions/s | p50 ms | p99 ms | server CPU ms/request | picks/commit | lost | duplicated | load (1 min) |', '|---|---|---|---|---|---|---|---|---|---|'];
  for (const [name, figures] of rows) {
    lines.push(`| ${name} | ${figures.runs} | ${figures.submissions_per_second.toFixed(0)} | ${figures.latency_ms.p50} | ${figures.latency_ms.p99} | ${figures.server_cpu_ms_per_request.toFixed(3)} | `
      + `${figures.picks_per_commit?.toFixed(1) ?? '–'} | ${figures.lost} | ${figures.duplicated} | ${figures.load_average_1min.toFixed(1)} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const parts = new Set(values.only ?? PARTS);
  for (const part of parts) if (!(PARTS as readonly string[]).includes(part)) throw new Error(`--only ${part}: expected one of ${PARTS.join(', ')}`);
  const picks = values.quick ? 5000 : Number(values.picks);
  const warm = values.quick ? 1000 : Number(values.warm);
  const runs = values.quick ? 1 : Number(values.runs);
  const connections = Number(values.connections);
  const loadBefore = loadavg()[0];
  const say = (name: string, figures: LoadRun) =>
    process.stderr.write(`submissions (${name}): ${figures.submissions_per_second.toFixed(0)}/s, p50 ${figures.latency_ms.p50} ms, p99 ${figures.latency_ms.p99} ms, `
      + `server CPU ${figures.server_cpu_ms_per_request.toFixed(3)} ms/request, lost ${figures.lost}, duplicated ${figures.duplicated} (load ${figures.load_average_1min.toFixed(1)})\n`);
  const sqliteRuns: LoadRun[] = [];
  if (parts.has('sqlite')) {
    for (let run = 0; run < runs; run++) {
      sqliteRuns.push(await submissions(join(mkdtempSync(join(tmpdir(), 'hhrl-fb-bench-')), 'store.sqlite'), picks, warm, connections));
      say('SQLite', sqliteRuns.at(-1)!);
    }
  }
  // PostgreSQL: a throwaway local cluster (Debian's postgresql; fsync off, as in the tests: this measures the app).
  const pgRuns: LoadRun[] = [];
  if (parts.has('postgres')) {
    const server = await startPgServer();
    try {
      for (let run = 0; run < runs; run++) {
        const admin = new pg.Client(`${server.baseUrl}postgres`);
        await admin.connect();
        await admin.query(`CREATE DATABASE bench${run}`);
        await admin.end();
        pgRuns.push(await submissions(`${server.baseUrl}bench${run}`, Math.min(picks, values.quick ? 2000 : 10000), Math.min(warm, 1000), connections));
        say('PostgreSQL', pgRuns.at(-1)!);
      }
    } finally {
      server.stop();
    }
  }
  const gen = parts.has('generation') ? await generation([1, 8, 32], values.quick ? 1 : 2) : undefined;
  const sqlite = sqliteRuns.length === 0 ? undefined : { median: summary(sqliteRuns), runs: sqliteRuns };
  const postgres = pgRuns.length === 0 ? undefined : { median: summary(pgRuns), runs: pgRuns, server: 'local PostgreSQL cluster, fsync off, synchronous_commit off' };
  const result = {
    submissions_sqlite: sqlite,
    submissions_postgres: postgres,
    generation: gen,
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, load_average_before: loadBefore, load_average_after: loadavg()[0] },
  };
  mkdirSync(dirname(values.json!), { recursive: true });
  writeFileAtomic(values.json!, `${JSON.stringify(result, null, 2)}\n`);
  const rows: [string, ReturnType<typeof summary>][] = [];
  if (sqlite !== undefined) rows.push(['SQLite', sqlite.median]);
  if (postgres !== undefined) rows.push(['PostgreSQL', postgres.median]);
  if (rows.length > 0) process.stdout.write(`${table(rows)}\n`);
  process.stderr.write(`wrote ${values.json}\n`);
}
