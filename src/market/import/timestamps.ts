/**
 * Timestamps accepted in candle files and the JSON API, all stored as UTC:
 * - ISO-8601 date-time with an offset (`2024-01-02T09:30:00+01:00`, `...Z`) or without one (taken as UTC),
 *   `T` or a space between date and time;
 * - a date alone (`2024-01-02` = midnight UTC);
 * - epoch numbers: magnitudes of 100,000,000,000 or more are milliseconds, smaller ones seconds
 *   (1e11 seconds is the year 5138, 1e11 ms is March 1973), so both are read unambiguously for real data.
 * Only the years 0001 to 9999 are accepted: what ISO-8601 writes with four digits, so every stored
 * timestamp prints and parses back the same (and PostgreSQL takes it).
 */

export const EPOCH_MS_THRESHOLD = 1e11;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
/** The accepted range, [0001-01-01, 10000-01-01) UTC, in epoch ms. */
export const MIN_TS = -62_135_596_800_000;
export const MAX_TS = 253_402_300_800_000;

const EPOCH_RE = /^-?\d+(?:\.\d+)?$/;

/** Epoch milliseconds, or null when the text is not a timestamp this reader accepts. */
export function parseTimestamp(v: string | number): number | null {
  if (typeof v === 'number') return epoch(v);
  const s = v.trim();
  if (EPOCH_RE.test(s)) return epoch(Number(s));
  let m = DATE_RE.exec(s);
  if (m) return civil(+m[1], +m[2], +m[3], 0, 0, 0, 0, 0);
  m = DATETIME_RE.exec(s);
  if (!m) return null;
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  let offsetMin = 0;
  const off = m[8];
  if (off && off.toUpperCase() !== 'Z') {
    const digits = off.slice(1).replace(':', '');
    const h = Number(digits.slice(0, 2));
    const mi = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (h > 23 || mi > 59) return null;
    offsetMin = (off[0] === '-' ? -1 : 1) * (h * 60 + mi);
  }
  return civil(+m[1], +m[2], +m[3], +m[4], +m[5], m[6] ? +m[6] : 0, ms, offsetMin);
}

function epoch(n: number): number | null {
  if (!Number.isFinite(n)) return null;
  const ms = Math.round(Math.abs(n) >= EPOCH_MS_THRESHOLD ? n : n * 1000);
  return inRange(ms);
}

function inRange(ms: number): number | null {
  return ms >= MIN_TS && ms < MAX_TS ? ms : null;
}

/** Checks each field's range so that 2024-02-30 or 25:00 is refused rather than rolled over. */
function civil(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  offsetMin: number,
): number | null {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  // setUTCFullYear, not Date.UTC: that one reads the years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  if (date.getUTCDate() !== d) return null;
  return inRange(date.getTime() - offsetMin * 60_000);
}
