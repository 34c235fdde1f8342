/** The strategy form: name, rules and parameters, each rule's problem shown under it with a caret at its column. */
import type { Draft } from './use-live-check.ts';
import type { Problem } from './types.ts';

function FieldProblem({ id, text, problem }: { id: string; text: string; problem: Problem | undefined }) {
  if (!problem) return null;
  // The line the column falls on, with a caret under it (rules are usually one line).
  let line = text;
  let col = problem.column ?? 0;
  for (const l of text.split('\n')) {
    line = l;
    if (col <= l.length + 1) break;
    col -= l.length + 1;
  }
  return (
    <div class="field-error" id={`${id}-error`} data-testid={`${id}-error`}>
      <span>{problem.message}</span>
      {problem.column !== null && (
        <pre aria-hidden="true">
          {line}
          {'\n'}
          {' '.repeat(Math.max(0, col - 1))}^
        </pre>
      )}
    </div>
  );
}

function TextField(props: {
  id: keyof Draft;
  label: string;
  draft: Draft;
  onChange: (d: Draft) => void;
  problem?: Problem;
  rows?: number;
  hint?: string;
}) {
  const { id, label, draft, onChange, problem, rows } = props;
  const fieldId = `strategy-${id}`;
  const common = {
    id: fieldId,
    value: draft[id],
    'aria-invalid': problem ? ('true' as const) : undefined,
    'aria-describedby': problem ? `${fieldId}-error` : undefined,
    spellcheck: false,
    onInput: (e: Event) => onChange({ ...draft, [id]: (e.currentTarget as HTMLInputElement).value }),
  };
  return (
    <div class="field">
      <label for={fieldId}>{label}</label>
      {rows ? <textarea rows={rows} {...common} /> : <input {...common} />}
      {props.hint && <small class="muted">{props.hint}</small>}
      <FieldProblem id={fieldId} text={draft[id]} problem={problem} />
    </div>
  );
}

export function StrategyEditor(props: {
  draft: Draft;
  onChange: (d: Draft) => void;
  problems: Problem[];
  /** Editing a saved strategy: the name is fixed (saving adds a version). */
  saved: boolean;
}) {
  const { draft, onChange, problems } = props;
  const of = (f: Problem['field']) => problems.find((p) => p.field === f);
  return (
    <div class="stack">
      {!props.saved && <TextField id="name" label="Name" draft={draft} onChange={onChange} />}
      <TextField id="entry" label="Entry rule" draft={draft} onChange={onChange} problem={of('entry')} rows={2} />
      <TextField id="exit" label="Exit rule" draft={draft} onChange={onChange} problem={of('exit')} rows={2} />
      <TextField
        id="params"
        label="Parameters"
        draft={draft}
        onChange={onChange}
        problem={of('params')}
        hint='Defaults of the $parameters, e.g. {"fast": 10, "slow": 30}'
      />
      <TextField id="description" label="Description" draft={draft} onChange={onChange} />
    </div>
  );
}
