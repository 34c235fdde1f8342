/**
 * Which IP addresses a webhook may reach: public unicast only. IPv6 forms that carry an IPv4 address
 * (mapped, compatible, SIIT, NAT64, 6to4, Teredo) are judged by that IPv4 address, so
 * `[::127.0.0.1]` or `[64:ff9b::7f00:1]` cannot smuggle loopback past the check.
 */
import { BlockList, isIP } from 'node:net';

const v4 = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 3], // multicast, reserved and broadcast
] as const)
  v4.addSubnet(net, bits, 'ipv4');

const v6 = new BlockList();
for (const [net, bits] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible block (judged as IPv4 below)
  ['100::', 64], // discard
  ['64:ff9b:1::', 48], // local-use NAT64: translates to whatever the local translator serves
  ['2001::', 23], // IETF protocol assignments (Teredo 2001::/32 is judged below)
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  v6.addSubnet(net, bits, 'ipv6');

/** The 16 bytes of an IPv6 address (any textual form isIP accepts, without a zone). */
export function ipv6Bytes(ip: string): Uint8Array | null {
  if (isIP(ip) !== 6 || ip.includes('%')) return null;
  let text = ip.toLowerCase();
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number);
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest === undefined ? [] : rest ? rest.split(':') : [];
  const groups = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) return null;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = Number.parseInt(g, 16);
    bytes[2 * i] = n >> 8;
    bytes[2 * i + 1] = n & 0xff;
  });
  return bytes;
}

const dotted = (b: Uint8Array, at: number, xor = 0) => Array.from(b.subarray(at, at + 4), (x) => x ^ xor).join('.');
const zeros = (b: Uint8Array, from: number, to: number) => b.subarray(from, to).every((x) => x === 0);
const startsWith = (b: Uint8Array, prefix: number[]) => prefix.every((x, i) => b[i] === x);

/** The IPv4 addresses an IPv6 address stands for or tunnels to (empty when it embeds none). */
export function embeddedIpv4(b: Uint8Array): string[] {
  // ::a.b.c.d (compatible), ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (SIIT)
  if (zeros(b, 0, 10) && ((b[10] === 0 && b[11] === 0) || (b[10] === 0xff && b[11] === 0xff))) return [dotted(b, 12)];
  if (zeros(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && b[10] === 0 && b[11] === 0) return [dotted(b, 12)];
  if (startsWith(b, [0, 0x64, 0xff, 0x9b]) && zeros(b, 4, 12)) return [dotted(b, 12)]; // NAT64 64:ff9b::/96
  if (startsWith(b, [0x20, 0x02])) return [dotted(b, 2)]; // 6to4 2002::/16
  // Teredo 2001::/32: the server, and the client's address stored inverted.
  if (startsWith(b, [0x20, 0x01, 0, 0])) return [dotted(b, 4), dotted(b, 12, 0xff)];
  return [];
}

/** Whether an IP address is anything but a public unicast one; anything unparsable counts as private. */
export function isPrivateAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return v4.check(ip, 'ipv4');
  const bytes = family === 6 ? ipv6Bytes(ip) : null;
  if (!bytes) return true;
  const inner = embeddedIpv4(bytes);
  if (inner.length) return inner.some((a) => v4.check(a, 'ipv4'));
  return v6.check(ip, 'ipv6');
}
