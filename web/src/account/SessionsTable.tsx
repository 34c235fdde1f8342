/** The signed-in sessions, the current one marked; any other can be signed out. */
import { api, get } from '../api.ts';
import { time } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { ErrorBox, Loading, Table } from '../ui.tsx';

interface Session {
  id: string;
  started_at: string;
  refreshed_at: string;
  expires_at: string;
  user_agent: string | null;
  current: boolean;
}

/** "Firefox on Linux" style, from a user agent; the raw text stays in the title. */
function browser(ua: string | null): string {
  if (!ua) return 'Unknown browser';
  const name = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : (ua.split(/[ /]/)[0] ?? ua);
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Mac OS/.test(ua)
      ? 'macOS'
      : /Android/.test(ua)
        ? 'Android'
        : /Linux/.test(ua)
          ? 'Linux'
          : /iPhone|iPad/.test(ua)
            ? 'iOS'
            : '';
  return os ? `${name} on ${os}` : name;
}

export function SessionsTable({ version }: { version: number }) {
  const list = useLoad(() => get<Session[]>('/api/account/sessions'), [version]);
  const end = async (id: string) => {
    await api('DELETE', `/api/account/sessions/${id}`);
    list.reload();
  };
  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      {list.loading && !list.data && <Loading what="Loading sessions" />}
      <ErrorBox error={list.error} retry={list.reload} />
      {list.data && (
        <Table testid="sessions" label="Sessions" head={['Browser', 'Signed in', 'Last active', 'Actions']}>
          {list.data.map((s) => (
            <tr key={s.id}>
              <td title={s.user_agent ?? undefined}>
                {browser(s.user_agent)} {s.current && <strong>(this browser)</strong>}
              </td>
              <td>{time(s.started_at)}</td>
              <td>{time(s.refreshed_at)}</td>
              <td>
                {!s.current && (
                  <button type="button" class="danger" onClick={() => void end(s.id)}>
                    Sign out
                  </button>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
