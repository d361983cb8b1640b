// A WASM module read and written with binaryen as Belfry's snip tools
// need it: with the features rustc's wasm32 output uses (as in
// .ci/build-site's wasm-opt), and written back with its names, by which
// wasm-opt then orders the functions.
import fs from 'node:fs';
import binaryen from 'binaryen';

export function readModule(file) {
  const F = binaryen.Features;
  const mod = binaryen.readBinary(fs.readFileSync(file));
  mod.setFeatures(F.BulkMemory | F.BulkMemoryOpt | F.NontrappingFPToInt | F.SignExt
    | F.MutableGlobals | F.ReferenceTypes | F.Multivalue);
  return mod;
}

/** Validates `mod`, writes it to `file` and disposes of it. */
export function writeModule(mod, file) {
  if (!mod.validate()) throw new Error(`${file}: invalid after snipping`);
  binaryen.setDebugInfo(true);
  const out = mod.emitBinary();
  mod.dispose();
  fs.writeFileSync(file, out);
}
