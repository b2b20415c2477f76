#!/usr/bin/env node
// Reads a downsample output dataset (DIR/level=L/part-*.parquet and DIR/errors/part-*.parquet) with
// two Parquet readers that share no code with Spark's parquet-mr: DuckDB (C++) and hyparquet (plain
// JavaScript), decodes every pixels value the way the README tells a NumPy user to, and prints one
// JSON document: the columns and types each reader sees, the Parquet schema of the files, the row
// count per level, and per row its shape, bit depth and checksums (with --samples, every sample).
// Exit codes: 0 both readers read every row and agree; 1 they disagree, or a row is malformed
// (pixels length is not height x width x channels x bitDepth/8); 2 bad usage or a read failure.
//
//   node scripts/parquet-check/check.mjs DIR [--samples]
//
// The install step is `npm ci --prefix scripts/parquet-check` (scripts/test runs it).
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const USAGE = 'usage: node scripts/parquet-check/check.mjs DIR [--samples]';

function fail(message, code = 2) {
  process.stderr.write(`parquet-check: ${message}\n`);
  process.exit(code);
}

const args = process.argv.slice(2);
const withSamples = args.includes('--samples');
const dirs = args.filter((a) => a !== '--samples');
if (dirs.length !== 1 || dirs[0].startsWith('-')) {
  fail(USAGE);
}
const dir = resolve(dirs[0]);
if (!existsSync(dir)) {
  fail(`dataset (${dir}) does not exist`);
}

let DuckDBInstance;
let hyparquet;
try {
  ({ DuckDBInstance } = await import('@duckdb/node-api'));
  hyparquet = await import('hyparquet');
} catch (e) {
  fail(`the checker's packages are not installed (${e.message}); run: npm ci --prefix scripts/parquet-check`);
}
// hyparquet's exports do not include its package.json; read the installed copy's version directly.
const hyparquetVersion = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)),
  'node_modules', 'hyparquet', 'package.json'), 'utf8')).version;

// The files the job wrote, as a reader that lists the folder finds them: Spark's hidden files
// (.crc, _SUCCESS) are not data. Sorted so the output is stable.
function dataFiles(folder) {
  return existsSync(folder)
    ? readdirSync(folder).filter((f) => f.endsWith('.parquet') && !f.startsWith('.') && !f.startsWith('_')).sort()
    : [];
}
const levelDirs = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && /^level=\d+$/.test(d.name))
  .map((d) => d.name)
  .sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));
