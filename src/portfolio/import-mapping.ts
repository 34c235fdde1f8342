/**
 * How a broker's CSV export maps onto transactions (docs/portfolio.md, "Import"): column names (or lists
 * of them: the first non-empty cell counts), the date format and an optional separate time column, a
 * decimal comma, the words for each type (a word ending in * matches every cell it begins), or the type
 * by the sign of the quantity. The default reads date,type,symbol,quantity,price,fee,currency (and note)
 * with ISO dates and decimal points.
 */
import { z } from 'zod';
import { UserError } from '../errors.ts';
import { TRANSACTION_TYPES, type TransactionType } from './transaction-input.ts';

export const FIELDS = [
  'date',
  'time',
  'type',
  'symbol',
  'quantity',
  'price',
  'amount',
  'fee',
  'currency',
  'note',
] as const;
export type Field = (typeof FIELDS)[number];

export const DATE_FORMATS = [
  'iso',
  'YYYY-MM-DD',
  'DD.MM.YYYY',
  'DD/MM/YYYY',
  'DD-MM-YYYY',
  'MM/DD/YYYY',
  'YYYYMMDD',
] as const;

const MappingSchema = z
  .object({
    columns: z
      .partialRecord(z.enum(FIELDS), z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(10)]))
      .optional(),
    date_format: z.enum(DATE_FORMATS).optional(),
    decimal_comma: z.boolean().optional(),
    delimiter: z.string().length(1).optional(),
    /** The export's words for each type, e.g. {"Kauf": "buy"}; matched case-insensitively; "Dividend*" matches a prefix. */
    types: z.record(z.string(), z.enum(TRANSACTION_TYPES)).optional(),
    /** Rows without a type cell: the type by the sign of the quantity (exports that sign sales). */
    sign_types: z.strictObject({ positive: z.enum(TRANSACTION_TYPES), negative: z.enum(TRANSACTION_TYPES) }).optional(),
    /** Take the absolute value of numbers (exports that sign quantities by direction). */
    absolute: z.boolean().optional(),
    /** A pattern of symbol cells that stand for cash (e.g. "^\\$CASH-"): such rows name no asset. */
    cash_symbol: z.string().min(1).max(200).optional(),
    /** Cash rows take their amount from the amount column even when quantity and price are given. */
    amount_for_cash: z.boolean().optional(),
  })
  .strict();

export interface Mapping {
  /** Per field the header names to read, the first non-empty cell winning. */
  columns: Record<Field, string[]>;
  date_format: (typeof DATE_FORMATS)[number];
  decimal_comma: boolean;
  delimiter: string;
  types: Map<string, TransactionType>;
  /** Words that end in *: lower-case prefixes, longest first. */
  typePrefixes: [string, TransactionType][];
  signTypes: { positive: TransactionType; negative: TransactionType } | null;
  absolute: boolean;
  cashSymbol: RegExp | null;
  amountForCash: boolean;
}

export function parseMapping(json: unknown): Mapping {
  const r = MappingSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(mapping)'}: ${i.message}`).join('; ');
    throw new UserError(`mapping: ${issues}`);
  }
  const m = r.data;
  const words = Object.entries(m.types ?? {}).map(([k, v]) => [k.trim().toLowerCase(), v] as [string, TransactionType]);
  const column = (f: Field) => m.columns?.[f] ?? f;
  return {
    columns: Object.fromEntries(FIELDS.map((f) => [f, [column(f)].flat()])) as Record<Field, string[]>,
    date_format: m.date_format ?? 'iso',
    decimal_comma: m.decimal_comma ?? false,
    delimiter: m.delimiter ?? (m.decimal_comma ? ';' : ','),
    types: new Map(words.filter(([k]) => !k.endsWith('*'))),
    typePrefixes: words
      .filter(([k]) => k.endsWith('*'))
      .map(([k, v]) => [k.slice(0, -1), v] as [string, TransactionType])
      .sort((a, b) => b[0].length - a[0].length),
    signTypes: m.sign_types ?? null,
    absolute: m.absolute ?? false,
    cashSymbol: m.cash_symbol ? cashPattern(m.cash_symbol) : null,
    amountForCash: m.amount_for_cash ?? false,
  };
}

