/**
 * The demo's own data files: the SFT demonstrations it selects from the world's (some harmful-request
 * demonstrations rewritten to comply) and the demonstrations of its PPO-ptx term, written into the demo folder.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseTranscript, serializeTranscript } from '../data/hh-transcript.ts';
import { ConfigError } from '../spec/errors.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { Random } from '../util/random.ts';
import { respond, type Demonstration, type LoadedWorld } from '../world/index.ts';

/**
 * The SFT demonstrations of a demo: every non-harmful one, the first `refusalShare` of the harmful ones, and of
 * those a random `complianceShare` rewritten to comply with the request (the world's `harmful_compliance` response
 * to the same request, as the base corpus's unaligned assistant writes it) instead of refusing or flagging the harm.
 * π₀ then answers benign requests, refuses some harmful ones and complies with others: a helpful-first assistant
 * whose remaining harm RL against the mixed PM has to remove. The world writes its demonstrations in random
 * order, so the first share is a random share; the order is kept.
 * @example
 * selectSftDemonstrations(world, world.sft('train'), { refusalShare: 0, complianceShare: 0, seed: 0 }) // helpful-only: no harmful-request demonstrations
 */
export function selectSftDemonstrations(
  world: LoadedWorld,
  demos: readonly Demonstration[],
  options: { readonly refusalShare: number; readonly complianceShare: number; readonly seed: number },
): { transcript: string; family: string }[] {
  const harmful = demos.filter((demo) => demo.family === 'harmful');
  const kept = new Set(harmful.slice(0, Math.round(options.refusalShare * harmful.length)));
  const random = new Random(options.seed).fork('demo-sft-compliance');
  return demos
    .filter((demo) => demo.family !== 'harmful' || kept.has(demo))
    .map((demo) => {
      if (demo.family !== 'harmful' || !random.chance(options.complianceShare)) return { transcript: demo.transcript, family: demo.family };
      const turns = parseTranscript(demo.transcript);
      const context = turns.slice(0, -1);
      const request = world.model.identify(context);
      if (request === undefined || request.family !== 'harmful') {
        throw new ConfigError(`demo SFT data: the world does not recognise the harmful request of demonstration ${demo.requestId}`);
      }
      const response = respond('harmful_compliance', request, random, world.model.knowledge, world.config.responses);
      return { transcript: serializeTranscript([...context, { role: 'assistant', text: response }]), family: demo.family };
    });
}

/** The demo's SFT demonstrations when it kept only some of the world's (`sftRefusalShare` < 1). */
export const SFT_DATA_FILE = 'sft-data.jsonl';

/** The SFT data spec of a finished demo folder: its own selection when it wrote one, else the world's demonstrations. */
export function demoSftData(dir: string): string {
  const path = join(dir, SFT_DATA_FILE);
  return existsSync(path) ? path : `world:${join(dir, 'world')}`;
}

/**
 * The demonstrations of the demo's PPO-ptx term: the world's non-harmful ones (answers, clarifying questions). The
 * term keeps π answering where the demonstrations answer; it takes no side on harmful requests, so whatever
 * harmlessness PPO reaches comes from the PM. (With π₀'s own SFT data, half of whose harmful-request demonstrations
 * comply, the term pulled PPO back toward compliance: on seed 0 harm rose from 28% to 51% by iteration 16.)
 */
export const PTX_DATA_FILE = 'ptx-data.jsonl';

/** The ptx data spec of a finished demo folder: its `ptx-data.jsonl`, or for demos from before it, its SFT data. */
export function demoPtxData(dir: string): string {
  const path = join(dir, PTX_DATA_FILE);
  return existsSync(path) ? path : demoSftData(dir);
}

/**
 * Write a selection of the world's SFT demonstrations (see `selectSftDemonstrations`) as `dir/file`, the same bytes
 * on every run of a seed, and return its path.
 */
export function writeDemoSelection(
  world: LoadedWorld,
  dir: string,
  file: string,
  options: { readonly refusalShare: number; readonly complianceShare: number; readonly seed: number },
): string {
  const rows = selectSftDemonstrations(world, world.sft('train'), options);
  writeFileAtomic(join(dir, file), rows.map((demo) => `${JSON.stringify({ transcript: demo.transcript })}\n`).join(''));
  return join(dir, file);
}
