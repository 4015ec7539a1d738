import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isForbiddenAddress, OutboundGuard, OutboundRefusedError } from './outbound-guard.js';

describe('isForbiddenAddress (SSRF list)', () => {
  const forbidden = [
    ['loopback', '127.0.0.1'],
    ['loopback elsewhere in 127/8', '127.1.2.3'],
    ['this network', '0.0.0.0'],
    ['private 10/8', '10.1.2.3'],
    ['private 172.16/12', '172.20.0.5'],
    ['private 192.168/16', '192.168.1.10'],
    ['carrier-grade NAT', '100.64.0.1'],
    ['link-local', '169.254.10.20'],
    ['cloud metadata', '169.254.169.254'],
    ['multicast', '224.0.0.1'],
    ['broadcast', '255.255.255.255'],
    ['IPv6 loopback', '::1'],
    ['IPv6 unspecified', '::'],
    ['IPv4-mapped loopback, dotted', '::ffff:127.0.0.1'],
    ['IPv4-mapped loopback, hex', '::ffff:7f00:1'],
    ['IPv4-mapped metadata', '::ffff:169.254.169.254'],
    ['IPv4-translated loopback', '::ffff:0:7f00:1'],
    ['IPv4-compatible loopback', '::127.0.0.1'],
    ['NAT64 of a private address', '64:ff9b::10.0.0.1'],
    ['unique local', 'fd12:3456::1'],
    ['link-local IPv6', 'fe80::1'],
    ['link-local IPv6 with zone', 'fe80::1%eth0'],
    ['bracketed', '[::1]'],
    ['not an address', 'example.com'],
  ] as const;
  for (const [title, address] of forbidden)
    it(`refuses ${title} (${address})`, () => assert.equal(isForbiddenAddress(address), true));

  const allowed = [
    ['a public IPv4', '203.119.206.1'],
    ['a public IPv4 next to a private range', '172.32.0.1'],
    ['a public IPv6', '2408:8000::1'],
    ['an IPv4-mapped public address', '::ffff:8.8.8.8'],
  ] as const;
  for (const [title, address] of allowed)
    it(`allows ${title} (${address})`, () => assert.equal(isForbiddenAddress(address), false));
});

describe('OutboundGuard.check', () => {
  const guard = new OutboundGuard();
  const refused = [
    ['decimal IPv4', 'http://2130706433/hook', 'ADDRESS_NOT_ALLOWED'],
    ['octal IPv4', 'http://017700000001/hook', 'ADDRESS_NOT_ALLOWED'],
    ['dotted octal', 'http://0177.0.0.1/hook', 'ADDRESS_NOT_ALLOWED'],
    ['hex IPv4', 'http://0x7f.0.0.1/hook', 'ADDRESS_NOT_ALLOWED'],
    ['short form', 'http://127.1/hook', 'ADDRESS_NOT_ALLOWED'],
    ['IPv4-mapped IPv6', 'http://[::ffff:127.0.0.1]/hook', 'ADDRESS_NOT_ALLOWED'],
    ['metadata', 'http://169.254.169.254/latest/meta-data/', 'ADDRESS_NOT_ALLOWED'],
    ['localhost', 'http://localhost:8080/', 'ADDRESS_NOT_ALLOWED'],
    ['a .internal name', 'https://metadata.google.internal/', 'ADDRESS_NOT_ALLOWED'],
    ['file:', 'file:///etc/passwd', 'PROTOCOL_NOT_ALLOWED'],
    ['gopher:', 'gopher://127.0.0.1:6379/_INFO', 'PROTOCOL_NOT_ALLOWED'],
    ['credentials', 'https://user:pass@hooks.example.com/', 'INVALID_URL'],
    ['not a URL', 'hooks.example.com/x', 'INVALID_URL'],
  ] as const;
  for (const [title, url, code] of refused)
    it(`refuses ${title}`, () =>
      assert.throws(
        () => guard.check(url),
        (error: unknown) => error instanceof OutboundRefusedError && error.code === code,
      ));

  it('accepts public http(s) URLs, leaving name resolution to connect time', () => {
    assert.equal(
      guard.check('https://oapi.dingtalk.com/robot/send?access_token=x').hostname,
      'oapi.dingtalk.com',
    );
    assert.equal(guard.check('http://203.119.206.1/hook').hostname, '203.119.206.1');
  });

  it('lets a host through only when it is explicitly allowed (tests)', () => {
    assert.throws(() => guard.check('http://127.0.0.1:9999/'));
    assert.equal(new OutboundGuard(['127.0.0.1']).check('http://127.0.0.1:9999/').port, '9999');
  });
});
