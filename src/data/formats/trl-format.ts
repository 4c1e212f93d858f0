/**
 * TRL preference form (`DPOTrainer`/`RewardTrainer` datasets, also read by OpenRLHF): `{"prompt","chosen","rejected"}`.
 *
 * Read: the *standard* form, three strings with `prompt + chosen` and `prompt + rejected` the whole HH
 * transcripts; or the *conversational* form, three arrays of `{"role","content"}` messages (prompt first).
 * Written: the standard form, compact JSON. `prompt` is the shared prefix and, when both responses start with
 * an Assistant turn, the `"\n\nAssistant:"` that opens them (TRL's HH convention), so `chosen` starts with
 * `" "`; `prompt + chosen` is always exactly the stored chosen transcript.
 */
import { transcriptsOf, type ComparisonRecord } from '../comparison-record.ts';
import { serializeTranscript } from '../hh-transcript.ts';
import { jsonType, RowProblem, stringField } from '../row-problem.ts';
import { messagesToTurns } from './messages.ts';
import type { RowFormat } from './row-format.ts';

const SHAPE = 'TRL form {"prompt","chosen","rejected"}';
const OPENING = '\n\nAssistant:';

function decodeConversational(row: Record<string, unknown>) {
  const prompt = messagesToTurns(row.prompt, 'prompt');
  for (const field of ['chosen', 'rejected']) {
    if (row[field] === undefined) throw new RowProblem('missing-field', `expected field "${field}" (${SHAPE})`);
  }
  return {
    chosen: serializeTranscript([...prompt, ...messagesToTurns(row.chosen, 'chosen')]),
    rejected: serializeTranscript([...prompt, ...messagesToTurns(row.rejected, 'rejected')]),
    rawLine: null,
    lineIsCanonical: false,
  };
}

/** The `trl` row format. */
export const TRL_FORMAT: RowFormat = {
  shape: SHAPE,
  matches: (row) => 'prompt' in row,
  decode(row) {
    if (Array.isArray(row.prompt)) return decodeConversational(row);
    if (typeof row.prompt !== 'string') {
      throw new RowProblem('wrong-type', `field "prompt": expected a string or an array of messages, got ${jsonType(row.prompt)}`);
    }
    const prompt = row.prompt;
    return { chosen: prompt + stringField(row, 'chosen', SHAPE), rejected: prompt + stringField(row, 'rejected', SHAPE), rawLine: null, lineIsCanonical: false };
  },
  encode(record: ComparisonRecord) {
    const { chosen, rejected } = transcriptsOf(record);
    const opens = record.chosen.startsWith(OPENING) && record.rejected.startsWith(OPENING);
    const promptLength = record.prefix.length + (opens ? OPENING.length : 0);
    return JSON.stringify({ prompt: chosen.slice(0, promptLength), chosen: chosen.slice(promptLength), rejected: rejected.slice(promptLength) });
  },
};
