/** Entry point of the tm binary. */
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { exitWhenDone } from './lifecycle.ts';
import { main } from './main.ts';

// A .env in the working directory fills in what the real environment does not set.
if (existsSync('.env')) {
  for (const [k, v] of Object.entries(parseEnv(readFileSync('.env', 'utf8')))) {
    if (process.env[k] === undefined) process.env[k] = v;
  }
}

exitWhenDone(await main(process.argv.slice(2)));
