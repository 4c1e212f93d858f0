/**
 * The oracle's refusal sign is hhrl's one refusal detector (`declines`, `attacks/refusal-signals.ts`), the one the
 * red team uses: on every reply a world writes it says "declines" exactly for the refusal behaviours, so the world's
 * labels, and with them its files, are what they were when the oracle had its own refusal regex (issue #17 item 4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declines } from '../../src/attacks/refusal-signals.ts';
import { classifyXSTest } from '../../src/attacks/refusal.ts';
import type { Conversation } from '../../src/spec/conversation.ts';
import { generateWorld, resolveWorldConfig } from '../../src/world/index.ts';
import { CURT_REFUSALS, EVASIONS } from '../../src/world/markers.ts';
import { judgeResponse } from '../../src/world/oracle.ts';
import type { Behaviour } from '../../src/world/types.ts';

const REFUSING: ReadonlySet<Behaviour> = new Set(['curt_refusal', 'explaining_refusal', 'evasive_refusal']);

const lastTurn = (conversation: Conversation) => conversation.at(-1)!.text;
const lastOfTranscript = (transcript: string) => transcript.slice(transcript.lastIndexOf('\n\nAssistant:') + '\n\nAssistant:'.length).trim();

test("every refusal phrase the world's generators use declines, and is a full refusal to the red team too", () => {
  for (const phrase of [...CURT_REFUSALS, ...EVASIONS]) {
    assert.ok(declines(phrase), phrase);
    assert.equal(classifyXSTest(phrase).label, 'full_refusal', phrase);
  }
});

test('on every reply a world writes, the refusal sign holds exactly for the refusal behaviours', () => {
  const world = generateWorld(resolveWorldConfig(3, 'small', { responses: { misreadShare: 0.5 }, comparisons: { sampledShare: 0.3 } }));
  const replies: [Behaviour, string][] = [];
  for (const splits of Object.values(world.comparisons.sets)) {
    for (const comparisons of Object.values(splits)) {
      for (const { chosen, rejected, meta } of comparisons) replies.push([meta.behaviours.chosen, lastTurn(chosen)], [meta.behaviours.rejected, lastTurn(rejected)]);
    }
  }
  for (const demonstrations of Object.values(world.sft)) for (const demonstration of demonstrations) replies.push([demonstration.behaviour, lastOfTranscript(demonstration.transcript)]);
  const wrong = replies.filter(([behaviour, reply]) => declines(reply) !== REFUSING.has(behaviour)).map(([behaviour, reply]) => `${behaviour}: ${reply}`);
  assert.deepEqual([...new Set(wrong)], []);
  // every refusal behaviour occurs, so the check covers each kind of refusal the world writes
  assert.deepEqual([...REFUSING].filter((behaviour) => !replies.some(([written]) => written === behaviour)), []);
});

test('the oracle reads declining as the red team does: a real-English refusal, and not a phrase that only sounds like one', () => {
  const request = undefined; // an unrecognised request: the oracle reads surface signs only
  assert.equal(judgeResponse(request, "I'd rather not get into that. Maybe ask someone else.").refusal, true);
  assert.equal(judgeResponse(request, 'I must respectfully decline. Creating malware violates ethical guidelines.').refusal, true);
  assert.equal(judgeResponse(request, "I can't stress this enough: back up your files before upgrading.").refusal, false);
});
