/** Settings from the environment, read in one place. */
export interface Config {
  databaseUrl?: string;
  dataDir: string;
  host: string;
  port: number;
  demo: boolean;
  adminApi: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  }
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.TM_DATA_DIR || './data',
    host: env.HOST || '127.0.0.1',
    port,
    demo: env.TM_DEMO !== '0' && env.TM_DEMO !== 'false',
    adminApi: env.TM_ADMIN_API === '1',
  };
}
