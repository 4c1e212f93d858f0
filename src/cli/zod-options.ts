/**
 * CLI options generated from a zod config schema: each field becomes `--kebab-name`, its
 * `.describe()` text the help, its default shown; parsed values are validated by the same schema,
 * and errors name the flag and the allowed range.
 */
import { Option, type Command } from 'commander';
import type { z } from 'zod';
import { ConfigError } from '../spec/errors.ts';

type AnySchema = z.ZodObject<z.ZodRawShape>;

interface FieldInfo {
  readonly kind: string;
  readonly defaultValue: unknown;
  readonly choices?: readonly string[];
  /** The field accepts null (given on the command line as `null`). */
  readonly nullable: boolean;
}

function fieldInfo(field: z.ZodType): FieldInfo {
  let def = (field as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  let defaultValue: unknown;
  let nullable = false;
  while (def.type === 'default' || def.type === 'optional' || def.type === 'nullable') {
    if (def.type === 'default') defaultValue = def.defaultValue;
    if (def.type === 'nullable') nullable = true;
    def = (def.innerType as { _zod: { def: Record<string, unknown> } })._zod.def;
  }
  const choices = def.type === 'enum' ? Object.values(def.entries as Record<string, string>) : undefined;
  return { kind: String(def.type), defaultValue, choices, nullable };
}

/** `learningRate` → `learning-rate`. */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/**
 * Add one option per field of `schema` (except `skip`). Booleans become flags (`--no-x` when the
 * default is true); numbers are parsed
 * as numbers (and `null` as null where the field allows it, e.g. `--reward-clip null`); enums list their choices.
 */
export function addSchemaOptions(command: Command, schema: AnySchema, skip: readonly string[] = []): Command {
  for (const [name, field] of Object.entries(schema.shape)) {
    if (skip.includes(name)) continue;
    const info = fieldInfo(field as z.ZodType);
    const description = (field as z.ZodType).description ?? name;
    // a boolean that defaults to true is turned off with --no-<name>
    const flag =
      info.kind === 'boolean' ? (info.defaultValue === true ? `--no-${kebab(name)}` : `--${kebab(name)}`) : `--${kebab(name)} <value>`;
    const option = new Option(flag, description);
    if (info.defaultValue !== undefined && info.kind !== 'boolean') option.default(info.defaultValue);
    if (info.choices) option.choices([...info.choices]);
    // (commander turns a parser's null into '', so `null` stays a string until parseSchemaOptions)
    if (info.kind === 'number') option.argParser((value: string) => (info.nullable && value === 'null' ? value : Number(value)));
    if (info.kind === 'array') option.argParser((value: string, previous: unknown) => [...((previous as string[] | undefined) ?? []), value]);
    command.addOption(option);
  }
  return command;
}

/**
 * The parsed settings the user typed on the command line (not commander's defaults): what a resumed run
 * compares with its saved settings (the resume rule of `train/common/resume-rule.ts`).
 */
export function typedOptions<T extends object>(command: Command, parsed: T): Partial<T> {
  const typed: Partial<T> = {};
  for (const name of Object.keys(parsed) as (keyof T & string)[]) {
    const source = command.getOptionValueSource(name);
    if (source !== undefined && source !== 'default') typed[name] = parsed[name];
  }
  return typed;
}

/** Validate parsed CLI options with `schema`; errors name the flag and what is allowed. */
export function parseSchemaOptions<S extends AnySchema>(schema: S, options: Record<string, unknown>): z.infer<S> {
  const known: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.shape)) {
    if (options[name] === undefined) continue;
    known[name] = options[name] === 'null' && fieldInfo(field as z.ZodType).nullable ? null : options[name];
  }
  const result = schema.safeParse(known);
  if (!result.success) {
    const details = result.error.issues
      .map((issue) => `--${kebab(String(issue.path[0] ?? 'config'))}: ${issue.message}`)
      .join('; ');
    throw new ConfigError(`invalid options: ${details}`);
  }
  return result.data;
}
