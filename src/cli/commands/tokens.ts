/**
 * tm tokens: long-lived read tokens for tools that read market data through the exchange-compatible
 * endpoint (ccxt, freqtrade; see docs/ecosystem.md). The token is shown once, when created.
 */
import type { Command } from 'commander';
import { createReadToken, listReadTokens, revokeReadToken } from '../../accounts/read-tokens.ts';
import { requireUserByName } from '../../accounts/users.ts';
import { UserError } from '../../errors.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';

export function registerTokens(program: Command): void {
  const tokens = program
    .command('tokens')
    .description('read tokens for tools reading market data through /compat/binance (ccxt, freqtrade)');

  tokens
    .command('create')
    .description('create a read token for a user (shown once; only its hash is kept)')
    .argument('<username>')
    .option('--name <name>', 'what it is for', 'read token')
    .option('--json', 'output JSON')
    .action(async (username: string, opts: { name: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const user = await requireUserByName(db, username);
        const t = await createReadToken(db, user.id, opts.name);
        printer(!!opts.json).data(
          t,
          () => `created read token "${t.name}" (${t.id}) for ${t.username}\ntoken (shown once): ${t.token}`,
        );
      });
    });

  tokens
    .command('list')
    .description("read tokens (all users', or one user's); never the secrets")
    .argument('[username]')
    .option('--json', 'output JSON')
    .action(async (username: string | undefined, opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const user = username ? await requireUserByName(db, username) : undefined;
        const list = await listReadTokens(db, user?.id);
        printer(!!opts.json).data(list, () =>
          table(list, ['id', 'username', 'name', 'created_at', 'last_used_at', 'revoked_at']),
        );
      });
    });

  tokens
    .command('revoke')
    .description('revoke a read token at once')
    .argument('<id>')
    .option('--json', 'output JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        if (!(await revokeReadToken(db, id))) throw new UserError(`no live read token ${id}`, 404);
        printer(!!opts.json).data({ id, revoked: true }, () => `revoked read token ${id}`);
      });
    });
}
