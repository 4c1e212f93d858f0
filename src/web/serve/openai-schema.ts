/**
 * The request side of the OpenAI chat-completions API that `hhrl serve` accepts, as a zod schema, and the
 * mapping from its messages to an HH conversation. Unknown fields are ignored (clients send many); fields hhrl
 * cannot honour (`n` > 1, tools) are rejected with a clear message.
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

/** A chat-completions request body. */
export const ChatCompletionRequestSchema = z.object({
  model: z.string().min(1).describe('Model id, as listed by /v1/models'),
  messages: z.array(ChatMessageSchema).min(1).max(1000).describe('The conversation; the last message must be from the user'),
  max_tokens: z.number().int().min(1).max(100_000).optional().describe('Most new tokens'),
  max_completion_tokens: z.number().int().min(1).max(100_000).optional().describe('Newer name of max_tokens'),
  temperature: z.number().min(0).max(2).optional().describe('Sampling temperature; 0 is greedy'),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish().describe('Up to 4 stop strings'),
  seed: z.number().int().optional().describe('Sampling seed'),
  stream: z.boolean().optional().describe('Send server-sent events as the text is generated'),
  n: z.literal(1).optional().describe('Number of choices; only 1 is supported'),
  tools: z.undefined({ error: 'tools are not supported' }).optional(),
});

/** A parsed chat-completions request. */
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

function textOf(content: ChatCompletionRequest['messages'][number]['content']): string {
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

/**
 * Map OpenAI messages to an HH conversation: `user` → human, `assistant` → assistant; system/developer text is
 * put before the first human turn (HH transcripts have no system turn); consecutive turns of one role are joined
 * with a blank line. Returns an error message when the conversation does not end with a human turn.
 */
export function messagesToConversation(messages: ChatCompletionRequest['messages']): Conversation | string {
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
  return turns;
}
