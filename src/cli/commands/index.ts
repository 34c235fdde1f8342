/** Every command group of tm, registered in one place. */
import type { Command } from 'commander';
import { registerMigrate } from './migrate.ts';
import { registerServe } from './serve.ts';
import { registerDb } from './db.ts';
import { registerTimescale } from './timescale.ts';

export function registerCommands(program: Command): void {
  registerServe(program);
  registerMigrate(program);
  registerDb(program);
  registerTimescale(program);
}
