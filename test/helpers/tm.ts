/** Runs the real `tm` binary (bin/tm.js, the compiled build) as a child process and collects its output. */
import { spawn } from 'node:child_process';
import path from 'node:path';

export const TM_BIN = path.resolve('bin/tm.js');

export interface TmRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `tm ARGS` with the environment plus `env`; resolves when the process has closed. */
export function tm(args: string[], env: NodeJS.ProcessEnv): Promise<TmRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TM_BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
