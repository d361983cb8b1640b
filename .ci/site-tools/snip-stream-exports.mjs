// Removes the code behind wasm-streams' JS-facing classes from Belfry's
// main WASM module: each exported method of `IntoUnderlyingSource`,
// `IntoUnderlyingByteSource` and `IntoUnderlyingSink` keeps its signature
// and gets the body `unreachable`; wasm-opt then drops what only those
// bodies called (about 1.5 KB gzip).
//
// Why it is dead: server_fn's browser client depends on wasm-streams,
// whose classes are `#[wasm_bindgen]` exports, so they stay in any module
// that links the crate, used or not. A JS stream calls these methods only
// after Rust has made one around such an object, which only wasm-streams'
// `ReadableStream::from_stream`/`from_async_read` and
// `WritableStream::from_sink` do, through the JS constructors
// `new_with_into_underlying_{source,byte_source,sink}`. Belfry streams
// nothing to JS (its server functions answer whole values), so those
// constructors are never imported.
//
// Guard: a module that imports one of those constructors (some code can
// make such a stream) is refused, and the build stops, rather than
// shipping methods that would trap.
//
//   node snip-stream-exports.mjs MODULE.wasm...
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import binaryen from 'binaryen';
import { readModule, writeModule } from './wasm-io.mjs';

/** An exported method of one of the classes (not its `__wbg_…_free`). */
export const METHOD = /^intounderlying(source|bytesource|sink)_[A-Za-z]+_[0-9a-f]+$/;
/** The JS constructor that puts one of them behind a JS stream. */
export const MAKER = /^__wbg_new_with_into_underlying_(source|byte_source|sink)_[0-9a-f]+$/;

function snip(file) {
  const mod = readModule(file);
  const name = path.basename(file);
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
    if (info.module && MAKER.test(info.base)) {
      throw new Error(`${name} imports ${info.base}: it can stream to JS, so the classes' methods are live`);
    }
  }
  const methods = [];
  for (let i = 0; i < mod.getNumExports(); i++) {
    const e = binaryen.getExportInfo(mod.getExportByIndex(i));
    if (e.kind === binaryen.ExternalFunction && METHOD.test(e.name)) methods.push(e.value);
  }
  for (const fn of methods) binaryen.Function.setBody(mod.getFunction(fn), mod.unreachable());
  writeModule(mod, file);
  console.log(`snip-stream-exports: ${name}: ${methods.length} method${methods.length === 1 ? "" : "s"} snipped`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    for (const file of process.argv.slice(2)) snip(file);
  } catch (e) {
    console.error(`snip-stream-exports: ${e.message}`);
    process.exit(1);
  }
}
