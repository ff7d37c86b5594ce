/**
 * Which IP addresses the server may fetch from on a client's behalf. A URL from a request must
 * never reach the machine itself, its private network or cloud metadata services (SSRF), so
 * everything but public unicast is refused: loopback, private, carrier-grade NAT, link-local,
 * unique-local, multicast, unspecified, documentation and reserved ranges, for IPv4 and IPv6.
 * An IPv6 address that carries an IPv4 address is judged by that IPv4 address as well.
 */
import { BlockList, isIP } from 'node:net';

/** True when the server may connect to `address`. */
export type AddressPolicy = (address: string) => boolean;

const BLOCKED_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

/**
 * IANA numbers public IPv6 hosts from global unicast 2000::/3 only, so everything outside it is
 * refused without a list: unspecified, loopback, discard 100::/64, unique-local fc00::/7,
 * link-local fe80::/10, site-local fec0::/10, multicast ff00::/8, and the IPv4-carrying forms
 * no router forwards: IPv4-compatible ::/96 (deprecated), IPv4-translated ::ffff:0:0:0/96
 * (SIIT) and local-use NAT64 64:ff9b:1::/48, whose IPv4 position depends on the operator's
 * prefix length. Two forms outside 2000::/3 do reach public hosts and are judged by the IPv4
 * they carry instead (see `reachesEmbeddedIpv4`).
 */
const GLOBAL_UNICAST: [string, number] = ['2000::', 3];

/** The parts of 2000::/3 that are not public hosts. */
const BLOCKED_V6: Array<[string, number]> = [
  // IETF protocol assignments. Holds Teredo 2001::/32, which carries the server's IPv4 in
  // bits 32-64 and the client's, inverted, in the last 32 bits: refused whatever they are.
  ['2001::', 23],
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation
  ['5f00::', 16], // SRv6 segment identifiers
];

const blockedV4 = new BlockList();
for (const [network, prefix] of BLOCKED_V4) blockedV4.addSubnet(network, prefix, 'ipv4');
const globalUnicast = new BlockList();
globalUnicast.addSubnet(GLOBAL_UNICAST[0], GLOBAL_UNICAST[1], 'ipv6');
const blockedV6 = new BlockList();
for (const [network, prefix] of BLOCKED_V6) blockedV6.addSubnet(network, prefix, 'ipv6');

const isPublicIpv4 = (address: string) => !blockedV4.check(address, 'ipv4');

/** The production policy: public unicast addresses only. */
export const publicAddressesOnly: AddressPolicy = (address) => {
  if (isIP(address) === 4) return isPublicIpv4(address);
  const words = expandIpv6(address);
  if (!words) return false;
  // Every IPv4 address on the way counts: a 6to4 site's router and the ISATAP host behind it.
  if (!embeddedIpv4s(words).every(isPublicIpv4)) return false;
  if (reachesEmbeddedIpv4(words)) return true;
  const canonical = words.map((word) => word.toString(16)).join(':');
  return globalUnicast.check(canonical, 'ipv6') && !blockedV6.check(canonical, 'ipv6');
};

/**
 * IPv4-mapped ::ffff:0:0/96 (a dual-stack socket connects to the IPv4 address itself) and
 * the NAT64 well-known prefix 64:ff9b::/96 (the network's translator forwards to it; RFC 6052
 * forbids it for non-public IPv4): routable, so the IPv4 they carry decides.
 */
const reachesEmbeddedIpv4 = (words: number[]) => isMapped(words) || isWellKnownNat64(words);

const zeros = (words: number[], from: number, to: number) => words.slice(from, to).every((word) => word === 0);
// The forms that carry an IPv4 address in their last 32 bits.
const isMapped = (words: number[]) => zeros(words, 0, 5) && words[5] === 0xffff; // ::ffff:0:0/96
const isTranslated = (words: number[]) => zeros(words, 0, 4) && words[4] === 0xffff && words[5] === 0; // ::ffff:0:0:0/96
const isWellKnownNat64 = (words: number[]) => words[0] === 0x64 && words[1] === 0xff9b && zeros(words, 2, 6); // 64:ff9b::/96
// ::/96, except :: and ::1, which stand for themselves.
const isCompatible = (words: number[]) => zeros(words, 0, 6) && (words[6] !== 0 || words[7]! > 1);

/**
 * The IPv4 host an IPv6 address stands for, when it is written in one of the forms that carry
 * one: IPv4-mapped, IPv4-compatible, IPv4-translated, NAT64 well-known prefix, 6to4, ISATAP
 * or Teredo (its client).
 */
export function embeddedIpv4(address: string): string | undefined {
  const words = expandIpv6(address);
  return words ? embeddedIpv4s(words).at(-1) : undefined;
}

/** Every IPv4 address the forms carry, the way there first and the host last. */
function embeddedIpv4s(words: number[]): string[] {
  const ipv4 = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  const [w0, w1, w2, w3, w4, w5, w6, w7] = words as [number, number, number, number, number, number, number, number];
  const found: string[] = [];
  if ([isMapped, isTranslated, isWellKnownNat64, isCompatible].some((form) => form(words))) found.push(ipv4(w6, w7));
  // 6to4 2002::/16: the site's router in bits 16-48; the rest is the site's own.
  if (w0 === 0x2002) found.push(ipv4(w1, w2));
  // Teredo 2001::/32: the server in bits 32-64, then the client inverted in the last 32 bits.
  if (w0 === 0x2001 && w1 === 0) found.push(ipv4(w2, w3), ipv4(~w6 & 0xffff, ~w7 & 0xffff));
  // ISATAP interface identifier under any other prefix: 0000:5efe or 0200:5efe (the u and g
  // bits may be set), then the host's IPv4; the site's router tunnels to it.
  else if ((w4 & 0xfcff) === 0 && w5 === 0x5efe) found.push(ipv4(w6, w7));
  return found;
}

/** `::ffff:127.0.0.1`, `FE80::1%eth0` → eight 16-bit words; undefined when not IPv6. */
function expandIpv6(address: string): number[] | undefined {
  let text = address.split('%')[0]!.toLowerCase();
  if (isIP(text) !== 6) return undefined;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const headWords = head === '' ? [] : head.split(':');
  const tailWords = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headWords.length - tailWords.length;
  const words = [...headWords, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailWords];
  return words.length === 8 ? words.map((word) => parseInt(word, 16)) : undefined;
}
