/** Sends one notification email over SMTP (nodemailer; TM_SMTP_URL, TM_SMTP_FROM). */
import nodemailer, { type Transporter } from 'nodemailer';
import { renderEmail, type EventPayload } from './render.ts';
import type { SendResult } from './webhook.ts';

const transports = new Map<string, Transporter>();

function transport(url: string): Transporter {
  let t = transports.get(url);
  if (!t) {
    t = nodemailer.createTransport(url, {
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    } as never);
    transports.set(url, t);
  }
  return t;
}

export async function sendEmail(
  smtpUrl: string | undefined,
  from: string,
  to: string,
  id: string,
  payload: EventPayload,
): Promise<SendResult> {
  if (!smtpUrl) return { ok: false, error: 'email is not configured: set TM_SMTP_URL (smtp://user:pass@host:587)' };
  const { subject, text, html } = renderEmail(payload);
  try {
    // The delivery id as Message-ID lets a mail client recognise a retried message.
    await transport(smtpUrl).sendMail({ from, to, subject, text, html, messageId: `<${id}@trading-manager>` });
    return { ok: true };
  } catch (err) {
    // nodemailer messages name the server, never the password
    return { ok: false, error: (err as Error).message.slice(0, 500) };
  }
}
