import { AsyncLocalStorage, AsyncResource, executionAsyncId } from 'node:async_hooks';
import { installFastAsyncResourceBind } from './async-resource-bind';

describe('installFastAsyncResourceBind', () => {
  const installed = installFastAsyncResourceBind();

  it('replaces the binding where Node wraps it in deprecation accessors (Node 20), once', () => {
    const major = Number(process.versions.node.split('.')[0]);
    if (major === 20) expect(installed).toBe(true);
    expect(installFastAsyncResourceBind()).toBe(installed);
    const bound = new AsyncResource('t').bind(() => undefined);
    expect(Object.getOwnPropertyDescriptor(bound, 'asyncResource')?.get).toBeUndefined();
  });

  it('runs the bound function in the resource async scope, carrying the context of the bind', async () => {
    const store = new AsyncLocalStorage<string>();
    const resource = new AsyncResource('t');
    const [bound, staticBound] = store.run('at bind', () => [
      new AsyncResource('t').bind(() => [store.getStore(), executionAsyncId()]),
      AsyncResource.bind(() => store.getStore()),
    ]);
    const inScope = resource.bind(() => executionAsyncId());
    const later = await store.run('elsewhere', () => new Promise<unknown[]>((resolve) => setImmediate(() => resolve([bound()[0], staticBound(), inScope()]))));
    expect(later).toEqual(['at bind', 'at bind', resource.asyncId()]);
  });

  it("keeps the caller's this, or the one given, the arguments, the result and the length", () => {
    const resource = new AsyncResource('t');
    function f(this: unknown, a: number, b: number) {
      return [this, a + b];
    }
    const caller = { bound: resource.bind(f) };
    expect(caller.bound(1, 2)).toEqual([caller, 3]);
    const fixed = (resource.bind as (fn: typeof f, thisArg: unknown) => typeof f)(f, 'given');
    expect(fixed.call('ignored', 2, 3)).toEqual(['given', 5]);
    expect([caller.bound.length, fixed.length]).toEqual([2, 2]);
    expect((caller.bound as unknown as { asyncResource: AsyncResource }).asyncResource).toBe(resource);
  });

  it('throws on a non-function, as Node does', () => {
    // By name: another test file of the same worker may have installed it, with its own realm's TypeError.
    expect(() => new AsyncResource('t').bind(42 as unknown as () => void)).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(/"fn" argument must be of type function/) }),
    );
  });

  it('emits no deprecation warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const bound = new AsyncResource('t').bind(() => undefined) as unknown as { asyncResource: unknown };
      void bound.asyncResource;
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => /DEP0172|asyncResource/.test(String(w)))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
