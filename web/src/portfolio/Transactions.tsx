/** Transactions: the list in the order they apply, a form to add or edit one, delete, and CSV import. */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useSubmit } from '../hooks.ts';
import { ErrorBox, Field, Table } from '../ui.tsx';
import { CASH_TYPES, TRANSACTION_TYPES, type Transaction } from './types.ts';

type Draft = {
  type: string;
  ts: string;
  symbol: string;
  quantity: string;
  price: string;
  fee: string;
  ratio: string;
  currency: string;
  note: string;
};

const EMPTY: Draft = {
  type: 'buy',
  ts: new Date().toISOString().slice(0, 10),
  symbol: '',
  quantity: '',
  price: '',
  fee: '',
  ratio: '',
  currency: '',
  note: '',
};

const trimZeros = (s: string) => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);

function draftOf(t: Transaction): Draft {
  return {
    type: t.type,
    ts: t.ts,
    symbol: t.symbol ?? '',
    quantity: CASH_TYPES.includes(t.type) && !t.symbol && trimZeros(t.quantity) === '1' ? '' : trimZeros(t.quantity),
    price: trimZeros(t.price),
    fee: trimZeros(t.fee),
    ratio: t.ratio === null ? '' : trimZeros(t.ratio),
    currency: t.currency,
    note: t.note ?? '',
  };
}

/** The request body: blank fields are left out on add, sent as null on edit (cleared). */
function bodyOf(d: Draft, edit: boolean): Record<string, string | null> {
  const out: Record<string, string | null> = { type: d.type, ts: d.ts };
  for (const k of ['symbol', 'quantity', 'price', 'fee', 'ratio', 'currency', 'note'] as const) {
    const v = d[k].trim();
    if (v) out[k] = k === 'currency' ? v.toUpperCase() : v;
    else if (edit) out[k] = null;
  }
  return out;
}

