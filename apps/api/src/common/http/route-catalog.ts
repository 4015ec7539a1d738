import { Injectable, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { IS_PUBLIC } from '../auth/public.decorator.js';

export type RouteInfo = {
  readonly method: string;
  readonly path: string;
  readonly public: boolean;
};

/**
 * Every HTTP route of the API with whether it is public, read from the same
 * metadata the router and the auth guard use. Tests generate their
 * deny-by-default and tenant-isolation cases from it, so a new route is
 * covered the day it is added.
 */
@Injectable()
export class RouteCatalog {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  routes(prefix = '/api'): RouteInfo[] {
    const out: RouteInfo[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      const type = wrapper.metatype;
      if (instance === undefined || type === null || type === undefined) continue;
      const base = normalise(
        this.reflector.get<string | string[] | undefined>(PATH_METADATA, type),
      );
      const classPublic = this.reflector.get<boolean | undefined>(IS_PUBLIC, type) === true;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        const path = this.reflector.get<string | string[] | undefined>(PATH_METADATA, handler);
        const method = this.reflector.get<RequestMethod | undefined>(METHOD_METADATA, handler);
        if (path === undefined || method === undefined) continue;
        const full = [prefix, base, normalise(path)]
          .filter((p) => p !== '')
          .join('/')
          .replace(/\/+/g, '/');
        out.push({
          method: RequestMethod[method],
          path: full.endsWith('/') && full.length > 1 ? full.slice(0, -1) : full,
          public:
            classPublic ||
            this.reflector.get<boolean | undefined>(
              IS_PUBLIC,
              handler as (...args: never[]) => unknown,
            ) === true,
        });
      }
    }
    return out.sort((a, b) =>
      a.path === b.path ? a.method.localeCompare(b.method) : a.path.localeCompare(b.path),
    );
  }
}

function normalise(path: string | string[] | undefined): string {
  const value = Array.isArray(path) ? (path[0] ?? '') : (path ?? '');
  return value.replace(/^\/+|\/+$/g, '');
}
