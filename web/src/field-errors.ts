/**
 * The API's validation errors in words. A 400 from the API lists `errors: [{ field: "body/password",
 * message: "Too small: expected string to have >=8 characters" }]`; forms show each next to its field as
 * "Must be at least 8 characters", and the general message names the fields instead of the validator's text.
 */

/** The field a validation error is about, without where it was sent: `body/items/0/price` → `items.0.price`. */
export function fieldKey(field: string): string {
  return field
    .replace(/^(body|querystring|params|headers)\/?/, '')
    .split('/')
    .filter(Boolean)
    .join('.');
}

const plural = (n: string, one: string, many: string) => `${n} ${n === '1' ? one : many}`;

const NUM = String.raw`(\d[\d.e+-]*)`;

/** zod's wordings and what people read instead (`$1` is the number or list the message names). */
const RULES: [RegExp, (m: string[]) => string][] = [
  [
    /^Too small: expected string to have >=?(\d+) characters?$/,
    (m) => (m[1] === '1' ? 'Required' : `Must be at least ${plural(m[1], 'character', 'characters')}`),
  ],
  [
    /^Too big: expected string to have <=?(\d+) characters?$/,
    (m) => `Must be at most ${plural(m[1], 'character', 'characters')}`,
  ],
  [new RegExp(`^Too small: expected (?:number|int|bigint) to be >${NUM}$`), (m) => `Must be greater than ${m[1]}`],
  [new RegExp(`^Too small: expected (?:number|int|bigint) to be >=${NUM}$`), (m) => `Must be at least ${m[1]}`],
  [new RegExp(`^Too big: expected (?:number|int|bigint) to be <${NUM}$`), (m) => `Must be less than ${m[1]}`],
  [new RegExp(`^Too big: expected (?:number|int|bigint) to be <=${NUM}$`), (m) => `Must be at most ${m[1]}`],
  [/^Too small: expected array to have >=?(\d+) items?$/, (m) => `Choose at least ${plural(m[1], 'item', 'items')}`],
  [/^Too big: expected array to have <=?(\d+) items?$/, (m) => `Choose at most ${plural(m[1], 'item', 'items')}`],
  [/^Invalid input: expected \w+, received (undefined|null)$/, () => 'Required'],
  [/^Invalid input: expected int, received number$/, () => 'Must be a whole number'],
  [/^Invalid input: expected number, received \w+$/, () => 'Must be a number'],
  [/^Invalid input: expected boolean/, () => 'Must be yes or no'],
  [/^Invalid option: expected one of (.+)$/, (m) => `Must be one of ${m[1].replace(/"/g, '').split('|').join(', ')}`],
  [/^Invalid (email address|email)$/i, () => 'Must be an email address, such as name@example.com'],
  [/^Invalid UUID$/i, () => 'Must be an id (a UUID)'],
  [/^Invalid string: must match pattern/, () => 'Has characters that are not allowed here'],
  [/^Unrecognized keys?: (.+)$/, (m) => `Not a field this form sends (${m[1].replace(/"/g, '')})`],
];

/** One validator message said in words (zod's wording; the API's own messages kept, capitalised). */
export function inWords(message: string): string {
  const m = message.trim();
  for (const [re, say] of RULES) {
    const x = re.exec(m);
    if (x) return say([...x]);
  }
  return m.charAt(0).toUpperCase() + m.slice(1);
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** The field errors of a problem body, keyed by field (the first message of each), in words. */
export function fieldMessages(errors: FieldProblem[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors ?? []) {
    // Other problems carry `errors` of other shapes (an import's rows): only field errors are read here.
    if (typeof e?.field !== 'string' || typeof e.message !== 'string') continue;
    const key = fieldKey(e.field);
    if (!(key in out)) out[key] = inWords(e.message);
  }
  return out;
}

/** A field's name as people read it: `price_alert_high` → "price alert high", `items.0.price` → "price". */
export function fieldLabel(key: string): string {
  const last =
    key
      .split('.')
      .filter((p) => !/^\d+$/.test(p))
      .pop() ?? key;
  return last.replace(/_/g, ' ');
}

/** The general message for field errors: "Password: must be at least 8 characters." (one sentence per field). */
export function summary(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, msg]) => {
      const label = k ? fieldLabel(k) : 'The request';
      const text = msg.charAt(0).toLowerCase() + msg.slice(1);
      return `${label.charAt(0).toUpperCase()}${label.slice(1)}: ${text}.`;
    })
    .join(' ');
}
