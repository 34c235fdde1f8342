/**
 * The import's staging tables (TEMP, one set per import) and every SQL statement about them: the COPY of
 * validated rows, the symbol map, and the whole-input checks (unknown symbols, duplicates, conflicts).
 * The merge into candles is the candles table's SQL (mergeStaged in candles-repository.ts).
 */
import type { Queryable } from '../../db/types.ts';
import type { Interval } from '../../intervals.ts';
import type { ValidCandle } from './validate.ts';
import { StagingCopyEncoder } from './binary-copy.ts';
import type { Candle } from '../../ohlcv.ts';

/**
 * A staging table per import: a TEMP table, so two imports on a server never see each other's rows
 * and nothing is left behind if the process dies (the session ends with it). On the embedded database
 * there is one connection; the random name keeps concurrent imports apart there too.
 */
export class Staging {
  readonly table: string;
  readonly assets: string;
  private readonly problemsTable: string;
  constructor(
    private readonly q: Queryable,
    readonly suffix: string,
  ) {
    this.table = `tm_stage_${suffix}`;
    this.assets = `tm_stage_${suffix}_assets`;
    this.problemsTable = `tm_stage_${suffix}_problems`;
  }

  async create(): Promise<void> {
    await this.q.exec(`
      CREATE TEMP TABLE ${this.table} (
        n bigint NOT NULL, line bigint NOT NULL, symbol text NOT NULL, ts timestamptz NOT NULL,
        open double precision NOT NULL, high double precision NOT NULL, low double precision NOT NULL,
        close double precision NOT NULL, volume double precision NOT NULL, trades bigint, vwap double precision);
      CREATE TEMP TABLE ${this.assets} (symbol text PRIMARY KEY, asset_id uuid NOT NULL);`);
  }

  async drop(): Promise<void> {
    await this.q.exec(
      `DROP TABLE IF EXISTS ${this.table}; DROP TABLE IF EXISTS ${this.assets}; DROP TABLE IF EXISTS ${this.problemsTable};`,
    );
  }

  /** COPY a batch of validated rows (binary); `firstN` numbers them so the merge can work in ranges. */
  async copy(rows: readonly ValidCandle[], firstN: number): Promise<void> {
    const enc = new StagingCopyEncoder(rows.length);
    for (const [i, r] of rows.entries()) enc.add(firstN + i, r);
    await this.q.copyFrom(
      `COPY ${this.table} (n, line, symbol, ts, open, high, low, close, volume, trades, vwap) FROM STDIN WITH (FORMAT binary)`,
      enc.take(),
    );
  }

  /** After the load: an index for the batch ranges and statistics for the planner. */
  async index(): Promise<void> {
    await this.q.exec(`CREATE INDEX ON ${this.table} (n); ANALYZE ${this.table};`);
  }

  async symbols(): Promise<string[]> {
    const r = await this.q.query<{ symbol: string }>(`SELECT DISTINCT symbol FROM ${this.table} ORDER BY symbol`);
    return r.rows.map((x) => x.symbol);
  }

  async mapAssets(ids: Map<string, string>): Promise<void> {
    const symbols = [...ids.keys()];
    if (symbols.length === 0) return;
    await this.q.query(`INSERT INTO ${this.assets} (symbol, asset_id) SELECT * FROM unnest($1::text[], $2::uuid[])`, [
      symbols,
      symbols.map((s) => ids.get(s)),
    ]);
  }

  /** Points a staged symbol at another asset (a placeholder id replaced by the created asset's). */
  async setAsset(symbol: string, assetId: string, q: Queryable = this.q): Promise<void> {
    await q.query(`UPDATE ${this.assets} SET asset_id = $2 WHERE symbol = $1`, [symbol, assetId]);
  }

  /** Rows whose symbol has no asset (they can only be there in --skip-invalid mode). */
  private readonly unmapped = () => `NOT EXISTS (SELECT 1 FROM ${this.assets} m WHERE m.symbol = s.symbol)`;

  /** Rows repeating an (asset, ts) already seen at an earlier line: the later ones are the problem. */
  private duplicates = () => `
    SELECT line, first_line FROM (
      SELECT s.line, min(s.line) OVER (PARTITION BY m.asset_id, s.ts) AS first_line
      FROM ${this.table} s JOIN ${this.assets} m USING (symbol)) d
    WHERE line <> first_line`;

