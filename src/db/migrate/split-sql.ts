/**
 * Splits a SQL script into statements at top-level semicolons, honouring quotes, dollar quoting
 * and comments, and keeps the line each statement starts on so errors can point at it.
 */
export interface SqlStatement {
  sql: string;
  /** 1-based line of the statement's first character in the script. */
  line: number;
}

export function splitSql(script: string): SqlStatement[] {
  const out: SqlStatement[] = [];
  let start = 0;
  let i = 0;
  const n = script.length;
  const push = (end: number) => {
    const raw = script.slice(start, end);
    const sql = stripComments(raw).trim();
    if (sql) {
      // Report the first line that holds code, not a leading comment.
      out.push({ sql, line: lineAt(script, start + firstCodeIndex(raw)) });
    }
    start = end + 1;
  };
  while (i < n) {
    const c = script[i];
    const next = script[i + 1];
    if (c === '-' && next === '-') {
      const eol = script.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
    } else if (c === '/' && next === '*') {
      i = skipBlockComment(script, i);
    } else if (c === "'" || c === '"') {
      i = skipQuoted(script, i, c);
    } else if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(script.slice(i));
      if (tag && !/[A-Za-z0-9_]/.test(script[i - 1] ?? '')) {
        const close = script.indexOf(tag[0], i + tag[0].length);
        if (close === -1) throw new Error(`unterminated dollar-quoted string ${tag[0]} at line ${lineAt(script, i)}`);
        i = close + tag[0].length;
      } else {
        i++;
      }
    } else if (c === ';') {
      push(i);
      i++;
    } else {
      i++;
    }
  }
  push(n);
  return out;
}

function skipQuoted(s: string, i: number, q: string): number {
  let j = i + 1;
  while (j < s.length) {
    if (s[j] === q) {
      if (s[j + 1] === q)
        j += 2; // doubled quote is an escaped quote
      else return j + 1;
    } else j++;
  }
  throw new Error(`unterminated ${q === "'" ? 'string' : 'quoted identifier'} at line ${lineAt(s, i)}`);
}

function skipBlockComment(s: string, i: number): number {
  let depth = 0; // PostgreSQL block comments nest
  let j = i;
  while (j < s.length) {
    if (s[j] === '/' && s[j + 1] === '*') {
      depth++;
      j += 2;
    } else if (s[j] === '*' && s[j + 1] === '/') {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else j++;
  }
  throw new Error(`unterminated block comment at line ${lineAt(s, i)}`);
}

function lineAt(s: string, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset && k < s.length; k++) if (s[k] === '\n') line++;
  return line;
}

/** Index of the first character that is neither white space nor inside a leading comment. */
function firstCodeIndex(raw: string): number {
  let i = 0;
  while (i < raw.length) {
    if (/\s/.test(raw[i])) i++;
    else if (raw.startsWith('--', i)) {
      const eol = raw.indexOf('\n', i);
      i = eol === -1 ? raw.length : eol + 1;
    } else if (raw.startsWith('/*', i)) i = skipBlockComment(raw, i);
    else return i;
  }
  return raw.length;
}

/** Drops comment-only lines at the start so a statement reads from its first keyword. */
function stripComments(raw: string): string {
  return raw.slice(firstCodeIndex(raw));
}
