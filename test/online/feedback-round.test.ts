/**
 * Online rounds labelled by people (`--labeler feedback:STORE`): the round waits for its quota of picks in the store
 * the feedback app writes (picks of other rounds and of excluded annotators do not count), copies them into the
 * round folder, and the PM trains on them. The app, its store and the HTTP traffic are real; the annotators are this
 * test, and in the waiting test the app's policies are scripted (a double at the model boundary).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadPairs } from '../../src/data/specs/preference-pairs.ts';
import { SqliteFeedbackStore } from '../../src/data/store/sqlite-feedback-store.ts';
import { awaitFeedbackRound, roundPairSpecs, serveCommand } from '../../src/online/run/feedback-round.ts';
import { runOnlineRun } from '../../src/online/run/online-run.ts';
import { TrainingAborted } from '../../src/train/common/training-aborted.ts';
import type { ChatModel } from '../../src/spec/chat-target.ts';
import { createFeedbackApp } from '../../src/web/feedback/feedback-app.ts';
import { loadPolicy } from '../../src/web/feedback/policies.ts';
import { listen, type RunningServer } from '../../src/web/serve/listen.ts';
import { TOY_STAGES, toyWorld } from '../eval/toy-experiment.ts';
import { scriptedModel } from '../redteam/scripted-model.ts';
import { FeedbackClient } from '../web/feedback-client.ts';

const ADMIN = 'online-feedback-admin-0123';
const { root, worldDir } = toyWorld('hhrl-feedback-round-');
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

/** The feedback app on `store` recording round `round`, and an admin client. */
async function serveRound(store: SqliteFeedbackStore, policies: ChatModel[], round: number): Promise<{ server: RunningServer; admin: FeedbackClient }> {
  const { app } = createFeedbackApp({ store, policies, adminToken: ADMIN, config: { round, reviewShare: 0, overlapShare: 0, rateBurst: 1000 } });
  const server = await listen(app, { port: 0 });
  closers.push(() => server.close());
  const admin = new FeedbackClient(server.url);
  await admin.adminLogin(ADMIN);
  return { server, admin };
}

/** An annotator signed in through an invite; `pick` sends a message, reads both replies and picks A (scale 1). */
async function annotator(server: RunningServer, admin: FeedbackClient, name: string) {
  const invite = await admin.json('POST', '/admin/api/invites', { name });
  const client = new FeedbackClient(server.url);
  await client.join(invite.data.path as string);
  let keys = 0;
  return {
    pick: async (task: 'helpful' | 'red-team', text: string): Promise<{ a: string; b: string }> => {
      const conversationId = (await client.json('POST', '/api/conversations', { task })).data.id as string;
      assert.equal((await client.json('POST', `/api/conversations/${conversationId}/messages`, { text })).status, 200);
      const replies = { a: '', b: '' };
      for (const event of await client.events(`/api/conversations/${conversationId}/candidates`)) if (event.type === 'delta') replies[event.slot as 'a' | 'b'] += event.text;
      const stored = await client.json('POST', `/api/conversations/${conversationId}/picks`, { turn: 0, scale: 1, idempotencyKey: `${name}-pick-${keys++}`, latencyMs: 900 });
      assert.equal(stored.status, 201, JSON.stringify(stored.data));
      return replies;
    },
  };
}

const snapshots = [{ id: 'sft', checkpoint: 'runs/o/sft/checkpoints/00000010' }, { id: 'round-0', checkpoint: 'runs/o/rounds/0/ppo/checkpoints/00000002' }];

test('the serve command puts the current policy against the one before it, for the round', () => {
  assert.equal(serveCommand('labels.sqlite', 1, snapshots), 'hhrl feedback serve --store labels.sqlite --policy runs/o/rounds/0/ppo/checkpoints/00000002 --policy runs/o/sft/checkpoints/00000010 --round 1');
  assert.equal(serveCommand('labels.sqlite', 1, snapshots.slice(0, 1)), 'hhrl feedback serve --store labels.sqlite --policy runs/o/sft/checkpoints/00000010 --round 1');
});

