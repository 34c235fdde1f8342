// Worker thread entry for sweep-pool.ts from source. Plain JS on purpose: a worker starts without the main
// thread's module hooks, so it registers tsx itself before loading the TypeScript task.
import { register } from 'tsx/esm/api';

register();
const { runSweepTask } = await import('./sweep-task.ts');

export default runSweepTask;
