/** Revision 0003 (accounts and alerts) from the catalog, on both backends. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import type { Database } from '../../src/db/types.ts';

forEachBackend('schema 0003', (open) => {
  let db: Database;
  before(async () => {
    db = await open();
  });
  after(() => db.close());

  test('foreign keys of the added tables', async () => {
    const r = await db.query<{ t: string; def: string }>(
      `SELECT conrelid::regclass::text AS t, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE contype = 'f' AND conrelid::regclass::text IN ('refresh_tokens', 'price_alert_states', 'price_alerts') ORDER BY 1, 2`,
    );
    assert.deepEqual(
      r.rows.map((x) => `${x.t}: ${x.def}`),
      [
        'price_alert_states: FOREIGN KEY (watchlist_item_id) REFERENCES watchlist_items(id) ON DELETE CASCADE',
        'price_alerts: FOREIGN KEY (asset_id) REFERENCES assets(id) ON DELETE CASCADE',
        'price_alerts: FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE',
        'price_alerts: FOREIGN KEY (watchlist_id) REFERENCES watchlists(id) ON DELETE SET NULL',
        'price_alerts: FOREIGN KEY (watchlist_item_id) REFERENCES watchlist_items(id) ON DELETE SET NULL',
        'refresh_tokens: FOREIGN KEY (replaced_by) REFERENCES refresh_tokens(id) ON DELETE SET NULL',
        'refresh_tokens: FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE',
      ],
    );
  });

  test('item positions are unique per list, checked at commit', async () => {
    const r = await db.query<{ def: string; deferrable: boolean; deferred: boolean }>(
      `SELECT pg_get_constraintdef(oid) AS def, condeferrable AS deferrable, condeferred AS deferred FROM pg_constraint
       WHERE conname = 'watchlist_items_watchlist_id_position_key'`,
    );
    assert.deepEqual(r.rows, [
      { def: 'UNIQUE (watchlist_id, "position") DEFERRABLE INITIALLY DEFERRED', deferrable: true, deferred: true },
    ]);
    const u = await db.query<{ id: string }>(
      "INSERT INTO users (username, email, password_hash) VALUES ('pos', 'pos@example.com', 'x') RETURNING id",
    );
    const w = await db.query<{ id: string }>("INSERT INTO watchlists (user_id, name) VALUES ($1, 'p') RETURNING id", [
      u.rows[0].id,
    ]);
    const a = await db.query<{ id: string }>(
      "INSERT INTO assets (symbol, name, asset_type) VALUES ('P1', 'p', 'stock'), ('P2', 'p', 'stock') RETURNING id",
    );
    await assert.rejects(
      db.query('INSERT INTO watchlist_items (watchlist_id, asset_id, position) VALUES ($1, $2, 0), ($1, $3, 0)', [
        w.rows[0].id,
        a.rows[0].id,
        a.rows[1].id,
      ]),
      /watchlist_items_watchlist_id_position_key/,
    );
  });

  test('price_alerts.direction is above or below', async () => {
    const r = await db.query<{ def: string }>(
      "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'price_alerts'::regclass AND contype = 'c'",
    );
    assert.match(r.rows.map((x) => x.def).join(';'), /direction.*above.*below/);
  });
});
