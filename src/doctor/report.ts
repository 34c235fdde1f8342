/**
 * The tm doctor report, one for the CLI and the admin API: the database checks (src/timescale/doctor.ts),
 * then market data sync, then the session time zone and the read replicas. A check that cannot run is a
 * finding of its own ("could not check …: why"), never a silent gap in the report.
 */
import type { Database } from '../db/types.ts';
import { replicaDoctorChecks } from '../db/replicas.ts';
import { errorMessage } from '../errors.ts';
import { syncChecksOrAbsent } from '../sync/status.ts';
import { addChecks, runDoctor, type Check, type DoctorReport } from '../timescale/doctor.ts';
import type { TuneInput } from '../timescale/tune.ts';

export interface DoctorOptions {
  /** The machine the settings check compares with (default: this one). */
  tune?: TuneInput;
  /** The replica lag over which a replica counts as lagging (TM_MAX_REPLICA_LAG). */
  maxReplicaLagSeconds: number;
}

/** A group of checks that threw: one problem naming the group and the error, so the report cannot look clean. */
export function couldNotCheck(what: string, err: unknown): Check {
  return {
    check: what,
    status: 'problem',
    detail: `could not check ${what}: ${errorMessage(err)}`,
    fix: 'see the error; the other checks and the server log may say more',
  };
}

/**
 * Runs one group of checks; any error it throws becomes its finding. This is the one place that catches
 * everything, on purpose: whatever went wrong is reported, not dropped.
 */
export async function checkGroup(what: string, run: () => Promise<Check[]>): Promise<Check[]> {
  try {
    return await run();
  } catch (err) {
    return [couldNotCheck(what, err)];
  }
}

export async function doctorReport(db: Database, opts: DoctorOptions): Promise<DoctorReport> {
  const report = await runDoctor(db, { tune: opts.tune });
  // Without a connection every other check would only repeat that failure.
  if (report.checks.some((c) => c.check === 'connection' && c.status === 'problem')) return report;
  addChecks(report, await checkGroup('market data sync', () => syncChecksOrAbsent(db)));
  addChecks(
    report,
    await checkGroup('read replicas and session time zone', () => replicaDoctorChecks(db, opts.maxReplicaLagSeconds)),
  );
  return report;
}
