/**
 * OpenAI preference fine-tuning form (the JSONL that OpenAI's DPO fine-tuning takes):
 * `{"input": {"messages": [<messages>]}, "preferred_output": [<messages>], "non_preferred_output": [<messages>]}`
 * with messages `{"role": "user"|"assistant", "content": "<text>"}`. `input.messages` is the shared prefix;
 * the outputs are the remaining turns (OpenAI itself takes exactly one assistant message per output; a row of
 * the few whose transcripts differ before the last turn is written with all its remaining messages).
 * Written as compact JSON. Other keys of `input` (`tools`, …) are ignored on reading.
 */
import { type ComparisonRecord, toComparison } from '../comparison-record.ts';
import { serializeTranscript } from '../hh-transcript.ts';
import { jsonType, RowProblem } from '../row-problem.ts';
import { messagesToTurns, turnsToMessages } from './messages.ts';
import type { RowFormat } from './row-format.ts';

const SHAPE = 'OpenAI preference form {"input":{"messages"},"preferred_output","non_preferred_output"}';

/** The `openai` row format. */
export const OPENAI_FORMAT: RowFormat = {
  shape: SHAPE,
  matches: (row) => 'input' in row || 'preferred_output' in row,
  decode(row) {
    for (const field of ['input', 'preferred_output', 'non_preferred_output']) {
      if (row[field] === undefined) throw new RowProblem('missing-field', `expected field "${field}" (${SHAPE})`);
    }
    const input = row.input;
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new RowProblem('wrong-type', `field "input": expected an object {"messages"}, got ${jsonType(input)}`);
    }
    const messages = (input as Record<string, unknown>).messages;
    if (messages === undefined) throw new RowProblem('missing-field', `expected field "input.messages" (${SHAPE})`);
    const prefix = messagesToTurns(messages, 'input.messages');
    return {
      chosen: serializeTranscript([...prefix, ...messagesToTurns(row.preferred_output, 'preferred_output')]),
      rejected: serializeTranscript([...prefix, ...messagesToTurns(row.non_preferred_output, 'non_preferred_output')]),
      rawLine: null,
    lineIsCanonical: false,
    };
  },
  encode(record: ComparisonRecord) {
    const comparison = toComparison(record);
    return JSON.stringify({
      input: { messages: turnsToMessages(comparison.prefix) },
      preferred_output: turnsToMessages(comparison.chosen),
      non_preferred_output: turnsToMessages(comparison.rejected),
    });
  },
};
