/**
 * `hhrl feedback serve|invite` — the human-feedback web app (Bai et al. 2022 §2.2) on a comparison store, and
 * invite links for its annotators. What annotators pick lands in the store that `hhrl data export|stats` and
 * `hhrl pm train --data store:FILE` read.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { writeLinesAtomic } from '../data/jsonl-writer.ts';
import type { FeedbackTask } from '../data/store/feedback-scale.ts';
import type { FeedbackStore } from '../data/store/feedback-store.ts';
import { PgFeedbackStore } from '../data/store/pg-feedback-store.ts';
import { isPostgresSpec, redactUrl } from '../data/store/pg-schema.ts';
import { SERVER_CHECKPOINT_MS, SqliteFeedbackStore, type SqliteFeedbackOptions } from '../data/store/sqlite-feedback-store.ts';
import { ConfigError } from '../spec/errors.ts';
import { parseWith } from '../train/common/parse-config.ts';
import type { StartTraining } from '../web/feedback/admin-routes.ts';
import { createFeedbackApp } from '../web/feedback/feedback-app.ts';
import { FEEDBACK_APP_DEFAULTS, FeedbackAppConfigSchema } from '../web/feedback/feedback-config.ts';
import { readGoldItems } from '../web/feedback/gold-items.ts';
import { loadPolicy } from '../web/feedback/policies.ts';
import { newSecret, secretHash } from '../web/feedback/security.ts';
import { listen } from '../web/serve/listen.ts';

const describe = (field: keyof typeof FeedbackAppConfigSchema.shape) => FeedbackAppConfigSchema.shape[field].description ?? field;
const collect = (value: string, previous: string[] = []) => [...previous, value];
const number = (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new InvalidArgumentError('expected a number');
  return parsed;
};
const port = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new InvalidArgumentError('expected a port 0–65535');
  return parsed;
};

/** Open the store a `--store` value names: a `postgres://` URL or a SQLite file. */
export async function openFeedbackStore(spec: string, options: Pick<SqliteFeedbackOptions, 'durable' | 'checkpointEveryMs'> = {}): Promise<FeedbackStore> {
  return isPostgresSpec(spec) ? PgFeedbackStore.open(spec) : SqliteFeedbackStore.open(spec, options);
}

/** `--gold FILE[:helpful|red-team]` (default task: helpful). */
function goldSpec(value: string): { file: string; task: FeedbackTask } {
  const match = /^(.*):(helpful|red-team)$/.exec(value);
  return match === null ? { file: value, task: 'helpful' } : { file: match[1], task: match[2] as FeedbackTask };
}

/**
 * The admin's train button: `hhrl pm train` on the store (SQLite file or PostgreSQL URL), in a child process
 * writing the run folder `<out>/<time>/` and its log beside it, `<out>/<time>.log` (a run folder holding anything
 * else is refused by `pm train`).
 */
function trainingStarter(storePath: string, out: string): StartTraining {
  return async () => {
    mkdirSync(out, { recursive: true });
    const runDir = join(out, new Date().toISOString().replace(/[:.]/g, '-'));
    const args = [...process.execArgv, resolve(process.argv[1]), 'pm', 'train', '--data', `store:${storePath}`, '--out', runDir];
    const logPath = `${runDir}.log`;
    const log = openSync(logPath, 'a');
    const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    const shown = isPostgresSpec(storePath) ? redactUrl(storePath) : storePath;
    return { command: `hhrl pm train --data store:${shown} --out ${runDir} (pid ${child.pid}, log ${logPath})` };
  };
}

interface ServeFlags {
  store: string;
  policy: string[];
  port: number;
  host: string;
  adminTokenEnv: string;
  gold?: string[];
  maxTokens: number;
  temperature: number;
  seed: number;
  round: number;
  reviewShare: number;
  repeatShare: number;
  overlapShare: number;
  ratePerMinute: number;
  durable?: boolean;
  secureCookies?: boolean;
  trainOut: string;
}

/** The app's settings from the flags. @throws ConfigError naming every bad one. */
function appConfig(flags: ServeFlags) {
  return parseWith(FeedbackAppConfigSchema, {
    maxTokens: flags.maxTokens, temperature: flags.temperature, seed: flags.seed, round: flags.round, reviewShare: flags.reviewShare, repeatShare: flags.repeatShare,
    overlapShare: flags.overlapShare, ratePerMinute: flags.ratePerMinute, secureCookies: flags.secureCookies === true,
  }, 'feedback app');
}

