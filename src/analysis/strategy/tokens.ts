// The tokenizer of the strategy language: numbers, names, $parameters, operators and punctuation.
import { StrategySyntaxError } from './errors.ts';

export type TokenKind = 'number' | 'name' | 'param' | 'op' | 'punct' | 'interval' | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based offset of the first character. */
  start: number;
  /** 0-based offset just past the last character. */
  end: number;
}

const TWO_CHAR_OPS = ['<=', '>=', '==', '!='];
const ONE_CHAR_OPS = '+-*/<>';
const PUNCT = '(),.[]@';
const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
/** After '@': an interval such as 1m, 4h, 1d, 1w, 1M. */
const INTERVAL = /^\d+[A-Za-z]+/;
/** Rules are short; a cap keeps a pasted novel from being parsed. */
export const MAX_RULE_LENGTH = 4000;

export function tokenize(text: string): Token[] {
  if (text.length > MAX_RULE_LENGTH) {
    throw new StrategySyntaxError(`rule longer than ${MAX_RULE_LENGTH} characters`, MAX_RULE_LENGTH + 1);
  }
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const rest = text.slice(i);
    const prev = tokens[tokens.length - 1];
    const match =
      prev?.text === '@' && prev.kind === 'punct'
        ? lex(rest, INTERVAL, 'interval')
        : (lex(rest, NUMBER, 'number') ??
          lex(rest, NAME, 'name') ??
          (c === '$' ? param(rest) : undefined) ??
          operator(rest));
    if (!match) throw new StrategySyntaxError(`unexpected character '${c}'`, i + 1);
    if (match.kind === 'number' && NAME.test(text.slice(i + match.text.length))) {
      throw new StrategySyntaxError(`unexpected character '${text[i + match.text.length]}'`, i + match.text.length + 1);
    }
    tokens.push({ ...match, start: i, end: i + match.text.length });
    i += match.text.length;
  }
  tokens.push({ kind: 'end', text: '', start: text.length, end: text.length });
  return tokens;
}

type Lexed = Pick<Token, 'kind' | 'text'>;

function lex(rest: string, re: RegExp, kind: TokenKind): Lexed | undefined {
  const m = re.exec(rest);
  return m ? { kind, text: m[0] } : undefined;
}

function param(rest: string): Lexed | undefined {
  const m = NAME.exec(rest.slice(1));
  return m ? { kind: 'param', text: `$${m[0]}` } : undefined;
}

function operator(rest: string): Lexed | undefined {
  const two = rest.slice(0, 2);
  if (TWO_CHAR_OPS.includes(two)) return { kind: 'op', text: two };
  if (ONE_CHAR_OPS.includes(rest[0])) return { kind: 'op', text: rest[0] };
  if (PUNCT.includes(rest[0])) return { kind: 'punct', text: rest[0] };
  return undefined;
}
