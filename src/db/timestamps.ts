/**
 * Timestamps from the database, the same on both backends. PostgreSQL's catalog uses ±infinity for
 * "never" (a job that has not run: `-infinity`), which no JavaScript Date can hold: node-postgres would
 * give a number and PGlite an Invalid Date. Both backends read them as null instead.
 */
export function finiteTimestamps<T>(parse: (text: string) => T): (text: string) => T | null {
  return (text) => (text === 'infinity' || text === '-infinity' ? null : parse(text));
}
