/**
 * Alembic's command set over our SQL migration files: upgrade, downgrade, current, history, stamp,
 * and offline SQL. A plan (the steps and their statements) is built once; it is either printed
 * (`--sql`) or executed, so the offline script is exactly what would run.
 */
import path from 'node:path';
import { UserError, errorMessage } from '../../errors.ts';
import type { Database, Notice, Queryable } from '../types.ts';
import { activateTimescale } from '../pglite.ts';
import { assertPreloaded } from '../preload.ts';
import { loadMigrations, type Migration } from './files.ts';
import type { SqlStatement } from './split-sql.ts';

export const VERSION_TABLE = 'schema_migrations';
/**
 * Always schema-qualified, and migration sessions run with search_path = public: with a schema
 * named after the role ("$user", public is the default path) unqualified names would land there.
 */
const VERSION_TABLE_Q = `public.${VERSION_TABLE}`;
const MIGRATION_SEARCH_PATH = 'SET search_path TO public';

/** One key for every tm process: `pg_advisory_lock(LOCK_KEY_1, LOCK_KEY_2)` serializes migrations. */
const LOCK_KEY_1 = 0x544d; // "TM"
const LOCK_KEY_2 = 0x4d494752; // "MIGR"

const CREATE_VERSION_TABLE = `CREATE TABLE IF NOT EXISTS ${VERSION_TABLE_Q} (
    revision   text PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)`;

export interface Step {
  direction: 'up' | 'down';
  migration: Migration;
  statements: SqlStatement[];
  /** Records the step in the version table; literal SQL so the offline script can hold it. */
  bookkeeping: string;
}

export interface AppliedRevision {
  revision: string;
  name: string;
  checksum: string;
  applied_at: Date;
}

export interface Status {
  migrations: Migration[];
  applied: AppliedRevision[];
  /** The highest applied revision, or null at base. */
  current: string | null;
  head: string | null;
  pending: Migration[];
  /** Applied revisions whose file changed since (checksum differs). */
  changed: string[];
  /** Applied revisions this version of tm has no file for. */
  unknown: string[];
}

export interface MigratorOptions {
  /** Called for every statement executed, in order (tests compare it with the offline script). */
  onStatement?: (sql: string) => void;
  /** Where progress and server warnings go. */
  log?: (line: string) => void;
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

function bookkeepingFor(direction: 'up' | 'down', m: Migration): string {
  return direction === 'up'
    ? `INSERT INTO ${VERSION_TABLE_Q} (revision, name, checksum) VALUES (${quote(m.revision)}, ${quote(m.name)}, ${quote(m.checksum)})`
    : `DELETE FROM ${VERSION_TABLE_Q} WHERE revision = ${quote(m.revision)}`;
}

export class MigrationError extends UserError {
  constructor(
    message: string,
    readonly revision: string,
    readonly statementIndex: number,
  ) {
    super(message, 500);
    this.name = 'MigrationError';
  }
}

export class Migrator {
  readonly migrations: Migration[];

  constructor(
    private readonly db: Database | null,
    migrations?: Migration[],
    private readonly opts: MigratorOptions = {},
  ) {
    this.migrations = migrations ?? loadMigrations();
  }

  get head(): string | null {
    return this.migrations.at(-1)?.revision ?? null;
  }

  /** "head", "base", a revision id, a unique prefix of one, or a file slug like 0001_initial_schema. */
  indexOf(spec: string): number {
    if (spec === 'head') return this.migrations.length - 1;
    if (spec === 'base') return -1;
    const exact = this.migrations.findIndex((m) => m.revision === spec || `${m.revision}_${m.name}` === spec);
    if (exact !== -1) return exact;
    const prefixed = this.migrations.filter(
      (m) => m.revision.startsWith(spec) || `${m.revision}_${m.name}`.startsWith(spec),
    );
    if (prefixed.length === 1) return this.migrations.indexOf(prefixed[0]);
    if (prefixed.length > 1) {
      throw new UserError(`revision "${spec}" is ambiguous: ${prefixed.map((m) => m.revision).join(', ')}`);
    }
    throw new UserError(
      `unknown revision "${spec}"; known: base, ${this.migrations.map((m) => m.revision).join(', ')}, head`,
    );
  }

  private requireDb(): Database {
    if (!this.db) throw new Error('this operation needs a database connection');
    return this.db;
  }

