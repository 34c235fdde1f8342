/**
 * The lock of an embedded data directory, like PostgreSQL's postmaster.pid: a file beside the
 * directory (`DIR.lock`) naming the process that holds it. It is created atomically, taken over at
 * once when its process is gone (pid checked, pid reuse caught by the process start time), and a
 * refusal names the live holder. `tm serve` adds the socket it answers on (see share/).
 */
import { linkSync, lstatSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.ts';

export interface LockHolder {
  pid: number;
  hostname: string;
  /** What the process runs, e.g. "tm import candles prices.csv". */
  command: string;
  /** When the lock was taken (ISO). */
  since: string;
  /** Start time of the process in clock ticks after boot (/proc/PID/stat), against pid reuse. */
  procStart?: string;
  /** /proc/sys/kernel/random/boot_id: a holder from an earlier boot is gone. */
  bootId?: string;
  /** Set by tm serve: it shares the database (socket appears once it answers). */
  serve?: boolean;
  /** Unix socket where tm serve answers database calls. */
  socket?: string;
}

export const lockPathFor = (dataDir: string) => `${dataDir}.lock`;

/** The directory is held by a live process (or one tm cannot check); `holder` says who. */
export class DataDirBusyError extends UserError {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
  ) {
    super(busyMessage(dataDir, holder), 409);
    this.name = 'DataDirBusyError';
  }
}

function busyMessage(dir: string, h: LockHolder | null): string {
  const where = `the embedded database in ${dir}`;
  if (!h) {
    return `${where} is locked by an older version of tm (${lockPathFor(dir)} is a directory refreshed within 15 s); wait for it to finish or stop it`;
  }
  const since = `since ${h.since.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`;
  if (h.hostname !== os.hostname()) {
    return (
      `${where} is in use by process ${h.pid} on host ${h.hostname} (${h.command}, ${since}). ` +
      `tm cannot check a process on another machine: if it is gone, delete ${lockPathFor(dir)}`
    );
  }
  if (h.serve) {
    return (
      `${where} is in use by tm serve (pid ${h.pid}, ${since}). This command needs the database to itself: ` +
      'stop tm serve, run the command, then start tm serve again'
    );
  }
  return (
    `${where} is in use by tm process ${h.pid} (${h.command}, ${since}). ` +
    'Wait for it to finish or stop it, or point DATABASE_URL at a PostgreSQL server'
  );
}

function readProc(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** State and start time of a process from /proc/PID/stat (Linux); null where there is no /proc. */
export function procStat(pid: number): { state: string; start: string } | null {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return null;
  // Fields after the command name (which may hold spaces and parentheses): 3 = state, 22 = starttime.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], start: fields[19] };
}

export const bootId = () => readProc('/proc/sys/kernel/random/boot_id')?.trim() || undefined;

function commandLine(): string {
  const [, script, ...args] = process.argv;
  const name = script && /(^|[/\\])(tm(\.js)?|bin[/\\]tm\.js)$/.test(script) ? 'tm' : path.basename(script ?? 'node');
  return [name, ...args].join(' ').slice(0, 300);
}

function describeSelf(): LockHolder {
  return {
    pid: process.pid,
    hostname: os.hostname(),
    command: commandLine(),
    since: new Date().toISOString(),
    procStart: procStat(process.pid)?.start,
    bootId: bootId(),
  };
}

/** Is the recorded holder still running? A holder on another host cannot be checked and counts as live. */
export function holderAlive(h: LockHolder): boolean {
  if (h.hostname !== os.hostname()) return true;
  const boot = bootId();
  if (h.bootId && boot && h.bootId !== boot) return false;
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    // EPERM: it exists, owned by someone else.
  }
  const now = procStat(h.pid);
  if (now && now.state === 'Z') return false; // killed, not yet reaped
  if (now && h.procStart && now.start !== h.procStart) return false; // the pid was reused
  return true;
}

function parseHolder(raw: string): LockHolder | null {
  try {
    const h = JSON.parse(raw) as LockHolder;
    return Number.isInteger(h.pid) && typeof h.hostname === 'string' ? h : null;
  } catch {
    return null;
  }
}

