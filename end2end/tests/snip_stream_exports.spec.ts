// .ci/site-tools/snip-stream-exports.mjs, which .ci/build-site runs on the
// real main module (every other test here loads that result), on small
// modules made here: which exports lose their bodies, which keep them, and
// that a module able to stream to JS is refused and left as it was.
import { test, expect } from '@playwright/test';
import { moduleOf, runTool, snipped } from './snip_tool';

const run = (bytes: Uint8Array) => runTool('snip-stream-exports.mjs', bytes);
const HASH = '58a9338f50bce61c';

test("the stream classes' methods lose their bodies; their free functions, descriptors and other exports keep theirs", async () => {
  const names = {
    pull: `intounderlyingsource_pull_${HASH}`,
    byteStart: `intounderlyingbytesource_start_${HASH}`,
    write: `intounderlyingsink_write_${HASH}`,
    free: `__wbg_intounderlyingsource_free_${HASH}`,
    describe: `__wbindgen_describe_intounderlyingsource_pull_${HASH}`,
    hydrate: 'hydrate',
    lookalike: `intounderlyingsourcery_pull_${HASH}`,
  };
  const { status, stdout, stderr, after } = run(await moduleOf(Object.values(names), { exported: true }));
  expect(status, stderr).toBe(0);
  expect(stdout).toContain('3 methods snipped');
  expect(await snipped(after)).toEqual({
    [names.pull]: true,
    [names.byteStart]: true,
    [names.write]: true,
    [names.free]: false,
    [names.describe]: false,
    [names.hydrate]: false,
    [names.lookalike]: false,
  });
});

test('a module that can put one of them behind a JS stream is refused and left as it was', async () => {
  for (const maker of ['source', 'byte_source', 'sink']) {
    const before = await moduleOf([`intounderlyingsource_pull_${HASH}`], {
      exported: true,
      imports: [`__wbg_new_with_into_underlying_${maker}_2244fa0de8ce1c19`],
    });
    const { status, stderr, after } = run(before);
    expect(status, maker).toBe(1);
    expect(stderr).toContain('can stream to JS');
    expect(Buffer.from(after).equals(Buffer.from(before))).toBe(true);
  }
  // The plain stream constructors (not around these classes) are no reason.
  const { status, stdout } = run(await moduleOf([`intounderlyingsink_close_${HASH}`], {
    exported: true,
    imports: ['__wbg_new_with_underlying_sink_6b48e23fbb6e0960'],
  }));
  expect(status).toBe(0);
  expect(stdout).toContain('1 method snipped');
});