/** `hhrl feedback serve`: open the store, add the known-answer items, serve until SIGINT/SIGTERM. */
async function serve(flags: ServeFlags): Promise<void> {
  const adminToken = process.env[flags.adminTokenEnv];
  if (adminToken === undefined || adminToken.length < 16) throw new ConfigError(`set ${flags.adminTokenEnv} to an admin token of at least 16 characters`);
  const config = appConfig(flags);
  const policies = flags.policy.map((spec) => loadPolicy(spec, config));
  const store = await openFeedbackStore(flags.store, { durable: flags.durable, checkpointEveryMs: SERVER_CHECKPOINT_MS });
  for (const gold of (flags.gold ?? []).map(goldSpec)) {
    const added = await store.addItems(await readGoldItems(gold.file, gold.task, config.seed));
    process.stderr.write(`hhrl feedback: ${added} new known-answer ${gold.task} items from ${gold.file}\n`);
  }
  const startTraining = trainingStarter(flags.store, flags.trainOut);
  const { app } = createFeedbackApp({ store, policies, adminToken, config, startTraining });
  const server = await listen(app, { port: flags.port, hostname: flags.host });
  process.stderr.write(`hhrl feedback: serving ${policies.map((policy) => policy.id).join(', ')} at ${server.url} (admin: ${server.url}/admin); Ctrl-C stops\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await server.close();
  await store.close();
}

/** `hhrl feedback serve` and its flags. */
function registerServe(feedback: Command): void {
  const command = feedback
    .command('serve')
    .description('serve the annotation app on a comparison store; annotators sign in with invite links, the admin at /admin')
    .requiredOption('--store <spec>', 'comparison store: a SQLite file (created when missing) or a postgres:// URL')
    .requiredOption('--policy <spec>', 'policy writing replies (repeatable): a checkpoint or run folder, or openai:BASE_URL#MODEL', collect)
    .option('--port <n>', 'TCP port (0: any free port)', port, 8080)
    .option('--host <address>', 'address to listen on (loopback by default)', '127.0.0.1')
    .option('--admin-token-env <name>', 'environment variable holding the admin token (at least 16 characters)', 'HHRL_FEEDBACK_ADMIN_TOKEN')
    .option('--gold <file[:task]>', 'known-answer items: an HH JSONL file, task helpful (default) or red-team (repeatable)', collect)
    .option('--max-tokens <n>', describe('maxTokens'), number, FEEDBACK_APP_DEFAULTS.maxTokens)
    .option('--temperature <t>', describe('temperature'), number, FEEDBACK_APP_DEFAULTS.temperature)
    .option('--seed <n>', describe('seed'), number, FEEDBACK_APP_DEFAULTS.seed)
    .option('--round <n>', describe('round'), number, FEEDBACK_APP_DEFAULTS.round)
    .option('--review-share <x>', describe('reviewShare'), number, FEEDBACK_APP_DEFAULTS.reviewShare)
    .option('--repeat-share <x>', describe('repeatShare'), number, FEEDBACK_APP_DEFAULTS.repeatShare)
    .option('--overlap-share <x>', describe('overlapShare'), number, FEEDBACK_APP_DEFAULTS.overlapShare)
    .option('--rate-per-minute <n>', describe('ratePerMinute'), number, FEEDBACK_APP_DEFAULTS.ratePerMinute)
    .option('--durable', 'sync every commit to disk (survives a power cut, not only a killed server)')
    .option('--secure-cookies', describe('secureCookies'))
    .option('--train-out <dir>', 'where the admin\'s "train" button writes its run folders', 'runs/feedback-pm');
  command.action(serve);
}

/** `hhrl feedback export`: the store's comparisons as HH or TRL JSONL. */
function registerExport(feedback: Command): void {
  feedback
    .command('export')
    .description('write the store\'s comparisons (excluded annotators left out) as HH or TRL JSONL, from SQLite or PostgreSQL')
    .requiredOption('--store <spec>', 'the store the server uses (SQLite file or postgres:// URL)')
    .requiredOption('--out <file>', 'output .jsonl (or .jsonl.gz), written atomically')
    .addOption(new Option('--format <format>', 'row format').choices(['hh', 'trl']).default('hh'))
    .action(async (flags: { store: string; out: string; format: 'hh' | 'trl' }) => {
      const store = await openFeedbackStore(flags.store);
      try {
        const lines: string[] = [];
        for await (const line of store.exportLines(flags.format)) lines.push(line);
        const result = await writeLinesAtomic(flags.out, lines);
        process.stderr.write(`${flags.out}: ${result.lines} comparisons (${flags.format}); train with hhrl pm train --data ${flags.out}\n`);
      } finally {
        await store.close();
      }
    });
}

/** `hhrl feedback invite`: a new annotator and their sign-in link. */
function registerInvite(feedback: Command): void {
  feedback
    .command('invite')
    .description('create an annotator and print their sign-in link (the admin page does the same)')
    .requiredOption('--store <spec>', 'the store the server uses (SQLite file or postgres:// URL)')
    .requiredOption('--name <name>', "annotator's name, shown to the admin")
    .option('--base-url <url>', 'the server address annotators reach', 'http://127.0.0.1:8080')
    .action(async (flags: { store: string; name: string; baseUrl: string }) => {
      const store = await openFeedbackStore(flags.store);
      try {
        const secret = newSecret();
        const annotator = await store.createAnnotator({ id: `ann-${newSecret().slice(0, 10)}`, name: flags.name, inviteHash: secretHash(secret) });
        process.stdout.write(`${annotator.name}: ${flags.baseUrl.replace(/\/+$/, '')}/join/${secret}\n`);
      } finally {
        await store.close();
      }
    });
}

/** Register `hhrl feedback …`. */
export function registerFeedbackCommands(program: Command): void {
  const feedback = program.command('feedback').description('The human-feedback web app (Bai et al. 2022 §2.2): annotators compare two replies per turn');
  registerServe(feedback);
  registerExport(feedback);
  registerInvite(feedback);
}
