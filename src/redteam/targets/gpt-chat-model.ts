/**
 * An hhrl GPT checkpoint as a `ChatModel`: the conversation is written as an HH transcript ending with
 * `"\n\nAssistant:"`, the model continues it until the next turn marker, and concurrent greedy calls with equal
 * settings are generated as one batch (sampled calls run alone, so a seed still fixes each one's text).
 * This is what `hhrl serve --model DIR` serves and `--target hhrl:DIR` calls.
 */
import { serializeTranscript } from '../../data/hh-transcript.ts';
import { GptModel } from '../../model/gpt-model.ts';
import type { ChatModel, Completion, CompletionPiece, GenerationOptions } from '../../spec/chat-target.ts';
import type { Conversation } from '../../spec/conversation.ts';
import { CheckpointError } from '../../spec/errors.ts';
import { microBatch } from '../micro-batch.ts';

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

/** Wrap a loaded GPT (with a language-model head) as a chat model. */
export function createGptChatModel(model: GptModel, options: GptChatModelOptions): ChatModel {
  if (!model.heads.lm) throw new CheckpointError(`${options.id}: the checkpoint has no language-model head, so it cannot chat`);
  let unique = 0;
  const generateBatch = microBatch(
    async (prompts: { tokens: number[]; options: GenerationOptions }[]): Promise<Completion[]> => {
      const settings = prompts[0].options;
      const generations = await model.generate(
        prompts.map((prompt) => prompt.tokens),
        {
          maxNewTokens: settings.maxTokens,
          temperature: settings.temperature,
          seed: settings.seed ?? 0,
          stop: [...TURN_STOPS, ...settings.stop.filter((stop) => stop !== '')],
        },
      );
      return generations.map((generation) => ({
        text: generation.text.startsWith(' ') ? generation.text.slice(1) : generation.text,
        finishReason: generation.finishReason === 'length' ? 'length' : 'stop',
      }));
    },
    {
      maxBatch: options.maxBatch ?? 16,
      key: (prompt) => (prompt.options.temperature === 0 ? JSON.stringify(prompt.options) : `sampled-${unique++}`),
    },
  );
  return {
    id: options.id,
    complete: async (conversation, generation) => generateBatch({ tokens: model.tokenizer.encode(chatPrompt(conversation)), options: generation }),
    stream: (conversation, generation) => streamCompletion(model, conversation, generation),
  };
}

/** One conversation generated alone, its text handed out chunk by chunk as the graph produces it. */
async function* streamCompletion(model: GptModel, conversation: Conversation, settings: GenerationOptions): AsyncIterable<CompletionPiece> {
  const pending: string[] = [];
  let wake: (() => void) | undefined;
  let sent = '';
  let done = false;
  const visible = (text: string): string => (text.startsWith(' ') ? text.slice(1) : text);
  const finished = model
    .generate(
      [model.tokenizer.encode(chatPrompt(conversation))],
      {
        maxNewTokens: settings.maxTokens,
        temperature: settings.temperature,
        seed: settings.seed ?? 0,
        stop: [...TURN_STOPS, ...settings.stop.filter((stop) => stop !== '')],
      },
      {
        onText: (_row, text) => {
          // Hold back a trailing U+FFFD: the next chunk may complete that character.
          const stable = visible(text).replace(/\uFFFD+$/u, '');
          if (stable.startsWith(sent) && stable.length > sent.length) {
            pending.push(stable.slice(sent.length));
            sent = stable;
            wake?.();
          }
        },
      },
    )
    .finally(() => {
      done = true;
      wake?.();
    });
  while (!done || pending.length > 0) {
    if (pending.length === 0) {
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      continue;
    }
    yield { text: pending.shift()! };
  }
  const [generation] = await finished;
  const text = visible(generation.text);
  yield { text: text.startsWith(sent) ? text.slice(sent.length) : '', finishReason: generation.finishReason === 'length' ? 'length' : 'stop' };
}

/** Load a checkpoint folder as a chat model named after the folder. */
export function loadGptChatModel(dir: string, id = dir.replace(/\/+$/, '').split('/').pop() ?? dir): ChatModel {
  return createGptChatModel(GptModel.load(dir).model, { id });
}
