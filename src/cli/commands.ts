import type { Command } from 'commander';
import { registerDataCommands } from './data-commands.ts';
import { registerDemoCommands } from './demo-commands.ts';
import { registerExperimentCommands } from './experiment-commands.ts';
import { registerFeedbackCommands } from './feedback-commands.ts';
import { registerLmCommands } from './lm-commands.ts';
import { registerOnlineCommands } from './online-commands.ts';
import { registerPmCommands } from './pm-commands.ts';
import { registerRedteamCommands } from './redteam-commands.ts';
import { registerReportCommand } from './report-command.ts';
import { registerRlCommands } from './rl-commands.ts';
import { registerServeCommands } from './serve-commands.ts';
import { registerWorldCommands } from './world-commands.ts';

/** A function that adds one command group (e.g. `lm`, `data`, `pm`) to the root program. */
export type RegisterCommands = (program: Command) => void;

/**
 * Every command group of the CLI. Add a group by importing its register function here.
 */
export const COMMAND_GROUPS: readonly RegisterCommands[] = [
  registerDataCommands,
  registerDemoCommands,
  registerExperimentCommands,
  registerFeedbackCommands,
  registerLmCommands,
  registerOnlineCommands,
  registerPmCommands,
  registerRedteamCommands,
  registerReportCommand,
  registerRlCommands,
  registerServeCommands,
  registerWorldCommands,
];
