// .ci/site-tools/snip-async-hydration.mjs, which .ci/build-site runs on the
// real modules (every other test here loads that result), on small modules
// made here: which functions lose their bodies, which keep them, and that a
// module able to start async hydration is refused and left as it was.
import { test, expect } from '@playwright/test';
import { moduleOf, runTool, snipped } from './snip_tool';

const run = (bytes: Uint8Array) => runTool('snip-async-hydration.mjs', bytes);
const CLOSURE = '_$u7b$$u7b$closure$u7d$$u7d$';

/** A legacy-mangled symbol for the path `segs`. */
const mangle = (segs: string[]) =>
  `_ZN${segs.map((s) => `${s.length}${s}`).join('')}17h0123456789abcdefE`;

test('async hydration and its closures lose their bodies; helpers and everything else keep theirs', async () => {
  const names = {
    hydrateAsync: mangle(['tachys', 'view', 'any_view', 'into_any', 'hydrate_async']),
    itsBody: mangle(['tachys', 'html', 'element', 'hydrate_async', CLOSURE]),
    nestedBody: mangle(['leptos', 'into_view', 'hydrate_async', CLOSURE, CLOSURE]),
    helper: mangle(['tachys', 'html', 'element', 'hydrate_async', CLOSURE, 'inner_1']),
    hydrate: mangle(['tachys', 'html', 'element', 'hydrate']),
    lookalike: mangle(['belfry', 'app', 'hydrate_async_later']),
    unmangled: 'belfry_plain',
  };
  const { status, stdout, stderr, after } = run(await moduleOf(Object.values(names)));
  expect(status, stderr).toBe(0);
  expect(stdout).toContain('3 functions snipped');
  expect(await snipped(after)).toEqual({
    [names.hydrateAsync]: true,
    [names.itsBody]: true,
    [names.nestedBody]: true,
    [names.helper]: false,
    [names.hydrate]: false,
    [names.lookalike]: false,
    [names.unmangled]: false,
  });
});

test('a module that could start async hydration is refused and left as it was', async () => {
  for (const start of [
    ['leptos', 'mount', 'hydrate_from_async'],
    ['leptos', 'mount', 'hydrate_lazy', CLOSURE],
    ['leptos_router', 'lazy', 'preload'],
  ]) {
    const before = await moduleOf([mangle(['tachys', 'view', 'hydrate_async']), mangle(start)]);
    const { status, stderr, after } = run(before);
    expect(status, start.join('::')).toBe(1);
    expect(stderr).toContain('starts async hydration');
    expect(Buffer.from(after).equals(Buffer.from(before))).toBe(true);
  }
});

test('a module without legacy-mangled names is left as it was', async () => {
  const before = await moduleOf(['_RNvCs1234_6tachys13hydrate_async', 'plain']);
  const { status, stdout, after } = run(before);
  expect(status).toBe(0);
  expect(stdout).toContain('no legacy-mangled names');
  expect(Buffer.from(after).equals(Buffer.from(before))).toBe(true);
});
