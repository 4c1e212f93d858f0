/**
 * `hhrl experiment tension|pm-scaling|online|frontier|alignment-tax|contamination|redteam-data` — the paper's findings
 * measured on the HH world: the helpful–harmless tension (Bai et al. 2022 §4.1), log-linear PM scaling (§3.2, Fig. 7),
 * online data against the same amount of static data (§4.5), the policies RL reaches against PMs of different
 * helpful:harmless mixes (§4.4, `frontier-command.ts`), the alignment tax by model size (§5.1,
 * `alignment-tax-command.ts`), contaminated annotators (`contamination-command.ts`) and red-team comparisons that use
 * attacks (§3.2, `redteam-data-command.ts`).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { GPT_SIZES } from '../model/gpt-config.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { runTensionExperiment } from '../eval/experiments/tension.ts';
import { DEFAULT_SCALING, runPmScaling, type ScalingSize } from '../eval/experiments/pm-scaling.ts';
import { OnlineExperimentSchema, runOnlineExperiment } from '../eval/experiments/online.ts';
import { runOnlineSeeds, type OnlineSeedsResult } from '../eval/experiments/online-seeds.ts';
import type { MeanInterval } from '../eval/experiments/tax-trend.ts';
import { addSchemaOptions, parseSchemaOptions } from './zod-options.ts';
import { progressBar } from './progress.ts';
import { registerFrontierCommand, registerFrontierSeedsCommand } from './frontier-command.ts';
import { registerAlignmentTaxCommand } from './alignment-tax-command.ts';
import { registerContaminationCommand, registerContaminationSeedsCommand } from './contamination-command.ts';
import { registerRedteamDataCommand } from './redteam-data-command.ts';

const number = (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new InvalidArgumentError('expected a number');
  return parsed;
};

/** `1x32x2,2x64x4` → shapes (layers × dModel × heads). */
function parseSizes(text: string): ScalingSize[] {
  return text.split(',').map((part) => {
    const match = /^(\d+)x(\d+)x(\d+)$/.exec(part.trim());
    if (!match) throw new InvalidArgumentError(`expected LAYERSxDMODELxHEADS[,…], got "${part}"`);
    return { layers: Number(match[1]), dModel: Number(match[2]), heads: Number(match[3]) };
  });
}

const parseCounts = (text: string) =>
  text.split(',').map((part) => {
    const count = Number(part);
    if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError(`expected whole numbers ≥ 1, got "${part}"`);
    return count;
  });

const fixed = (value: number) => (Number.isNaN(value) ? '—' : `${(100 * value).toFixed(1)}%`);

/** One progress bar per label (a PM of an arm or grid point), the previous one closed when the label changes. */
function barPerLabel() {
  let bar: ReturnType<typeof progressBar> | undefined;
  let current = '';
  return {
    update(label: string, progress: { readonly step: number; readonly steps: number; readonly loss: number }): void {
      if (bar === undefined || label !== current) {
        bar?.stop();
        bar = progressBar(label, progress.steps, ['loss']);
        current = label;
      }
      bar.update(progress.step, { loss: progress.loss.toFixed(3) });
    },
    stop: () => bar?.stop(),
  };
}

