/**
 * Demonstrations for supervised fine-tuning, named by a data spec:
 * - `world:DIR` — the world's SFT demonstrations, train split; `world:DIR:test` the test split;
 * - `FILE.jsonl` — one JSON object a line with a `"transcript"` (or `"chosen"`) HH transcript that has an
 *   assistant turn.
 */
import { z } from 'zod';
import { ConfigError, DataFormatError } from '../../spec/errors.ts';
import { jsonLines, parseJsonValue, readInputText } from '../../util/json-input.ts';
import { loadWorld } from '../../world/index.ts';

const ASSISTANT = '\n\nAssistant:';
const DemonstrationRowSchema = z
  .object({ transcript: z.string().optional(), chosen: z.string().optional() })
  .refine((row) => row.transcript !== undefined || row.chosen !== undefined, { message: 'expected a "transcript" (or "chosen") string' });
const DEMONSTRATION_ROW = 'a JSON object with a "transcript" (or "chosen") HH transcript string';

function readDemonstrationFile(path: string): string[] {
  const text = readInputText('SFT data', path);
  const out = jsonLines(text).map(({ line, text: raw }) => {
    const row = parseJsonValue(path, line, raw, DemonstrationRowSchema, DEMONSTRATION_ROW);
    const transcript = row.transcript ?? row.chosen!;
    if (!transcript.includes(ASSISTANT)) throw new DataFormatError(path, line, 'expected an HH transcript with an "\\n\\nAssistant:" turn');
    return transcript;
  });
  if (out.length === 0) throw new DataFormatError(path, undefined, 'expected at least one demonstration');
  return out;
}

/**
 * Load demonstration transcripts from a data spec (see the module comment).
 * @throws ConfigError for a malformed spec or an unreadable file; DataFormatError (file, line) for a bad row.
 * @example
 * loadDemonstrations('world:runs/world:test').length // the world's SFT test split
 */
export function loadDemonstrations(spec: string): string[] {
  const world = /^world:(.+?)(?::(train|test))?$/.exec(spec);
  if (world) return loadWorld(world[1]).sft((world[2] ?? 'train') as 'train' | 'test').map((demo) => demo.transcript);
  if (spec.startsWith('world:')) throw new ConfigError(`SFT data spec "${spec}": expected world:DIR[:train|test] or a JSONL file`);
  return readDemonstrationFile(spec);
}