const levelFiles = levelDirs.flatMap((d) => dataFiles(join(dir, d)).map((f) => ({ level: Number(d.slice(6)), file: join(dir, d, f) })));
const errorFiles = dataFiles(join(dir, 'errors')).map((f) => join(dir, 'errors', f));
if (errorFiles.length === 0) {
  fail(`no errors dataset (${join(dir, 'errors')}/part-*.parquet): the job always writes one, even empty`);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (zlib's, as java.util.zip.CRC32) of the raw pixels bytes. */
function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** JSON has no NaN or infinities: they travel as strings. */
function jsonNumber(v) {
  return Number.isFinite(v) ? v : String(v);
}

/**
 * One row as the README documents it: pixels is row-major interleaved HWC, uint8, uint16
 * little-endian or float32 little-endian by bitDepth. Decoded here, so a wrong layout in the
 * dataset (or in the README) shows up as wrong sums and samples, not just wrong bytes.
 */
function describe(path, level, height, width, channels, bitDepth, pixels) {
  const row = { path, level, height, width, channels, bitDepth };
  const problems = [];
  if (pixels == null) {
    row.bytes = null;
    return { row, problems };
  }
  const bytesPerSample = { 8: 1, 16: 2, 32: 4 }[bitDepth];
  const count = height * width * channels;
  row.bytes = pixels.length;
  row.crc32 = crc32(pixels);
  if (bytesPerSample === undefined) {
    problems.push(`${path} level ${level}: bitDepth (${bitDepth}) must be 8, 16 or 32`);
    return { row, problems };
  }
  if (pixels.length !== count * bytesPerSample) {
    problems.push(`${path} level ${level}: pixels has ${pixels.length} bytes, ${height}x${width}x${channels} `
      + `at ${bitDepth} bits needs ${count * bytesPerSample}`);
    return { row, problems };
  }
  const view = new DataView(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const samples = withSamples ? new Array(count) : null;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const v = bitDepth === 8 ? view.getUint8(i) : bitDepth === 16 ? view.getUint16(2 * i, true) : view.getFloat32(4 * i, true);
    sum += v;
    if (samples) {
      samples[i] = jsonNumber(v);
    }
  }
  row.sum = jsonNumber(sum);
  if (samples) {
    row.samples = samples;
  }
  return { row, problems };
}

const byKey = (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.level - b.level);

async function readWithDuckDB() {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const all = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJS();
  const quote = (s) => `'${s.replaceAll("'", "''")}'`;
  const out = { version: (await all('SELECT version() AS v'))[0].v };
  // The levels only: errors/ has another schema, and a glob over DIR/** would union the two.
  const glob = quote(join(dir, 'level=*', '*.parquet'));
  out.query = `SELECT * FROM read_parquet(${glob}, hive_partitioning = true)`;
  const rows = [];
  const problems = [];
  if (levelFiles.length > 0) {
    const reader = await con.runAndReadAll(`${out.query} ORDER BY path, level`);
    out.columns = reader.columnNames().map((name, i) => ({ name, type: reader.columnType(i).toString() }));
    for (const r of reader.getRowObjectsJS()) {
      const d = describe(r.path, Number(r.level), r.height, r.width, r.channels, r.bitDepth, r.pixels);
      rows.push(d.row);
      problems.push(...d.problems);
    }
    out.parquetSchema = (await all(`SELECT name, type, repetition_type, converted_type, logical_type
        FROM parquet_schema(${quote(levelFiles[0].file)})`)).map((s) => ({
      name: s.name, physicalType: s.type, repetition: s.repetition_type, convertedType: s.converted_type,
      logicalType: s.logical_type,
    }));
    out.encodings = (await all(`SELECT DISTINCT path_in_schema AS col, type, compression, encodings
        FROM parquet_metadata(${glob}) ORDER BY col`)).map((m) => ({ ...m }));
  }
  out.levels = {};
  for (const r of rows) {
    out.levels[r.level] = (out.levels[r.level] ?? 0) + 1;
  }
  const errReader = await con.runAndReadAll(`SELECT * FROM read_parquet(${quote(join(dir, 'errors', '*.parquet'))}) ORDER BY path`);
  out.errors = {
    columns: errReader.columnNames().map((name, i) => ({ name, type: errReader.columnType(i).toString() })),
    rows: errReader.getRowObjectsJS().map((r) => ({ path: r.path, reason: r.reason })),
  };
  out.rows = rows;
  con.closeSync();
  db.closeSync();
  return { out, problems };
}

async function readWithHyparquet() {
  const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } = hyparquet;
  const read = async (file) => {
    const buffer = await asyncBufferFromFile(file);
    const metadata = await parquetMetadataAsync(buffer);
    // utf8: false, or hyparquet turns every unannotated BYTE_ARRAY (the pixels) into text;
    // path, annotated UTF8/STRING, is still a string.
    const objects = await parquetReadObjects({ file: buffer, metadata, utf8: false });
    return { metadata, objects };
  };
  const out = { version: hyparquetVersion, files: levelFiles.length + errorFiles.length };
  const rows = [];
  const problems = [];
  for (const { level, file } of levelFiles) {
    const { metadata, objects } = await read(file);
    if (!out.columns) {
      out.columns = parquetSchema(metadata).children.map((c) => ({
        name: c.element.name, type: c.element.type, convertedType: c.element.converted_type ?? null,
        repetition: c.element.repetition_type,
      }));
    }
    for (const r of objects) {
      if ('level' in r) {
        problems.push(`${file}: has its own level column, which clashes with the level=N directory`);
      }
      const d = describe(r.path, level, r.height, r.width, r.channels, r.bitDepth, r.pixels);
      rows.push(d.row);
      problems.push(...d.problems);
    }
  }
  rows.sort(byKey);
  out.levels = {};
  for (const r of rows) {
    out.levels[r.level] = (out.levels[r.level] ?? 0) + 1;
  }
  const errors = [];
  for (const file of errorFiles) {
    for (const r of (await read(file)).objects) {
      errors.push({ path: r.path, reason: r.reason });
    }
  }
  errors.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  out.errors = { rows: errors };
  out.rows = rows;
  return { out, problems };
}

/** Where the two readers differ, row by row and field by field (samples included). */
function compare(a, b) {
  const diffs = [];
  const key = (r) => `${r.path} level ${r.level}`;
  const bm = new Map(b.rows.map((r) => [key(r), r]));
  if (bm.size !== b.rows.length) {
    diffs.push('hyparquet: duplicate (path, level) rows');
  }
  for (const ra of a.rows) {
    const rb = bm.get(key(ra));
    if (!rb) {
      diffs.push(`${key(ra)}: only DuckDB has it`);
      continue;
    }
    bm.delete(key(ra));
    const ja = JSON.stringify(ra);
    const jb = JSON.stringify(rb);
    if (ja !== jb) {
      diffs.push(`${key(ra)}: DuckDB ${ja.slice(0, 300)} vs hyparquet ${jb.slice(0, 300)}`);
    }
  }
  for (const k of bm.keys()) {
    diffs.push(`${k}: only hyparquet has it`);
  }
  if (JSON.stringify(a.errors.rows) !== JSON.stringify(b.errors.rows)) {
    diffs.push('errors datasets differ');
  }
  return diffs;
}

/** Indented JSON, but an object of plain values (a row, a column) stays on one line, samples and all. */
function pretty(value, pad = '') {
  const plain = (v) => v === null || typeof v !== 'object' || (Array.isArray(v) && v.every(plain) && !v.some(Array.isArray));
  const flat = (v) => plain(v) || (!Array.isArray(v) && Object.values(v).every(plain));
  if (flat(value)) {
    return JSON.stringify(value);
  }
  const inner = `${pad}  `;
  if (Array.isArray(value)) {
    return value.length === 0 ? '[]' : `[\n${value.map((v) => inner + pretty(v, inner)).join(',\n')}\n${pad}]`;
  }
  const entries = Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${pretty(v, inner)}`);
  return `{\n${entries.join(',\n')}\n${pad}}`;
}

let duck;
let hyp;
try {
  duck = await readWithDuckDB();
  hyp = await readWithHyparquet();
} catch (e) {
  fail(`reading ${dir} failed: ${e.stack ?? e}`);
}
const disagreements = compare(duck.out, hyp.out);
const problems = [...new Set([...duck.problems, ...hyp.problems])];
const report = {
  dataset: dir,
  agree: disagreements.length === 0,
  disagreements,
  problems,
  duckdb: duck.out,
  hyparquet: hyp.out,
};
process.stdout.write(`${pretty(report)}\n`);
process.exitCode = disagreements.length === 0 && problems.length === 0 ? 0 : 1;
