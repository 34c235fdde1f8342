/** tm serve: migrate, then serve the HTTP API until SIGINT/SIGTERM, closing the database cleanly. */
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { UsageError } from '../../errors.ts';
import { stayAlive } from '../lifecycle.ts';

function workerCount(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--workers must be 1 to 256, got "${raw}"`);
  return n;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('migrate the database and serve the HTTP API (PORT, HOST from the environment)')
    .option('--port <n>', 'port to listen on (default: $PORT or 3000)')
    .option('--host <addr>', 'address to listen on (default: $HOST or 127.0.0.1)')
    .option('--workers <n>', 'processes serving the one port (server database only; default: $TM_WORKERS or 1)')
    .option('--no-migrate', 'do not apply pending migrations at start')
    .action(async (opts: { port?: string; host?: string; workers?: string; migrate: boolean }) => {
      const config = loadConfig();
      if (opts.port !== undefined) {
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new UsageError(`--port must be a port number, got "${opts.port}"`);
        config.port = port;
      }
      if (opts.host) config.host = opts.host;
      const workers = workerCount(opts.workers ?? process.env.TM_WORKERS);
      if (workers > 1 && !config.databaseUrl)
        throw new UsageError(
          `--workers ${workers} needs a server database (DATABASE_URL): the embedded database (PGlite) lives ` +
            'inside one process, so only one tm serve can open it. Use --workers 1, or move to PostgreSQL ' +
            '(docs/scaling.md).',
        );
      const id = process.env.TM_WORKER_ID;
      const prefix = workers > 1 ? (id ? `[worker ${id}] ` : '[primary] ') : '';
      const log = (line: string) => process.stderr.write(`${prefix}${line}\n`);
      if (workers > 1) {
        const cluster = (await import('node:cluster')).default;
        if (cluster.isPrimary) {
          const { runPrimary } = await import('../serve/cluster.ts');
          await runPrimary(config, { workers, migrate: opts.migrate, log });
          return stayAlive();
        }
      }
      const { serveProcess } = await import('../serve/process.ts');
      // A worker never migrates: its primary did, once, before forking.
      await serveProcess(config, { migrate: opts.migrate && !id, log });
      stayAlive(); // the server ends the process (SIGINT, SIGTERM)
    });
}