/** The holder named in DIR.lock, or null when there is no lock (or only an unreadable one). */
export function readHolder(dataDir: string): LockHolder | null {
  const raw = readProc(lockPathFor(dataDir));
  return raw === null ? null : parseHolder(raw);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Writes a complete file then links it into place: fails with EEXIST like O_EXCL, and is never seen half-written. */
function createExclusive(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o644 });
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
    // A file system without hard links: O_EXCL create (a reader may then briefly see it empty).
    try {
      writeFileSync(file, content, { flag: 'wx', mode: 0o644 });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Removes a stale lock file, but only if it still holds what was judged stale: a short guard file
 * keeps two processes from both taking over (the second would delete the first one's new lock).
 */
function removeStale(file: string, judged: string): void {
  const guard = `${file}.takeover`;
  try {
    writeFileSync(guard, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Someone is taking over right now; a guard left by a crash is cleared after a few seconds.
    try {
      if (Date.now() - lstatSync(guard).mtimeMs > 5_000) rmSync(guard, { force: true });
    } catch {}
    return;
  }
  try {
    if (readProc(file) === judged) unlinkSync(file);
  } finally {
    rmSync(guard, { force: true });
  }
}

/** Clears what a holder that died left behind (tm serve's socket directory). */
function cleanupAfter(h: LockHolder | null): void {
  if (!h?.socket) return;
  const dir = path.dirname(h.socket);
  if (path.basename(dir).startsWith('tm-')) rmSync(dir, { recursive: true, force: true });
}

const held = new Set<DataDirLock>();
let exitHook = false;

export class DataDirLock {
  private released = false;

  private constructor(
    readonly file: string,
    private record: LockHolder,
  ) {}

  get holder(): LockHolder {
    return this.record;
  }

  /** Takes the lock of dataDir or throws DataDirBusyError naming the live holder. */
  static acquire(dataDir: string, extra: Partial<Pick<LockHolder, 'serve'>> = {}): DataDirLock {
    const file = lockPathFor(dataDir);
    const record = { ...describeSelf(), ...extra };
    const content = `${JSON.stringify(record, null, 1)}\n`;
    for (let attempt = 0; attempt < 100; attempt++) {
      if (createExclusive(file, content)) {
        const lock = new DataDirLock(file, record);
        held.add(lock);
        if (!exitHook) {
          exitHook = true;
          process.on('exit', () => {
            for (const l of held) l.release();
          });
        }
        return lock;
      }
      let st: ReturnType<typeof lstatSync>;
      try {
        st = lstatSync(file);
      } catch {
        continue; // released meanwhile
      }
      if (st.isDirectory()) {
        // proper-lockfile's lock (tm before this change), refreshed every 5 s while held.
        if (Date.now() - st.mtimeMs < 15_000) throw new DataDirBusyError(dataDir, null);
        try {
          rmdirSync(file);
        } catch {}
        continue;
      }
      const raw = readProc(file);
      if (raw === null) continue;
      const holder = parseHolder(raw);
      if (holder && holderAlive(holder)) throw new DataDirBusyError(dataDir, holder);
      removeStale(file, raw);
      cleanupAfter(holder);
      sleepSync(attempt < 3 ? 0 : 20);
    }
    throw new UserError(`could not take the lock ${file}: it keeps changing; try again`);
  }

  /** Adds facts to the record (the serve socket); rewritten by rename, so readers never see it half-written. */
  update(patch: Partial<Pick<LockHolder, 'socket' | 'serve'>>): void {
    if (this.released) throw new Error('the data directory lock was released');
    this.record = { ...this.record, ...patch };
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.record, null, 1)}\n`);
    renameSync(tmp, this.file);
  }

  /** Deletes the lock file if it is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this);
    const now = readHolder(this.file.slice(0, -'.lock'.length));
    if (now && now.pid === this.record.pid && now.since === this.record.since) rmSync(this.file, { force: true });
  }
}
