/** Channel tests: send a test event now and record it as a delivery. */
import type { Queryable } from '../db/types.ts';
import { channelTarget } from './channels.ts';
import { insertClaimed, settleOneOff } from './deliveries.ts';
import { send } from './send.ts';
import { notifySettings, type NotifySettings } from './settings.ts';
import type { SendResult } from './webhook.ts';

export async function testChannel(
  q: Queryable,
  channelId: string,
  s: NotifySettings = notifySettings(),
): Promise<SendResult & { delivery_id: string }> {
  const c = await channelTarget(q, channelId);
  if (!c) throw new Error(`channel ${channelId} vanished`);
  const payload = {
    type: 'test',
    timestamp: new Date().toISOString(),
    data: { channel_id: c.id, message: 'Test notification from Trading Manager' },
  };
  const id = await insertClaimed(q, c.id, c.user_id, payload);
  const res = await send({ id, kind: c.kind, target: c.target, secret: c.secret, payload }, s);
  await settleOneOff(q, id, res.ok ? undefined : (res.error ?? 'unknown error'));
  return { ...res, delivery_id: id };
}
