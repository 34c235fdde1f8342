/** Which TimescaleDB version a restore creates, and when it refuses (pure: no database needed). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timescaleForRestore } from '../../src/db/backup/server-backup.ts';

const server = (v: string | null) => ({ timescaledb_version: v, backend: 'server' as const });

test('no TimescaleDB in the backup: nothing to create', () => {
  assert.equal(timescaleForRestore(server(null), { installed: null, offered: [] }, 'db'), null);
});

test('the backup version is created when the server offers it, kept when installed', () => {
  assert.equal(
    timescaleForRestore(server('2.14.2'), { installed: null, offered: ['2.14.2', '2.17.0'] }, 'db'),
    '2.14.2',
  );
  assert.equal(timescaleForRestore(server('2.17.0'), { installed: '2.17.0', offered: ['2.17.0'] }, 'db'), null);
});

test('another installed version is refused naming both versions', () => {
  assert.throws(
    () => timescaleForRestore(server('2.14.2'), { installed: '2.17.0', offered: ['2.14.2', '2.17.0'] }, 'db'),
    /made with TimescaleDB 2\.14\.2 but db has TimescaleDB 2\.17\.0.*same version.*nothing was restored/,
  );
});

test('a version the server does not offer is refused; no TimescaleDB at all too', () => {
  assert.throws(
    () => timescaleForRestore(server('2.14.2'), { installed: null, offered: ['2.17.0'] }, 'db'),
    /2\.14\.2, which db does not offer \(it has 2\.17\.0\)/,
  );
  assert.throws(
    () => timescaleForRestore(server('2.14.2'), { installed: null, offered: [] }, 'db'),
    /has no TimescaleDB/,
  );
});

test('an embedded (-dev) build explains where embedded backups go', () => {
  assert.throws(
    () =>
      timescaleForRestore(
        { timescaledb_version: '2.23.0-dev', backend: 'embedded' },
        { installed: null, offered: ['2.23.0'] },
        'db',
      ),
    /embedded backups restore into embedded data directories.*tm import candles/,
  );
});
