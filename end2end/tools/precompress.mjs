// Writes NAME.gz (gzip -9) and NAME.br (brotli 11) beside each file named on
// the command line, so the server sends what the browser asked for
// (Accept-Encoding) without compressing on every request. A file whose
// compressed copies are newer than itself is skipped. Prints what it wrote.
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { readFileSync, writeFileSync, statSync, existsSync } from "node:fs";

const fresh = (copy, source) =>
  existsSync(copy) && statSync(copy).mtimeMs >= statSync(source).mtimeMs;

for (const file of process.argv.slice(2)) {
  if (fresh(`${file}.gz`, file) && fresh(`${file}.br`, file)) continue;
  const raw = readFileSync(file);
  const gz = gzipSync(raw, { level: 9 });
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  writeFileSync(`${file}.gz`, gz);
  writeFileSync(`${file}.br`, br);
  console.log(`${file}: ${raw.length} B, ${gz.length} B gzip, ${br.length} B brotli`);
}
