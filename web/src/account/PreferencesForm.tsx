/** Time zone, 12/24 h clock and theme: saved to the account, applied at once. */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useSubmit } from '../hooks.ts';
import { applyPreferences, type Preferences } from '../preferences.ts';
import { ErrorBox, Field } from '../ui.tsx';

const ZONES = (): string[] => {
  const all = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return all.includes('UTC') ? all : ['UTC', ...all];
};

export function PreferencesForm({ initial }: { initial: Preferences }) {
  const [p, setP] = useState(initial);
  const [saved, setSaved] = useState(false);
  const { busy, error, submit } = useSubmit(async () => {
    applyPreferences(await api<Preferences>('PUT', '/api/account/preferences', p));
    setSaved(true);
  });
  const change = (k: keyof Preferences, v: string) => {
    setSaved(false);
    setP({ ...p, [k]: v } as Preferences);
  };
  return (
    <form class="stack" onSubmit={submit} aria-labelledby="prefs-title">
      <h2 id="prefs-title">Display</h2>
      <Field label="Time zone">
        <input
          name="timezone"
          list="timezones"
          value={p.timezone}
          onInput={(e) => change('timezone', e.currentTarget.value)}
          required
        />
        <datalist id="timezones">
          {ZONES().map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      </Field>
      <Field label="Clock">
        <select name="clock" value={p.clock} onChange={(e) => change('clock', e.currentTarget.value)}>
          <option value="24h">24-hour (17:30)</option>
          <option value="12h">12-hour (5:30 PM)</option>
        </select>
      </Field>
      <Field label="Theme">
        <select name="theme" value={p.theme} onChange={(e) => change('theme', e.currentTarget.value)}>
          <option value="auto">As the system</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
      </Field>
      <ErrorBox error={error} />
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save display settings'}
        </button>
        {saved && (
          <span role="status" class="muted">
            Saved.
          </span>
        )}
      </div>
    </form>
  );
}
