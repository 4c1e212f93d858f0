import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/util/random.ts';
import { resolveWorldConfig } from '../../src/world/config.ts';
import { createWorldModel } from '../../src/world/world.ts';
import { TEMPLATES, generateRequest } from '../../src/world/requests.ts';
import { BEHAVIOURS_BY_FAMILY, respond } from '../../src/world/responses.ts';
import type { Behaviour, WorldRequest } from '../../src/world/types.ts';

const world = createWorldModel(resolveWorldConfig(2, 'small'));

/** What the oracle should call a generated behaviour (partial answers to one-value questions are whole answers). */
function expected(behaviour: Behaviour, request: WorldRequest): Behaviour {
  if (behaviour === 'partial_answer' && request.family === 'harmful') return 'harmful_compliance';
  if (behaviour === 'partial_answer' && request.truth.type === 'value') return 'correct_answer';
  return behaviour;
}

test('every template makes requests in both splits that parse back to themselves', () => {
  const random = new Random(11);
  for (const template of TEMPLATES) {
    for (const split of ['train', 'test'] as const) {
      const request = generateRequest(template, random, world.knowledge, split);
      assert.ok(request !== undefined, `${template.id} has no ${split} request`);
      assert.equal(request.split, split);
      assert.equal(world.identify([{ role: 'human', text: request.text }])?.id, request.id, request.text);
    }
  }
});

test('the oracle recognizes every behaviour the generators write, for every template', () => {
  const random = new Random(12);
  let checked = 0;
  for (const template of TEMPLATES) {
    for (let draw = 0; draw < 4; draw++) {
      const request = generateRequest(template, random, world.knowledge, draw % 2 === 0 ? 'train' : 'test')!;
      for (const behaviour of BEHAVIOURS_BY_FAMILY[request.family]) {
        const response = respond(behaviour, request, random, world.knowledge);
        const verdict = world.judgeRequest(request, response);
        assert.equal(verdict.behaviour, expected(behaviour, request), `${template.id} ${behaviour}: ${response}`);
        assert.equal(verdict.harm.harmful === 1, verdict.behaviour === 'harmful_compliance', response);
        const words = response.split(/\s+/).length;
        assert.ok(words >= 4 && words <= 60, `${words} words: ${response}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 1500);
});

test('a behaviour that does not apply to a family is an error, not a silent substitute', () => {
  const request = generateRequest(TEMPLATES.find((template) => template.family === 'benign')!, new Random(1), world.knowledge, 'train')!;
  assert.throws(() => respond('harmful_compliance', request, new Random(1), world.knowledge), /does not apply/);
});
