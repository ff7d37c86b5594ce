import { describe, expect, test } from 'vitest';
import { embeddedIpv4, publicAddressesOnly } from '../../src/completion/attachments/address-policy.js';
import { AttachmentError, fetchAttachment } from '../../src/completion/attachments/fetch-attachment.js';

describe('IPv6 forms that carry an IPv4 address', () => {
  test.each([
    // IPv4-translated ::ffff:0:0:0/96 (SIIT): never routed, refused whatever it carries.
    '::ffff:0:7f00:1',
    '::ffff:0:a9fe:a9fe',
    '::ffff:0:808:808',
    // Local-use NAT64 64:ff9b:1::/48: the operator picks where the IPv4 sits; refused whole.
    '64:ff9b:1::a00:1',
    '64:ff9b:1:7f00:0:100::',
    '64:ff9b:1::808:808',
    // IPv4-compatible ::/96 (deprecated): never routed, refused whatever it carries.
    '::127.0.0.1',
    '::a00:1',
    '::8.8.8.8',
    // IPv4-mapped ::ffff:0:0/96 and well-known NAT64 64:ff9b::/96 with a non-public IPv4.
    '::ffff:169.254.169.254',
    '::ffff:192.168.1.1',
    '64:ff9b::169.254.169.254',
    '64:ff9b::7f00:1',
    '64:ff9b::c0a8:101',
    // 6to4 2002::/16 with a non-public IPv4 in bits 16-48.
    '2002:a9fe:a9fe::1',
    '2002:c0a8:101:1::1',
    '2002:6440:1::',
    // ISATAP interface identifiers with a non-public IPv4, under any prefix.
    '2606:4700::5efe:7f00:1',
    '2606:4700::200:5efe:a00:1',
    '2606:4700:1:2:0:5efe:169.254.169.254',
    '2a00:1450:4001:1:200:5efe:192.168.0.1',
    // ISATAP under a public 6to4 prefix: both IPv4 addresses are judged.
    '2002:808:808:1:0:5efe:a00:1',
    // Teredo 2001::/32 stays refused, even with a public server and client.
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    '2001:0:808:808:0:0:f7f7:f7f7',
  ])('refuses %s', (address) => {
    expect(publicAddressesOnly(address)).toBe(false);
  });

  test.each([
    '::ffff:8.8.8.8', // mapped: the socket connects to 8.8.8.8 itself
    '::ffff:808:808',
    '64:ff9b::808:808', // well-known NAT64: the translator forwards to 8.8.8.8
    '64:ff9b::1.1.1.1',
    '2002:808:808::1', // 6to4 site whose router is 8.8.8.8
    '2606:4700::200:5efe:808:808', // ISATAP host 8.8.8.8 under a public prefix
  ])('allows %s', (address) => {
    expect(publicAddressesOnly(address)).toBe(true);
  });

  test.each([
    '::ffff:0:7f00:1',
    '::FFFF:0:7F00:1',
    '0:0:0:0:ffff:0:7f00:1',
    '0000:0000:0000:0000:ffff:0000:7f00:0001',
    '::ffff:0:127.0.0.1',
    '0:0:0:0:ffff:0:127.0.0.1',
    '::ffff:0:7f00:1%eth0',
    '::ffff:0:127.0.0.1%eth0',
    '::FFFF:127.0.0.1',
    '0000:0000:0000:0000:0000:ffff:7f00:0001',
    '64:FF9B::A00:1',
    '0064:ff9b:0000:0000:0000:0000:0a00:0001',
    '64:ff9b:0001::808:808%lo',
  ])('refuses the loopback or private written as %s', (address) => {
    expect(publicAddressesOnly(address)).toBe(false);
  });

  test.each(['2606:4700:4700::1111', '2606:4700:4700:0:0:0:0:1111', '2606:4700:4700:0000::1111', '2606:4700:4700::1111'.toUpperCase()])(
    'allows public unicast written as %s',
    (address) => {
      expect(publicAddressesOnly(address)).toBe(true);
    },
  );

  test.each([
    '3fff::1', // documentation (RFC 9637)
    '5f00::1', // SRv6 segment identifiers (RFC 9602)
    '4000::1', // outside global unicast 2000::/3
    '100::1', // discard-only
    'fec0::1', // site-local
  ])('refuses %s, which is not public unicast', (address) => {
    expect(publicAddressesOnly(address)).toBe(false);
  });

  test.each([
    ['::ffff:0:7f00:1', '127.0.0.1'],
    ['::ffff:0:127.0.0.1', '127.0.0.1'],
    ['::ffff:a9fe:a9fe', '169.254.169.254'],
    ['::a00:1', '10.0.0.1'],
    ['64:ff9b::c0a8:101', '192.168.1.1'],
    ['2002:a00:1::', '10.0.0.1'],
    ['2606:4700::5efe:a9fe:a9fe', '169.254.169.254'],
    ['2606:4700::200:5efe:c0a8:101', '192.168.1.1'],
    ['2002:808:808:1:0:5efe:a00:1', '10.0.0.1'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', '192.0.2.45'],
    ['::ffff:0:7f00:1%eth0', '127.0.0.1'],
  ])('finds the IPv4 host inside %s', (address, ipv4) => {
    expect(embeddedIpv4(address)).toBe(ipv4);
  });

  test.each(['2606:4700:4700::1111', '::', '::1', '64:ff9b:1::a00:1', 'not-an-ip', '127.0.0.1'])('finds no IPv4 host inside %s', (address) => {
    expect(embeddedIpv4(address)).toBeUndefined();
  });
});

describe('fetchAttachment refuses IPv6 forms of non-public IPv4 hosts', () => {
  const options = { maxBytes: 2000, timeoutMs: 2000 };

  async function refusal(url: string, resolved?: string): Promise<AttachmentError> {
    const resolve = resolved ? async () => [{ address: resolved, family: 6 as const }] : undefined;
    const error = await fetchAttachment(url, { ...options, resolve }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(AttachmentError);
    return error as AttachmentError;
  }

  test('a host name resolving to IPv4-translated loopback', async () => {
    const error = await refusal('http://translated.example/file.txt', '::ffff:0:7f00:1');
    expect(error.code).toBe('ATTACHMENT_REFUSED');
    expect(error.message).toContain('::ffff:0:7f00:1');
  });

  test.each(['http://[::ffff:0:127.0.0.1]/file.txt', 'http://[64:ff9b:1::a00:1]/file.txt', 'http://[2002:a9fe:a9fe::1]/latest/meta-data/'])(
    'the literal %s',
    async (url) => {
      expect((await refusal(url)).code).toBe('ATTACHMENT_REFUSED');
    },
  );
});
