/**
 * Chat messages (`{"role": "user"|"assistant", "content": "<text>"}`) ↔ HH turns. `user` is the HH `Human`
 * speaker; `content` is the turn text exactly. Other roles (e.g. `system`) have no place in an HH transcript
 * and are a row error.
 */
import type { Conversation, Role, Turn } from '../../spec/conversation.ts';
import { jsonType, RowProblem } from '../row-problem.ts';

/** One chat message as the TRL conversational and OpenAI forms write it. */
export interface ChatMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

const ROLE_OF_MESSAGE: Record<string, Role> = { user: 'human', assistant: 'assistant' };
const MESSAGE_ROLE = { human: 'user', assistant: 'assistant' } as const satisfies Record<Role, ChatMessage['role']>;

/** Read a JSON value as a list of chat messages; `field` names it in errors. Throws `RowProblem`. */
export function messagesToTurns(value: unknown, field: string): Turn[] {
  if (!Array.isArray(value)) throw new RowProblem('wrong-type', `field "${field}": expected an array of messages, got ${jsonType(value)}`);
  return value.map((message: unknown, index) => {
    const where = `field "${field}"[${index}]`;
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      throw new RowProblem('wrong-type', `${where}: expected a message {"role","content"}, got ${jsonType(message)}`);
    }
    const { role, content } = message as Record<string, unknown>;
    if (typeof role !== 'string' || !(role in ROLE_OF_MESSAGE)) {
      throw new RowProblem('wrong-type', `${where}: expected "role" to be "user" or "assistant", got ${JSON.stringify(role)}`);
    }
    if (typeof content !== 'string') {
      throw new RowProblem('wrong-type', `${where}: expected "content" to be a string, got ${jsonType(content)}`);
    }
    return { role: ROLE_OF_MESSAGE[role], text: content };
  });
}

/** Turns as chat messages. */
export function turnsToMessages(turns: Conversation): ChatMessage[] {
  return turns.map((turn) => ({ role: MESSAGE_ROLE[turn.role], content: turn.text }));
}
