/**
 * Encoding strategies (Wei et al. 2023, "obfuscation"): the request is sent encoded (base64, ROT13, leetspeak),
 * with an instruction to decode it and answer. Safety training that keys on surface words may miss the encoded
 * form. Each encoding is one file holding its encoder, its decoder and its strategy; this is their shared shape.
 */
import type { AttackRequest, TransformStrategy } from '../spec/strategy.ts';
import { singleTurn } from './framing.ts';

/** What an encoding strategy is made of. */
export interface Encoding {
  readonly id: TransformStrategy['id'];
  readonly description: string;
  /** The instruction sent before the encoded request. */
  readonly instruction: string;
  readonly encode: (text: string) => string;
  /** Readings of a human turn that may reveal an encoded request. */
  readonly decode: (text: string) => string[];
}

/** A strategy that sends `encode(request)` after an instruction to decode it and answer. */
export function encodingStrategy(encoding: Encoding): TransformStrategy {
  return {
    kind: 'transform',
    id: encoding.id,
    description: encoding.description,
    transform: (attack: AttackRequest) => singleTurn(`${encoding.instruction}\n\n${encoding.encode(attack.request)}`),
    decode: encoding.decode,
  };
}
