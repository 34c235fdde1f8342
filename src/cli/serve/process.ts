/**
 * One tm serve process: opens the database, (optionally) migrates, serves the HTTP API and runs the
 * background jobs until SIGINT/SIGTERM, then closes everything in order. With --workers N, each worker
 * runs this (migration done once by the primary); jobs that must run once per database take a lease.
 */
import type { Config } from '../../config.ts';
import type { Queryable } from '../../db/types.ts';
import { openDatabase } from '../../db/connect.ts';
import { Migrator } from '../../db/migrate/migrator.ts';
import { logFormatFrom } from '../../api/request-log.ts';
import { hasActiveAdmin } from '../../accounts/users.ts';

export interface ServeProcessOptions {
  migrate: boolean;
  log: (line: string) => void;
}

export async function serveProcess(config: Config, opts: ServeProcessOptions): Promise<void> {
  const { log } = opts;
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
    { leaseGate },
    { startDemoFeed, demoFeedBlocked },
    { startConditionAlerts },
    { startPaperWorker },
  ] = await Promise.all([
    import('../../api/app.ts'),
    import('../../demo/seed.ts'),
    import('../../timescale/scheduler.ts'),
    import('../../analysis/maintenance.ts'),
    import('../../db/share/host.ts'),
    import('../../sync/scheduler.ts'),
    import('../../notify/worker.ts'),
    import('../../notify/settings.ts'),
    import('../../db/lease.ts'),
    import('../../demo/feed.ts'),
    import('../../alerts/scheduler.ts'),
    import('../../paper/worker.ts'),
  ]);
  const notify = notifySettings(); // a bad TM_NOTIFY_* setting stops the start here, before anything opens
  const logFormat = logFormatFrom(process.env, process.stdout.isTTY === true);
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
    const app = await buildApp({ db, config, logger: logFormat !== null, logFormat: logFormat ?? undefined });
    const address = await app.listen({ port: config.port, host: config.host });
    log(`Trading Manager API listening on ${address}  (GET ${address}/health)`);
    if (app.webApp) log(`web app: ${address}/`);
    else log('web app: not built (web/dist is missing); run `npm run build:web` and restart to serve it at /');
    log(`rate limits: counted in ${app.limits.kind === 'database' ? 'the database (shared)' : 'this process'}`);
    await adviseFirstAdmin(db, address, log);
    // Timers start once the port is ours: a failed listen must not leave them running on a closed database.
    // Embedded only: TimescaleDB's background workers do not run there, so policies run from here.
    const scheduler = startJobScheduler(db, { log });
    if (scheduler.active) log('job scheduler: running due TimescaleDB policy jobs every minute (embedded database)');
    // On a server, other tm serve processes may share the database: jobs that must run once take a lease
    // (the embedded database has one process). Deliveries need none: claims use FOR UPDATE SKIP LOCKED.
    const shared = db.backend === 'server';
    const expiryLease = shared ? leaseGate(db, 'signal-expiry', 180_000, log) : undefined;
    const syncLease = shared ? leaseGate(db, 'sync', 30_000, log) : undefined;
    const expiry = startSignalExpiry(db, { log, leader: expiryLease });
    // Rules evaluate under row locks (a firing is recorded once), so no lease is needed.
    const conditionAlerts = startConditionAlerts(db, { log });
    // Market data sync: keeps every linked asset current (TM_SYNC=0 turns it off).
    const sync = process.env.TM_SYNC === '0' ? undefined : startSyncScheduler(db, { log, leader: syncLease });
    const notifier = startDeliveryWorker(db, { log, settings: notify });
    // Chat commands through the telegram channels' bots (opt-in): one poller per database (Telegram allows one).
    const commandsLease =
      notify.telegramCommands && shared ? leaseGate(db, 'telegram-commands', 60_000, log) : undefined;
    const commands = notify.telegramCommands
      ? (await import('../../notify/telegram-commands.ts')).startTelegramCommands(db, {
          log,
          settings: notify,
          leader: commandsLease,
        })
      : undefined;
    if (commands) log('telegram commands: answering /price and /alerts in linked chats');
    // Paper accounts advance as bars arrive (TM_PAPER=0 turns it off); runs are idempotent, the lease saves work.
    const paperLease = shared ? leaseGate(db, 'paper', 60_000, log) : undefined;
    const paper =
      process.env.TM_PAPER === '0'
        ? undefined
        : startPaperWorker(db, {
            log,
            leader: paperLease,
            everyMs: Number(process.env.TM_PAPER_EVERY_MS) || undefined,
          });
    // The demo keeps moving (simulated, and said so) unless real sources are configured or TM_DEMO_FEED=0.
    const feedOff = await demoFeedBlocked(db).catch((err: unknown) => {
      if ((err as { code?: string }).code === '42P01') return 'the database is not migrated'; // undefined_table
      throw err;
    });
    const feedLease = shared && !feedOff ? leaseGate(db, 'demo-feed', 180_000, log) : undefined;
    const feed = feedOff ? undefined : startDemoFeed(db, { log, leader: feedLease });
    if (feedOff && feedOff !== 'no demo assets') log(`demo feed: off (${feedOff})`);
    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      log(`${signal}: shutting down`);
      await scheduler.stop();
      await expiry.stop();
      await conditionAlerts.stop();
      await sync?.stop();
      await notifier.stop();
      await commands?.stop();
      await commandsLease?.release();
      await paper?.stop();
      await paperLease?.release();
      await feed?.stop();
      await feedLease?.release();
      // Handing the leases over now lets another process run the jobs at its next round.
      await expiryLease?.release();
      await syncLease?.release();
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
}

/** A newcomer learns how to become an administrator (the admin pages and `tm users` need one). */
async function adviseFirstAdmin(db: Queryable, address: string, log: (line: string) => void): Promise<void> {
  const known = await hasActiveAdmin(db).catch((err: unknown) => {
    if ((err as { code?: string }).code === '42P01') return true; // undefined_table: not migrated, said elsewhere
    throw err;
  });
  if (known) return;
  log('no administrator yet: create the first one in another terminal with');
  log('  npx tm users create NAME --email ADDRESS --admin');
  log(`  (or register at ${address}/register, then: npx tm users grant-admin NAME)`);
}
