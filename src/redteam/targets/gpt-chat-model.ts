/**
 * An hhrl GPT checkpoint as a `ChatModel`: the conversation is written as an HH transcript ending with
 * `"\n\nAssistant:"`, the model continues it until the next turn marker, and concurrent calls with equal settings
 * — streamed or not, greedy or sampled — are generated as one batch (`gpt-row-batcher.ts`; each row samples from
 * its own seed, so a seed still fixes each call's text). Replies report their token usage, never end with the start
 * of a stop string, and stop generating when cancelled. This is what `hhrl serve --model DIR` serves and
 * `--target hhrl:DIR` calls.
 */
import { serializeTranscript } from '../../data/hh-transcript.ts';
import type { Generation } from '../../model/generate.ts';
import { GptModel } from '../../model/gpt-model.ts';
import { streamableText, withoutPartialStop } from '../../model/stop-text.ts';
import type { ChatModel, Completion, CompletionPiece, GenerationOptions } from '../../spec/chat-target.ts';
import type { Conversation } from '../../spec/conversation.ts';
import { CheckpointError } from '../../spec/errors.ts';
import { gptRowBatcher, type BatchSettings, type RowRequest } from './gpt-row-batcher.ts';

/** Turn markers that end the assistant's turn. */
export const TURN_STOPS = ['\n\nHuman:', '\n\nAssistant:'] as const;

/** The prompt text the model continues. */
export function chatPrompt(conversation: Conversation): string {
  return `${serializeTranscript(conversation)}\n\nAssistant:`;
}

/** Options of the adapter. */
export interface GptChatModelOptions {
  /** Name reported by `/v1/models` and in target ids. */
  readonly id: string;
  /** Most conversations generated in one batch. */
  readonly maxBatch?: number;
}

/** Settings of `GptModel.generate` for one chat call: the request's stop strings plus the turn markers. */
function generateSettings(options: GenerationOptions): BatchSettings {
  return {
    maxNewTokens: options.maxTokens,
    temperature: options.temperature,
    ...(options.topP === undefined ? {} : { topP: options.topP }),
    stop: [...TURN_STOPS, ...options.stop.filter((stop) => stop !== '')],
  };
}

/** The reply as shown: one leading space dropped (the transcript writes "Assistant: text"). */
const visible = (text: string): string => (text.startsWith(' ') ? text.slice(1) : text);

/** A finished generation as a completion: a reply cut by the limit loses a trailing start of a stop string. */
function toCompletion(generation: Generation, prompt: readonly number[], stops: readonly string[]): Completion {
  const finishReason = generation.finishReason === 'length' ? 'length' : 'stop';
  const text = visible(generation.text);
  return {
    text: finishReason === 'length' ? withoutPartialStop(text, stops) : text,
    finishReason,
    usage: {
      promptTokens: generation.promptTokens.length,
      completionTokens: generation.tokens.length,
      droppedPromptTokens: prompt.length - generation.promptTokens.length,
    },
  };
}

/** `promise`, or a rejection with `signal.reason` as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Wrap a loaded GPT (with a language-model head) as a chat model. */
export function createGptChatModel(model: GptModel, options: GptChatModelOptions): ChatModel {
  if (!model.heads.lm) throw new CheckpointError(`${options.id}: the checkpoint has no language-model head, so it cannot chat`);
  const generateRow = gptRowBatcher(model, generateSettings, options.maxBatch ?? 16);
  return {
    id: options.id,
    complete: async (conversation, generation, signal) => {
      signal?.throwIfAborted();
      const tokens = model.tokenizer.encode(chatPrompt(conversation));
      const row = generateRow({ tokens, options: generation, ...(signal === undefined ? {} : { signal }) });
      return toCompletion(await untilAborted(row, signal), tokens, generateSettings(generation).stop);
    },
    stream: (conversation, generation, signal) => streamCompletion(model, generateRow, conversation, generation, signal),
  };
}

/**
 * One conversation's row of a batch, its text handed out chunk by chunk as the graph produces it. Text that could
 * be the start of a stop string is held back until the next chunk settles it; the last piece carries the usage.
 * Leaving the loop early, or aborting `signal`, stops the generation (the batch's, once all its callers have gone).
 */
async function* streamCompletion(
  model: GptModel,
  generateRow: (request: RowRequest) => Promise<Generation>,
  conversation: Conversation,
  options: GenerationOptions,
  signal: AbortSignal | undefined,
): AsyncIterable<CompletionPiece> {
  const pending: string[] = [];
  let wake: (() => void) | undefined;
  let sent = '';
  let done = false;
  const settings = generateSettings(options);
  const stops = settings.stop;
  const prompt = model.tokenizer.encode(chatPrompt(conversation));
  const stopper = new AbortController(); // aborted when the consumer leaves early
  const finished = generateRow({
    tokens: prompt,
    options,
    signal: signal === undefined ? stopper.signal : AbortSignal.any([signal, stopper.signal]),
    onText: (text) => {
      const stable = streamableText(visible(text), stops);
      if (stable.startsWith(sent) && stable.length > sent.length) {
        pending.push(stable.slice(sent.length));
        sent = stable;
        wake?.();
      }
    },
  }).finally(() => {
    done = true;
    wake?.();
  });
  finished.catch(() => undefined); // observed below, or irrelevant once the consumer has left
  try {
    while (!done || pending.length > 0) {
      if (pending.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      yield { text: pending.shift()! };
    }
    const generation = await finished;
    const completion = toCompletion(generation, prompt, stops);
    const rest = completion.text.startsWith(sent) ? completion.text.slice(sent.length) : '';
    yield { text: rest, finishReason: completion.finishReason, ...(completion.usage === undefined ? {} : { usage: completion.usage }) };
  } finally {
    stopper.abort(new Error('the stream was closed before the completion finished'));
  }
}

/** Load a checkpoint folder as a chat model named after the folder. */
export function loadGptChatModel(dir: string, id = dir.replace(/\/+$/, '').split('/').pop() ?? dir): ChatModel {
  return createGptChatModel(GptModel.load(dir).model, { id });
}
