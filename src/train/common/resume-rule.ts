/**
 * The one resume rule of every trainer: a resumed run goes on with the settings saved in its `config.json`.
 * What the caller states must agree with them — a stated setting that differs is refused by name — except the
 * few the trainer lets a resume change (`steps`, to extend a run). "Stated" means present in what the caller
 * passed (`given`, before defaults): the CLI passes only the flags typed, so `--resume` alone never clashes with
 * a default. The data the run trains on is checked separately, by its fingerprint (see `training-run.ts`).
 */
import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from '../../spec/errors.ts';

/** One stated setting that differs from the saved one. */
export interface SettingDifference {
  /** Dotted path in config.json (`config.seed`, `model.layers`). */
  readonly path: string;
  readonly saved: unknown;
  readonly requested: unknown;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
/** The value as config.json holds it (undefined fields dropped, readonly arrays plain). */
const asJson = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/**
 * The settings stated in `given` (its keys, recursively into objects) whose `requested` value differs from
 * the `saved` one, leaving out the `resumable` paths.
 * @example
 * statedDifferences({ seed: 1, steps: 5 }, { seed: 2, steps: 9 }, { seed: 2, steps: 9 }, ['steps']) // [{ path: 'seed', saved: 1, requested: 2 }]
 */
export function statedDifferences(saved: unknown, requested: unknown, given: unknown, resumable: readonly string[], path = ''): SettingDifference[] {
  if (!isObject(given)) return [];
  const differences: SettingDifference[] = [];
  for (const [key, stated] of Object.entries(given)) {
    if (stated === undefined) continue;
    const at = path === '' ? key : `${path}.${key}`;
    if (resumable.includes(at)) continue;
    const savedValue = isObject(saved) ? saved[key] : undefined;
    const requestedValue = isObject(requested) ? requested[key] : undefined;
    if (isObject(stated) && isObject(savedValue)) differences.push(...statedDifferences(savedValue, requestedValue, stated, resumable, at));
    else if (!isDeepStrictEqual(asJson(savedValue), asJson(requestedValue))) differences.push({ path: at, saved: savedValue, requested: requestedValue });
  }
  return differences;
}

function valueAt(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), value);
}

function withValueAt(value: Json, path: string, replacement: unknown): Json {
  const [key, ...rest] = path.split('.');
  if (rest.length === 0) return { ...value, [key]: replacement };
  const inner = isObject(value[key]) ? value[key] : {};
  return { ...value, [key]: withValueAt(inner, rest.join('.'), replacement) };
}

/**
 * The config a resumed run goes on with: `saved`, with each `resumable` path the caller stated taken from
 * `requested`.
 * @param where - the saved config's file, for the message.
 * @throws ConfigError naming every stated setting that differs from the saved one.
 */
export function resumedConfig<F>(saved: F, requested: F, given: unknown, resumable: readonly string[], where: string): F {
  const differences = statedDifferences(saved, requested, given, resumable);
  if (differences.length > 0) {
    const named = differences.map((difference) => `${difference.path} (saved ${JSON.stringify(difference.saved)}, now ${JSON.stringify(difference.requested)})`);
    throw new ConfigError(
      `${where}: the saved config differs from this one in ${named.join(', ')}; a resumed run keeps its saved settings (repeat them or leave them out)`,
    );
  }
  let resolved: Json = JSON.parse(JSON.stringify(saved));
  for (const path of resumable) {
    if (valueAt(given, path) !== undefined) resolved = withValueAt(resolved, path, asJson(valueAt(requested, path)));
  }
  const config: F = JSON.parse(JSON.stringify(resolved));
  return config;
}
