// What the post-build steps walk: the files of a build directory.

import fs from 'node:fs';
import path from 'node:path';

/**
 * Files under `dir`, as sorted '/'-separated paths relative to it; dotfiles and the
 * precompressed `.gz` and `.br` copies (tools/precompress.mjs) left out.
 */
export function files(dir, prefix = '') {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name.endsWith('.gz') || entry.name.endsWith('.br')) continue;
    const rel = prefix + entry.name;
    if (entry.isDirectory()) out.push(...files(path.join(dir, entry.name), `${rel}/`));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}