/** `hhrl experiment tension`: helpful-only, harmless-only and mixed PMs (Bai et al. 2022 §4.1). */
function registerTension(experiment: Command): void {
  experiment
    .command('tension')
    .description('Train helpful-only, harmless-only and mixed PMs (same size and steps); gold accuracy on each task’s test set')
    .requiredOption('--world <dir>', 'world folder (hhrl world generate)')
    .requiredOption('--json <file>', 'write {"helpful_only":{"helpful","harmless"},"harmless_only":{…},"mixed":{…}} here')
    .addOption(new Option('--size <size>', 'model size').choices(Object.keys(GPT_SIZES)).default('tiny'))
    .option('--steps <n>', 'steps per PM', number, 500)
    .option('--seed <n>', 'seed', number, 1)
    .option('--out <dir>', 'keep the three run folders here (resumable with --resume)')
    .option('--resume', 'resume the run folders in --out')
    .action(async (flags: { world: string; json: string; size: keyof typeof GPT_SIZES; steps: number; seed: number; out?: string; resume?: boolean }) => {
      const bars = barPerLabel();
      const result = await runTensionExperiment(
        flags.world,
        { steps: flags.steps, seed: flags.seed, model: { size: flags.size } },
        {
          runDir: flags.out,
          resume: flags.resume,
          onProgress: (arm, progress) => bars.update(arm, progress),
        },
      );
      bars.stop();
      writeFileAtomic(flags.json, `${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write('gold accuracy on held-out test comparisons\n               helpful  harmless\n');
      for (const arm of ['helpful_only', 'harmless_only', 'mixed'] as const) {
        process.stdout.write(`${arm.padEnd(14)} ${fixed(result[arm].helpful).padStart(7)}  ${fixed(result[arm].harmless).padStart(8)}\n`);
      }
    });
}

/** `hhrl experiment pm-scaling`: the accuracy grid over model and data sizes and its log-linear fit (§3.2). */
function registerPmScaling(experiment: Command): void {
  experiment
    .command('pm-scaling')
    .description('PMs of ≥ 3 sizes × ≥ 3 data sizes on mixed world data; gold accuracy grid and the fit Acc ≈ a + b·log₁₀P + c·log₁₀D')
    .requiredOption('--world <dir>', 'world folder (hhrl world generate)')
    .requiredOption('--json <file>', 'write the grid and fit here')
    .option('--sizes <list>', 'model shapes LAYERSxDMODELxHEADS,…', parseSizes, DEFAULT_SCALING.sizes.map((size) => ({ ...size })))
    .option('--data-sizes <list>', 'training comparisons per point, e.g. 1000,3000,9000', parseCounts, [...DEFAULT_SCALING.dataSizes])
    .option('--epochs <n>', 'passes over each point’s data', number, DEFAULT_SCALING.epochs)
    .option('--seed <n>', 'seed', number, 1)
    .action(async (flags: { world: string; json: string; sizes: ScalingSize[]; dataSizes: number[]; epochs: number; seed: number }) => {
      const bars = barPerLabel();
      const result = await runPmScaling(flags.world, {
        sizes: flags.sizes,
        dataSizes: flags.dataSizes,
        epochs: flags.epochs,
        config: { seed: flags.seed, patience: null },
        onProgress: (label, progress) => bars.update(label, progress),
      });
      bars.stop();
      writeFileAtomic(flags.json, `${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write('shape        P(non-emb)      D   gold accuracy\n');
      for (const point of result.grid) {
        process.stdout.write(`${`${point.layers}x${point.dModel}x${point.heads}`.padEnd(10)} ${String(point.non_embedding_parameters).padStart(10)} ${String(point.data).padStart(6)}   ${fixed(point.gold_accuracy)}\n`);
      }
      const { a, b, c, r2 } = result.fit;
      process.stdout.write(`fit: Acc ≈ ${a.toFixed(3)} + ${b.toFixed(3)}·log10 P + ${c.toFixed(3)}·log10 D  (R² ${r2.toFixed(3)})\n`);
    });
}

/** The mean gold accuracy of every PM over the seeds, and the paired online − static difference. */
function printOnlineSeeds(result: OnlineSeedsResult): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const cell = (value: MeanInterval) => (value.mean === null ? '—' : `${fixed(value.mean)}${value.low === null ? '' : ` [${fixed(value.low)}, ${fixed(value.high!)}]`}`);
  out(`${result.demos.length} demos; mean over seeds [95% t interval]`);
  out(`${'PM'.padEnd(21)} ${'gold (templated test)'.padEnd(28)} gold (on-policy)`);
  for (const [arm, value] of Object.entries(result.arms)) out(`${arm.padEnd(21)} ${cell(value.template_gold).padEnd(28)} ${cell(value.on_policy_gold)}`);
  out(`${'online − static'.padEnd(21)} ${cell(result.online_minus_static.template_gold).padEnd(28)} ${cell(result.online_minus_static.on_policy_gold)}`);
  out(`online data beat as much static data on the policy's own samples: ${result.verdict}`);
}

/** `hhrl experiment online`: an online round against as much extra static data (§4.5), on one demo or several seeds. */
function registerOnline(experiment: Command): void {
  const online = experiment
    .command('online')
    .description('one online round against as much extra static data, on a finished demo: PM gold accuracy on templated and on-policy pairs (and PPO against each PM)')
    .requiredOption('--demo <dir>', 'finished demo folder (hhrl demo --out DIR); repeat it (one demo per world seed, ≥ 2) for the mean over seeds with t intervals', (value: string, previous: string[] = []) => [...previous, value])
    .requiredOption('--out <dir>', 'folder for the rounds, PMs and PPO runs (a rerun reuses what is there)')
    .requiredOption('--json <file>', 'write the result here');
  addSchemaOptions(online, OnlineExperimentSchema);
  online.action(async (raw: Record<string, unknown>) => {
    const config = parseSchemaOptions(OnlineExperimentSchema, raw);
    const demos = raw.demo as string[];
    const progress = (stage: string, detail: string) => process.stderr.write(`[${stage}] ${detail}\n`);
    if (demos.length > 1) {
      const seeds = await runOnlineSeeds(demos, config, String(raw.out), progress);
      writeFileAtomic(String(raw.json), `${JSON.stringify(seeds, null, 2)}\n`);
      printOnlineSeeds(seeds);
      return;
    }
    const result = await runOnlineExperiment(demos[0], config, String(raw.out), progress);
    writeFileAtomic(String(raw.json), `${JSON.stringify(result, null, 2)}\n`);
    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(`online round: ${result.online.comparisons} comparisons (${result.online.goldTies} oracle ties); held-out on-policy pairs: ${result.held_out.comparisons} (${result.held_out.comparisons - result.held_out.goldTies} not tied)`);
    out('PM                    train pairs  gold (templated test)  gold (on-policy, 95% CI)');
    for (const [arm, cell] of Object.entries(result.arms)) {
      const ci = cell.on_policy_gold_ci95 === null ? '' : ` (${fixed(cell.on_policy_gold_ci95[0])}–${fixed(cell.on_policy_gold_ci95[1])})`;
      out(`${arm.padEnd(21)} ${String(cell.train_pairs ?? '—').padStart(11)}  ${fixed(cell.template_gold ?? Number.NaN).padStart(21)}  ${fixed(cell.on_policy_gold ?? Number.NaN)}${ci}`);
    }
    for (const [arm, cell] of Object.entries(result.arms)) {
      if (cell.ppo === null) continue;
      const rate = (row: Record<string, unknown> | null, key: string) => (typeof row?.[key] === 'number' ? fixed(row[key] as number) : '—');
      out(`PPO against ${arm}: helpfulness ${rate(cell.ppo.before, 'helpfulness')} → ${rate(cell.ppo.after, 'helpfulness')}, harm ${rate(cell.ppo.before, 'harm_rate')} → ${rate(cell.ppo.after, 'harm_rate')}`);
    }
  });
}

/** Register `hhrl experiment …`. */
export function registerExperimentCommands(program: Command): void {
  const experiment = program.command('experiment').description('Measured reproductions of the paper’s findings on the HH world');
  registerTension(experiment);
  registerPmScaling(experiment);
  registerFrontierCommand(experiment);
  registerFrontierSeedsCommand(experiment);
  registerOnline(experiment);
  registerAlignmentTaxCommand(experiment);
  registerContaminationCommand(experiment);
  registerContaminationSeedsCommand(experiment);
  registerRedteamDataCommand(experiment);
}
