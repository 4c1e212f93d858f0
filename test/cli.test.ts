import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProgram } from '../src/cli/main.ts';

test('the CLI knows its name and version', () => {
  const program = buildProgram();
  assert.equal(program.name(), 'hhrl');
  assert.equal(program.version(), '0.1.0');
});
