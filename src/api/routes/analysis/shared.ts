/** What the /api/indicators and /api/signals routes share: the asset and interval choice, JSON parameters. */
import { z } from 'zod';
import { UserError } from '../../../errors.ts';
import { INTERVALS } from '../../../intervals.ts';

export const symbol = z.string().min(1).max(80);

/** Which assets a compute or generate request covers. */
export const choice = {
  symbols: z.array(symbol).min(1).max(1000).optional().describe('assets (SYMBOL or SYMBOL:EXCHANGE)'),
  all: z.boolean().optional().describe('every asset with candles of the interval'),
  interval: z.enum(INTERVALS).default('1d'),
};

export function parseJsonParam(v: string | undefined): unknown {
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    throw new UserError('params: not valid JSON');
  }
}
