/**
 * Admin (administrators only; the API refuses others anyway): the database, market data sync
 * (AdminSync.tsx) and the users. Database sections render what the admin routes answer, so new
 * fields show without changes here.
 */
import { useState } from 'preact/hooks';
import { api, get } from '../api.ts';
import { bytes, time } from '../format.ts';
import { errorText, useLoad, useUser } from '../hooks.ts';
import { ErrorBox, Loading, Table } from '../ui.tsx';
import { SyncSection } from './AdminSync.tsx';

type Row = Record<string, unknown>;

function cell(key: string, v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number' && /bytes|size/.test(key)) return bytes(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return time(v);
  if (Array.isArray(v)) return v.map((x) => cell(key, x)).join(', ');
  // A job's config and the like: one "key: value" per entry, nested ones in parentheses.
  if (typeof v === 'object')
    return Object.entries(v as Row)
      .map(
        ([k, x]) => `${k.replace(/_/g, ' ')}: ${typeof x === 'object' && x !== null ? `(${cell(k, x)})` : cell(k, x)}`,
      )
      .join('; ');
  return String(v);
}

export function DataTable({ rows, empty, label }: { rows: Row[]; empty: string; label: string }) {
  if (rows.length === 0) return <p class="muted">{empty}</p>;
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <Table head={keys.map((k) => k.replace(/_/g, ' '))} label={label}>
      {rows.map((r, i) => (
        <tr key={i}>
          {keys.map((k) => (
            <td key={k} class={typeof r[k] === 'object' && r[k] !== null ? 'wrap' : undefined}>
              {cell(k, r[k])}
            </td>
          ))}
        </tr>
      ))}
    </Table>
  );
}

function asRows(data: unknown): Row[] {
  if (Array.isArray(data)) return data as Row[];
  if (data && typeof data === 'object') {
    const o = data as Row;
    if (Array.isArray(o.items)) return o.items as Row[];
    return [o];
  }
  return [];
}

function Section({
  title,
  path,
  empty,
  pick,
}: {
  title: string;
  path: string;
  /** What an empty answer means, in a sentence. */
  empty: string;
  pick?: (d: unknown) => Row[];
}) {
  const r = useLoad(() => get<unknown>(path), [path]);
  return (
    <section class="admin-section">
      <h2>{title}</h2>
      {r.loading && <Loading />}
      <ErrorBox error={r.error} retry={r.reload} />
      {r.data !== undefined && <DataTable rows={(pick ?? asRows)(r.data)} empty={empty} label={title} />}
    </section>
  );
}

interface Finding {
  check: string;
  status: string;
  detail: string;
  fix?: string;
}

function Doctor() {
  const r = useLoad(() => get<Row & { checks?: Finding[]; findings?: Finding[] }>('/api/admin/db/doctor'), []);
  const data = r.data;
  const findings = data?.checks ?? data?.findings ?? [];
  const summary = data
    ? Object.fromEntries(Object.entries(data).filter(([, v]) => typeof v !== 'object' || v === null))
    : {};
  return (
    <section class="admin-section">
      <h2>Database and doctor</h2>
      {r.loading && <Loading what="Running the doctor" />}
      <ErrorBox error={r.error} retry={r.reload} />
      {data && (
        <>
          <DataTable rows={[summary]} empty="The doctor answered nothing." label="Database summary" />
          <ul class="findings" data-testid="doctor">
            {findings.map((f) => (
              <li key={f.check} class={`finding ${f.status}`}>
                <strong>{f.status}</strong> <code>{f.check}</code>: {f.detail}
                {f.fix && (
                  <div>
                    Fix: <code>{f.fix}</code>
                  </div>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

interface AdminUser {
  id: string;
  username: string;
  email: string;
  is_active: boolean;
  is_admin: boolean;
  last_login: string | null;
}

function Users() {
  const me = useUser();
  const r = useLoad(() => get<{ items: AdminUser[] }>('/api/admin/users?limit=1000'), []);
  const [error, setError] = useState<string | null>(null);
  const change = async (u: AdminUser, patch: Partial<Pick<AdminUser, 'is_active' | 'is_admin'>>) => {
    setError(null);
    try {
      await api('PATCH', `/api/admin/users/${encodeURIComponent(u.username)}`, patch);
      r.reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section class="admin-section">
      <h2>Users</h2>
      {r.loading && <Loading />}
      <ErrorBox error={r.error ?? error} retry={r.reload} />
      {r.data && (
        <Table testid="users" label="Users" head={['User', 'Email', 'Last login', 'Status', 'Actions']}>
          {r.data.items.map((u) => (
            <tr key={u.id}>
              <td>{u.username}</td>
              <td>{u.email}</td>
              <td>{time(u.last_login)}</td>
              <td>
                {u.is_active ? 'active' : 'inactive'}
                {u.is_admin ? ', admin' : ''}
              </td>
              <td class="actions">
                <button
                  type="button"
                  disabled={u.id === me?.id}
                  onClick={() => void change(u, { is_active: !u.is_active })}
                >
                  {u.is_active ? 'Deactivate' : 'Activate'}
                </button>
                <button
                  type="button"
                  disabled={u.id === me?.id}
                  onClick={() => void change(u, { is_admin: !u.is_admin })}
                >
                  {u.is_admin ? 'Revoke admin' : 'Grant admin'}
                </button>
              </td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}

export function AdminPage() {
  const me = useUser();
  if (!me) return <p>Log in as an administrator to see this page.</p>;
  if (!me.is_admin)
    return (
      <section>
        <h1>Admin</h1>
        <p class="error" role="alert" data-testid="admin-refused">
          This page is for administrators.
        </p>
      </section>
    );
  return (
    <section>
      <h1>Admin</h1>
      <Doctor />
      <Section
        title="Hypertables"
        path="/api/admin/db/hypertables"
        empty="No hypertable: candles is a plain table (tm hypertable ensure makes it one)."
      />
      <Section
        title="Compression"
        path="/api/admin/db/compression"
        empty="Compression is not set up (tm compression policy add)."
      />
      <Section
        title="Continuous aggregates"
        path="/api/admin/db/aggregates"
        empty="No continuous aggregate in the catalog (tm aggregates create makes them)."
      />
      <Section title="Jobs" path="/api/admin/db/jobs" empty="No TimescaleDB job." />
      <Section
        title="Job runs (failures show their error)"
        path="/api/admin/db/jobs/history?limit=50"
        empty="No job has run yet."
      />
      <SyncSection />
      <Users />
    </section>
  );
}
