/** Sends one delivery on its channel: a signed webhook, an email or a Telegram message. */
import type { ChannelKind } from './channels.ts';
import { sendEmail } from './email.ts';
import type { EventPayload } from './render.ts';
import type { NotifySettings } from './settings.ts';
import { sendTelegram } from './telegram.ts';
import { renderTelegram } from './telegram-text.ts';
import { sendWebhook, type SendResult } from './webhook.ts';

export interface Outgoing {
  /** The delivery id; the webhook-id is msg_<id> on every attempt. */
  id: string;
  kind: ChannelKind;
  target: string;
  secret: string | null;
  payload: EventPayload;
}

export function send(o: Outgoing, s: NotifySettings): Promise<SendResult> {
  if (o.kind === 'email') return sendEmail(s.smtpUrl, s.smtpFrom, o.target, o.id, o.payload);
  if (o.kind === 'telegram') {
    if (!o.secret)
      return Promise.resolve({ ok: false, error: 'telegram channel without a bot token', permanent: true });
    return sendTelegram({
      apiUrl: s.telegramApiUrl,
      token: o.secret,
      chatId: o.target,
      text: renderTelegram(o.payload, s.publicUrl),
      timeoutMs: s.webhookTimeoutMs,
    });
  }
  if (!o.secret) return Promise.resolve({ ok: false, error: 'webhook channel without a secret' });
  return sendWebhook({
    url: o.target,
    secret: o.secret,
    id: `msg_${o.id.replaceAll('-', '')}`,
    body: JSON.stringify(o.payload),
    timeoutMs: s.webhookTimeoutMs,
    allowPrivate: s.allowPrivate,
  });
}
