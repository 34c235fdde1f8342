/**
 * How a tm process ends. A command that returns has finished its work, so tm exits as soon as its
 * output is written, instead of when the event loop drains: before that, Node waits for V8 to finish
 * optimizing PGlite's WebAssembly on background threads, work nobody will use (30–80 ms of every short
 * embedded command on 2 cores). `tm serve` returns with its server listening and says so here.
 */
let staying = false;

/** The command leaves work running (a server) that ends the process itself. */
export function stayAlive(): void {
  staying = true;
}

/** Exits with `code` once stdout and stderr have handed over what was written to them. */
export function exitWhenDone(code: number): void {
  process.exitCode = code;
  if (staying) return;
  let pending = 2;
  const done = () => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
