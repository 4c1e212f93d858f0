/**
 * `hhrl report --out FILE.html RUN_OR_JSON…`: one self-contained HTML page (static SVG charts, no scripts, nothing
 * fetched when opened) rendering demo folders and experiment results (see `report/inputs/`).
 */
import type { Command } from 'commander';
import { describeReportInputs } from '../report/inputs/index.ts';
import { renderReport } from '../report/render-report.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';

/** Register `hhrl report`. */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('render demo folders and experiment JSON files as one self-contained HTML page (charts, tables, captions)')
    .argument('<inputs...>', `what to render: ${describeReportInputs()}`)
    .requiredOption('--out <file>', 'the HTML page to write')
    .option('--title <text>', 'the page title', 'hhrl report')
    .action(async (inputs: string[], flags: { out: string; title: string }) => {
      const report = await renderReport(inputs, flags.title);
      writeFileAtomic(flags.out, report.html);
      for (const input of report.inputs) process.stdout.write(`${input.kind.padEnd(9)} ${input.path}\n`);
      process.stdout.write(`report ${flags.out}\n`);
    });
}