  async status(q: Queryable = this.requireDb()): Promise<Status> {
    const exists = await q.query<{ t: string | null }>(`SELECT to_regclass('${VERSION_TABLE_Q}')::text AS t`);
    const applied = exists.rows[0]?.t
      ? (
          await q.query<AppliedRevision>(
            `SELECT revision, name, checksum, applied_at FROM ${VERSION_TABLE_Q} ORDER BY revision`,
          )
        ).rows
      : [];
    const byRev = new Map(this.migrations.map((m) => [m.revision, m]));
    const appliedSet = new Set(applied.map((a) => a.revision));
    return {
      migrations: this.migrations,
      applied,
      current: applied.at(-1)?.revision ?? null,
      head: this.head,
      pending: this.migrations.filter((m) => !appliedSet.has(m.revision)),
      changed: applied
        .filter((a) => byRev.get(a.revision) && byRev.get(a.revision)!.checksum !== a.checksum)
        .map((a) => a.revision),
      unknown: applied.filter((a) => !byRev.has(a.revision)).map((a) => a.revision),
    };
  }

  /** Index of the current revision in the files (-1 at base). */
  private currentIndex(status: Status): number {
    if (status.unknown.length) {
      throw new UserError(
        `the database is at revision ${status.unknown.at(-1)}, which this version of tm does not know; ` +
          'upgrade tm, or downgrade with the version that applied it',
      );
    }
    const current = status.current === null ? -1 : this.indexOf(status.current);
    // A gap (a revision below the current one never applied) cannot be fixed by going up or down.
    const gaps = status.pending.filter((m) => this.migrations.indexOf(m) < current);
    if (gaps.length) {
      throw new UserError(
        `revision(s) ${gaps.map((g) => g.revision).join(', ')} were never applied although ${status.current} is: ` +
          `downgrade to before ${gaps[0].revision} and upgrade again, or run its SQL by hand (tm migrate upgrade --sql) and stamp`,
      );
    }
    return current;
  }

  /** Resolves an upgrade target (head, +N, REV) from a current index. */
  upgradeTarget(spec: string, from: number): number {
    const rel = /^\+(\d+)$/.exec(spec);
    if (rel) {
      const to = from + Number(rel[1]);
      if (to > this.migrations.length - 1) {
        throw new UserError(`cannot upgrade ${spec}: only ${this.migrations.length - 1 - from} revision(s) pending`);
      }
      return to;
    }
    const to = this.indexOf(spec);
    if (to < from) {
      throw new UserError(
        `revision ${spec} is below the current one (${this.migrations[from].revision}); use "tm migrate downgrade ${spec}"`,
      );
    }
    return to;
  }

  /** Resolves a downgrade target (-N, REV, base) from a current index. */
  downgradeTarget(spec: string, from: number): number {
    const rel = /^-(\d+)$/.exec(spec);
    if (rel) {
      const to = from - Number(rel[1]);
      if (to < -1) throw new UserError(`cannot downgrade ${spec}: only ${from + 1} revision(s) applied`);
      return to;
    }
    const to = this.indexOf(spec);
    if (to > from) {
      throw new UserError(`revision ${spec} is above the current one; use "tm migrate upgrade ${spec}"`);
    }
    return to;
  }

  /** The steps from one index to another (upward or downward). */
  plan(from: number, to: number): Step[] {
    const steps: Step[] = [];
    if (to >= from) {
      for (let i = from + 1; i <= to; i++) {
        const m = this.migrations[i];
        steps.push({ direction: 'up', migration: m, statements: m.up, bookkeeping: bookkeepingFor('up', m) });
      }
    } else {
      for (let i = from; i > to; i--) {
        const m = this.migrations[i];
        steps.push({ direction: 'down', migration: m, statements: m.down, bookkeeping: bookkeepingFor('down', m) });
      }
    }
    return steps;
  }

  /**
   * Offline SQL for `upgrade|downgrade [FROM:]TO --sql`. Without FROM, an upgrade starts at base
   * and a downgrade at head, since no database is asked.
   */
  offlineSql(direction: 'up' | 'down', spec: string): string {
    const [fromSpec, toSpec] = spec.includes(':') ? spec.split(':', 2) : [direction === 'up' ? 'base' : 'head', spec];
    const from = this.indexOf(fromSpec);
    const to = direction === 'up' ? this.upgradeTarget(toSpec, from) : this.downgradeTarget(toSpec, from);
    return renderScript(this.plan(from, to), direction, fromSpec, toSpec);
  }

  async upgrade(spec = 'head'): Promise<Step[]> {
    return this.run((status) => {
      const from = this.currentIndex(status);
      return this.plan(from, this.upgradeTarget(spec, from));
    });
  }

  async downgrade(spec: string): Promise<Step[]> {
    return this.run((status) => {
      const from = this.currentIndex(status);
      return this.plan(from, this.downgradeTarget(spec, from));
    });
  }

  /** Sets the recorded revision without running anything (alembic stamp). */
  async stamp(spec: string): Promise<void> {
    const to = this.indexOf(spec);
    const db = this.requireDb();
    await db.session(async (s) => {
      const searchPath = await this.lock(s);
      try {
        await s.exec(CREATE_VERSION_TABLE);
        await s.transaction(async (tx) => {
          await tx.exec(`DELETE FROM ${VERSION_TABLE_Q}`);
          for (const m of this.migrations.slice(0, to + 1)) await tx.exec(bookkeepingFor('up', m));
        });
      } finally {
        await this.unlock(s, searchPath);
      }
    });
  }

