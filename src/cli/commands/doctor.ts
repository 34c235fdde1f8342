/** tm doctor: one report of everything that can be wrong with the database set-up; exit 1 on a problem. */
import type { Command } from 'commander';
import { UserError } from '../../errors.ts';
import { withDatabase } from '../context.ts';
import { printer } from '../output.ts';
import { tuneInput } from './tune.ts';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check connection, versions, TimescaleDB, candles hypertable, migrations, policies and settings; each problem with its fix',
    )
    .option('--memory <size>', "the server's RAM for the settings check (default: this machine's)")
    .option('--cpus <n>', "the server's CPUs for the settings check (default: this machine's)")
    .option('--max-connections <n>', 'max_connections for the settings check', '100')
    .option('--json', 'output JSON')
    .action(async (opts: { memory?: string; cpus?: string; maxConnections: string; json?: boolean }) => {
      const tune = tuneInput(opts);
      await withDatabase(
        async (db, config) => {
          const { doctorReport } = await import('../../doctor/report.ts');
          const report = await doctorReport(db, { tune, maxReplicaLagSeconds: config.maxReplicaLagSeconds });
          const mark = { ok: 'ok     ', warning: 'WARNING', problem: 'PROBLEM' } as const;
          printer(!!opts.json).data(report, () =>
            [
              ...report.checks.map(
                (c) => `${mark[c.status]}  ${c.check}: ${c.detail}${c.fix ? `\n         fix: ${c.fix}` : ''}`,
              ),
              '',
              report.ok
                ? `no problems${report.warnings ? ` (${report.warnings} warning(s))` : ''}`
                : `${report.problems} problem(s), ${report.warnings} warning(s)`,
            ].join('\n'),
          );
          if (!report.ok) throw new UserError(`doctor found ${report.problems} problem(s)`);
        },
        { schema: 'any' },
      );
    });
}
