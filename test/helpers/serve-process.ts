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

  /** Waits until stderr matches `re` (from offset `from` on); returns the match. */
  async waitFor(re: RegExp, ms = 60_000, from = 0): Promise<RegExpExecArray> {
    const end = Date.now() + ms;
    for (;;) {
      const m = re.exec(this.stderr.slice(from));
      if (m) return m;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`tm serve exited (${this.child.exitCode ?? this.child.signalCode}):\n${this.stderr}`);
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${re}:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The API's base URL, once it listens. */
  async url(): Promise<string> {
    return (await this.waitFor(/listening on (http:\/\/[\d.]+:\d+)/))[1];
  }

  /** Sends `signal` (SIGTERM by default); resolves with the exit code once the process has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const done = new Promise<number | null>((r) => this.child.once('exit', (code) => r(code)));
    this.child.kill(signal);
    return done;
  }
}