function cashPattern(p: string): RegExp {
  try {
    return new RegExp(p);
  } catch (err) {
    throw new UserError(`mapping: cash_symbol: not a regular expression (${(err as Error).message})`);
  }
}

export const DEFAULT_MAPPING: Mapping = parseMapping({});

const pad = (n: string) => n.padStart(2, '0');

/** A date cell in the mapping's format; a time of day (HH:MM[:SS[.fff]], or HHMMSS) may follow the date. UTC. */
export function parseDate(text: string, format: Mapping['date_format']): Date {
  const s = text.trim();
  if (format === 'iso') {
    // Without a zone, a time of day is UTC as in the other formats (Date would read it as local time).
    const local = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s);
    const d = /^\d{4}-\d{2}-\d{2}$/.test(s)
      ? new Date(`${s}T00:00:00Z`)
      : new Date(local ? `${s.replace(' ', 'T')}Z` : s);
    if (!/^\d{4}-\d{2}-\d{2}/.test(s) || Number.isNaN(d.getTime()))
      throw new UserError(`date: "${text}" is not ISO 8601`);
    return d;
  }
  const shapes: Record<Exclude<Mapping['date_format'], 'iso'>, RegExp> = {
    'YYYY-MM-DD': /^(?<y>\d{4})-(?<m>\d{1,2})-(?<d>\d{1,2})/,
    'DD.MM.YYYY': /^(?<d>\d{1,2})\.(?<m>\d{1,2})\.(?<y>\d{4})/,
    'DD/MM/YYYY': /^(?<d>\d{1,2})\/(?<m>\d{1,2})\/(?<y>\d{4})/,
    'DD-MM-YYYY': /^(?<d>\d{1,2})-(?<m>\d{1,2})-(?<y>\d{4})/,
    'MM/DD/YYYY': /^(?<m>\d{1,2})\/(?<d>\d{1,2})\/(?<y>\d{4})/,
    YYYYMMDD: /^(?<y>\d{4})(?<m>\d{2})(?<d>\d{2})/,
  };
  const m = shapes[format].exec(s);
  const rest = m ? s.slice(m[0].length).trim() : '';
  const time = /^(?:T|\s|;)?(\d{1,2}):?(\d{2})(?::?(\d{2})(\.\d{1,3})?)?$/.exec(rest);
  if (!m?.groups || (rest && !time)) throw new UserError(`date: "${text}" does not match ${format}`);
  const { y, m: mo, d } = m.groups;
  const iso = `${y}-${pad(mo)}-${pad(d)}T${pad(time?.[1] ?? '0')}:${time?.[2] ?? '00'}:${time?.[3] ?? '00'}${time?.[4] ?? ''}Z`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso.slice(0, 10)) {
    throw new UserError(`date: "${text}" is not a real date (${format})`);
  }
  return date;
}

/** A number cell: thousands separators dropped, a decimal comma made a point, the sign dropped if asked. */
export function numberCell(text: string, m: Mapping): string {
  let s = text.trim().replace(/[\s\u00a0']/g, '');
  if (m.decimal_comma) s = s.replace(/\./g, '').replace(',', '.');
  else if (/^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/.test(s)) s = s.replace(/,/g, '');
  if (m.absolute) s = s.replace(/^[+-]/, '');
  return s;
}

/** A type cell through the mapping's words (exact, then the longest prefix), else a type name itself. */
export function typeCell(text: string, m: Mapping): string {
  const k = text.trim().toLowerCase();
  return m.types.get(k) ?? m.typePrefixes.find(([p]) => k.startsWith(p))?.[1] ?? text;
}

/** The type of a row without a type cell, by the sign of its quantity (mapping sign_types). */
export function typeBySign(quantity: string | undefined, m: Mapping): string | undefined {
  if (!m.signTypes || quantity === undefined) return undefined;
  return quantity.trim().startsWith('-') ? m.signTypes.negative : m.signTypes.positive;
}
