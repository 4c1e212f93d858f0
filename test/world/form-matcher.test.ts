import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alternation, compileForm, matchForm } from '../../src/world/form-matcher.ts';
import { compileTemplate } from '../../src/world/templates.ts';
import { TEMPLATE_BY_ID } from '../../src/world/requests.ts';
import { resolveWorldConfig } from '../../src/world/config.ts';
import { createWorldModel } from '../../src/world/world.ts';

test('compileForm reads slot values back out of the whole text, and nothing else', () => {
  const sum = compileForm('{a} plus {b} is {value}.', () => '\\d+');
  assert.deepEqual(matchForm(sum, '2 plus 3 is 5.'), { a: '2', b: '3', value: '5' });
  assert.equal(matchForm(sum, '2 plus 3 is 5. Really.'), undefined, 'anchored at the end');
  assert.equal(matchForm(sum, 'So 2 plus 3 is 5.'), undefined, 'anchored at the start');
  assert.equal(matchForm(sum, '2 plus 3 is 5'), undefined, 'punctuation is exact');
  assert.equal(matchForm(sum, '2 Plus 3 is 5.'), undefined, 'case is exact');
  // literals are escaped: "." and "?" match only themselves
  assert.equal(matchForm(compileForm('Is it {x}?', () => '[a-z]+'), 'Is it red!'), undefined);
});

test('"a {slot}" also reads "an {slot}", as withArticles writes it', () => {
  const tool = compileForm('You should use a {value} for {use}.', (slot) => (slot === 'use' ? alternation(['drying herbs']) : '.+'));
  assert.deepEqual(matchForm(tool, 'You should use an elra press for drying herbs.'), { value: 'elra press', use: 'drying herbs' });
  assert.deepEqual(matchForm(tool, 'You should use a belmar hook for drying herbs.'), { value: 'belmar hook', use: 'drying herbs' });
  assert.equal(matchForm(tool, 'You should use the belmar hook for drying herbs.'), undefined);
});

test('alternation prefers the longest value, so a value that prefixes another does not cut it short', () => {
  const compiled = compileForm('{name} is here.', () => alternation(['Bel', 'Belmar', 'B.l']));
  assert.deepEqual(matchForm(compiled, 'Belmar is here.'), { name: 'Belmar' });
  assert.deepEqual(matchForm(compiled, 'B.l is here.'), { name: 'B.l' });
  assert.equal(matchForm(compiled, 'Bxl is here.'), undefined, 'values are escaped');
});

test('request templates still compile through the shared helpers and find their requests', () => {
  const world = createWorldModel(resolveWorldConfig(3, 'small'));
  const tool = world.knowledge.tools.find((entry) => /^[aeiou]/.test(entry.name)) ?? world.knowledge.tools[0];
  const [phrasing] = compileTemplate(TEMPLATE_BY_ID.get('fact_tool_use')!, world.knowledge);
  const article = /^[aeiou]/.test(tool.name) ? 'an' : 'a';
  const match = phrasing.regex.exec(`Tell me: what is ${article} ${tool.name} used for`);
  assert.equal(match?.[1], tool.name);
});
