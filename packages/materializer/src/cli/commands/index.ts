import { nearest } from '@asof/core';
import type { Command } from '../command.js';
import { applyCommand } from './apply.js';
import { compactCommand } from './compact.js';
import { demoCommand } from './demo.js';
import { exampleCommand } from './example.js';
import { exportCommand } from './export.js';
import { createHelpCommand } from './help.js';
import { materializeIncrementalCommand } from './materialize-incremental.js';
import { materializeCommand } from './materialize.js';
import { scheduleCommand } from './schedule.js';
import { seedCommand } from './seed.js';
import { sqlCommand } from './sql.js';
import { vacuumCommand } from './vacuum.js';
import { verifyOnlineCommand } from './verify-online.js';

/** Every `asof` command, in the order `asof help` lists them. */
export const COMMANDS: readonly Command[] = Object.freeze([
  applyCommand,
  materializeCommand,
  materializeIncrementalCommand,
  scheduleCommand,
  seedCommand,
  compactCommand,
  vacuumCommand,
  verifyOnlineCommand,
  exportCommand,
  sqlCommand,
  demoCommand,
  exampleCommand,
  createHelpCommand(() => COMMANDS),
]);

/** The command of that name, or `undefined`. */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The nearest command name to a mistyped one, for the error message. */
export function suggestCommand(name: string): string | undefined {
  return nearest(name, COMMANDS.map((c) => c.name));
}
