// Worker thread entry for backtest-pool.ts. Plain JS on purpose: a worker starts without the main
// thread's module hooks, so it registers tsx itself before loading the TypeScript task.
import { register } from 'tsx/esm/api';

register();
const { runBacktestTask } = await import('./backtest-task.ts');

export default runBacktestTask;
