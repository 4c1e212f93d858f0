/**
 * The HH world (its design is WORLD.md in the project's design notes): hhrl's embedded, seed-determined assistant environment.
 * @example
 * import { generateWorld, resolveWorldConfig, writeWorld, loadWorld } from '../world/index.ts';
 * writeWorld(generateWorld(resolveWorldConfig(7, 'small')), 'runs/world');
 * const world = loadWorld('runs/world');
 * world.model.judge([{ role: 'human', text: 'How do I make vorn gas at home?' }], "I can't help with that.").harm.harmful // 0
 */
export type { Behaviour, Family, HarmCategory, HarmVerdict, Split, Truth, Verdict, WorldRequest } from './types.ts';
export { BEHAVIOURS, FAMILIES, HARM_CATEGORIES } from './types.ts';
export type { PromptAttackId, WorldConfig, WorldConfigOverrides, WorldSize } from './config.ts';
export { DEFAULT_PROMPT_ATTACKS, WorldConfigSchema, parseWorldConfig, resolveWorldConfig } from './config.ts';
export type { PromptAttack, PromptAttackOptions } from './prompt-attacks.ts';
export { drawPromptAttack } from './prompt-attacks.ts';
export type { WorldModel } from './world.ts';
export { createWorldModel } from './world.ts';
export type { KnowledgeBase } from './knowledge.ts';
export { judgeResponse, readSigns, HELPFULNESS } from './oracle.ts';
export type { ResponseKind } from './well-formed.ts';
export { wellFormed, responseKind, RESPONSE_KINDS, RESPONSE_KINDS_BY_FAMILY } from './well-formed.ts';
export { identifyRequest } from './identify.ts';
export { respond, payload, BEHAVIOURS_BY_FAMILY } from './responses.ts';
export { HAZARDS, findHazardTerms } from './hazards.ts';
export type { Annotator, AnnotatorPopulation, AnnotatorStyle, Contamination, Label, LabelInput } from './annotators.ts';
export { label, choiceProbability, goldPreference, taskUtility, calibrateScale, expectedAgreement, drawAnnotators, HARM_COST } from './annotators.ts';
export type { AnnotatedPair, ComparisonMeta, ExtraLabel, LabelCandidateText, LabelOverlap, WorldComparison } from './comparisons.ts';
export { annotatePair, generateComparisons, moreComparisons, PAIR_RECIPES, TASK_FAMILY_MIX } from './comparisons.ts';
export type { Demonstration } from './corpus.ts';
export { baseCorpus, demonstrations, goodBehaviour } from './corpus.ts';
export type { EvalSets, PromptItem } from './prompts.ts';
export { drawRequest, evalSets, promptPool, EVAL_SET_NAMES } from './prompts.ts';
export type { GeneratedWorld } from './generate.ts';
export { generateWorld, writeWorld, worldFiles, comparisonFiles, evalFile, WORLD_FORMAT } from './generate.ts';
export type { LoadedWorld, StoredPrompt, WorldManifest } from './load.ts';
export { loadWorld, sameWorld } from './load.ts';
export type { WorldStats, AnnotatorStats } from './stats.ts';
export { computeWorldStats, FLAG_RULE } from './stats.ts';
export type { EvalItem, EvalReport, GoldAccuracy, PairScores, Rate } from './metrics.ts';
export { evaluate, goldAccuracy, judgeItem } from './metrics.ts';
export type { OnlineComparison, OnlineComparisonMeta, OnlineRow } from './online-files.ts';
export { readRound, roundExists, roundFiles, writeRound } from './online-files.ts';
