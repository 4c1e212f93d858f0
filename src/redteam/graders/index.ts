/** Graders: refusal (rule-based), LLM judge, preference-model harm scorer, and their composition. */
export { createRefusalGrader } from './refusal-grader.ts';
export { createLlmJudge, judgePrompt, parseJudgeAnswer } from './llm-judge.ts';
export { createHarmScorer, HARM_SCORER_DEFAULTS, type HarmScorerOptions } from './harm-scorer.ts';
export { composeGraders, combineHarmful, COMBINE_RULES, type CombineRule } from './compose.ts';
export { createWorldOracleGrader } from './world-oracle-grader.ts';
export { createPmConversationScorer, loadPmConversationScorer } from './pm-conversation-scorer.ts';
