/**
 * Feedback-app benchmark (`npm run bench:feedback`):
 *   1. submissions: picks per second and p50/p99 latency of `POST /api/conversations/:id/picks` on the SQLite store
 *      and on PostgreSQL (a throwaway local cluster, `test/web/pg-server.ts`),
 *      the server in a child process, autocannon on loopback from this one; 5% of requests resend an earlier
 *      idempotency key (a retried click). Afterwards the store must hold exactly one comparison per distinct key:
 *      lost and duplicated submissions are counted, not assumed. (Goal: ≥ 2,000/s, p99 < 50 ms, 0 lost, 0 duplicated.)
 *   2. generation: replies per second and time to first token (first streamed text of a reply) with an hhrl
 *      checkpoint of the engine bench's reference shape (random weights: speed does not depend on them), at 1, 8
 *      and 32 annotators each sending messages in a loop.
 *
 *   npm run bench:feedback -- [--json FILE (default .bench-out/feedback-bench.json)] [--picks N] [--connections N] [--quick]
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
import { SqliteFeedbackStore } from '../src/data/store/sqlite-feedback-store.ts';
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
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    child: { type: 'string' },
    store: { type: 'string' },
  },
});
const ADMIN = 'bench-admin-token-0123456789';
const PARTS = ['sqlite', 'postgres', 'generation'] as const;
const NO_LIMIT = { ratePerMinute: 1e9, rateBurst: 1_000_000, reviewShare: 0, overlapShare: 0 };

/** The store a spec names: a `postgres://` URL or a SQLite file. */
async function openStore(spec: string): Promise<FeedbackStore> {
  return spec.startsWith('postgres://') ? PgFeedbackStore.open(spec, { maxConnections: 16 }) : SqliteFeedbackStore.open(spec);
}

if (values.child === 'server') {
  const store = await openStore(values.store!);
  const policy = { id: 'constant', complete: async () => ({ text: 'ok', finishReason: 'stop' as const }) };
  const server = await listen(createFeedbackApp({ store, policies: [policy], adminToken: ADMIN, config: NO_LIMIT }).app, { port: 0 });
  const cpu = process.cpuUsage();
  process.send!({ port: server.port });
  // 'stop': close the server and the store and report the CPU spent serving and how picks were grouped into commits
  process.once('message', async () => {
    const { user, system } = process.cpuUsage(cpu);
    await server.close();
    const commits = store instanceof SqliteFeedbackStore ? store.commitCounts() : undefined;
    await store.close();
    process.send!({ commits, cpuMs: (user + system) / 1000 } satisfies ServerReport, () => process.exit(0));
  });
} else {
  await main();
}

interface Annotator { readonly id: string; readonly cookie: string; readonly csrf: string }

