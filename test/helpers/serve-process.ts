/** A `tm serve` child process for tests, and what it has written to stderr so far. */
import { spawn, type ChildProcess } from 'node:child_process';
import { TM_BIN } from './tm.ts';

export class ServeProcess {
  readonly child: ChildProcess;
  stderr = '';
  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [TM_BIN, 'serve', '--port', '0', ...args], {
      env: { ...process.env, TM_DEMO: '0', TM_LOG: '0', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child.stderr?.on('data', (d) => (this.stderr += d));
  }

  /** Waits until stderr matches `re`; returns the match. */
  async waitFor(re: RegExp, ms = 60_000): Promise<RegExpExecArray> {
    const end = Date.now() + ms;
    for (;;) {
      const m = re.exec(this.stderr);
      if (m) return m;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`tm serve exited (${this.child.exitCode ?? this.child.signalCode}):\n${this.stderr}`);
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${re}:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends `signal` (SIGTERM by default); resolves once the process has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const done = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill(signal);
    await done;
  }
}
