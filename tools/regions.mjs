// Trunk pre_build hook (Trunk.toml): writes one JSON file per province into
// $TRUNK_STAGING_DIR/regions/, so the app loads only the villages of the province the
// agent picks (never all 83,762 up front). Plus regions/LICENSE.txt (ODbL attribution).
//
// Source: the npm package idn-area-data (Kemendagri codes, data under ODbL 1.0).
// The files are generated once into target/regions/ and regenerated only when the
// input CSVs or this script change (a content hash in target/regions/.stamp); each
// build then only copies them into the staging directory, which Trunk empties.
//
// Output format 1 (read by src/region_picker.rs, `ProvinceVillages::from_json`):
//   {"format":1,"province":"61",
//    "districts":{"610701":{"name":"Sungai Raya","villages":{"2001":"Sungai Duri",...}},...}}
// District keys are the six digits PPKKCC, village keys the last four digits; codes are
// digits only, names as in the source. Regency names are not repeated here: the app has
// them in lindung_core::RegionTable.
//
// Usage: node tools/regions.mjs [out-dir]   (default: $TRUNK_STAGING_DIR/regions)

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FORMAT = 1;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.join(root, 'node_modules', 'idn-area-data', 'data');
const cacheDir = path.join(root, 'target', 'regions');
const INPUTS = ['provinces.csv', 'districts.csv', 'villages.csv'];

const LICENSE = `Region data: Kemendagri codes and names of provinces, districts (kecamatan) and
villages (desa/kelurahan), Kepmendagri 300.2.2-2138/2025.

Derived from the npm package idn-area-data 4.0.1
(https://github.com/fityannugroho/idn-area-data), whose data is licensed under the
Open Database License (ODbL) 1.0: https://opendatacommons.org/licenses/odbl/1-0/

The files in this directory (one JSON file per province) are a derived database and
are likewise available under the ODbL 1.0. The code of Lindung is Apache-2.0.
`;

/** Parses CSV text (RFC 4180: quoted fields, "" inside quotes) into rows of fields. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (quoted) throw new Error('unterminated quoted field');
  row.push(field);
  if (row.length > 1 || row[0] !== '') rows.push(row);
  return rows;
}

/** Rows of a CSV file as objects keyed by its header, every column required. */
function records(file, columns) {
  const [header, ...rows] = parseCsv(fs.readFileSync(path.join(dataDir, file), 'utf8'));
  const index = columns.map((column) => header.indexOf(column));
  if (index.some((i) => i < 0)) throw new Error(`${file}: expected columns ${columns.join(', ')}, got ${header.join(', ')}`);
  return rows.map((fields, n) => {
    if (fields.length !== header.length) throw new Error(`${file}: row ${n + 2} has ${fields.length} fields`);
    return Object.fromEntries(columns.map((column, i) => [column, fields[index[i]].trim()]));
  });
}

/** `61.07.01` → `610701`, checking the dotted form: groups of `sizes` digits. */
function digits(code, sizes, what) {
  const groups = code.split('.');
  if (groups.length !== sizes.length || groups.some((g, i) => !/^[0-9]+$/.test(g) || g.length !== sizes[i])) {
    throw new Error(`${what} code ${JSON.stringify(code)} is not of the form ${sizes.map((n) => 'N'.repeat(n)).join('.')}`);
  }
  return groups.join('');
}

/** The province documents, keyed by province code, from the source CSVs. */
export function buildProvinces() {
  const provinces = new Map();
  for (const { code } of records('provinces.csv', ['code', 'name'])) {
    provinces.set(digits(code, [2], 'province'), { districts: {} });
  }
  const districtOwner = new Map();
  for (const { code, name } of records('districts.csv', ['code', 'name'])) {
    const district = digits(code, [2, 2, 2], 'district');
    const province = provinces.get(district.slice(0, 2));
    if (!province) throw new Error(`district ${code}: unknown province`);
    if (!name) throw new Error(`district ${code}: no name`);
    province.districts[district] = { name, villages: {} };
    districtOwner.set(district, province);
  }
  let villages = 0;
  for (const { code, district_code: districtCode, name } of records('villages.csv', ['code', 'district_code', 'name'])) {
    const village = digits(code, [2, 2, 2, 4], 'village');
    const district = digits(districtCode, [2, 2, 2], 'district');
    if (village.slice(0, 6) !== district) throw new Error(`village ${code} is not in district ${districtCode}`);
    const province = districtOwner.get(district);
    if (!province) throw new Error(`village ${code}: unknown district ${districtCode}`);
    if (!name) throw new Error(`village ${code}: no name`);
    const list = province.districts[district].villages;
    if (list[village.slice(6)] !== undefined) throw new Error(`village ${code} appears twice`);
    list[village.slice(6)] = name;
    villages++;
  }
  return { provinces, villages };
}

/** Object keys in code order (the CSVs are sorted already; this makes sure). */
function sorted(object, map = (v) => v) {
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((key) => [key, map(object[key])]),
  );
}

function inputHash() {
  const hash = createHash('sha256');
  hash.update(`format ${FORMAT}\n`);
  hash.update(fs.readFileSync(fileURLToPath(import.meta.url)));
  for (const file of INPUTS) {
    hash.update(`\0${file}\0`);
    hash.update(fs.readFileSync(path.join(dataDir, file)));
  }
  return hash.digest('hex');
}

/** Regenerates target/regions/ when its stamp does not match the inputs. */
function ensureCache() {
  if (!fs.existsSync(path.join(dataDir, 'villages.csv'))) {
    throw new Error(`${dataDir} is missing: run \`npm ci\` (cargo xtask installs it)`);
  }
  const stampFile = path.join(cacheDir, '.stamp');
  const hash = inputHash();
  const stamp = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : '';
  if (stamp === hash) return false;

  const { provinces, villages } = buildProvinces();
  fs.rmSync(cacheDir, { recursive: true, force: true });
  fs.mkdirSync(cacheDir, { recursive: true });
  for (const [code, province] of provinces) {
    const document = {
      format: FORMAT,
      province: code,
      districts: sorted(province.districts, (d) => ({ name: d.name, villages: sorted(d.villages) })),
    };
    fs.writeFileSync(path.join(cacheDir, `${code}.json`), JSON.stringify(document));
  }
  fs.writeFileSync(path.join(cacheDir, 'LICENSE.txt'), LICENSE);
  // Written last: an interrupted run leaves no stamp and is redone.
  fs.writeFileSync(stampFile, `${hash}\n`);
  console.log(`regions: generated ${provinces.size} province files (${villages} villages) into ${cacheDir}`);
  return true;
}

function main() {
  const out = process.argv[2] ?? (process.env.TRUNK_STAGING_DIR && path.join(process.env.TRUNK_STAGING_DIR, 'regions'));
  if (!out) throw new Error('usage: node tools/regions.mjs <out-dir> (or run as a Trunk hook)');
  const generated = ensureCache();
  fs.mkdirSync(out, { recursive: true });
  let bytes = 0;
  let files = 0;
  for (const name of fs.readdirSync(cacheDir)) {
    if (name.startsWith('.')) continue;
    fs.copyFileSync(path.join(cacheDir, name), path.join(out, name));
    bytes += fs.statSync(path.join(out, name)).size;
    files++;
  }
  console.log(`regions: ${files} files, ${(bytes / 1e6).toFixed(1)} MB into ${out}${generated ? '' : ' (up to date)'}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(`regions: ${error.message}`);
    process.exit(1);
  }
}