/** What the server child reports when stopped. */
interface ServerReport {
  /** Picks and the transactions they were committed in (SQLite's group commit). */
  readonly commits?: { readonly batches: number; readonly writes: number };
  /** CPU time (user + system) the server spent from listening to the stop. */
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

async function submissions(path: string, picks: number, connections: number) {
  const store = await openStore(path);
  const annotators = 64;
  const { people, ids } = await prepare(store, annotators, picks);
  await store.close();
  const profile = process.env.HHRL_BENCH_CPU_PROF === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', process.env.HHRL_BENCH_CPU_PROF];
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child', 'server', '--store', path], { execArgv: ['--import', 'tsx', ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  // Every 19th pick is followed by a resend of an earlier one (same key and conversation): the store must keep one.
  const plan: number[] = [];
  for (let conversation = 0; conversation < ids.length; conversation++) {
    plan.push(conversation);
    if (conversation % 19 === 18) plan.push(conversation - 5);
  }
  let next = 0;
  const clientCpu = process.cpuUsage();
  const keys = new Set<string>();
  const acknowledged = new Set<string>();
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    amount: plan.length,
    requests: [{
      setupRequest: (request, context) => {
        const conversation = plan[next++ % plan.length];
        const person = people[conversation % annotators];
        const key = `bench-key-${conversation}`;
        keys.add(key);
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
  const loadCpu = process.cpuUsage(clientCpu);
  const stopped = new Promise<ServerReport>((resolve) => child.once('message', (message) => resolve(message as ServerReport)));
  child.send('stop');
  const { commits, cpuMs } = await stopped;
  await new Promise((resolve) => child.once('exit', resolve));
  const check = await openStore(path);
  const stored = await check.picks();
  const comparisons = await check.comparisonCount();
  await check.close();
  const storedKeys = new Set(stored.map((pick) => pick.idempotencyKey));
  // Lost: acknowledged (2xx) but not in the store. Unanswered requests (errors, timeouts) are counted apart.
  const lost = [...acknowledged].filter((key) => !storedKeys.has(key)).length;
  return {
    requests: result.requests.total, distinct_submissions: keys.size, acknowledged: acknowledged.size, non_2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts,
    submissions_per_second: result.requests.total / result.duration, latency_ms: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    stored_picks: stored.length, stored_comparisons: comparisons, lost, duplicated: stored.length - storedKeys.size + (comparisons - stored.length), connections,
    server_cpu_ms_per_request: cpuMs / result.requests.total, load_generator_cpu_ms_per_request: (loadCpu.user + loadCpu.system) / 1000 / result.requests.total,
    ...(commits === undefined ? {} : { commits: commits.batches, picks_per_commit: commits.writes / Math.max(1, commits.batches) }),
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
  const policy = createGptChatModel(model, { id: 'reference-shape' });
  const store = SqliteFeedbackStore.open(join(mkdtempSync(join(tmpdir(), 'hhrl-fb-gen-')), 'store.sqlite'));
  const feedback = createFeedbackApp({ store, policies: [policy], adminToken: ADMIN, config: { ...NO_LIMIT, maxTokens: 64 } });
  const server = await listen(feedback.app, { port: 0 });
  const { people } = await prepare(store, Math.max(...levels), 0);
  const rows = [];
  for (const level of levels) {
    const ttft: number[] = [];
    const started = performance.now();
    const replies = (await Promise.all(people.slice(0, level).map((person) => annotatorLoop(server.url, person, turns, ttft)))).reduce((a, b) => a + b, 0);
    const seconds = (performance.now() - started) / 1000;
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
    });
    process.stderr.write(`generation, ${level} annotators: ${(replies / seconds).toFixed(1)} replies/s, first token p50 ${median(firstToken)?.toFixed(0)} ms\n`);
  }
  await server.close();
  await store.close();
  return { model: 'GPT 4 layers, d_model 128, 4 heads, context 256, byte vocabulary (random weights), 64 new tokens, temperature 1', turns_per_annotator: turns, rows };
}

async function main(): Promise<void> {
  const parts = new Set(values.only ?? PARTS);
  for (const part of parts) if (!(PARTS as readonly string[]).includes(part)) throw new Error(`--only ${part}: expected one of ${PARTS.join(', ')}`);
  const picks = values.quick ? 5000 : Number(values.picks);
  const loadBefore = loadavg()[0];
  const say = (name: string, figures: Awaited<ReturnType<typeof submissions>>) =>
    process.stderr.write(`submissions (${name}): ${figures.submissions_per_second.toFixed(0)}/s, p50 ${figures.latency_ms.p50} ms, p99 ${figures.latency_ms.p99} ms, `
      + `server CPU ${figures.server_cpu_ms_per_request.toFixed(3)} ms/request, lost ${figures.lost}, duplicated ${figures.duplicated} (load ${loadavg()[0].toFixed(1)})\n`);
  let submit;
  if (parts.has('sqlite')) {
    submit = await submissions(join(mkdtempSync(join(tmpdir(), 'hhrl-fb-bench-')), 'store.sqlite'), picks, Number(values.connections));
    say('SQLite', submit);
  }
  // PostgreSQL: a throwaway local cluster (Debian's postgresql; fsync off, as in the tests: this measures the app).
  let submitPg;
  if (parts.has('postgres')) {
    const server = await startPgServer();
    try {
      const admin = new pg.Client(`${server.baseUrl}postgres`);
      await admin.connect();
      await admin.query('CREATE DATABASE bench');
      await admin.end();
      submitPg = await submissions(`${server.baseUrl}bench`, Math.min(picks, values.quick ? 2000 : 10000), Number(values.connections));
      say('PostgreSQL', submitPg);
    } finally {
      server.stop();
    }
  }
  const gen = parts.has('generation') ? await generation([1, 8, 32], values.quick ? 1 : 2) : undefined;
  const result = {
    submissions_sqlite: submit,
    submissions_postgres: submitPg === undefined ? undefined : { ...submitPg, server: 'local PostgreSQL cluster, fsync off, synchronous_commit off' },
    generation: gen,
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, load_average_before: loadBefore, load_average_after: loadavg()[0] },
  };
  mkdirSync(dirname(values.json!), { recursive: true });
  writeFileAtomic(values.json!, `${JSON.stringify(result, null, 2)}\n`);
  process.stderr.write(`wrote ${values.json}\n`);
}
