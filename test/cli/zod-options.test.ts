/**
 * CLI options generated from zod schemas: numbers parse as numbers, `null` as null where the field is
 * nullable (and is an error naming the flag where it is not), booleans defaulting to true become `--no-x`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { z } from 'zod';
import { addSchemaOptions, parseSchemaOptions } from '../../src/cli/zod-options.ts';
import { ConfigError } from '../../src/spec/errors.ts';

const Schema = z
  .object({
    rewardClip: z.number().positive().nullable().default(null).describe('clip (null = off)'),
    steps: z.number().int().min(1).default(40).describe('steps'),
    whiten: z.boolean().default(true).describe('whiten'),
  })
  .strict();

const parse = (...args: string[]) => {
  const command = addSchemaOptions(new Command().exitOverride(), Schema);
  command.parse(args, { from: 'user' });
  return parseSchemaOptions(Schema, command.opts());
};

test('generated options: numbers, null for nullable numbers, --no- for true booleans, defaults', () => {
  assert.deepEqual(parse(), { rewardClip: null, steps: 40, whiten: true });
  assert.deepEqual(parse('--reward-clip', '5', '--steps', '7', '--no-whiten'), { rewardClip: 5, steps: 7, whiten: false });
  assert.deepEqual(parse('--reward-clip', '5', '--reward-clip', 'null'), { rewardClip: null, steps: 40, whiten: true });
});

test('generated options: null for a field that is not nullable is an error naming the flag', () => {
  assert.throws(() => parse('--steps', 'null'), (error: unknown) => error instanceof ConfigError && /--steps/.test(error.message));
  assert.throws(() => parse('--reward-clip', '-1'), (error: unknown) => error instanceof ConfigError && /--reward-clip/.test(error.message));
});