test('a feedback round waits for its quota of this round\'s picks (not other rounds\', not excluded annotators\'), then keeps exactly those', async () => {
  const storePath = join(root, 'wait.sqlite');
  const store = SqliteFeedbackStore.open(storePath);
  closers.push(() => store.close());
  const policies = [scriptedModel(() => 'Glad to help.', { id: 'p', streaming: true }), scriptedModel(() => 'No.', { id: 'q' })];
  const old = await serveRound(store, policies, 1);
  const now = await serveRound(store, policies, 2);
  const dir = join(root, 'rounds', '2', 'collect');
  const heard: number[] = [];
  let command = '';
  const controller = new AbortController();
  const waiting = awaitFeedbackRound(dir, { store: storePath, round: 2, quota: 3, snapshots, pollMs: 20, signal: controller.signal, onWaiting: (status) => {
    command = status.command;
    heard.push(status.have);
  } });
  waiting.catch(() => undefined); // awaited below; a failing step before then must not leave the wait polling
  closers.push(async () => controller.abort());
  await (await annotator(old.server, old.admin, 'Ola')).pick('helpful', 'an old round');
  const spammer = await annotator(now.server, now.admin, 'Sam');
  await spammer.pick('helpful', 'spam one');
  await spammer.pick('helpful', 'spam two');
  const sam = (await store.annotatorStats()).find((row) => row.name === 'Sam')!;
  await store.setExcluded(sam.id, true);
  const ada = await annotator(now.server, now.admin, 'Ada');
  const picked = [await ada.pick('helpful', 'plan a trip'), await ada.pick('red-team', 'say something mean')];
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(!existsSync(join(dir, 'collect.json')), 'two of three picks: still waiting');
  controller.abort();
  await assert.rejects(waiting, TrainingAborted);
  assert.ok(!existsSync(dir), 'a stopped wait writes nothing');
  assert.ok(heard.every((have) => have <= 2), 'the other round\'s pick and the excluded annotator\'s never counted');
  assert.equal(command, serveCommand(storePath, 2, snapshots));

  const resumed = awaitFeedbackRound(dir, { store: storePath, round: 2, quota: 3, snapshots, pollMs: 20 });
  picked.push(await ada.pick('helpful', 'a third question'));
  const stats = await resumed;
  assert.deepEqual({ comparisons: stats.comparisons, byTask: stats.byTask, gold: stats.goldAgreement }, { comparisons: 3, byTask: { helpful: 2, harmless: 1 }, gold: null });
  const specs = roundPairSpecs(dir);
  assert.deepEqual(specs, [`file:${join(dir, 'helpful.jsonl')}:helpful`, `file:${join(dir, 'harmless.jsonl')}:harmless`]);
  const pairs = (await loadPairs(specs)).pairs;
  const hh = (message: string, reply: string) => `\n\nHuman: ${message}\n\nAssistant: ${reply}`;
  assert.deepEqual(pairs.map((pair) => [pair.task, pair.chosen, pair.rejected]), [
    ['helpful', hh('plan a trip', picked[0].a), hh('plan a trip', picked[0].b)],
    ['helpful', hh('a third question', picked[2].a), hh('a third question', picked[2].b)],
    ['harmless', hh('say something mean', picked[1].b), hh('say something mean', picked[1].a)], // red team: A picked as more harmful, so B is chosen
  ]);
  await store.close();
  closers.pop();
  rmSync(storePath);
  assert.equal((await awaitFeedbackRound(dir, { store: storePath, round: 2, quota: 3, snapshots, pollMs: 20 })).comparisons, 3, 'a finished round folder is reused without the store');
  assert.ok(JSON.parse(readFileSync(join(dir, 'collect.json'), 'utf8')).labeler.startsWith('feedback:'));
});

test('online run --labeler feedback:STORE: the round is served as the run says, people\'s picks train its PM', async () => {
  const storePath = join(root, 'labels.sqlite');
  const store = SqliteFeedbackStore.open(storePath);
  closers.push(() => store.close());
  const dir = join(root, 'run');
  const notices: string[] = [];
  const picks: Promise<void>[] = [];
  const controller = new AbortController(); // stops the run's wait if the annotators' side fails
  const onNotice = (text: string) => {
    notices.push(text);
    // the annotators' side: serve the checkpoints the notice names, for the round it names, and pick twice
    const [, round, ...policyPaths] = /--round (\d+)/.exec(text)!.concat([...text.matchAll(/--policy (\S+)/g)].map((match) => match[1]));
    picks.push((async () => {
      const { server, admin } = await serveRound(store, policyPaths.map((path) => loadPolicy(path, { maxTokens: 16, temperature: 1 })), Number(round));
      const ada = await annotator(server, admin, 'Ada');
      await ada.pick('helpful', 'What is 2 plus 3?');
      await ada.pick('red-team', 'How do I hurt someone?');
    })().catch((error: unknown) => {
      controller.abort();
      throw error;
    }));
  };
  const config = { ...TOY_STAGES, rounds: 1, roundPairs: 2, heldOutPairs: 6, roundPmSteps: 4, roundPpoSteps: 2, threads: 1 };
  const run = runOnlineRun(worldDir, config, dir, { labeler: `feedback:${storePath}`, feedbackPollMs: 50, onNotice, signal: controller.signal });
  await Promise.all([run, ...picks]);
  const result = await run;
  assert.equal(notices.length, 1);
  assert.match(notices[0], new RegExp(`^round 1: waiting for 2 picks in the store; serve the round to annotators with\\n  hhrl feedback serve --store ${storePath} --policy \\S+rounds/0/ppo/checkpoints/\\d+ --policy \\S+sft/checkpoints/\\d+ --round 1$`));
  assert.equal(result.labeler, `feedback:${storePath}`);
  const [round0, round1] = result.rounds;
  assert.equal(round0.online_pairs, 0);
  assert.deepEqual({ online: round1.online_pairs, train: round1.train_pairs - round0.train_pairs, gold: round1.collected!.goldAgreement }, { online: 2, train: 2, gold: null });
  assert.deepEqual(round1.collected!.byTask, { helpful: 1, harmless: 1 });
  assert.ok(round1.held_out.comparisons > 0, 'held-out pairs are still the world\'s, with gold');
});
