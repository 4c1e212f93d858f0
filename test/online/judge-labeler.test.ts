/**
 * The LLM-judge labeler: its prompt and answer parsing, and a round labelled by a judge behind a real
 * OpenAI-compatible HTTP server (`hhrl serve`'s app) whose model is scripted — a test double at the model boundary;
 * the endpoint client, the labeler and the collection are the real ones.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { collectComparisons } from '../../src/online/collect.ts';
import { judgeLabeler, judgePairPrompt, parseJudgeOption } from '../../src/online/judge-labeler.ts';
import { createPairLabeler, parseLabeler } from '../../src/online/run/labeler.ts';
import { createOpenAiTarget } from '../../src/redteam/targets/openai-target.ts';
import { ConfigError, TargetError } from '../../src/spec/errors.ts';
import { loadPrompts } from '../../src/data/specs/prompts.ts';
import { generateWorld, judgeResponse, loadWorld, resolveWorldConfig, writeWorld } from '../../src/world/index.ts';
import { listen, type RunningServer } from '../../src/web/serve/listen.ts';
import { createOpenAiApp } from '../../src/web/serve/openai-app.ts';
import { scriptedModel, type Script } from '../redteam/scripted-model.ts';
import { tempDir, tinyPolicy } from '../train/rl/fixtures.ts';

const dir = tempDir('hhrl-judge-labeler-');
writeWorld(generateWorld(resolveWorldConfig(5, 'small')), join(dir, 'world'));
const world = loadWorld(join(dir, 'world'));
const pool = loadPrompts(`world:${join(dir, 'world')}`);
const policy = tinyPolicy(join(dir, 'policy'), 3);
const partner = tinyPolicy(join(dir, 'partner'), 4);
const settings = { pairs: 24, seed: 7, round: 2, maxNewTokens: 8, maxPromptTokens: 24, batch: 8 };
const servers: RunningServer[] = [];
after(async () => {
  for (const server of servers) await server.close();
});

/** The two options of a judge prompt. */
function options(prompt: string): { a: string; b: string } {
  const a = prompt.indexOf('\n(A) ');
  const b = prompt.lastIndexOf('\n(B) ');
  const end = prompt.lastIndexOf('\n\nAnswer with (A) or (B) only.');
  return { a: prompt.slice(a + 5, b), b: prompt.slice(b + 5, end) };
}

/** Serve `script` as an OpenAI-compatible model on a loopback port; the base URL. */
async function judgeServer(script: Script, model = 'scripted'): Promise<string> {
  const server = await listen(createOpenAiApp(scriptedModel(script, { id: model })), { port: 0 });
  servers.push(server);
  return `${server.url}/v1`;
}

/** A judge that prefers the shorter reply (and, for equal lengths, always says A: a position bias). */
const shorter: Script = (conversation) => {
  const { a, b } = options(conversation.at(-1)!.text);
  return a.length <= b.length ? 'The answer is (A).' : '(B)';
};

const request = pool.find((prompt) => prompt.request!.family === 'harmful')!;
const pair = (a: string, b: string) => ({
  task: 'harmless' as const,
  conversation: request.conversation,
  a: { text: a, verdict: judgeResponse(request.request!, a, request.knowledge) },
  b: { text: b, verdict: judgeResponse(request.request!, b, request.knowledge) },
  category: request.request!.category,
});

test('the judge reads Constitutional AI\'s multiple-choice prompt with the task\'s principle, in both orders', () => {
  const p = pair('I cannot help with that.', 'Sure, here is how.');
  const straight = judgePairPrompt(p, 'a');
  const swapped = judgePairPrompt(p, 'b');
  assert.ok(straight.startsWith('Consider the following conversation between a human and an assistant:\n\nHuman: '));
  assert.match(straight, /Which of these assistant responses is less harmful\?/);
  assert.match(judgePairPrompt({ ...p, task: 'helpful' }, 'a'), /more helpful, honest, and harmless\?/);
  assert.deepEqual(options(straight), { a: 'I cannot help with that.', b: 'Sure, here is how.' });
  assert.deepEqual(options(swapped), { a: 'Sure, here is how.', b: 'I cannot help with that.' });
});

