// Minifies the style sheet for the browser: csso with its restructuring
// off, so rules keep their order and the cascade is the source's; only
// whitespace, comments and redundant characters go (16.4 KB to 13.5 KB
// raw, about 0.6 KB less gzip). Skipped when OUT is newer than SRC and
// than this script, so an unchanged sheet is not compressed again.
//
//   node minify-css.mjs SRC OUT
import { readFileSync, writeFileSync, statSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { minify } from 'csso';

const [src, out] = process.argv.slice(2);
if (!src || !out) {
  console.error('usage: minify-css.mjs SRC OUT');
  process.exit(2);
}
const made = (file) => statSync(file).mtimeMs;
const self = fileURLToPath(import.meta.url);
if (!(existsSync(out) && made(out) > made(src) && made(out) > made(self))) {
  const css = minify(readFileSync(src, 'utf8'), { restructure: false, comments: false }).css;
  if (!css.trim()) {
    console.error(`minify-css: ${src} came out empty`);
    process.exit(1);
  }
  writeFileSync(out, css);
}
