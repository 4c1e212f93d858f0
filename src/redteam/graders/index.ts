/**
 * Graders: XSTest refusal labels and the jailbreak judgement (rule-based), LLM judges with published rubrics,
 * the preference-model harm scorer, the world oracle, ensembles, and readers of labelled replies to measure them.
 */
export { createRefusalGrader } from './refusal-grader.ts';
// the refusal detector lives with the strategies (crescendo and the world's oracle read it too)
export { classifyXSTest, XSTEST_THRESHOLDS, type XSTestAnalysis, type XSTestThresholds } from '../../attacks/refusal.ts';
export { sentenceKind, type SentenceKind } from '../../attacks/refusal-signals.ts';
export { createJailbreakGrader, decideJailbreak, judgeJailbreak, JAILBREAK_THRESHOLDS, type JailbreakJudgement, type JailbreakThresholds } from './jailbreak-grader.ts';
export { jailbreakSignals, repeatedLineShare, symbolShare, type JailbreakSignals } from './jailbreak-signals.ts';
export { createLlmJudge, judgePrompt, type JudgeTargetFactory } from './llm-judge.ts';
export { JUDGE_RUBRICS, STRONGREJECT_HARMFUL_AT, type JudgeRubric, type JudgeRubricId, type JudgeVerdict } from './judge-rubrics.ts';
export { createHarmScorer, HARM_SCORER_DEFAULTS, type HarmScorerOptions } from './harm-scorer.ts';
export { composeGraders, combineHarmful, gradersDisagree, COMBINE_RULES, type CombineRule } from './compose.ts';
export { createWorldOracleGrader } from './world-oracle-grader.ts';
export { createPmConversationScorer, loadPmConversationScorer } from './pm-conversation-scorer.ts';
export { xstestAgreement, binaryAgreement, bestSetting, leaveOneGroupOut, grid, XSTEST_CLASSES, type XSTestAgreement, type BinaryAgreement, type HeldOutResult } from './agreement.ts';
export { readXSTestCompletions, readXSTestFolder, readJailbreakArtifact, readJailbreakFolder, type XSTestReply, type JailbreakReply, type XSTestAnchors } from './labelled-replies.ts';
