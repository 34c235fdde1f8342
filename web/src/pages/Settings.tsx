/** /account: the signed-in user's own settings (display, email, password, sessions, API tokens). */
import { useState } from 'preact/hooks';
import { get, type User } from '../api.ts';
import { ApiTokens } from '../account/ApiTokens.tsx';
import { EmailForm, PasswordForm } from '../account/CredentialsForms.tsx';
import { PreferencesForm } from '../account/PreferencesForm.tsx';
import { SessionsTable } from '../account/SessionsTable.tsx';
import { useLoad, useUser } from '../hooks.ts';
import type { Preferences } from '../preferences.ts';
import { ErrorBox, Loading } from '../ui.tsx';

export function SettingsPage() {
  const signedIn = useUser();
  const account = useLoad(
    () => (signedIn ? get<{ user: User; preferences: Preferences }>('/api/account') : Promise.resolve(null)),
    [signedIn?.id],
  );
  const [sessions, setSessions] = useState(0);
  if (!signedIn)
    return (
      <section class="narrow">
        <h1>Account</h1>
        <p>
          <a href="/login">Log in</a> to see your account.
        </p>
      </section>
    );
  return (
    <section class="account">
      <h1>Account</h1>
      {account.loading && !account.data && <Loading what="Loading your account" />}
      <ErrorBox error={account.error} retry={account.reload} />
      {account.data && (
        <>
          <p>
            Signed in as <strong>{account.data.user.username}</strong>
            {account.data.user.is_admin && ' (administrator)'}.
          </p>
          <div class="account-grid">
            <PreferencesForm initial={account.data.preferences} />
            <EmailForm email={account.data.user.email} onChanged={() => account.reload()} />
            <PasswordForm onChanged={() => setSessions((n) => n + 1)} />
          </div>
          <SessionsTable version={sessions} />
          <ApiTokens />
        </>
      )}
    </section>
  );
}
