/** tm serve: migrate, then serve the HTTP API until SIGINT/SIGTERM, closing the database cleanly. */
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { openDatabase } from '../../db/connect.ts';
import { Migrator } from '../../db/migrate/migrator.ts';
import { UsageError } from '../../errors.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('migrate the database and serve the HTTP API (PORT, HOST from the environment)')
    .option('--port <n>', 'port to listen on (default: $PORT or 3000)')
    .option('--host <addr>', 'address to listen on (default: $HOST or 127.0.0.1)')
    .option('--no-migrate', 'do not apply pending migrations at start')
    .action(async (opts: { port?: string; host?: string; migrate: boolean }) => {
      const config = loadConfig();
      if (opts.port !== undefined) {
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new UsageError(`--port must be a port number, got "${opts.port}"`);
        config.port = port;
      }
      if (opts.host) config.host = opts.host;
      const log = (line: string) => process.stderr.write(`${line}\n`);
      // Fastify, the routes and the demo seeder load only for this command.
      const [
        { buildApp },
        { seedStarterIfEmpty },
        { startJobScheduler },
        { startSignalExpiry },
        { shareEmbedded },
        { startSyncScheduler },
        { startDeliveryWorker },
        { notifySettings },
      ] = await Promise.all([
        import('../../api/app.ts'),
        import('../../demo/seed.ts'),
        import('../../timescale/scheduler.ts'),
        import('../../analysis/maintenance.ts'),
        import('../../db/share/host.ts'),
        import('../../sync/scheduler.ts'),
        import('../../notify/worker.ts'),
        import('../../notify/settings.ts'),
      ]);
      const notify = notifySettings(); // a bad TM_NOTIFY_* setting stops the start here, before anything opens
      // Exclusive: a second tm serve must not reach the database through the first one.
      const db = await openDatabase(config, { exclusive: true, serve: true });
      log(`database: ${db.backend} (${db.target})`);
      let share: Awaited<ReturnType<typeof shareEmbedded>> | null = null;
      try {
        if (opts.migrate) await new Migrator(db, undefined, { log }).upgrade('head');
        // A newcomer's first start shows data at once; only on the embedded database, never on a server.
        if (db.backend === 'embedded' && config.demo) await seedStarterIfEmpty(db, log);
        // Other tm commands on this data directory work through this process from now on.
        share = await shareEmbedded(db);
        if (share) log(`other tm commands use this embedded database through ${share.socket}`);
        const app = await buildApp({ db, config, logger: process.env.TM_LOG !== '0' });
        const address = await app.listen({ port: config.port, host: config.host });
        log(`Trading Manager API listening on ${address}  (GET ${address}/health)`);
        if (app.webApp) log(`web app: ${address}/`);
        else log('web app: not built (web/dist is missing); run `npm run build:web` and restart to serve it at /');
        // Timers start once the port is ours: a failed listen must not leave them running on a closed database.
        // Embedded only: TimescaleDB's background workers do not run there, so policies run from here.
        const scheduler = startJobScheduler(db, { log });
        if (scheduler.active)
          log('job scheduler: running due TimescaleDB policy jobs every minute (embedded database)');
        const expiry = startSignalExpiry(db, { log });
        // Market data sync: keeps every linked asset current (TM_SYNC=0 turns it off).
        const sync = process.env.TM_SYNC === '0' ? undefined : startSyncScheduler(db, { log });
        const notifier = startDeliveryWorker(db, { log, settings: notify });
        let closing = false;
        const shutdown = async (signal: string) => {
          if (closing) return;
          closing = true;
          log(`${signal}: shutting down`);
          await scheduler.stop();
          await expiry.stop();
          await sync?.stop();
          await notifier.stop();
          await app.close();
          await share?.close();
          await db.close();
          process.exit(0);
        };
        process.on('SIGINT', () => void shutdown('SIGINT'));
        process.on('SIGTERM', () => void shutdown('SIGTERM'));
      } catch (err) {
        await share?.close();
        await db.close();
        throw err;
      }
    });
}
