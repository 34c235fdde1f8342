/** Every command group of tm, registered in one place. */
import type { Command } from 'commander';
import { registerMigrate } from './migrate.ts';
import { registerServe } from './serve.ts';
import { registerDb } from './db.ts';
import { registerBackup } from './backup.ts';
import { registerUsers } from './users.ts';
import { registerAlerts } from './alerts.ts';
import { registerAssets } from './assets.ts';
import { registerImport } from './import.ts';
import { registerDemo } from './demo.ts';
import { registerQuery } from './query.ts';
import { registerTimescale } from './timescale.ts';
import { registerAnalysis } from './analysis.ts';
import { registerSources, registerSync } from './sync.ts';
import { registerChannels } from './channels.ts';
import { registerStrategies } from './strategies.ts';
import { registerBacktest } from './backtest.ts';
import { registerPortfolio } from './portfolio.ts';
import { registerPaper } from './paper.ts';
import { registerTokens } from './tokens.ts';

export function registerCommands(program: Command): void {
  registerServe(program);
  registerMigrate(program);
  registerDb(program);
  registerBackup(program);
  registerUsers(program);
  registerAlerts(program);
  registerAssets(program);
  registerImport(program);
  registerDemo(program);
  registerQuery(program);
  registerTimescale(program);
  registerAnalysis(program);
  registerSources(program);
  registerSync(program);
  registerChannels(program);
  registerStrategies(program);
  registerBacktest(program);
  registerPortfolio(program);
  registerPaper(program);
  registerTokens(program);
}
