import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpression, parseRule } from './parser.ts';
import { print } from './ast.ts';
import { StrategySyntaxError } from './errors.ts';

function syntaxError(text: string): string {
  try {
    parseRule(text);
  } catch (err) {
    assert.ok(err instanceof StrategySyntaxError, `${text}: ${String(err)}`);
    return err.message;
  }
  assert.fail(`${text} parsed`);
}

describe('strategy parser [any]', () => {
  test('the issue example points at the missing number', () => {
    assert.equal(syntaxError('rsi(close, ) < 30'), 'expected a number at column 11');
  });

  test('precedence: and binds tighter than or; arithmetic before comparison', () => {
    assert.equal(
      print(parseRule('close > open + 2 * 3 or volume < 5 and not close < open')),
      '((close > (open + (2 * 3))) or ((volume < 5) and (not (close < open))))',
    );
  });

  test('indicator calls with fields, defaults, parameters, previous values and intervals', () => {
    assert.equal(
      print(parseRule('crosses_above(macd(close, 12, 26, 9).line, macd(close, 12, 26, 9).signal)')),
      'crosses_above(macd(close, 12, 26, 9).line, macd(close, 12, 26, 9).signal)',
    );
    assert.equal(
      print(parseRule('adx(14) > 25 and stoch(14, 3, 3).k < 20')),
      '((adx(14).adx > 25) and (stoch(14, 3, 3).k < 20))',
    );
    assert.equal(print(parseRule('rsi(close) < $low')), '(rsi(close).value < $low)');
    assert.equal(print(parseRule('close[1] < close[2]')), '(close[1] < close[2])');
    assert.equal(print(parseRule('close > sma(close, 50)@1d')), '(close > (sma(close, 50).value)@1d)');
    assert.equal(
      print(parseRule('obv() > obv()[5] and atr(14) / close < 0.05')),
      '((obv().value > obv().value[5]) and ((atr(14).value / close) < 0.05))',
    );
    assert.equal(
      print(parseRule('bbands(close, 20, 2).lower > close - -1')),
      '(bbands(close, 20, 2).lower > (close - -1))',
    );
    assert.equal(print(parseRule('cci(20) < -100')), '(cci(20).value < -100)');
  });

  test('errors name the problem and its column', () => {
    const cases: [string, string][] = [
      ['', 'expected an expression at column 1'],
      ['close', 'expected a condition (a comparison, crosses_above/below, and/or/not) at column 1'],
      ['close > ', 'expected an expression at column 8'],
      [
        'clos > 1',
        "unknown name 'clos' (series: open, high, low, close, volume; indicators: sma, ema, rsi, macd, bbands, atr, adx, cci, stoch, obv) at column 1",
      ],
      ['macd(close, 12, 26, 9) > 0', 'macd needs an output: .line, .signal, .hist at column 23'],
      ['stoch(14, 3, 3).x > 0', 'expected an output of stoch: .k, .d at column 17'],
      ['close > 1 and 2', "expected a condition after 'and' at column 15"],
      ['close + (open > 1) > 2', "expected a number after '+' at column 9"],
      ['1 < 2 < 3', "comparisons do not chain: join them with 'and' at column 7"],
      ['close[x] > 1', 'expected a whole number of bars from 0 to 10000 at column 7'],
      ['close@2d > 1', 'expected an interval (1m 5m 15m 30m 1h 4h 1d 1w 1M) at column 7'],
      ['(close@1d)@1w > 1', 'an expression already read at another interval cannot take a second @ at column 11'],
      ['sma(close, 20, 3) > 1', 'sma takes 1 number(s) after its series at column 16'],
      ['sma(close, close) > 1', 'expected a number at column 12'],
      ['close > 1 #', "unexpected character '#' at column 11"],
      ['close > 1 )', "unexpected ')' at column 11"],
      ['(close > 1', "expected ')' at column 11"],
      ['close > 12abc', "unexpected character 'a' at column 11"],
    ];
    for (const [text, message] of cases) assert.equal(syntaxError(text), message, text);
  });

  test('expressions may be numeric', () => {
    const { type } = parseExpression('sma(close, 3) - 1');
    assert.equal(type, 'number');
  });
});
