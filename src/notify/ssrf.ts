/**
 * Server-side request forgery guard: webhook URLs must not reach loopback, private, link-local or
 * other non-public addresses, unless TM_WEBHOOK_ALLOW_PRIVATE=1. The check runs on the address the
 * connection actually uses (a lookup hook), so a name that resolves differently later is caught too.
 */
import { isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { UserError } from '../errors.ts';
import { isPrivateAddress } from './addresses.ts';

export { isPrivateAddress };

export class PrivateAddressError extends UserError {
  constructor(host: string, ip: string) {
    super(
      `webhook host ${host} resolves to ${ip}, a loopback, private or link-local address: refused ` +
        '(set TM_WEBHOOK_ALLOW_PRIVATE=1 to allow private targets)',
    );
  }
}

type LookupCb = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A dns.lookup for http.request that refuses private addresses. */
export function guardedLookup(allowPrivate: boolean) {
  return (host: string, options: object, cb: LookupCb): void => {
    dnsLookup(host, { ...options, all: true }, (err, addresses) => {
      if (err) return cb(err, []);
      const bad = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (bad) return cb(new PrivateAddressError(host, bad.address) as NodeJS.ErrnoException, []);
      if ((options as { all?: boolean }).all) return cb(null, addresses);
      cb(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** Checks a URL before it is stored or used: http(s), and no private literal or resolved address. */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(`not a URL: "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UserError(`a webhook URL is http:// or https://, got ${url.protocol}`);
  if (url.username || url.password) throw new UserError('a webhook URL must not carry a user name or password');
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    if (isPrivateAddress(host)) throw new PrivateAddressError(host, host);
    return url;
  }
  const addresses = await new Promise<LookupAddress[]>((resolve) =>
    // A name that does not resolve now may later; the send-time check still applies.
    dnsLookup(host, { all: true }, (err, a) => resolve(err ? [] : a)),
  );
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  if (bad) throw new PrivateAddressError(host, bad.address);
  return url;
}

/** A URL safe to print: origin and path; a query string may hold a token, so it is masked. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}
