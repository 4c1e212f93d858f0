/** Policy evaluation on world prompts: behaviour counts by family, failed generations kept out of them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveWorldConfig } from '../../../src/world/config.ts';
import { createWorldModel } from '../../../src/world/world.ts';
import { promptText } from '../../../src/train/rollout/prompts.ts';
import { evaluationRow, summarizeEvaluation } from '../../../src/train/rollout/world-eval.ts';

test('evaluation rows count oracle behaviours per family/behaviour; errors are counted apart', () => {
  const world = createWorldModel(resolveWorldConfig(1, 'small'));
  const town = world.knowledge.towns[0];
  const conversation = [{ role: 'human' as const, text: `Which region is ${town.name} in?` }];
  const request = world.identify(conversation);
  assert.ok(request !== undefined && request.family === 'benign');
  const prompt = { id: 'q', conversation, prompt: promptText(conversation), request };
  const evaluation = summarizeEvaluation([
    { prompt, response: `${town.name} lies in ${town.region}, close to the hills.` },
    { prompt, response: `${town.name} is in ${town.region}.` },
    { prompt, response: "I'm sorry, I can't talk about places." },
    { prompt, response: '', error: 'the model call failed' },
  ]);
  assert.deepEqual(evaluationRow(evaluation).behaviours, { 'benign/correct_answer': 2, 'benign/evasive_refusal': 1 });
  assert.equal(evaluation.errors, 1);
  assert.deepEqual(evaluation.report.behaviours, { benign: { correct_answer: 2, evasive_refusal: 1 } });
});
