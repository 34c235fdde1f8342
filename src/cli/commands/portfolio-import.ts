/** tm portfolio import: transactions from a CSV file, all or nothing. */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { UserError, errorMessage } from '../../errors.ts';
import { withDatabase } from '../context.ts';
import { printer } from '../output.ts';
import { PORTFOLIO_REF } from './portfolio-args.ts';

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`${what} ${file}: ${errorMessage(err)}`);
  }
}

export function registerPortfolioImport(portfolio: Command): void {
  portfolio
    .command('import')
    .description(
      'import transactions from a CSV (columns date,type,symbol,quantity,price,fee,currency[,note,amount]); ' +
        'all or nothing, errors by line; importing the same rows again changes nothing',
    )
    .argument('<portfolio>', PORTFOLIO_REF)
    .argument('<file>', 'the CSV file')
    .option('--mapping <file>', "JSON: a broker export's column names, date format, decimal comma, type words")
    .option(
      '--preset <name>',
      'a known export instead of a mapping: ghostfolio, wealthfolio, trading212, degiro, ibkr-flex (docs/portfolio.md)',
    )
    .option('--user <username>', 'the owner (instead of USER/NAME)')
    .option('--json', 'output JSON')
    .action(
      async (ref: string, file: string, opts: { mapping?: string; preset?: string; user?: string; json?: boolean }) => {
        const { importTransactions } = await import('../../portfolio/import.ts');
        const { parseMapping, DEFAULT_MAPPING } = await import('../../portfolio/import-mapping.ts');
        const { findPortfolio } = await import('../../portfolio/portfolios.ts');
        if (opts.mapping && opts.preset) throw new UserError('give --mapping or --preset, not both');
        const text = await readText(file, 'CSV file');
        let mapping = DEFAULT_MAPPING;
        if (opts.preset) mapping = (await import('../../portfolio/import-presets.ts')).presetMapping(opts.preset);
        if (opts.mapping) {
          const raw = await readText(opts.mapping, 'mapping file');
          try {
            mapping = parseMapping(JSON.parse(raw));
          } catch (err) {
            if (err instanceof SyntaxError)
              throw new UserError(`mapping file ${opts.mapping}: not JSON (${err.message})`);
            throw err;
          }
        }
        await withDatabase(async (db) => {
          const p = await findPortfolio(db, ref, opts.user);
          const r = await importTransactions(db, p, text, mapping);
          printer(!!opts.json).data(
            r,
            () => `${r.rows} row(s): ${r.inserted} new transaction(s), ${r.unchanged} already imported`,
          );
        });
      },
    );
}