  /** Takes the advisory lock and sets the migration search_path; returns the session's previous one for unlock. */
  private async lock(s: Queryable): Promise<string> {
    const prev = (await s.query<{ p: string }>("SELECT current_setting('search_path') AS p")).rows[0].p;
    await s.exec(MIGRATION_SEARCH_PATH);
    const got = await s.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_KEY_1, LOCK_KEY_2]);
    if (!got.rows[0]?.ok) {
      this.opts.log?.('another tm migration is running on this database; waiting for it to finish…');
      await s.query('SELECT pg_advisory_lock($1, $2)', [LOCK_KEY_1, LOCK_KEY_2]);
    }
    return prev;
  }

  private async unlock(s: Queryable, searchPath: string): Promise<void> {
    await s.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_KEY_1, LOCK_KEY_2]).catch(() => undefined);
    // Back to the session's own path (RESET would not do: PGlite's reset value is pg_catalog).
    await s.query("SELECT set_config('search_path', $1, false)", [searchPath]).catch(() => undefined);
  }

  /** Holds the advisory lock, re-reads the state under it, then runs the planned steps one transaction each. */
  private async run(makePlan: (status: Status) => Step[]): Promise<Step[]> {
    const db = this.requireDb();
    // Before the lock and the version table: nothing may be written on a server that would die on the extension.
    await assertPreloaded(db, db.backend);
    const warn = (n: Notice) => {
      if (n.severity === 'WARNING') this.opts.log?.(`warning: ${n.message}`);
    };
    const unsubscribe = db.onNotice(warn);
    try {
      return await db
        .session(async (s) => {
          const searchPath = await this.lock(s);
          try {
            this.opts.onStatement?.(MIGRATION_SEARCH_PATH); // run by lock()
            this.opts.onStatement?.(CREATE_VERSION_TABLE);
            await s.exec(CREATE_VERSION_TABLE);
            const steps = makePlan(await this.status(s));
            for (const step of steps) {
              const label = `${step.direction === 'up' ? 'upgrade' : 'downgrade'} ${step.migration.revision} (${step.migration.message})`;
              this.opts.log?.(`running ${label}`);
              const body = async (q: Queryable) => {
                for (let i = 0; i < step.statements.length; i++) {
                  const st = step.statements[i];
                  this.opts.onStatement?.(st.sql);
                  try {
                    await q.exec(st.sql);
                  } catch (err) {
                    const first = st.sql.split('\n')[0].slice(0, 100);
                    throw new MigrationError(
                      `${label} failed at statement ${i + 1} of ${step.statements.length} ` +
                        `(${path.basename(step.migration.file)} line ${st.line}: ${first}): ${errorMessage(err)}. ` +
                        (step.migration.transactional
                          ? 'Nothing of this revision was applied.'
                          : `This revision runs without a transaction (-- migrate:no-transaction): statements 1 to ${i} were applied and stay; the revision is not recorded. Fix the cause, then make the statements safe to re-run (or undo them) and upgrade again.`),
                      step.migration.revision,
                      i,
                    );
                  }
                }
                this.opts.onStatement?.(step.bookkeeping);
                await q.exec(step.bookkeeping);
              };
              if (step.migration.transactional) await s.transaction(body);
              else await body(s);
              // A migration may have just created the extension: the embedded session must load it to use it.
              if (db.backend === 'embedded') await activateTimescale(s);
            }
            return steps;
          } finally {
            await this.unlock(s, searchPath);
          }
        })
        .then(async (steps) => {
          if (steps.length) await db.refreshTypes();
          return steps;
        });
    } finally {
      unsubscribe();
    }
  }
}

export function renderScript(steps: Step[], direction: 'up' | 'down', from: string, to: string): string {
  const out: string[] = [
    `-- Trading Manager: ${direction === 'up' ? 'upgrade' : 'downgrade'} ${from} -> ${to} (offline SQL, generated by tm migrate)`,
    '',
    `${MIGRATION_SEARCH_PATH};`,
    '',
    `${CREATE_VERSION_TABLE};`,
    '',
  ];
  for (const step of steps) {
    const m = step.migration;
    out.push(`-- Running ${step.direction === 'up' ? 'upgrade' : 'downgrade'} ${m.revision}: ${m.message}`);
    if (m.transactional) out.push('BEGIN;', '');
    for (const st of step.statements) out.push(`${st.sql};`, '');
    out.push(`${step.bookkeeping};`, '');
    if (m.transactional) out.push('COMMIT;', '');
  }
  if (steps.length === 0) out.push('-- nothing to do');
  return out.join('\n');
}
