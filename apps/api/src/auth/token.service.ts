import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../common/tokens.js';

export const TOKEN_ISSUER = 'trellis';
export const TOKEN_AUDIENCE = 'trellis-api';

export type AccessClaims = {
  /** user id */
  readonly sub: string;
  /** member id */
  readonly mid: string;
  /** workspace id */
  readonly ws: string;
  /** the user's token version when issued */
  readonly tv: number;
};

export class InvalidTokenError extends Error {}

/** How many verified access tokens each process remembers (oldest forgotten first). */
const VERIFIED_TOKENS = 10_000;

@Injectable()
export class TokenService {
  private readonly key: Uint8Array;
  /**
   * Access tokens whose signature, issuer and audience were checked, with their
   * claims and expiry. A token is an immutable string, so checking it again
   * gives the same answer until it expires; revocation is the auth guard's
   * check of the token version and membership, done on every request.
   */
  private readonly verified = new Map<string, { claims: AccessClaims; expiresAt: number }>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    if (config.jwtSecret === null) throw new Error('JWT secret is not resolved');
    this.key = new TextEncoder().encode(config.jwtSecret);
  }

  get accessTtlSeconds(): number {
    return this.config.accessTokenTtlSeconds;
  }

  get refreshTtlSeconds(): number {
    return this.config.refreshTokenTtlSeconds;
  }

  signAccess(claims: AccessClaims): Promise<string> {
    return new SignJWT({ mid: claims.mid, ws: claims.ws, tv: claims.tv })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.config.accessTokenTtlSeconds}s`)
      .sign(this.key);
  }

  /** Verifies signature (HS256 only: "none" and other algorithms are refused), issuer, audience and expiry. */
  async verifyAccess(token: string): Promise<AccessClaims> {
    const known = this.verified.get(token);
    if (known !== undefined) {
      if (Date.now() < known.expiresAt) return known.claims;
      this.verified.delete(token);
      throw new InvalidTokenError('token expired');
    }
    const { claims, expiresAt } = await this.verifySignedToken(token);
    if (this.verified.size >= VERIFIED_TOKENS) {
      const oldest = this.verified.keys().next();
      if (oldest.done !== true) this.verified.delete(oldest.value);
    }
    this.verified.set(token, { claims, expiresAt });
    return claims;
  }

  private async verifySignedToken(
    token: string,
  ): Promise<{ claims: AccessClaims; expiresAt: number }> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const { sub, mid, ws, tv, exp } = payload;
      if (
        typeof sub !== 'string' ||
        typeof mid !== 'string' ||
        typeof ws !== 'string' ||
        typeof tv !== 'number' ||
        typeof exp !== 'number'
      ) {
        throw new InvalidTokenError('token is missing claims');
      }
      return { claims: { sub, mid, ws, tv }, expiresAt: exp * 1000 };
    } catch (error) {
      if (error instanceof InvalidTokenError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new InvalidTokenError('token expired');
      throw new InvalidTokenError('token is invalid');
    }
  }

  /** An opaque refresh token; only its hash is stored. */
  newRefreshToken(): { token: string; hash: string } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: hashToken(token) };
  }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
