/**
 * tm tokens: personal API tokens from the command line (the account page and /api/account/tokens do the
 * same for a signed-in user; docs/accounts.md). A read token is what a tool needs to read market data,
 * e.g. ccxt or freqtrade through /compat/binance (docs/ecosystem.md). The token is shown once.
 */
import type { Command } from 'commander';
import { API_TOKEN_SCOPES, createApiToken, listApiTokens, revokeApiToken } from '../../accounts/api-tokens.ts';
import { requireUserByName } from '../../accounts/users.ts';
import { UsageError } from '../../errors.ts';
import { intOption } from '../options.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';

export function registerTokens(program: Command): void {
  const tokens = program
    .command('tokens')
    .description("a user's personal API tokens (read scope: what ccxt or freqtrade need for /compat/binance)");

  tokens
    .command('create')
    .description('create an API token for a user (shown once; only its hash is kept)')
    .argument('<username>')
    .requiredOption('--name <name>', 'what it is for')
    .option('--scope <scope>', `${API_TOKEN_SCOPES.join(' or ')}`, 'read')
    .option('--expires-in-days <n>', 'expires after this many days (default: never)')
    .option('--json', 'output JSON')
    .action(async (username: string, opts: { name: string; scope: string; expiresInDays?: string; json?: boolean }) => {
      const scope = API_TOKEN_SCOPES.find((s) => s === opts.scope);
      if (!scope) throw new UsageError(`--scope must be ${API_TOKEN_SCOPES.join(' or ')}`);
      const days = opts.expiresInDays === undefined ? undefined : intOption(opts.expiresInDays, '--expires-in-days', 1);
      await withDatabase(async (db) => {
        const user = await requireUserByName(db, username);
        const t = await createApiToken(db, user.id, { name: opts.name, scope, expiresInDays: days });
        printer(!!opts.json).data(
          t,
          () => `created ${t.scope} token "${t.name}" (${t.id}) for ${user.username}\ntoken (shown once): ${t.token}`,
        );
      });
    });

  tokens
    .command('list')
    .description("a user's live API tokens (never the secrets)")
    .argument('<username>')
    .option('--json', 'output JSON')
    .action(async (username: string, opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const user = await requireUserByName(db, username);
        const list = await listApiTokens(db, user.id);
        printer(!!opts.json).data(list, () =>
          table(list, ['id', 'name', 'scope', 'created_at', 'last_used_at', 'expires_at']),
        );
      });
    });

  tokens
    .command('revoke')
    .description('revoke one of a user’s API tokens at once')
    .argument('<username>')
    .argument('<id>')
    .option('--json', 'output JSON')
    .action(async (username: string, id: string, opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const user = await requireUserByName(db, username);
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
          throw new UsageError(`"${id}" is not a token id (tm tokens list ${user.username} shows them)`);
        await revokeApiToken(db, user.id, id);
        printer(!!opts.json).data({ id, revoked: true }, () => `revoked API token ${id} of ${user.username}`);
      });
    });
}
