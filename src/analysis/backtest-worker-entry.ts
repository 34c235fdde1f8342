/** Worker thread entry of the compiled build (dist/backtest-worker.js): the task, bundled. */
export { runBacktestTask as default } from './backtest-task.ts';
