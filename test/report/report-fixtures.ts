/**
 * Real small inputs for the report tests, made by the real commands' functions at toy sizes (the sizes the demo,
 * online and frontier tests use): a toy demo folder, the online experiment on it, and the frontier experiment from
 * the demo's π₀ with one extra mix. The demo probes the held-out reward at every iteration, so its KL law has
 * enough points for an exponent and the report draws the fitted curve.
 */
import { join } from 'node:path';
import { runDemo } from '../../src/eval/demo-pipeline.ts';
import { runFrontierExperiment, type FrontierResult } from '../../src/eval/experiments/frontier.ts';
import { runOnlineExperiment, type OnlineExperimentResult } from '../../src/eval/experiments/online.ts';
import { writeFileAtomic } from '../../src/util/atomic-write.ts';
import { TOY_DEMO } from '../eval/toy-demo.ts';

/** The toy demo of the demo's tests with one more PPO iteration: four held-out probes fix the KL law's exponent. */
const REPORT_DEMO = { ...TOY_DEMO, ppoSteps: 3 } as const;

/** Where each fixture is, once made. */
export interface ReportFixtures {
  readonly demo: string;
  readonly online: string;
  readonly frontier: string;
  readonly frontierResult: FrontierResult;
  readonly onlineResult: OnlineExperimentResult;
}

/** Make the three inputs under `root` (the demo folder, and the two experiments' JSON files as their CLIs write them). */
export async function makeReportFixtures(root: string): Promise<ReportFixtures> {
  const demo = join(root, 'demo');
  await runDemo(REPORT_DEMO, demo);
  const onlineResult = await runOnlineExperiment(demo, { pairs: 16, heldOutPairs: 12, pmSteps: 2, validationPairs: 20, ppoSteps: 1, seed: 4 }, join(root, 'online-run'));
  const online = join(root, 'online.json');
  writeFileAtomic(online, `${JSON.stringify(onlineResult, null, 2)}\n`);
  const frontierResult = await runFrontierExperiment(
    join(demo, 'world'),
    { seed: 1, lmSize: 'tiny', vocabSize: 300, pmSteps: 6, ppoSteps: 2, ppoBatch: 8, evalPerSet: 3, evalMaxNewTokens: 24, maxNewTokens: 16, mixes: [{ helpful: 3, harmless: 1 }], threads: 1 },
    join(root, 'frontier-run'),
    { policyFrom: demo },
  );
  const frontier = join(root, 'frontier.json');
  writeFileAtomic(frontier, `${JSON.stringify(frontierResult, null, 2)}\n`);
  return { demo, online, frontier, frontierResult, onlineResult };
}
