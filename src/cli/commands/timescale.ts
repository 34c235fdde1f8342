/** Every TimescaleDB operations command group, registered with one line in index.ts. */
import type { Command } from 'commander';
import { registerHypertable } from './hypertable.ts';
import { registerCompression } from './compression.ts';
import { registerRetention } from './retention.ts';
import { registerAggregates } from './aggregates.ts';
import { registerJobs } from './jobs.ts';
import { registerDoctor } from './doctor.ts';
import { registerTune } from './tune.ts';
import { registerMonitor } from './monitor.ts';
import { registerTier } from './tier.ts';

export function registerTimescale(program: Command): void {
  registerHypertable(program);
  registerCompression(program);
  registerRetention(program);
  registerAggregates(program);
  registerJobs(program);
  registerDoctor(program);
  registerTune(program);
  registerMonitor(program);
  registerTier(program);
}
