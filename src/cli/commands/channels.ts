/** tm channels add|list|test|enable|remove and tm deliveries list: notification channels and their deliveries. */
import type { Command } from 'commander';
import { requireUserByName } from '../../accounts/users.ts';
import { createChannel, enableChannel, listChannels, ownedChannel, removeChannel } from '../../notify/channels.ts';
import { listDeliveries } from '../../notify/deliveries.ts';
import { notifySettings } from '../../notify/settings.ts';
import { UsageError, UserError } from '../../errors.ts';
import { withDatabase } from '../context.ts';
import { intOption } from '../options.ts';
import { printer, table } from '../output.ts';

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
// The CLI runs with the database owner's rights: it acts as an administrator.
const ADMIN = { id: '', is_admin: true };
const CHANNEL_COLUMNS = [
  'id',
  'username',
  'kind',
  'target',
  'token',
  'events',
  'strategies',
  'enabled',
  'disabled_reason',
];

export function registerChannels(program: Command): void {
  const channels = program
    .command('channels')
    .description('where notifications go: webhooks, email addresses and Telegram chats');

  channels
    .command('add')
    .description(
      'add a webhook, email or telegram channel for a user (a webhook secret is generated and shown once unless given)',
    )
    .argument('<username>')
    .argument('<kind>', 'webhook, email or telegram')
    .argument('<target>', 'https:// URL, email address, or Telegram chat id (123456789, -100…, @channel)')
    .option('--secret <whsec>', 'webhook signing secret: whsec_ and base64 of 24-64 bytes')
    .option('--token <bot-token>', "telegram: the bot's token from @BotFather (stored, never shown again)")
    .option(
      '--events <list>',
      'comma-separated: price_alert, signal, condition_alert, paper_fill, job_failed, sync_failed',
      'price_alert,signal,condition_alert',
    )
    .option('--strategies <list>', 'signal events only for these strategies (default: all)')
    .option('--json', 'output JSON')
    .action(
      async (
        username: string,
        kind: string,
        target: string,
        opts: { secret?: string; token?: string; events: string; strategies?: string; json?: boolean },
      ) => {
        await withDatabase(async (db) => {
          const user = await requireUserByName(db, username);
          if (opts.token !== undefined && kind !== 'telegram') throw new UsageError('--token applies to telegram only');
          if (opts.secret !== undefined && kind === 'telegram')
            throw new UsageError('a telegram channel takes its bot token as --token, not --secret');
          const { channel, secret } = await createChannel(
            db,
            user.id,
            {
              kind,
              target,
              secret: kind === 'telegram' ? opts.token : opts.secret,
              events: list(opts.events),
              strategies: opts.strategies ? list(opts.strategies) : undefined,
            },
            { allowPrivate: notifySettings().allowPrivate, isAdmin: user.is_admin },
          );
          const generated = secret !== null && opts.secret === undefined;
          printer(!!opts.json).data(
            generated ? { ...channel, secret } : channel,
            () =>
              `added ${channel.kind} channel ${channel.id} for ${user.username}: ${channel.target} (${channel.events.join(', ')})` +
              (generated ? `\nsigning secret (shown once): ${secret}` : ''),
          );
        });
      },
    );

  channels
    .command('list')
    .description("list a user's channels (everyone's without a user name); secrets are never shown")
    .argument('[username]')
    .option('--json', 'output JSON')
    .action(async (username: string | undefined, opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const userId = username ? (await requireUserByName(db, username)).id : null;
        const rows = await listChannels(db, userId);
        printer(!!opts.json).data(rows, () =>
          table(
            rows.map((r) => ({ ...r, events: r.events.join(','), strategies: r.strategies?.join(',') })),
            CHANNEL_COLUMNS,
          ),
        );
      });
    });

  channels
    .command('test')
    .description('send a test notification on a channel now and show the result')
    .argument('<id>')
    .option('--json', 'output JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const c = await ownedChannel(db, id, ADMIN);
        // The senders (nodemailer) load only for a test send.
        const { testChannel } = await import('../../notify/service.ts');
        const r = await testChannel(db, c.id);
        printer(!!opts.json).data(r, () => (r.ok ? `delivered to ${c.target}` : `failed: ${r.error}`));
        if (!r.ok) throw new UserError(`test notification to ${c.target} failed: ${r.error}`);
      });
    });

  channels
    .command('enable')
    .description('turn a disabled channel back on')
    .argument('<id>')
    .action(async (id: string) => {
      await withDatabase(async (db) => {
        const c = await ownedChannel(db, id, ADMIN);
        await enableChannel(db, c.id);
        process.stdout.write(`enabled ${c.kind} channel ${c.id} (${c.target})\n`);
      });
    });

  channels
    .command('remove')
    .description('delete a channel and its delivery history')
    .argument('<id>')
    .action(async (id: string) => {
      await withDatabase(async (db) => {
        const c = await ownedChannel(db, id, ADMIN);
        await removeChannel(db, c.id);
        process.stdout.write(`removed ${c.kind} channel ${c.id} (${c.target})\n`);
      });
    });

  const deliveries = program.command('deliveries').description('notifications sent, waiting and failed');
  deliveries
    .command('list')
    .description('deliveries, newest first')
    .option('--user <username>', 'only this user')
    .option('--failed', 'only deliveries that failed after their last retry')
    .option('--pending', 'only deliveries waiting to be sent or retried')
    .option('--limit <n>', 'at most this many', '100')
    .option('--offset <n>', 'skip this many', '0')
    .option('--json', 'output JSON')
    .action(
      async (opts: {
        user?: string;
        failed?: boolean;
        pending?: boolean;
        limit: string;
        offset: string;
        json?: boolean;
      }) => {
        const page = { limit: intOption(opts.limit, '--limit', 1, 1000), offset: intOption(opts.offset, '--offset') };
        await withDatabase(async (db) => {
          const userId = opts.user ? (await requireUserByName(db, opts.user)).id : undefined;
          const status = opts.failed ? 'failed' : opts.pending ? 'pending' : undefined;
          const r = await listDeliveries(db, { userId, status }, page);
          printer(!!opts.json).data(
            r,
            () =>
              `${table(r.items, ['id', 'created_at', 'username', 'event_type', 'kind', 'target', 'status', 'attempts', 'next_attempt_at', 'last_error'])}\n(${r.items.length} of ${r.total})`,
          );
        });
      },
    );
}
