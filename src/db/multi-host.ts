/**
 * libpq's multi-host connections for node-postgres, which connects to one host only: a pg.Client class
 * that tries the URL's hosts in order and keeps the first whose session is of the kind
 * target_session_attrs asks for (read-write: the leader). The host found is remembered for the next
 * connections and forgotten when one of them breaks or lands on the wrong kind of server (a failover),
 * so the pool follows a new leader without a restart.
 */
import pg from 'pg';
import type { HostPort, SessionAttrs, Targets } from './url.ts';

interface SessionKind {
  recovery: boolean;
  read_only: boolean;
}

async function sessionKind(c: pg.Client): Promise<SessionKind> {
  const r = await c.query<SessionKind>(
    "SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') = 'on' AS read_only",
  );
  return r.rows[0];
}

function accepts(attrs: SessionAttrs, k: SessionKind, pass: 'first' | 'fallback'): boolean {
  switch (attrs) {
    case 'any':
      return true;
    case 'read-write':
      return !k.read_only;
    case 'read-only':
      return k.read_only;
    case 'primary':
      return !k.recovery;
    case 'standby':
      return k.recovery;
    case 'prefer-standby':
      return pass === 'fallback' || k.recovery;
  }
}

/** An error the API answers with 503 (SQLSTATE 08001, as libpq's "could not connect"). */
function noServer(attrs: SessionAttrs, tried: string[]): Error {
  return Object.assign(new Error(`no server accepts ${attrs} sessions: ${tried.join('; ')}`), { code: '08001' });
}

const name = (h: HostPort) => (h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`);

/**
 * A pg.Client class for `targets` (one per pool: the remembered host is shared by its connections).
 * `config` is what every connection shares (user, database, TLS, options).
 */
export function targetedClient(targets: Targets, config: pg.ClientConfig): typeof pg.Client {
  let current: HostPort | undefined;

  /** The first host (in order) that accepts the session kind, found with short-lived connections. */
  async function find(): Promise<HostPort> {
    const tried: string[] = [];
    const kinds = new Map<HostPort, SessionKind>();
    for (const h of targets.hosts) {
      const probe = new pg.Client({ ...config, host: h.host, port: h.port });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        const k = await sessionKind(probe);
        if (accepts(targets.sessionAttrs, k, 'first')) return h;
        kinds.set(h, k);
        tried.push(`${name(h)} is ${k.recovery ? 'a standby' : k.read_only ? 'read-only' : 'read-write'}`);
      } catch (err) {
        tried.push(`${name(h)}: ${(err as Error).message}`);
      } finally {
        await probe.end().catch(() => undefined);
      }
    }
    for (const [h, k] of kinds) if (accepts(targets.sessionAttrs, k, 'fallback')) return h;
    throw noServer(targets.sessionAttrs, tried);
  }

  return class TargetedClient extends pg.Client {
    override connect(): Promise<pg.Client>;
    override connect(callback: (err: Error) => void): void;
    override connect(callback?: (err: Error) => void): Promise<pg.Client> | undefined {
      const done = this.connectTargeted().then(() => this);
      if (!callback) return done;
      // The pool's callback form: (null) on success.
      done.then(
        () => callback(null as unknown as Error),
        (err: Error) => callback(err),
      );
      return undefined;
    }

    private async connectTargeted(): Promise<void> {
      const host = current ?? (await find());
      this.host = host.host;
      this.port = host.port;
      const forget = () => {
        if (current === host) current = undefined;
      };
      this.on('error', forget);
      try {
        await super.connect();
      } catch (err) {
        forget();
        throw err;
      }
      if (targets.sessionAttrs !== 'any' && current === host) {
        // Remembered from before: a failover may have turned it into a standby since.
        const k = await sessionKind(this);
        if (!accepts(targets.sessionAttrs, k, 'first') && targets.sessionAttrs !== 'prefer-standby') {
          forget();
          await this.end().catch(() => undefined);
          throw noServer(targets.sessionAttrs, [`${name(host)} is no longer ${targets.sessionAttrs}`]);
        }
      }
      current = host;
    }
  };
}
