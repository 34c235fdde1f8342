/** Log in and register. */
import { useState } from 'preact/hooks';
import { login, register } from '../api.ts';
import { useSubmit } from '../hooks.ts';
import { navigate } from '../router.ts';
import { Field, FormError } from '../ui.tsx';

export function LoginForm({ onDone }: { onDone: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, fields, submit } = useSubmit(async () => {
    await login(username, password);
    onDone();
  });
  return (
    <form class="stack" onSubmit={submit}>
      <Field label="Username" error={fields.username}>
        <input
          name="username"
          autoComplete="username"
          required
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
      </Field>
      <Field label="Password" error={fields.password}>
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </Field>
      <FormError error={error} fields={fields} />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Logging in…' : 'Log in'}
      </button>
    </form>
  );
}

function RegisterForm() {
  const [f, setF] = useState({ username: '', email: '', password: '' });
  const { busy, error, fields, submit } = useSubmit(async () => {
    await register(f.username, f.email, f.password);
    await login(f.username, f.password);
    navigate('/');
  });
  const input = (k: keyof typeof f, type: string, autoComplete: string) => (
    <input
      name={k}
      type={type}
      required
      autoComplete={autoComplete}
      value={f[k]}
      onInput={(e) => setF({ ...f, [k]: e.currentTarget.value })}
    />
  );
  return (
    <form class="stack" onSubmit={submit}>
      <Field
        label="Username"
        hint='3 to 64 characters: letters, digits, "_", "." or "-", starting with a letter or digit.'
        error={fields.username}
      >
        {input('username', 'text', 'username')}
      </Field>
      <Field label="Email" hint="Where password resets and alerts can be sent." error={fields.email}>
        {input('email', 'email', 'email')}
      </Field>
      <Field label="Password" hint="At least 8 characters." error={fields.password}>
        {input('password', 'password', 'new-password')}
      </Field>
      <FormError error={error} fields={fields} />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create account'}
      </button>
    </form>
  );
}

export function AccountPage({ mode }: { mode: 'login' | 'register' }) {
  return (
    <section class="narrow">
      <h1>{mode === 'login' ? 'Log in' : 'Create an account'}</h1>
      {mode === 'login' ? <LoginForm onDone={() => navigate('/')} /> : <RegisterForm />}
      <p>
        {mode === 'login' ? (
          <>
            No account? <a href="/register">Register</a>
          </>
        ) : (
          <>
            Have an account? <a href="/login">Log in</a>
          </>
        )}
      </p>
    </section>
  );
}
