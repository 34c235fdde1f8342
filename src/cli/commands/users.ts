/** tm users: create, list, deactivate, activate, reset-password. */
import type { Command } from 'commander';
import {
  activateUser,
  deactivateUser,
  generatePassword,
  resetPassword,
  setAdminRole,
} from '../../accounts/user-admin.ts';
import { createUser, listUsers } from '../../accounts/users.ts';
import { UsageError } from '../../errors.ts';
import { intOption } from '../options.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';
import { readStdin } from '../stdin.ts';

/** The password from stdin (first line), or a generated one when --password-stdin is not given. */
async function passwordFrom(opts: { passwordStdin?: boolean }): Promise<{ password: string; generated: boolean }> {
  if (!opts.passwordStdin) return { password: generatePassword(), generated: true };
  if (process.stdin.isTTY)
    throw new UsageError('--password-stdin reads a piped password: printf %s "$PW" | tm users ... --password-stdin');
  const password = (await readStdin()).split(/\r?\n/)[0];
  if (!password) throw new UsageError('--password-stdin got an empty password');
  return { password, generated: false };
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('user accounts: create, list, deactivate, reset passwords');

  users
    .command('create')
    .description('create an account (a random password is generated and shown once unless --password-stdin)')
    .argument('<username>', '3-64 characters: letters, digits, "_", "." or "-"')
    .requiredOption('--email <address>', 'email address')
    .option('--admin', 'make the user an administrator')
    .option('--password-stdin', 'read the password from standard input (first line)')
    .option('--json', 'output JSON')
    .action(
      async (username: string, opts: { email: string; admin?: boolean; passwordStdin?: boolean; json?: boolean }) => {
        const { password, generated } = await passwordFrom(opts);
        await withDatabase(async (db) => {
          const user = await createUser(db, { username, email: opts.email, password, is_admin: !!opts.admin });
          const out = generated ? { ...user, generated_password: password } : user;
          printer(!!opts.json).data(
            out,
            () =>
              `created ${user.is_admin ? 'administrator' : 'user'} ${user.username} (${user.id})` +
              (generated ? `\ngenerated password (shown once): ${password}` : ''),
          );
        });
      },
    );

  users
    .command('list')
    .description('list accounts (never shows password hashes)')
    .option('--limit <n>', 'at most this many', '100')
    .option('--offset <n>', 'skip this many', '0')
    .option('--json', 'output JSON')
    .action(async (opts: { limit: string; offset: string; json?: boolean }) => {
      const page = { limit: intOption(opts.limit, '--limit', 1, 1000), offset: intOption(opts.offset, '--offset') };
      await withDatabase(async (db) => {
        const result = await listUsers(db, page);
        printer(!!opts.json).data(
          result,
          () =>
            `${table(result.items, ['username', 'email', 'is_active', 'is_admin', 'created_at', 'last_login'])}\n(${result.items.length} of ${result.total})`,
        );
      });
    });

  users
    .command('deactivate')
    .description('stop an account from logging in and revoke its tokens at once')
    .argument('<username>')
    .option('--json', 'output JSON')
    .action(async (username: string, opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const r = await deactivateUser(db, username);
        printer(!!opts.json).data(
          r,
          () => `deactivated ${r.user.username}; revoked ${r.revoked_tokens} refresh token(s)`,
        );
      });
    });

  users
    .command('activate')
    .description('allow a deactivated account to log in again')
    .argument('<username>')
    .option('--json', 'output JSON')
    .action(async (username: string, opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const user = await activateUser(db, username);
        printer(!!opts.json).data(user, () => `activated ${user.username}`);
      });
    });

  for (const [name, admin] of [
    ['grant-admin', true],
    ['revoke-admin', false],
  ] as const) {
    users
      .command(name)
      .description(
        admin
          ? 'make an account an administrator'
          : 'take administrator rights away (refused for the last active administrator)',
      )
      .argument('<username>')
      .option('--json', 'output JSON')
      .action(async (username: string, opts: { json?: boolean }) => {
        await withDatabase(async (db) => {
          const user = await setAdminRole(db, username, admin);
          printer(!!opts.json).data(user, () => `${user.username} is ${admin ? 'now' : 'no longer'} an administrator`);
        });
      });
  }

  users
    .command('reset-password')
    .description("set a new password (generated unless --password-stdin) and revoke the user's refresh tokens")
    .argument('<username>')
    .option('--password-stdin', 'read the new password from standard input (first line)')
    .option('--json', 'output JSON')
    .action(async (username: string, opts: { passwordStdin?: boolean; json?: boolean }) => {
      const { password, generated } = await passwordFrom(opts);
      await withDatabase(async (db) => {
        const r = await resetPassword(db, username, password);
        const out = {
          username: r.user.username,
          revoked_tokens: r.revoked_tokens,
          ...(generated ? { generated_password: password } : {}),
        };
        printer(!!opts.json).data(
          out,
          () =>
            `password of ${r.user.username} reset; revoked ${r.revoked_tokens} refresh token(s)` +
            (generated ? `\ngenerated password (shown once): ${password}` : ''),
        );
      });
    });
}
