/**
 * Request logs: one line per request, short and human on a terminal (static files and /health left out
 * when they succeed), pino JSON otherwise; credentials in URLs redacted in both.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { buildApp } from '../../src/api/app.ts';
import type { LogFormat } from '../../src/api/request-log.ts';
import { logFormatFrom } from '../../src/api/request-log.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import { embeddedDb } from '../helpers/db.ts';

async function logsOf(db: Database, format: LogFormat, urls: string[]): Promise<string[]> {
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const app = await buildApp({ db, config: loadConfig({}), logger: true, logFormat: format, logStream, webDir: false });
  try {
    for (const url of urls) await app.inject({ method: 'GET', url });
  } finally {
    await app.close();
  }
  return lines;
}

// The last is refused (the API names unknown query parameters), and still logged without its token.
const URLS = ['/api/assets', '/health', '/no-such-page', '/api/assets?access_token=tok-secret-1'];

describe('request logs', () => {
  let db: Database;
  before(async () => {
    db = await embeddedDb();
  });
  after(() => db.close());

  test('human: one short line per request, routine successes left out, tokens redacted', async () => {
    const lines = await logsOf(db, 'human', URLS);
    assert.deepEqual(
      lines.map((l) => l.replace(/^\d\d:\d\d:\d\d /, 'T ').replace(/ \d+ ms$/, ' N ms')),
      [
        'T GET /api/assets 200 N ms',
        'T GET /no-such-page 404 N ms',
        'T GET /api/assets?access_token=[Redacted] 400 N ms',
      ],
    );
  });

  test('json: one pino line per request, every request, tokens redacted', async () => {
    const lines = await logsOf(db, 'json', URLS);
    const recs = lines.map((l) => JSON.parse(l) as { msg: string; req: { url: string }; res: { statusCode: number } });
    assert.deepEqual(
      recs.map((r) => [r.msg, r.req.url, r.res.statusCode]),
      [
        ['request completed', '/api/assets', 200],
        ['request completed', '/health', 200],
        ['request completed', '/no-such-page', 404],
        ['request completed', '/api/assets?access_token=[Redacted]', 400],
      ],
    );
    assert.equal(lines.join('\n').includes('tok-secret-1'), false);
  });

  test('TM_LOG chooses the format; unset, a terminal gets human lines and a pipe JSON', () => {
    assert.equal(logFormatFrom({}, true), 'human');
    assert.equal(logFormatFrom({}, false), 'json');
    assert.equal(logFormatFrom({ TM_LOG: 'json' }, true), 'json');
    assert.equal(logFormatFrom({ TM_LOG: 'human' }, false), 'human');
    assert.equal(logFormatFrom({ TM_LOG: '0' }, true), null);
    assert.throws(() => logFormatFrom({ TM_LOG: 'loud' }, true), /TM_LOG must be 0, json or human, got "loud"/);
  });
});
