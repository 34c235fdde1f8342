/**
 * The tm command line. Exit codes: 0 success, 1 a user or data error (one line on stderr),
 * 2 bad usage (unknown command or option, missing argument).
 */
import { Command, CommanderError } from 'commander';
import { TimescaleMissingError, UsageError, UserError } from '../errors.ts';
import { VERSION } from '../version.ts';
import { registerCommands } from './commands/index.ts';

export function buildProgram(): Command {
  const program = new Command('tm')
    .description('Trading Manager: market data on PostgreSQL + TimescaleDB (embedded when DATABASE_URL is unset)')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not failures; every other commander error is a usage error.
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`tm: ${err.message}\n`);
      return 2;
    }
    if (err instanceof UserError || err instanceof TimescaleMissingError) {
      process.stderr.write(`tm: error: ${err.message}\n`);
      return 1;
    }
    const e = err as Error & { code?: string };
    process.stderr.write(`tm: error: ${e.message ?? String(err)}\n`);
    if (process.env.TM_DEBUG) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