function TxForm({
  initial,
  onSave,
  onCancel,
  label,
}: {
  initial: Draft;
  onSave: (d: Draft) => Promise<void>;
  onCancel?: () => void;
  label: string;
}) {
  const [d, setD] = useState(initial);
  const { busy, error, submit } = useSubmit(() => onSave(d));
  const set = (k: keyof Draft) => (e: Event) => {
    const v = (e.currentTarget as HTMLInputElement).value;
    setD((prev) => ({ ...prev, [k]: v }));
  };
  const cash = CASH_TYPES.includes(d.type) && !d.symbol && !d.quantity;
  return (
    <form class="tx-form" onSubmit={submit} aria-label={label} data-testid={`tx-form-${label.toLowerCase()}`}>
      <Field label="Type">
        <select value={d.type} onChange={set('type')} aria-label="Type">
          {TRANSACTION_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </Field>
      <Field label="Date">
        <input required value={d.ts} onInput={set('ts')} placeholder="YYYY-MM-DD" />
      </Field>
      <Field label="Symbol">
        <input value={d.symbol} onInput={set('symbol')} />
      </Field>
      {!cash && (
        <Field label="Quantity">
          <input inputMode="decimal" value={d.quantity} onInput={set('quantity')} />
        </Field>
      )}
      <Field label={cash ? 'Amount' : 'Price'}>
        <input inputMode="decimal" value={d.price} onInput={set('price')} />
      </Field>
      <Field label="Fee">
        <input inputMode="decimal" value={d.fee} onInput={set('fee')} />
      </Field>
      {d.type === 'split' && (
        <Field label="Ratio">
          <input inputMode="decimal" value={d.ratio} onInput={set('ratio')} />
        </Field>
      )}
      <Field label="Currency">
        <input value={d.currency} onInput={set('currency')} maxLength={3} placeholder="base" />
      </Field>
      <Field label="Note">
        <input value={d.note} onInput={set('note')} />
      </Field>
      <div class="row">
        <button type="submit" disabled={busy}>
          {label}
        </button>
        {onCancel && (
          <button type="button" class="link" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      <ErrorBox error={error} />
    </form>
  );
}

function ImportForm({ portfolioId, onDone }: { portfolioId: string; onDone: () => void }) {
  const [csv, setCsv] = useState('');
  const [result, setResult] = useState<string | null>(null);
  const { busy, error, submit } = useSubmit(async () => {
    const r = await api<{ rows: number; inserted: number; unchanged: number }>(
      'POST',
      `/api/portfolios/${portfolioId}/import`,
      { csv },
    );
    setResult(`${r.rows} row(s): ${r.inserted} added, ${r.unchanged} already there`);
    onDone();
  });
  return (
    <form class="stack" onSubmit={submit}>
      <Field label="CSV file">
        <input
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => {
            const f = e.currentTarget.files?.[0];
            if (f) void f.text().then(setCsv);
          }}
        />
      </Field>
      <Field label="CSV text">
        <textarea
          rows={4}
          value={csv}
          onInput={(e) => setCsv(e.currentTarget.value)}
          placeholder="date,type,symbol,quantity,price,fee,currency"
        />
      </Field>
      <button type="submit" disabled={busy || !csv.trim()}>
        Import
      </button>
      <ErrorBox error={error} />
      {result && (
        <p role="status" data-testid="import-result">
          {result}
        </p>
      )}
    </form>
  );
}

export function Transactions({
  portfolioId,
  items,
  onChanged,
}: {
  portfolioId: string;
  items: Transaction[];
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const url = `/api/portfolios/${portfolioId}/transactions`;
  const remove = async (t: Transaction) => {
    if (!confirm(`Delete the ${t.type} of ${t.ts.slice(0, 10)}?`)) return;
    setError(null);
    try {
      await api('DELETE', `${url}/${t.id}`);
      onChanged();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <section>
      <h2>Transactions</h2>
      <ErrorBox error={error} />
      <Table
        testid="transactions"
        head={['Date', 'Type', 'Symbol', 'Quantity', 'Price', 'Fee', 'Currency', '']}
        num={['Quantity', 'Price', 'Fee']}
      >
        {items.map((t) =>
          editing === t.id ? (
            <tr key={t.id}>
              <td colSpan={8}>
                <TxForm
                  label="Save"
                  initial={draftOf(t)}
                  onCancel={() => setEditing(null)}
                  onSave={async (d) => {
                    await api('PATCH', `${url}/${t.id}`, bodyOf(d, true));
                    setEditing(null);
                    onChanged();
                  }}
                />
              </td>
            </tr>
          ) : (
            <tr key={t.id} data-testid="tx-row">
              <td>{t.ts.slice(0, 10)}</td>
              <td>{t.type}</td>
              <td>{t.symbol ?? ''}</td>
              <td class="num">{trimZeros(t.quantity)}</td>
              <td class="num">{trimZeros(t.price)}</td>
              <td class="num">{trimZeros(t.fee)}</td>
              <td>{t.currency}</td>
              <td class="actions">
                <button
                  type="button"
                  class="link"
                  onClick={() => setEditing(t.id)}
                  aria-label={`Edit transaction ${t.id}`}
                >
                  Edit
                </button>
                <button
                  type="button"
                  class="link"
                  onClick={() => void remove(t)}
                  aria-label={`Delete transaction ${t.id}`}
                >
                  Delete
                </button>
              </td>
            </tr>
          ),
        )}
      </Table>
      <details>
        <summary>Add a transaction</summary>
        <TxForm
          key={adding}
          label="Add"
          initial={EMPTY}
          onSave={async (d) => {
            await api('POST', url, bodyOf(d, false));
            setAdding((n) => n + 1);
            onChanged();
          }}
        />
      </details>
      <details>
        <summary>Import CSV</summary>
        <ImportForm portfolioId={portfolioId} onDone={onChanged} />
      </details>
    </section>
  );
}
