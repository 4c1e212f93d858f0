/**
 * Settings are zod schemas; every trainer (and every command that takes a config) validates through this one
 * function, so a bad value is always a ConfigError naming every bad field, never a ZodError.
 */
import type { z } from 'zod';
import { ConfigError } from '../../spec/errors.ts';

/**
 * zod-validate `value` (undefined/null: `{}`, so every default applies).
 * @throws ConfigError `invalid <what> config: <path>: <message>; …` naming every bad field.
 * @example
 * parseWith(SftConfigSchema, { steps: 0 }, 'SFT') // throws ConfigError('invalid SFT config: steps: Too small: …')
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const details = result.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`).join('; ');
    throw new ConfigError(`invalid ${what} config: ${details}`);
  }
  return result.data;
}
