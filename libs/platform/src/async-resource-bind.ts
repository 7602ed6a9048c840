import { AsyncResource } from 'node:async_hooks';

const FAST = Symbol.for('crm.fastAsyncResourceBind');

/**
 * Node 20's `AsyncResource.prototype.bind` gives every bound function an `asyncResource` accessor
 * wrapped twice in `util.deprecate` (DEP0172), which costs about 7 µs a call here, against 12 ns for
 * the binding itself. Fastify binds once a request (body parsing) and Nest once an interceptor, so
 * that was about 45 µs of the API's main thread a command. This replaces it with the same binding
 * (the function runs in the resource's async scope, with the caller's or the given `this`, and keeps
 * `length`), the resource exposed as a plain `asyncResource` property, without the deprecation
 * wrappers. Only where bind still creates them; calling it again changes nothing.
 */
export function installFastAsyncResourceBind(): boolean {
  const proto = AsyncResource.prototype as AsyncResource & { [FAST]?: true };
  if (proto[FAST]) return true;
  const probe = new AsyncResource('crm-probe').bind(() => undefined);
  if (!Object.getOwnPropertyDescriptor(probe, 'asyncResource')?.get) return false;
  Object.defineProperty(proto, 'bind', {
    configurable: true,
    writable: true,
    value: function bind(this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown) {
      if (typeof fn !== 'function') throw new TypeError(`The "fn" argument must be of type function. Received ${typeof fn}`);
      const resource = this;
      const bound =
        thisArg === undefined
          ? function (this: unknown, ...args: unknown[]) {
              return resource.runInAsyncScope(fn, this, ...args);
            }
          : resource.runInAsyncScope.bind(resource, fn, thisArg);
      Object.defineProperty(bound, 'length', { configurable: true, enumerable: false, writable: false, value: fn.length });
      Object.defineProperty(bound, 'asyncResource', { configurable: true, enumerable: true, writable: true, value: resource });
      return bound;
    },
  });
  Object.defineProperty(proto, FAST, { value: true });
  return true;
}
