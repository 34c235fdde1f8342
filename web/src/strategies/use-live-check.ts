/**
 * Live validation and preview of a draft: a moment after the user stops typing, the API's parser checks the rules
 * (every problem with its field and column), and valid rules are evaluated over the chosen symbol's last bars.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { errorText } from '../hooks.ts';
import type { Preview, Problem } from './types.ts';

export interface Draft {
  name: string;
  entry: string;
  exit: string;
  /** The parameters as typed: a JSON object of numbers. */
  params: string;
  description: string;
}

export interface Where {
  symbol: string;
  interval: string;
  bars: number;
}

/** The typed parameters, or a problem naming what is wrong with them. */
export function parseParams(text: string): { params?: Record<string, unknown>; problem?: Problem } {
  if (text.trim() === '') return { params: {} };
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return { params: v as Record<string, unknown> };
  } catch {
    // reported below
  }
  return { problem: { field: 'params', message: 'must be a JSON object of numbers, e.g. {"fast": 10}', column: null } };
}

export interface LiveCheck {
  problems: Problem[];
  checking: boolean;
  preview: Preview | null;
  previewError: string | null;
}

const DELAY_MS = 300;

export function useLiveCheck(d: Draft, where: Where): LiveCheck {
  const [problems, setProblems] = useState<Problem[]>([]);
  const [checking, setChecking] = useState(false);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setChecking(true);
    const timer = setTimeout(async () => {
      const { params, problem } = parseParams(d.params);
      const empty = d.entry.trim() === '' || d.exit.trim() === '';
      try {
        const found = problem
          ? [problem]
          : empty
            ? []
            : (
                await api<{ problems: Problem[] }>('POST', '/api/strategies/check', {
                  entry: d.entry,
                  exit: d.exit,
                  params,
                })
              ).problems;
        if (!live) return;
        setProblems(found);
        if (found.length > 0 || empty || !where.symbol) return;
        const p = await api<Preview>('POST', '/api/strategies/preview', {
          entry: d.entry,
          exit: d.exit,
          params,
          ...where,
        });
        if (!live) return;
        setPreview(p);
        setPreviewError(null);
      } catch (err) {
        if (live) setPreviewError(errorText(err));
      } finally {
        if (live) setChecking(false);
      }
    }, DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [d.entry, d.exit, d.params, where.symbol, where.interval, where.bars]);
  return { problems, checking, preview, previewError };
}
