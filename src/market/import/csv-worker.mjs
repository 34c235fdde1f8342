// Worker thread entry for csv-thread.ts from source. Plain JS on purpose: a worker starts without the main
// thread's module hooks, so it registers tsx itself before loading the TypeScript task.
import { register } from 'tsx/esm/api';

register();
const { runCsvWorker } = await import('./csv-worker-task.ts');

await runCsvWorker();
