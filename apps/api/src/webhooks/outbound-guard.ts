import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction, type Socket } from 'node:net';

/** Why an outbound request was refused before (or while) connecting. */
export class OutboundRefusedError extends Error {
  constructor(
    readonly code: 'PROTOCOL_NOT_ALLOWED' | 'ADDRESS_NOT_ALLOWED' | 'INVALID_URL',
    message: string,
  ) {
    super(message);
    this.name = 'OutboundRefusedError';
  }
}

export type OutboundResponse = {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  /** The first 64 KiB of the body, as text. */
  readonly body: string;
};

export type OutboundRequest = {
  readonly method?: 'POST' | 'PUT';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs?: number;
};

const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata 169.254.169.254
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
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64
  ['64:ff9b:1::', 48], // local NAT64
  ['100::', 64], // discard
  ['2001::', 32], // Teredo
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv6');
// IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses are judged by the IPv4
// address they embed (see embeddedIpv4); BlockList would otherwise match every IPv4 against ::ffff:0:0/96.

/** The IPv4 address inside an IPv4-mapped/compatible, NAT64 or 6to4 IPv6 address, if any. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:0:|::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1] !== undefined) return dotted[1];
  const hex = /^(?:::ffff:0:|::ffff:|::|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] !== undefined && hex[2] !== undefined) {
    const high = parseInt(hex[1], 16);
    const low = parseInt(hex[2], 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return null;
}

/** True when an address must never be reached from the server (SSRF). */
export function isForbiddenAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return BLOCKED.check(bare, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(bare);
    if (v4 !== null && BLOCKED.check(v4, 'ipv4')) return true;
    return BLOCKED.check(bare, 'ipv6');
  }
  return true; // not an address at all
}

/**
 * Outbound HTTP for webhooks and chat robots, guarded against SSRF where it
 * counts, at connect time: the URL must be http(s); the WHATWG parser turns
 * decimal, octal and hex IPv4 forms into dotted ones, which are checked; a
 * host name is resolved by our own lookup, and the connection goes to an
 * address that was checked (so a DNS answer cannot change in between), and the
 * connected socket's peer is checked again. Loopback, private, link-local,
 * CGNAT, metadata, multicast and IPv4-mapped/NAT64 forms of them are refused.
 * Redirects are not followed. `allowHosts` (tests only) lets named hosts through.
 */
export class OutboundGuard {
  private readonly allow: ReadonlySet<string>;

  constructor(allowHosts: readonly string[] = []) {
    this.allow = new Set(allowHosts.map((h) => h.toLowerCase()));
  }

  /** Parses and checks a URL without connecting (used when endpoints are saved). */
  check(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new OutboundRefusedError('INVALID_URL', 'not an absolute URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new OutboundRefusedError(
        'PROTOCOL_NOT_ALLOWED',
        `only http and https are allowed (got ${url.protocol})`,
      );
    if (url.username !== '' || url.password !== '')
      throw new OutboundRefusedError('INVALID_URL', 'credentials in the URL are not allowed');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && !this.allowed(url) && isForbiddenAddress(host))
      throw new OutboundRefusedError('ADDRESS_NOT_ALLOWED', `${host} is not a public address`);
    if (
      isIP(host) === 0 &&
      /^(localhost|.*\.localhost|.*\.local|.*\.internal)$/i.test(host) &&
      !this.allowed(url)
    )
      throw new OutboundRefusedError('ADDRESS_NOT_ALLOWED', `${host} is not a public host`);
    return url;
  }

  async post(raw: string, req: OutboundRequest): Promise<OutboundResponse> {
    const url = this.check(raw);
    const allowed = this.allowed(url);
    const lookup: LookupFunction = (hostname, options, callback) => {
      dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses) => {
        if (error !== null) return callback(error, '', 0);
        const list = addresses as LookupAddress[];
        const bad = list.find((a) => isForbiddenAddress(a.address));
        if (!allowed && (bad !== undefined || list.length === 0)) {
          return callback(
            new OutboundRefusedError(
              'ADDRESS_NOT_ALLOWED',
              `${hostname} resolves to ${bad?.address ?? 'nothing'}, which is not a public address`,
            ),
            '',
            0,
          );
        }
        const first = list[0] as LookupAddress;
        if (options.all === true) return callback(null, list as unknown as string, 0);
        return callback(null, first.address, first.family);
      });
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<OutboundResponse>((resolve, reject) => {
      const request = send(
        url,
        {
          method: req.method ?? 'POST',
          headers: { 'content-length': Buffer.byteLength(req.body).toString(), ...req.headers },
          lookup,
          timeout: req.timeoutMs ?? 10_000,
          agent: false,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            if (size < 65_536) chunks.push(chunk);
            size += chunk.length;
          });
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks).toString('utf8').slice(0, 65_536),
            }),
          );
          response.on('error', reject);
        },
      );
      request.on('socket', (socket: Socket) => {
        socket.once('connect', () => {
          const peer = socket.remoteAddress ?? '';
          if (!allowed && isForbiddenAddress(peer))
            request.destroy(
              new OutboundRefusedError('ADDRESS_NOT_ALLOWED', `connected to ${peer}, refused`),
            );
        });
      });
      request.on('timeout', () => request.destroy(new Error('request timed out')));
      request.on('error', reject);
      request.end(req.body);
    });
  }

  private allowed(url: URL): boolean {
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    return this.allow.has(host) || this.allow.has(url.host.toLowerCase());
  }
}
