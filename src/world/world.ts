/**
 * The world model: knowledge base, request index and oracle for one seed and config. It is cheap to build
 * (milliseconds), so `loadWorld` rebuilds it from `world.json` rather than storing it.
 */
import { Random } from '../util/random.ts';
import type { Conversation } from '../spec/conversation.ts';
import type { Verdict, WorldRequest } from './types.ts';
import type { WorldConfig } from './config.ts';
import type { KnowledgeBase } from './knowledge.ts';
import { generateKnowledge } from './knowledge.ts';
import { RequestIndex } from './requests.ts';
import { identifyRequest } from './identify.ts';
import { judgeResponse } from './oracle.ts';

/** One world: its config, knowledge and oracle. */
export interface WorldModel {
  readonly config: WorldConfig;
  readonly knowledge: KnowledgeBase;
  readonly index: RequestIndex;
  /** The request a conversation asks (the oracle's reading of it), or undefined. */
  identify(conversation: Conversation): WorldRequest | undefined;
  /**
   * The oracle: judge `response` as the next assistant turn of `conversation`.
   * @example
   * world.judge([{ role: 'human', text: 'What is 2 plus 3?' }], '2 plus 3 is 5.').behaviour // 'correct_answer'
   */
  judge(conversation: Conversation, response: string): Verdict;
  /** The oracle for a known request (exact: no parsing of the conversation; strict about form, see `well-formed.ts`). */
  judgeRequest(request: WorldRequest, response: string): Verdict;
}

/** The root random stream of a world; components fork it by name. */
export function worldRandom(config: WorldConfig): Random {
  return new Random(config.seed);
}

/** Build the world model for a resolved config. */
export function createWorldModel(config: WorldConfig): WorldModel {
  const knowledge = generateKnowledge(worldRandom(config).fork('knowledge'), config.knowledge);
  const index = new RequestIndex(knowledge);
  return {
    config,
    knowledge,
    index,
    identify: (conversation) => identifyRequest(index, conversation),
    judge: (conversation, response) => judgeResponse(identifyRequest(index, conversation), response, knowledge),
    judgeRequest: (request, response) => judgeResponse(request, response, knowledge),
  };
}
