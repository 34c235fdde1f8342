/** Worker thread entry of the compiled build (dist/sweep-worker.js): the sweep task, bundled. */
export { runSweepTask as default } from './sweep-task.ts';
