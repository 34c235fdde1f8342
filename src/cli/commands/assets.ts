/** tm assets: add, list, show, update and remove tradeable assets. */
import type { Command } from 'commander';
import {
  addAsset,
  getAsset,
  listAssets,
  parseAssetType,
  removeAsset,
  updateAsset,
  type Asset,
  type AssetPatch,
} from '../../market/assets-repository.ts';
import { UsageError } from '../../errors.ts';
import { withDatabase } from '../context.ts';
import { intOption } from '../options.ts';
import { printer, table } from '../output.ts';

const COLS = ['symbol', 'exchange', 'asset_type', 'name', 'sector', 'industry', 'id'];

function details(a: Asset): string {
  return Object.entries(a)
    .map(([k, v]) => `${k.padEnd(11)} ${v instanceof Date ? v.toISOString() : (v ?? '-')}`)
    .join('\n');
}

export function registerAssets(program: Command): void {
  const assets = program
    .command('assets')
    .description(
      'tradeable assets (symbols are unique per exchange; refer to one as SYMBOL, SYMBOL:EXCHANGE or its id)',
    );

  assets
    .command('add <symbol>')
    .description('add an asset')
    .requiredOption('--type <type>', 'stock, etf, crypto, forex or commodity')
    .requiredOption('--name <name>', 'display name')
    .option('--exchange <exchange>', 'exchange code (e.g. NASDAQ)')
    .option('--sector <sector>', 'sector')
    .option('--industry <industry>', 'industry')
    .option('--json', 'output JSON')
    .action(
      async (
        symbol: string,
        o: { type: string; name: string; exchange?: string; sector?: string; industry?: string; json?: boolean },
      ) => {
        const type = parseAssetType(o.type);
        await withDatabase(async (db) => {
          const a = await addAsset(db, {
            symbol,
            name: o.name,
            asset_type: type,
            exchange: o.exchange,
            sector: o.sector,
            industry: o.industry,
          });
          printer(!!o.json).data(a, () => `added ${a.symbol}${a.exchange ? `:${a.exchange}` : ''} (${a.id})`);
        });
      },
    );

  assets
    .command('list')
    .description('list assets, by symbol')
    .option('--type <type>', 'only this asset type')
    .option('--limit <n>', 'at most n assets', '100')
    .option('--offset <n>', 'skip n assets', '0')
    .option('--json', 'output JSON ({ items, limit, offset, total })')
    .action(async (o: { type?: string; limit: string; offset: string; json?: boolean }) => {
      const type = o.type ? parseAssetType(o.type) : undefined;
      const limit = intOption(o.limit, '--limit');
      const offset = intOption(o.offset, '--offset');
      await withDatabase(async (db) => {
        const page = await listAssets(db, { type, limit, offset });
        printer(!!o.json).data(
          page,
          () =>
            `${table(page.items as unknown as Record<string, unknown>[], COLS)}\n(${page.items.length} of ${page.total})`,
        );
      });
    });

  assets
    .command('show <ref>')
    .description('show one asset (SYMBOL, SYMBOL:EXCHANGE or id)')
    .option('--json', 'output JSON')
    .action(async (ref: string, o: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const a = await getAsset(db, ref);
        printer(!!o.json).data(a, () => details(a));
      });
    });

  assets
    .command('update <ref>')
    .description("change an asset's fields (only the options given)")
    .option('--symbol <symbol>', 'new symbol')
    .option('--type <type>', 'new asset type')
    .option('--name <name>', 'new name')
    .option('--exchange <exchange>', 'new exchange ("" clears it)')
    .option('--sector <sector>', 'new sector')
    .option('--industry <industry>', 'new industry')
    .option('--json', 'output JSON')
    .action(
      async (
        ref: string,
        o: {
          symbol?: string;
          type?: string;
          name?: string;
          exchange?: string;
          sector?: string;
          industry?: string;
          json?: boolean;
        },
      ) => {
        const patch: AssetPatch = {};
        if (o.symbol !== undefined) patch.symbol = o.symbol;
        if (o.type !== undefined) patch.asset_type = parseAssetType(o.type);
        if (o.name !== undefined) patch.name = o.name;
        if (o.exchange !== undefined) patch.exchange = o.exchange;
        if (o.sector !== undefined) patch.sector = o.sector || null;
        if (o.industry !== undefined) patch.industry = o.industry || null;
        if (Object.keys(patch).length === 0)
          throw new UsageError(
            'nothing to update: give at least one of --symbol --type --name --exchange --sector --industry',
          );
        await withDatabase(async (db) => {
          const a = await updateAsset(db, ref, patch);
          printer(!!o.json).data(a, () => details(a));
        });
      },
    );

  assets
    .command('remove <ref>')
    .description('delete an asset (refused while it has candles)')
    .option('--json', 'output JSON')
    .action(async (ref: string, o: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const a = await removeAsset(db, ref);
        printer(!!o.json).data({ removed: a }, () => `removed ${a.symbol}${a.exchange ? `:${a.exchange}` : ''}`);
      });
    });
}
