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

@Injectable()
export class TokenService {
  private readonly key: Uint8Array;

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
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const { sub, mid, ws, tv } = payload;
      if (
        typeof sub !== 'string' ||
        typeof mid !== 'string' ||
        typeof ws !== 'string' ||
        typeof tv !== 'number'
      ) {
        throw new InvalidTokenError('token is missing claims');
      }
      return { sub, mid, ws, tv };
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
