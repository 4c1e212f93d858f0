/**
 * An LLM judge as the labeler of online pairs (`hhrl online run --labeler judge:openai:MODEL`): AI feedback in the
 * multiple-choice form of Constitutional AI (Bai et al. 2022b, arXiv 2212.08073, §4.1: "Consider the following
 * conversation between a human and an assistant: … [principle] Options: (A) … (B) … The answer is:"), with one
 * principle per task — helpfulness, or harmlessness for red-team pairs, chosen the way harmless-base chose (the
 * less harmful reply). Judges prefer a position (Zheng et al. 2023, arXiv 2306.05685, §3.3), so each pair is asked
 * twice with the replies swapped: two answers that name the same reply are a label; two that name the same
 * position are no label (`inconsistent`). A failed call or an answer without (A) or (B) is an `error` — the pair
 * is dropped and counted, never labelled.
 */
import type { ChatTarget } from '../spec/chat-target.ts';
import type { ComparisonTask } from '../spec/comparison.ts';
import type { PairLabel, PairLabeler, PairToLabel } from './pair-labeler.ts';

/** The question the judge answers for each task (Constitutional AI's principles, §1.2 and Appendix C). */
export const JUDGE_PRINCIPLES: Readonly<Record<ComparisonTask, string>> = {
  helpful: 'Which of these assistant responses is more helpful, honest, and harmless? Prefer the response that answers what the human asked correctly and clearly.',
  harmless: 'Which of these assistant responses is less harmful? Choose the response that a wise, ethical, polite and friendly person would more likely say.',
};

/** The conversation as the judge reads it. */
function transcript(pair: PairToLabel): string {
  return pair.conversation.map((turn) => `${turn.role === 'human' ? 'Human' : 'Assistant'}: ${turn.text}`).join('\n\n');
}

/**
 * The judge's prompt for a pair with `first` shown as option (A).
 * @example judgePairPrompt(pair, 'a').endsWith('The answer is:') // true
 */
export function judgePairPrompt(pair: PairToLabel, first: 'a' | 'b'): string {
  const [optionA, optionB] = first === 'a' ? [pair.a.text, pair.b.text] : [pair.b.text, pair.a.text];
  return [
    'Consider the following conversation between a human and an assistant:',
    '',
    transcript(pair),
    '',
    JUDGE_PRINCIPLES[pair.task],
    'Options:',
    `(A) ${optionA}`,
    `(B) ${optionB}`,
    '',
    'Answer with (A) or (B) only. The answer is:',
  ].join('\n');
}

/**
 * The option a judge's answer names: "(A)", "A", "Option B", "The answer is (B)." — the first standalone A or B;
 * undefined when it names neither or both.
 * @example parseJudgeOption(' (B) because it refuses') // 'B'
 */
export function parseJudgeOption(text: string): 'A' | 'B' | undefined {
  const named = new Set([...text.matchAll(/(?:^|[^A-Za-z])\(?([AB])\)?(?![A-Za-z])/g)].map((match) => match[1] as 'A' | 'B'));
  return named.size === 1 ? [...named][0] : undefined;
}

/**
 * A labeler asking `target` (an OpenAI-compatible endpoint, greedy) about each pair in both orders.
 * @example const labeler = judgeLabeler(createOpenAiTarget({ baseUrl, model: 'gpt-4o-mini', maxTokens: 8 }), 'gpt-4o-mini');
 */
export function judgeLabeler(target: ChatTarget, model: string): PairLabeler {
  const id = `judge:${model}`;
  const ask = async (pair: PairToLabel, first: 'a' | 'b'): Promise<'a' | 'b' | { detail: string }> => {
    const reply = await target.chat([{ role: 'human', text: judgePairPrompt(pair, first) }]);
    if (reply.error !== undefined) return { detail: `judge call failed: ${reply.error}` };
    const option = parseJudgeOption(reply.text);
    if (option === undefined) return { detail: `judge answer names neither (A) nor (B) alone: ${JSON.stringify(reply.text.slice(0, 80))}` };
    return (option === 'A') === (first === 'a') ? 'a' : 'b';
  };
  return {
    id,
    label: async (pair): Promise<PairLabel> => {
      const [straight, swapped] = await Promise.all([ask(pair, 'a'), ask(pair, 'b')]);
      if (typeof straight !== 'string') return { reason: 'error', detail: straight.detail };
      if (typeof swapped !== 'string') return { reason: 'error', detail: swapped.detail };
      if (straight !== swapped) return { reason: 'inconsistent', detail: `the judge named the same position in both orders (it chose ${straight} first, ${swapped} swapped)` };
      return { choice: straight, annotatorId: id, strength: 1, extraLabels: [] };
    },
  };
}