  // $2 and $3 are the staged rows' first and last times: constants, so the planner reads only the chunks
  // the input can collide with (a correlated probe alone would plan every chunk of candles).
  private conflicts = () => `
    SELECT s.line FROM ${this.table} s JOIN ${this.assets} m USING (symbol)
    WHERE EXISTS (SELECT 1 FROM candles c WHERE c.asset_id = m.asset_id AND c."interval" = $1::candle_interval AND c.ts = s.ts
                    AND c.ts >= $2 AND c.ts <= $3)`;

  /** Rows whose symbol has no asset. */
  async countUnknown(): Promise<number> {
    const r = await this.q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${this.table} s WHERE ${this.unmapped()}`,
    );
    return r.rows[0].n;
  }

  /**
   * Finds the rows with one kind of problem in one pass and keeps them, with their values, in a temp
   * table indexed by line: paging through them and removing them from staging then cost no further
   * scans of the staging table (a file with many rejects stays linear). Returns how many there are.
   */
  async collectProblems(kind: 'unknown' | 'duplicate' | 'conflict', interval: Interval): Promise<number> {
    const inner =
      kind === 'unknown'
        ? `SELECT s.line, NULL::bigint AS first_line FROM ${this.table} s WHERE ${this.unmapped()}`
        : kind === 'duplicate'
          ? this.duplicates()
          : `SELECT line, NULL::bigint AS first_line FROM (${this.conflicts()}) c`;
    await this.q.exec(`DROP TABLE IF EXISTS ${this.problemsTable}`);
    const span =
      kind === 'conflict'
        ? (
            await this.q.query<{ first: Date | null; last: Date | null }>(
              `SELECT min(ts) AS first, max(ts) AS last FROM ${this.table}`,
            )
          ).rows[0]
        : null;
    await this.q.query(
      `CREATE TEMP TABLE ${this.problemsTable} AS
       SELECT p.line, p.first_line, s.symbol, s.ts, s.open, s.high, s.low, s.close, s.volume, s.trades, s.vwap
       FROM (${inner}) p JOIN ${this.table} s ON s.line = p.line`,
      span ? [interval, span.first ?? '-infinity', span.last ?? 'infinity'] : [],
    );
    await this.q.exec(`CREATE INDEX ON ${this.problemsTable} (line)`);
    const r = await this.q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${this.problemsTable}`);
    return r.rows[0].n;
  }

  /** The collected problem rows after line `afterLine`, in line order, a page at a time. */
  async problems(afterLine: number, limit: number): Promise<StagedRow[]> {
    const r = await this.q.query<StagedRow>(
      `SELECT line::float8 AS line, first_line::float8 AS first_line, symbol, ts, open, high, low, close, volume, trades, vwap
       FROM ${this.problemsTable} WHERE line > $1 ORDER BY line LIMIT $2`,
      [afterLine, limit],
    );
    return r.rows;
  }

  /** Removes the collected problem rows from staging (--skip-invalid), in one pass. */
  async dropProblems(): Promise<void> {
    await this.q.exec(
      `DELETE FROM ${this.table} s USING ${this.problemsTable} p WHERE s.line = p.line; DROP TABLE ${this.problemsTable};`,
    );
  }

  /** Rows numbered in (fromN, toN]. */
  async countRange(fromN: number, toN: number, q: Queryable = this.q): Promise<number> {
    const r = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${this.table} WHERE n > $1 AND n <= $2`, [
      fromN,
      toN,
    ]);
    return r.rows[0].n;
  }
}

export type StagedRow = Candle & { line: number; first_line: number | null; symbol: string };

/**
 * The first pass's per-batch table (direct.ts): rows that may meet stored candles, in the candles table's
 * own shape and binary COPY format, upserted from here and emptied for the next batch. Created in the
 * import's transaction (TEMP: private to the session), dropped before it commits.
 */
export class UpsertBatch {
  readonly table: string;
  private created = false;
  constructor(
    private readonly q: Queryable,
    suffix: string,
  ) {
    this.table = `tm_upsert_${suffix}`;
  }

  async load(binary: Uint8Array, columns: string): Promise<void> {
    if (!this.created) {
      // The candles columns' types, none of its constraints or defaults.
      await this.q.exec(`CREATE TEMP TABLE ${this.table} AS SELECT ${columns} FROM candles WITH NO DATA`);
      this.created = true;
    }
    await this.q.copyFrom(`COPY ${this.table} (${columns}) FROM STDIN WITH (FORMAT binary)`, binary);
  }

  /** Empties it for the next batch (a temp table created in this transaction: a new empty file, cheaply). */
  async clear(): Promise<void> {
    await this.q.exec(`TRUNCATE ${this.table}`);
  }

  async drop(): Promise<void> {
    if (this.created) await this.q.exec(`DROP TABLE ${this.table}`);
    this.created = false;
  }
}
