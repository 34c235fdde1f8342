/**
 * Notifications: the signed-in user's channels (add, test, enable, remove) and deliveries, with a
 * status filter; administrators may list everyone's deliveries. A webhook's signing secret is shown
 * once, right after the channel is created (the API never returns it again). docs/notifications.md.
 */
import { useState } from 'preact/hooks';
import { api, get, qs, type User } from '../api.ts';
import { time } from '../format.ts';
import { errorText, useLoad, useSubmit, useUser } from '../hooks.ts';
import { ErrorBox, Field, Loading, Table } from '../ui.tsx';

type Kind = 'webhook' | 'email' | 'telegram';

interface Channel {
  id: string;
  username: string;
  kind: Kind;
  target: string;
  token: string | null;
  events: string[];
  strategies: string[] | null;
  enabled: boolean;
  disabled_reason: string | null;
  consecutive_failures: number;
  created_at: string;
}

interface Delivery {
  id: string;
  username: string;
  kind: Kind;
  target: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

const EVENTS = [
  { id: 'price_alert', label: 'price alerts', admin: false },
  { id: 'signal', label: 'signals on watched assets', admin: false },
  { id: 'condition_alert', label: 'condition alerts (rules)', admin: false },
  { id: 'paper_fill', label: 'paper account fills', admin: false },
  { id: 'job_failed', label: 'failing TimescaleDB jobs', admin: true },
  { id: 'sync_failed', label: 'failing data sync', admin: true },
];

const TARGET: Record<Kind, { label: string; type: string; placeholder: string }> = {
  webhook: { label: 'Webhook URL', type: 'url', placeholder: 'https://example.com/hook' },
  email: { label: 'Email address', type: 'email', placeholder: 'you@example.com' },
  telegram: { label: 'Telegram chat id', type: 'text', placeholder: '123456789, -1001234567890 or @channel' },
};

/** The secret of the channel just created: shown once, with a copy button. */
function SecretOnce({ secret, onDone }: { secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="secret-once" role="status" data-testid="secret-once">
      <strong>Copy this signing secret now: it will not be shown again.</strong>
      <p>Your receiver checks each request's signature with it (see docs/notifications.md).</p>
      <div class="row">
        <code data-testid="secret">{secret}</code>
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(secret).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" class="link" onClick={onDone}>
          I have saved it
        </button>
      </div>
    </div>
  );
}

function AddChannel({ me, onAdded }: { me: User; onAdded: (secret: string | null) => void }) {
  const [kind, setKind] = useState<Kind>('webhook');
  const [target, setTarget] = useState('');
  const [events, setEvents] = useState<string[]>(['price_alert', 'signal', 'condition_alert']);
  const [strategies, setStrategies] = useState('');
  const [ownSecret, setOwnSecret] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    // Empty: every strategy's signals; a generated secret.
    const only = strategies
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    const c = await api<Channel & { secret: string | null }>('POST', '/api/channels', {
      kind,
      target: target.trim(),
      events,
      ...(only.length && events.includes('signal') ? { strategies: only } : {}),
      ...(kind !== 'email' && ownSecret.trim() ? { secret: ownSecret.trim() } : {}),
    });
    setTarget('');
    setStrategies('');
    setOwnSecret('');
    onAdded(c.secret);
  });
  const toggle = (id: string) => setEvents((cur) => (cur.includes(id) ? cur.filter((x) => x !== id) : [...cur, id]));
  return (
    <form class="stack narrow" onSubmit={submit} aria-label="Add a channel">
      <h3>Add a channel</h3>
      <Field label="Kind">
        <select
          aria-label="Kind"
          value={kind}
          onChange={(e) => {
            setKind(e.currentTarget.value as Kind);
            setOwnSecret(''); // a webhook secret is no bot token, and the other way round
          }}
        >
          <option value="webhook">webhook</option>
          <option value="email">email</option>
          <option value="telegram">telegram</option>
        </select>
      </Field>
      <Field label={TARGET[kind].label}>
        <input
          required
          type={TARGET[kind].type}
          placeholder={TARGET[kind].placeholder}
          value={target}
          onInput={(e) => setTarget(e.currentTarget.value)}
        />
      </Field>
      <fieldset class="intervals">
        <legend>Events</legend>
        {EVENTS.filter((ev) => !ev.admin || me.is_admin).map((ev) => (
          <label key={ev.id} class="check">
            <input type="checkbox" checked={events.includes(ev.id)} onChange={() => toggle(ev.id)} /> {ev.label}{' '}
            <code>{ev.id}</code>
          </label>
        ))}
      </fieldset>
      {events.includes('signal') && (
        <Field label="Signal strategies (comma-separated; empty: all)">
          <input
            placeholder="ma-crossover, rsi-reversal"
            value={strategies}
            onInput={(e) => setStrategies(e.currentTarget.value)}
          />
        </Field>
      )}
      {kind === 'telegram' && (
        <Field label="Bot token from @BotFather (stored, never shown again)">
          <input
            required
            type="password"
            autoComplete="off"
            placeholder="123456789:AA…"
            value={ownSecret}
            onInput={(e) => setOwnSecret(e.currentTarget.value)}
          />
        </Field>
      )}
      {kind === 'webhook' && (
        <Field label="Signing secret (empty: generated)">
          <input
            type="password"
            autoComplete="off"
            placeholder="whsec_…"
            value={ownSecret}
            onInput={(e) => setOwnSecret(e.currentTarget.value)}
          />
        </Field>
      )}
      <ErrorBox error={error} />
      <button type="submit" class="primary" disabled={busy || events.length === 0}>
        {busy ? 'Adding…' : 'Add channel'}
      </button>
    </form>
  );
}

