/**
 * The red-team harness: suites (what to test), targets (who is tested), graders (whether the attack worked) and
 * the runner. Strategies (how to attack) live in `src/attacks`, shared with the HH world.
 */
export * from './suites/index.ts';
export * from './graders/index.ts';
export { gradersFromSpec, GRADER_KINDS } from './graders/grader-spec.ts';
export { createOpenAiTarget, OpenAiTargetConfigSchema, toOpenAiMessages, type OpenAiTargetConfig } from './targets/openai-target.ts';
export { createModelTarget, type ModelTargetOptions } from './targets/model-target.ts';
export { createGptChatModel, loadGptChatModel, chatPrompt } from './targets/gpt-chat-model.ts';
export { microBatch } from './micro-batch.ts';
export { targetFromSpec, openAiTargetFromFlags, parseHeaders, type EndpointFlags } from './targets/target-spec.ts';
export { createLimiter, type Limiter } from './targets/limiter.ts';
export { runRedteam, type RedteamRunOptions, type RedteamRunResult } from './runner/runner.ts';
export { attemptKey, attemptRow, runAttempt, type AttemptRow, type AttemptOutcome } from './runner/attempt.ts';
export { buildReport, wilsonInterval, type RedteamReport, type RateCell } from './runner/report.ts';
export { renderReportTable } from './runner/report-table.ts';
export { renderReportHtml, escapeHtml } from './runner/report-html.ts';
export { readResults } from './runner/results-file.ts';
export { NO_REPLY_REASONS, noReplyReason, type NoReplyReason } from './runner/no-reply.ts';
export { gradeFile, type GradeFileOptions, type GradedLine } from './grade-file.ts';
