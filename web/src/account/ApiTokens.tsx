/** Personal API tokens: create with a scope (the token is shown once), list, revoke. */
import { useState } from 'preact/hooks';
import { api, get } from '../api.ts';
import { time } from '../format.ts';
import { useLoad, useSubmit } from '../hooks.ts';
import { ErrorBox, Field, Loading, Table } from '../ui.tsx';

interface ApiToken {
  id: string;
  name: string;
  scope: 'read' | 'write';
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}

function CreateToken({ onCreated }: { onCreated: (token: string) => void }) {
  const [f, setF] = useState({ name: '', scope: 'read', days: '' });
  const { busy, error, submit } = useSubmit(async () => {
    const made = await api<{ token: string }>('POST', '/api/account/tokens', {
      name: f.name,
      scope: f.scope,
      ...(f.days ? { expires_in_days: Number(f.days) } : {}),
    });
    setF({ name: '', scope: 'read', days: '' });
    onCreated(made.token);
  });
  return (
    <form class="row wrap" onSubmit={submit} aria-label="New API token">
      <Field label="Token name">
        <input
          name="name"
          required
          maxLength={100}
          value={f.name}
          onInput={(e) => setF({ ...f, name: e.currentTarget.value })}
        />
      </Field>
      <Field label="Scope">
        <select name="scope" value={f.scope} onChange={(e) => setF({ ...f, scope: e.currentTarget.value })}>
          <option value="read">Read only</option>
          <option value="write">Read and write</option>
        </select>
      </Field>
      <Field label="Expires after (days, empty: never)">
        <input
          name="days"
          type="number"
          min={1}
          max={3650}
          step={1}
          value={f.days}
          onInput={(e) => setF({ ...f, days: e.currentTarget.value })}
        />
      </Field>
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create token'}
      </button>
      <ErrorBox error={error} />
    </form>
  );
}

export function ApiTokens() {
  const list = useLoad(() => get<ApiToken[]>('/api/account/tokens'), []);
  const [fresh, setFresh] = useState<string | null>(null);
  const revoke = async (id: string) => {
    await api('DELETE', `/api/account/tokens/${id}`);
    list.reload();
  };
  return (
    <section aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      <p class="muted">
        For scripts and tools: send <code>Authorization: Bearer TOKEN</code>. A read-only token cannot change anything.
      </p>
      <CreateToken
        onCreated={(t) => {
          setFresh(t);
          list.reload();
        }}
      />
      {fresh && (
        <div class="secret-once" role="status" data-testid="new-token">
          <strong>Copy this token now: it will not be shown again.</strong>
          <div class="row">
            <code data-testid="token">{fresh}</code>
            <button type="button" onClick={() => setFresh(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {list.loading && !list.data && <Loading what="Loading tokens" />}
      <ErrorBox error={list.error} retry={list.reload} />
      {list.data && list.data.length === 0 && <p>No API tokens yet.</p>}
      {list.data && list.data.length > 0 && (
        <Table
          testid="tokens"
          label="API tokens"
          head={['Name', 'Scope', 'Created', 'Last used', 'Expires', 'Actions']}
        >
          {list.data.map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>{t.scope === 'read' ? 'Read only' : 'Read and write'}</td>
              <td>{time(t.created_at)}</td>
              <td>{t.last_used_at ? time(t.last_used_at) : 'never'}</td>
              <td>{t.expires_at ? time(t.expires_at) : 'never'}</td>
              <td>
                <button type="button" class="danger" onClick={() => void revoke(t.id)} aria-label={`Revoke ${t.name}`}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
