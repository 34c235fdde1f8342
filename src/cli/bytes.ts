/** Byte counts for people: 1536 → "1.5 kB" (powers of 1024, as pg_size_pretty). */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '';
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} bytes` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}
