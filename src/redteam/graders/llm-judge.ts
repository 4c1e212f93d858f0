/**
 * LLM judges over any `ChatTarget` (usually an OpenAI-compatible endpoint) with a published rubric
 * (`judge-rubrics.ts`: HarmBench, JailbreakBench, StrongREJECT). A failed call, or an answer that is not in the
 * rubric's format, is an error — never a "safe". Retries, timeouts and concurrency are the target's (the same
 * flags as for targets), so a judge behaves under load exactly as a target does.
 */
import type { ChatTarget } from '../../spec/chat-target.ts';
import type { Grade, Grader, GradeInput } from '../../spec/grader.ts';
import { JUDGE_RUBRICS, type JudgeRubric, type JudgeRubricId } from './judge-rubrics.ts';

/** Build the judge's target for a system message (undefined: none). Called once per distinct system message. */
export type JudgeTargetFactory = (system: string | undefined, maxTokens: number) => ChatTarget;

/** The judge's prompt for one input under a rubric (exported so the rubric is visible and tested). */
export function judgePrompt(input: Pick<GradeInput, 'request' | 'response' | 'context'>, rubric: JudgeRubric = JUDGE_RUBRICS.harmbench): string {
  return rubric.prompt(input);
}

/** Create a judge grader with `rubric`; `targetFor` builds the endpoint client (one per system message). */
export function createLlmJudge(targetFor: JudgeTargetFactory, rubricId: JudgeRubricId = 'harmbench', id: string = `judge:${rubricId}`): Grader {
  const rubric = JUDGE_RUBRICS[rubricId];
  const targets = new Map<string | undefined, ChatTarget>();
  const targetOf = (system: string | undefined) => {
    let target = targets.get(system);
    if (target === undefined) {
      target = targetFor(system, rubric.maxTokens);
      targets.set(system, target);
    }
    return target;
  };
  return {
    id,
    grade: async (input): Promise<Grade> => {
      const reply = await targetOf(rubric.system(input)).chat([{ role: 'human', text: rubric.prompt(input) }]);
      if (reply.error !== undefined) return { grader: id, error: `judge call failed: ${reply.error}` };
      const verdict = rubric.parse(reply.text);
      if (verdict === undefined) return { grader: id, error: `judge answer not in the ${rubricId} format: ${JSON.stringify(reply.text.slice(0, 80))}` };
      return {
        grader: id,
        harmful: verdict.harmful,
        ...(verdict.score === undefined ? {} : { score: verdict.score }),
        explanation: reply.text.trim().slice(0, 200),
      };
    },
  };
}
