/** Email and password changes, each confirmed with the current password. */
import { useState } from 'preact/hooks';
import { api, type User } from '../api.ts';
import { useSubmit } from '../hooks.ts';
import { Field, FormError } from '../ui.tsx';

export function EmailForm({ email, onChanged }: { email: string; onChanged: (u: User) => void }) {
  const [f, setF] = useState({ email, current_password: '' });
  const [done, setDone] = useState(false);
  const { busy, error, fields, submit } = useSubmit(async () => {
    onChanged(await api<User>('PUT', '/api/account/email', f));
    setF({ ...f, current_password: '' });
    setDone(true);
  });
  return (
    <form class="stack" onSubmit={submit} aria-labelledby="email-title">
      <h2 id="email-title">Email</h2>
      <Field label="Email address" error={fields.email}>
        <input
          name="email"
          type="email"
          autoComplete="email"
          required
          value={f.email}
          onInput={(e) => setF({ ...f, email: e.currentTarget.value })}
        />
      </Field>
      <Field label="Current password (to confirm)" error={fields.current_password}>
        <input
          name="current_password"
          type="password"
          autoComplete="current-password"
          required
          value={f.current_password}
          onInput={(e) => setF({ ...f, current_password: e.currentTarget.value })}
        />
      </Field>
      <FormError error={error} fields={fields} />
      {done && <p role="status">Email changed.</p>}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Saving…' : 'Change email'}
      </button>
    </form>
  );
}

export function PasswordForm({ onChanged }: { onChanged: () => void }) {
  const [f, setF] = useState({ current_password: '', new_password: '' });
  const [ended, setEnded] = useState<number | null>(null);
  const { busy, error, fields, submit } = useSubmit(async () => {
    const r = await api<{ other_sessions_ended: number }>('PUT', '/api/account/password', f);
    setF({ current_password: '', new_password: '' });
    setEnded(r.other_sessions_ended);
    onChanged();
  });
  return (
    <form class="stack" onSubmit={submit} aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <p class="muted">Changing it signs out your other sessions.</p>
      <Field label="Current password" error={fields.current_password}>
        <input
          name="current_password"
          type="password"
          autoComplete="current-password"
          required
          value={f.current_password}
          onInput={(e) => setF({ ...f, current_password: e.currentTarget.value })}
        />
      </Field>
      <Field label="New password" hint="At least 8 characters." error={fields.new_password}>
        <input
          name="new_password"
          type="password"
          autoComplete="new-password"
          required
          value={f.new_password}
          onInput={(e) => setF({ ...f, new_password: e.currentTarget.value })}
        />
      </Field>
      <FormError error={error} fields={fields} />
      {ended !== null && (
        <p role="status">
          Password changed; {ended === 1 ? '1 other session was' : `${ended} other sessions were`} signed out.
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Saving…' : 'Change password'}
      </button>
    </form>
  );
}
