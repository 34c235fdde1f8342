/** Worker thread entry of the compiled build (dist/csv-worker.js): csv-thread.ts starts it. */
import { runCsvWorker } from './csv-worker-task.ts';

await runCsvWorker();
