/**
 * Which policies write replies A and B of a turn, and with which seeds. Bai et al. 2022 §2.2 showed two replies
 * from different models (or one model sampled twice); Chatbot Arena hides which model wrote which side. The
 * draw depends only on the app's seed, the conversation id and the turn, so it is the same after a restart.
 */
import type { ChatModel } from '../../spec/chat-target.ts';
import { ConfigError } from '../../spec/errors.ts';
import { hashString32, Random } from '../../util/random.ts';

/** One side of a turn: the policy and the sampling seed. */
export interface Side {
  readonly slot: 'a' | 'b';
  readonly policy: ChatModel;
  readonly seed: number;
}

/**
 * The two sides of a turn: two different policies in random order when there are several, else the one policy
 * sampled twice with different seeds.
 * @throws ConfigError when no policy is given.
 */
export function pairFor(policies: readonly ChatModel[], seed: number, conversationId: string, turn: number): readonly [Side, Side] {
  if (policies.length === 0) throw new ConfigError('the feedback app needs at least one policy');
  const random = new Random(hashString32(`${seed}:${conversationId}:${turn}`));
  const [first, second] = policies.length === 1 ? [policies[0], policies[0]] : random.sample(policies, 2);
  const seedA = random.int(2 ** 31);
  let seedB = random.int(2 ** 31);
  if (seedB === seedA) seedB = (seedA + 1) % 2 ** 31;
  return [
    { slot: 'a', policy: first, seed: seedA },
    { slot: 'b', policy: second, seed: seedB },
  ];
}
