/** tm backup: create, restore, verify, base. */
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import type { BackupContent } from '../../db/backup/manifest.ts';
import { UsageError, UserError } from '../../errors.ts';
import { printer, table } from '../output.ts';

/** The backup code (and with it both database drivers) loads only when a backup command runs. */
const backups = () => import('../../db/backup/backup.ts');

const log = (line: string) => process.stderr.write(`${line}\n`);
const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;

export function registerBackup(program: Command): void {
  const backup = program
    .command('backup')
    .description('backups you can trust: create, verify, restore (pg_dump on a server, snapshots embedded)');

  backup
    .command('create')
    .description('back up the database to FILE, with FILE.manifest.json beside it')
    .requiredOption('-o, --output <file>', 'backup file to write')
    .option('--format <format>', 'server: custom (default) or plain; embedded: snapshot (default) or plain')
    .option('--schema-only', 'only the schema')
    .option('--data-only', 'only the data (refused when TimescaleDB is installed: its catalog is dumped as data too)')
    .option('--json', 'output the manifest as JSON')
    .action(
      async (opts: { output: string; format?: string; schemaOnly?: boolean; dataOnly?: boolean; json?: boolean }) => {
        if (opts.schemaOnly && opts.dataOnly) throw new UsageError('--schema-only and --data-only exclude each other');
        if (opts.format && !['custom', 'plain', 'snapshot'].includes(opts.format))
          throw new UsageError(`--format must be custom, plain or snapshot, got "${opts.format}"`);
        const content: BackupContent = opts.schemaOnly ? 'schema-only' : opts.dataOnly ? 'data-only' : 'full';
        const t0 = Date.now();
        const m = await (await backups()).createBackup(loadConfig(), {
          file: opts.output,
          format: opts.format as 'custom' | 'plain' | 'snapshot' | undefined,
          content,
          log,
        });
        printer(!!opts.json).data(
          m,
          () =>
            `${m.kind} backup (${m.content}) of the ${m.backend} database written to ${opts.output} (${mib(m.file.bytes)}, ${m.tables.length} tables, ` +
            `${m.tables.reduce((n, t) => n + t.rows, 0)} rows) in ${((Date.now() - t0) / 1000).toFixed(1)}s; manifest ${opts.output}.manifest.json`,
        );
      },
    );

  backup
    .command('restore')
    .description('restore FILE into the configured database, a server URL or a data directory')
    .argument('<file>', 'backup file (its .manifest.json must be beside it)')
    .option('--into <target>', 'postgres://… URL or an embedded data directory (default: DATABASE_URL or TM_DATA_DIR)')
    .option('--force', 'replace a database that is not empty')
    .option('--json', 'output JSON')
    .action(async (file: string, opts: { into?: string; force?: boolean; json?: boolean }) => {
      const res = await (await backups()).restoreBackup(loadConfig(), {
        file,
        into: opts.into,
        force: !!opts.force,
        log,
      });
      printer(!!opts.json).data({ target: res.target, problems: res.problems, manifest: res.manifest }, () =>
        res.problems.length
          ? `restored into ${res.target}, but: ${res.problems.join('; ')}`
          : `restored into ${res.target}; every table matches the manifest`,
      );
      if (res.problems.length)
        throw new UserError(`restored data differs from the manifest: ${res.problems.join('; ')}`);
    });

  backup
    .command('verify')
    .description('restore FILE into a scratch database and compare row counts and checksums with its manifest')
    .argument('<file>', 'backup file')
    .option('--into <url>', 'server for the scratch database when FILE is an SQL dump (default: DATABASE_URL)')
    .option('--json', 'output JSON')
    .action(async (file: string, opts: { into?: string; json?: boolean }) => {
      const res = await (await backups()).verifyBackup(loadConfig(), { file, into: opts.into, log });
      printer(!!opts.json).data(res, () =>
        res.problems.length
          ? `FAILED: ${res.problems.join('; ')}`
          : `OK: ${res.kind} backup, ${res.tables} tables and ${res.rows} rows match the manifest`,
      );
      if (res.problems.length) throw new UserError(`backup ${file} does not match its manifest`);
    });

  backup
    .command('base')
    .description('physical base backup of a server with pg_basebackup (tar, gzip, WAL included)')
    .requiredOption('-o, --output <dir>', 'directory to create')
    .option('--json', 'output JSON')
    .action(async (opts: { output: string; json?: boolean }) => {
      const res = await (await backups()).baseBackup(loadConfig(), { dir: opts.output, log });
      printer(!!opts.json).data(
        res,
        () =>
          `${table(
            res.files.map((f) => ({ file: f })),
            ['file'],
          )}\nbase backup in ${res.dir}`,
      );
    });
}
