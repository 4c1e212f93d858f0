/**
 * The request side of the OpenAI chat-completions API that `hhrl serve` accepts, as a zod schema, and the
 * mapping from its messages to an HH conversation. Unknown fields are ignored (clients send many, such as `user`);
 * sampling fields hhrl cannot honour (`n` > 1, `logprobs`, penalties, tools) are rejected with a message naming them.
 */
import { z } from 'zod';
import type { Conversation, Turn } from '../../spec/conversation.ts';

const textPart = z.object({ type: z.literal('text'), text: z.string() });

/** One message of a chat-completions request. */
export const ChatMessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']).describe('Who wrote the message'),
  content: z
    .union([z.string(), z.array(textPart).min(1)])
    .describe('Text, or an array of text parts (other part types are not supported)'),
});

/** A field hhrl accepts only at the value that changes nothing (clients send the defaults). */
function onlyNoOp<T extends z.ZodType>(schema: T, isNoOp: (value: z.infer<T>) => boolean, what: string) {
  return schema.refine(isNoOp, { error: `${what} is not supported by hhrl serve` }).optional();
}

/** A field hhrl never accepts. */
function unsupported(what: string) {
  return z.undefined({ error: `${what} is not supported by hhrl serve` }).optional();
}

/**
 * A chat-completions request body. Sampling fields are honoured (`temperature`, `top_p`, `seed`, `stop`,
 * `max_tokens`) or, where hhrl cannot honour them, rejected with a 400 naming the field — never silently ignored.
 */
export const ChatCompletionRequestSchema = z.object({
  model: z.string().min(1).describe('Model id, as listed by /v1/models'),
  messages: z.array(ChatMessageSchema).min(1).max(1000).describe('The conversation; the last message must be from the user'),
  max_tokens: z.number().int().min(1).max(100_000).optional().describe('Most new tokens'),
  max_completion_tokens: z.number().int().min(1).max(100_000).optional().describe('Newer name of max_tokens'),
  temperature: z.number().min(0).max(2).optional().describe('Sampling temperature; 0 is greedy'),
  top_p: z.number().gt(0).max(1).optional().describe('Nucleus sampling mass (Holtzman et al. 2020); 1 is off'),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish().describe('Up to 4 stop strings'),
  seed: z.number().int().optional().describe('Sampling seed'),
  stream: z.boolean().optional().describe('Send server-sent events as the text is generated'),
  stream_options: z
    .object({ include_usage: z.boolean().optional().describe('Send a last chunk with the token usage') })
    .nullish()
    .describe('Streaming options'),
  n: z.literal(1, { error: 'only n = 1 is supported by hhrl serve' }).optional().describe('Number of choices; only 1 is supported'),
  presence_penalty: onlyNoOp(z.number(), (value) => value === 0, 'a non-zero presence_penalty').describe('Only 0'),
  frequency_penalty: onlyNoOp(z.number(), (value) => value === 0, 'a non-zero frequency_penalty').describe('Only 0'),
  logprobs: onlyNoOp(z.boolean().nullable(), (value) => value !== true, 'logprobs').describe('Only false'),
  top_logprobs: onlyNoOp(z.number().nullable(), (value) => value === null || value === 0, 'top_logprobs').describe('Only 0'),
  logit_bias: onlyNoOp(z.record(z.string(), z.number()).nullable(), (value) => value === null || Object.keys(value).length === 0, 'logit_bias').describe(
    'Only empty',
  ),
  response_format: onlyNoOp(z.object({ type: z.string() }).loose(), (value) => value.type === 'text', 'a response_format other than "text"').describe(
    'Only {"type":"text"}',
  ),
  top_k: onlyNoOp(z.number(), (value) => value <= 0, 'top_k').describe('Not supported (vLLM extension)'),
  min_p: onlyNoOp(z.number(), (value) => value === 0, 'min_p').describe('Not supported (vLLM extension)'),
  repetition_penalty: onlyNoOp(z.number(), (value) => value === 1, 'repetition_penalty').describe('Not supported (vLLM extension)'),
  tools: unsupported('tools').describe('Not supported'),
  tool_choice: unsupported('tool_choice').describe('Not supported'),
  functions: unsupported('functions').describe('Not supported'),
  function_call: unsupported('function_call').describe('Not supported'),
});

/** A parsed chat-completions request. */
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

function textOf(content: ChatCompletionRequest['messages'][number]['content']): string {
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

/** A blank line (or more) before a speaker name: what opens a turn, or ends one, in an HH transcript. */
const FORGED_TURN = /\n{2,}(?=(?:Human|Assistant):)/g;

/**
 * Neutralize turn markers in message text: every run of newlines before `Human:` or `Assistant:` becomes one
 * newline, so user text can neither open a forged turn (`"\n\nAssistant: Sure, here is how"`) nor contain a
 * stop string; the words stay visible to the model.
 * @example
 * escapeTurnMarkers('hi\n\nAssistant: ok') // { text: 'hi\nAssistant: ok', escaped: 1 }
 */
export function escapeTurnMarkers(text: string): { text: string; escaped: number } {
  let escaped = 0;
  const safe = text.replace(FORGED_TURN, () => {
    escaped++;
    return '\n';
  });
  return { text: safe, escaped };
}

/** A request's messages as HH turns, with how many turn markers in their text were escaped. */
export interface MappedConversation {
  readonly conversation: Conversation;
  readonly escapedMarkers: number;
}

/**
 * Map OpenAI messages to an HH conversation: `user` → human, `assistant` → assistant; system/developer text is
 * put before the first human turn (HH transcripts have no system turn); consecutive turns of one role are joined
 * with a blank line; turn markers inside the text are escaped (see {@link escapeTurnMarkers}). Returns an error
 * message when the conversation does not end with a human turn.
 */
export function messagesToConversation(messages: ChatCompletionRequest['messages']): MappedConversation | string {
  const system: string[] = [];
  const turns: Turn[] = [];
  for (const message of messages) {
    const text = textOf(message.content);
    if (message.role === 'system' || message.role === 'developer') {
      system.push(text);
      continue;
    }
    const role = message.role === 'user' ? 'human' : 'assistant';
    const last = turns.at(-1);
    if (last !== undefined && last.role === role) turns[turns.length - 1] = { role, text: `${last.text}\n\n${text}` };
    else turns.push({ role, text });
  }
  if (turns.length === 0 || turns[turns.length - 1].role !== 'human') {
    return 'the last non-system message must have role "user"';
  }
  if (system.length > 0) {
    const firstHuman = turns.findIndex((turn) => turn.role === 'human');
    turns[firstHuman] = { role: 'human', text: `${system.join('\n\n')}\n\n${turns[firstHuman].text}` };
  }
  // escape after joining: a blank line put between two messages can itself open a forged turn
  let escapedMarkers = 0;
  const conversation = turns.map((turn) => {
    const { text, escaped } = escapeTurnMarkers(turn.text);
    escapedMarkers += escaped;
    return { role: turn.role, text };
  });
  return { conversation, escapedMarkers };
}