function Channels({ me, onDelivery }: { me: User; onDelivery: () => void }) {
  const list = useLoad(() => get<{ items: Channel[] }>(`/api/channels?${qs({ username: me.username })}`), [me.id]);
  const [secret, setSecret] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const act = async (fn: () => Promise<string | null>) => {
    setError(null);
    setMessage(null);
    try {
      setMessage(await fn());
    } catch (err) {
      setError(errorText(err));
    } finally {
      // A failed test is a delivery too: both lists change either way.
      list.reload();
      onDelivery();
    }
  };
  const test = (c: Channel) =>
    act(async () => {
      const r = await api<{ ok: boolean; error?: string }>('POST', `/api/channels/${c.id}/test`);
      if (!r.ok) throw new Error(`the test to ${c.target} failed: ${r.error ?? 'unknown error'}`);
      return `Test sent to ${c.target}.`;
    });
  const remove = (c: Channel) => {
    if (!confirm(`Remove the ${c.kind} channel ${c.target} and its deliveries?`)) return;
    void act(async () => {
      await api('DELETE', `/api/channels/${c.id}`);
      return `Removed ${c.target}.`;
    });
  };
  const enable = (c: Channel) =>
    act(async () => {
      await api('POST', `/api/channels/${c.id}/enable`);
      return `Enabled ${c.target} again.`;
    });
  return (
    <section class="admin-section" aria-labelledby="channels-title">
      <h2 id="channels-title">Channels</h2>
      {secret && <SecretOnce secret={secret} onDone={() => setSecret(null)} />}
      {list.loading && !list.data && <Loading />}
      <ErrorBox error={list.error ?? error} retry={list.error ? list.reload : undefined} />
      {message && (
        <p role="status" class="muted" data-testid="channel-message">
          {message}
        </p>
      )}
      {list.data &&
        (list.data.items.length === 0 ? (
          <p class="muted">No channel yet: add a webhook, an email address or a Telegram chat below.</p>
        ) : (
          <Table
            testid="channels"
            label="Channels"
            head={['Kind', 'Target', 'Events', 'State', 'Failures in a row', 'Added', 'Actions']}
            num={['Failures in a row']}
          >
            {list.data.items.map((c) => (
              <tr key={c.id}>
                <td>{c.kind}</td>
                <td>
                  {c.target}
                  {c.token && <span class="muted"> (bot {c.token})</span>}
                </td>
                <td>
                  {c.events.join(', ')}
                  {c.strategies && <span class="muted"> ({c.strategies.join(', ')})</span>}
                </td>
                <td class="wrap">
                  {c.enabled ? (
                    <span class="badge state-ok">enabled</span>
                  ) : (
                    <>
                      <span class="badge state-failing">disabled</span> {c.disabled_reason}
                    </>
                  )}
                </td>
                <td class="num">{c.consecutive_failures}</td>
                <td>{time(c.created_at)}</td>
                <td class="actions">
                  <button type="button" onClick={() => void test(c)} aria-label={`Send a test to ${c.target}`}>
                    Send test
                  </button>
                  {!c.enabled && (
                    <button type="button" onClick={() => void enable(c)}>
                      Enable
                    </button>
                  )}
                  <button type="button" class="danger" onClick={() => remove(c)} aria-label={`Remove ${c.target}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        ))}
      <AddChannel
        me={me}
        onAdded={(s) => {
          setSecret(s);
          setMessage(null);
          setError(null);
          list.reload();
        }}
      />
    </section>
  );
}

function Deliveries({ me, version }: { me: User; version: number }) {
  const [status, setStatus] = useState('');
  const [everyone, setEveryone] = useState(me.is_admin);
  const all = me.is_admin && everyone;
  const list = useLoad(
    () =>
      get<{ items: Delivery[]; total: number }>(
        `/api/deliveries?${qs({ limit: 100, status: status || undefined, username: all ? undefined : me.username })}`,
      ),
    [me.id, status, all, version],
  );
  return (
    <section class="admin-section" aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Deliveries</h2>
      <div class="toolbar end">
        <Field label="Status">
          <select aria-label="Status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">all</option>
            <option value="failed">failed</option>
            <option value="pending">pending</option>
            <option value="delivered">delivered</option>
          </select>
        </Field>
        {me.is_admin && (
          <label class="check">
            <input type="checkbox" checked={everyone} onChange={(e) => setEveryone(e.currentTarget.checked)} />{' '}
            everyone's
          </label>
        )}
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      </div>
      {list.loading && !list.data && <Loading />}
      <ErrorBox error={list.error} retry={list.reload} />
      {list.data &&
        (list.data.items.length === 0 ? (
          <p class="muted">{status ? `No ${status} delivery.` : 'Nothing delivered yet.'}</p>
        ) : (
          <>
            <p class="muted">
              {list.data.items.length} of {list.data.total}, newest first
            </p>
            <Table
              testid="deliveries"
              label="Deliveries"
              head={['Created', all && 'User', 'Event', 'Channel', 'Status', 'Attempts', 'Next attempt', 'Last error']}
              num={['Attempts']}
            >
              {list.data.items.map((d) => (
                <tr key={d.id}>
                  <td>{time(d.created_at)}</td>
                  {all && <td>{d.username}</td>}
                  <td>{d.event_type}</td>
                  <td>
                    {d.kind} {d.target}
                  </td>
                  <td>
                    <span class={`badge delivery-${d.status}`}>{d.status}</span>
                  </td>
                  <td class="num">{d.attempts}</td>
                  <td>{d.status === 'delivered' ? `delivered ${time(d.delivered_at)}` : time(d.next_attempt_at)}</td>
                  <td class="wrap">{d.last_error ?? '–'}</td>
                </tr>
              ))}
            </Table>
          </>
        ))}
    </section>
  );
}

export function NotificationsPage() {
  const me = useUser();
  const [version, setVersion] = useState(0);
  if (!me) return <p>Log in to manage your notifications.</p>;
  return (
    <section>
      <h1>Notifications</h1>
      <p class="muted">
        Price alerts, condition alerts and signals (and, for administrators, failing jobs and data sync) are sent to
        your channels by webhook, email or Telegram. Set, edit and turn off your alerts on the{' '}
        <a href="/alerts">Alerts</a> page.
      </p>
      <Channels me={me} onDelivery={() => setVersion((v) => v + 1)} />
      <Deliveries me={me} version={version} />
    </section>
  );
}
