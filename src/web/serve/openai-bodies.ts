/**
 * The JSON `hhrl serve` answers with: chat-completion bodies and stream chunks in the OpenAI format, with
 * `usage` (so clients such as promptfoo can count tokens) and an `hhrl` object reporting what the server changed
 * about the request (escaped turn markers, prompt tokens dropped to fit the context).
 */
import type { Completion, CompletionPiece, FinishReason, TokenUsage } from '../../spec/chat-target.ts';

/** The fields every body of one request shares. */
export interface BodyBase {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

/** OpenAI's `usage` object. */
export interface UsageBody {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

/** What the server changed about a request, so a client can tell the model did not read it verbatim. */
export interface HhrlReport {
  /** Turn markers (`\n\nHuman:`, `\n\nAssistant:`) in message text turned into plain lines. */
  readonly escaped_turn_markers: number;
  /** Tokens cut from the start of a prompt longer than the model's context (null when the model does not say). */
  readonly dropped_prompt_tokens: number | null;
}

/** `usage` from the model's token counts. */
export function usageBody(usage: TokenUsage): UsageBody {
  return { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens };
}

/** The `hhrl` report. */
export function hhrlReport(escapedMarkers: number, usage: TokenUsage | undefined): HhrlReport {
  return { escaped_turn_markers: escapedMarkers, dropped_prompt_tokens: usage === undefined ? null : usage.droppedPromptTokens };
}

/** A non-streamed `chat.completion` body. */
export function completionBody(base: BodyBase, completion: Completion, escapedMarkers: number): object {
  return {
    ...base,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: completion.text }, finish_reason: completion.finishReason }],
    ...(completion.usage === undefined ? {} : { usage: usageBody(completion.usage) }),
    hhrl: hhrlReport(escapedMarkers, completion.usage),
  };
}

/** A `chat.completion.chunk` carrying `delta`. */
export function chunkBody(base: BodyBase, delta: object, finishReason: FinishReason | null, extra: object = {}): object {
  return { ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra };
}

/** The last chunk with a choice: its finish reason, and the `hhrl` report now that the usage is known. */
export function finishChunkBody(base: BodyBase, last: CompletionPiece | undefined, escapedMarkers: number): object {
  return chunkBody(base, {}, last?.finishReason ?? 'stop', { hhrl: hhrlReport(escapedMarkers, last?.usage) });
}

/** The extra chunk OpenAI sends for `stream_options.include_usage`: no choices, just `usage`. */
export function usageChunkBody(base: BodyBase, usage: TokenUsage): object {
  return { ...base, object: 'chat.completion.chunk', choices: [], usage: usageBody(usage) };
}
