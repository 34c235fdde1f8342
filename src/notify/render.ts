/** Human-readable text of an event, for email (subject, plain text and HTML). */

export interface EventPayload {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function subjectOf(p: EventPayload): string {
  const d = p.data;
  switch (p.type) {
    case 'price_alert':
      return `${d.symbol} ${d.direction} ${d.threshold}: ${d.price}`;
    case 'condition_alert':
      return `${d.symbol} ${d.interval}: ${d.rule} (close ${d.price})`;
    case 'signal':
      return `${d.symbol}: ${String(d.signal_type).replace('_', ' ')} signal (${d.strategy}, ${d.timeframe})`;
    case 'paper_fill':
      return `Paper ${d.account}: ${d.side} ${d.quantity} ${d.symbol} at ${d.price} (${d.strategy})`;
    case 'job_failed':
      return `TimescaleDB job ${d.job_id} (${d.proc_name}) failed: ${d.error}`;
    case 'sync_failed':
      return `Market data sync failing: ${d.asset} ${d.interval} from ${d.provider}: ${d.error}`;
    case 'channel_disabled':
      return `A notification channel was disabled: ${d.target}`;
    case 'test':
      return 'Trading Manager test notification';
    default:
      return `Trading Manager: ${p.type}`;
  }
}

export function renderEmail(p: EventPayload): { subject: string; text: string; html: string } {
  const subject = subjectOf(p);
  const rows = Object.entries(p.data).filter(([, v]) => v !== null && v !== undefined);
  const text = [
    subject,
    '',
    ...rows.map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`),
    '',
    `event time: ${p.timestamp}`,
  ].join('\n');
  const html =
    `<h2>${esc(subject)}</h2><table>` +
    rows
      .map(
        ([k, v]) =>
          `<tr><th align="left">${esc(k)}</th><td>${esc(typeof v === 'object' ? JSON.stringify(v) : String(v))}</td></tr>`,
      )
      .join('') +
    `</table><p>event time: ${esc(p.timestamp)}</p>`;
  return { subject, text: `${text}\n`, html };
}