test('an answer names an option when exactly one standalone A or B is in it', () => {
  for (const [text, option] of [['(A)', 'A'], [' B', 'B'], ['The answer is (B).', 'B'], ['Option A, because it refuses', 'A'], ['A)', 'A']] as const) assert.equal(parseJudgeOption(text), option, text);
  for (const text of ['', 'Neither', '(A) or (B)', 'About', 'C', 'AB']) assert.equal(parseJudgeOption(text), undefined, text);
});

test('a round labelled by a judge over HTTP: each label is the reply the judge named in both orders; a position-only answer is no label', async () => {
  const baseUrl = await judgeServer(shorter);
  const labeler = createPairLabeler(parseLabeler('judge:openai:scripted'), world.population(), { baseUrl });
  assert.equal(labeler.id, 'judge:scripted');
  const { comparisons, stats } = await collectComparisons({ policy, policyId: 'pi', partner, partnerId: 'ref' }, pool, labeler, settings);
  assert.ok(comparisons.length > 0);
  for (const comparison of comparisons) {
    assert.ok(comparison.chosen.at(-1)!.text.length < comparison.rejected.at(-1)!.text.length, 'the judge chose the shorter reply');
    assert.equal(comparison.meta.annotatorId, 'judge:scripted');
    assert.equal(comparison.meta.strength, 1);
    assert.deepEqual(comparison.meta.extraLabels, []);
  }
  assert.equal(stats.unlabelled.error, 0);
  assert.equal(stats.comparisons + stats.identical + stats.multiTurn + stats.unlabelled.inconsistent, stats.prompts, 'every prompt is labelled or counted as dropped');
  assert.ok(stats.unlabelledExamples.every((example) => example.reason === 'inconsistent' && /same position/.test(example.detail)));
  assert.deepEqual(comparisons.map((comparison) => comparison.meta.id), comparisons.map((_, index) => `online-r2-${String(index).padStart(6, '0')}`));
});

test('a judge that only ever says (A) labels nothing, and the collection fails rather than giving an empty round', async () => {
  const baseUrl = await judgeServer(() => '(A)', 'biased');
  const labeler = createPairLabeler(parseLabeler('judge:openai:biased'), world.population(), { baseUrl });
  await assert.rejects(collectComparisons({ policy, policyId: 'pi', partner, partnerId: 'ref' }, pool, labeler, settings), (error: unknown) => error instanceof TargetError && /labelled 0 of \d+ pairs \(0 errors, \d+ inconsistent; first: the judge named the same position/.test(error.message));
});

test('failed judge calls are errors, never labels: a few are counted, more than half fail the collection', async () => {
  let calls = 0;
  const flaky = await judgeServer((conversation, options) => (++calls % 4 === 0 ? new Error('judge overloaded') : shorter(conversation, options)), 'flaky');
  const target = createOpenAiTarget({ baseUrl: flaky, model: 'flaky', maxTokens: 8, maxRetries: 0, concurrency: 1 });
  const { comparisons, stats } = await collectComparisons({ policy, policyId: 'pi', partner, partnerId: 'ref' }, pool, judgeLabeler(target, 'flaky'), settings);
  assert.ok(stats.unlabelled.error > 0, 'some pairs lost a call');
  assert.ok(stats.unlabelledExamples.some((example) => example.reason === 'error' && /judge call failed: .*500/.test(example.detail)));
  for (const comparison of comparisons) assert.ok(comparison.chosen.at(-1)!.text.length < comparison.rejected.at(-1)!.text.length);
  const down = await judgeServer(() => new Error('down'), 'down');
  const failing = judgeLabeler(createOpenAiTarget({ baseUrl: down, model: 'down', maxTokens: 8, maxRetries: 0 }), 'down');
  await assert.rejects(collectComparisons({ policy, policyId: 'pi', partner, partnerId: 'ref' }, pool, failing, settings), (error: unknown) => error instanceof TargetError && /labeler judge:down labelled 0 of \d+ pairs \(\d+ errors/.test(error.message));
});

test('--labeler judge needs a base URL; feedback labels no pairs (people pick in the app)', () => {
  assert.throws(() => createPairLabeler(parseLabeler('judge:openai:m'), world.population()), (error: unknown) => error instanceof ConfigError && /needs --judge-base-url/.test(error.message));
  assert.throws(() => createPairLabeler(parseLabeler('feedback:store.sqlite'), world.population()), /people label in the feedback app, not pair by pair/);
  assert.equal(createPairLabeler(parseLabeler('world'), world.population()).id, 'world');
});
