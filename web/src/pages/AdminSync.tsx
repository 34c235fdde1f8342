/**
 * The admin page's "Data sync" section: linked sources (add, remove), the sync status per asset,
 * interval and provider, a series' gaps, and a backfill. It calls /api/admin/sync (docs/sync.md).
 */
import { get } from '../api.ts';
import { AddSource } from '../admin-sync/AddSource.tsx';
import { GapsAndBackfill } from '../admin-sync/GapsAndBackfill.tsx';
import { SourcesTable, StatusTable } from '../admin-sync/SourcesStatus.tsx';
import type { Source, StatusRow } from '../admin-sync/types.ts';
import { useLoad } from '../hooks.ts';
import { ErrorBox, Loading } from '../ui.tsx';

export function SyncSection() {
  const sources = useLoad(() => get<Source[]>('/api/admin/sync/sources'), []);
  const status = useLoad(() => get<StatusRow[]>('/api/admin/sync/status'), []);
  const reload = () => {
    sources.reload();
    status.reload();
  };
  return (
    <section class="admin-section" aria-labelledby="sync-title">
      <h2 id="sync-title">Data sync</h2>
      {sources.loading && !sources.data && <Loading />}
      <ErrorBox error={sources.error} retry={sources.reload} />
      {sources.data && <SourcesTable sources={sources.data} onChanged={reload} />}
      <h3>Status</h3>
      {status.loading && !status.data && <Loading />}
      <ErrorBox error={status.error} retry={status.reload} />
      {status.data && <StatusTable rows={status.data} />}
      <div class="sync-forms">
        <AddSource onAdded={reload} />
        {sources.data && <GapsAndBackfill sources={sources.data} onSynced={reload} />}
      </div>
    </section>
  );
}
