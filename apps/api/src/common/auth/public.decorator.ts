import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'trellis:public';

/**
 * Marks a route as reachable without signing in. Everything else is denied by
 * default; the list of public routes is a reviewed snapshot in the tests.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
