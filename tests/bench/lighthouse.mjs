// Lighthouse 12, mobile (its default: Moto G Power screen, simulated slow 4G and 4x
// CPU), on the built app served locally with gzip: performance, accessibility and
// best-practices scores, key metrics, and every audit that costs points.
//
// Usage: node tests/bench/lighthouse.mjs <dist-dir> <result.json> [report.json] [prefix]
// (prefix of the figures' names: `lighthouse`, or `lighthouse.floor` for the bare
// Leptos page that `cargo xtask bench lighthouse` measures beside the app).
// Needs CHROME_PATH (default /usr/bin/chromium). Lighthouse opens the app with a fresh
// profile: the home screen of a first visit, with nothing stored.
//
// Lighthouse's scores move from run to run (its simulation replays what it observed on
// a busy machine), so it runs RUNS times and reports the run with the median
// performance score, as Lighthouse's own guidance advises; every run's score, LCP and
// TBT are printed. Accessibility and best practices are the lowest over the runs.
//
// Writes {figures: [{name, value, unit}], failing: [...]} to result.json and the
// median run's full JSON report to report.json.

import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CHROMIUM, CHROMIUM_ARGS, figure, serve } from './common.mjs';

const CATEGORIES = ['performance', 'accessibility', 'best-practices'];
/** Shown for performance whatever their score (they make its score). */
const METRICS = [
  ['first-contentful-paint', 'fcp'],
  ['largest-contentful-paint', 'lcp'],
  ['total-blocking-time', 'tbt'],
  ['speed-index', 'speed_index'],
];
const NOT_SCORED = new Set(['notApplicable', 'manual', 'informative', 'error']);
/** Runs per measurement (odd: one of them is the median). */
const RUNS = 5;

const log = (...args) => console.log('lighthouse:', ...args);

async function main() {
  const [dist, resultPath, reportPath = `${resultPath}.report.json`, prefix = 'lighthouse'] = process.argv.slice(2);
  if (!resultPath) throw new Error('usage: node tests/bench/lighthouse.mjs <dist-dir> <result.json> [report.json]');
  const server = await serve(dist);
  const runs = [];
  try {
    for (let run = 1; run <= RUNS; run++) {
      const path = `${reportPath}.run${run}.json`;
      await lighthouse(`${server.url}/`, path);
      const report = JSON.parse(readFileSync(path, 'utf8'));
      if (report.runtimeError) throw new Error(`Lighthouse: ${report.runtimeError.code}: ${report.runtimeError.message}`);
      const performance = report.categories.performance?.score;
      if (performance == null) throw new Error('Lighthouse gave no performance score');
      const metric = (id) => Math.round(report.audits[id]?.numericValue ?? NaN);
      log(
        `run ${run} of ${RUNS}: performance ${Math.round(performance * 100)}, LCP ${metric('largest-contentful-paint')} ms, TBT ${metric('total-blocking-time')} ms`,
      );
      const scores = Object.fromEntries(CATEGORIES.map((id) => [id, report.categories[id]?.score ?? null]));
      runs.push({ path, performance, scores });
    }
  } finally {
    await server.close();
  }
  // The median by performance score (stable sort: of equal scores, the earlier run).
  const median = [...runs].sort((a, b) => a.performance - b.performance)[(RUNS - 1) / 2];
  copyFileSync(median.path, reportPath);
  for (const run of runs) rmSync(run.path);
  log(`median run: ${runs.indexOf(median) + 1} (scores ${runs.map((r) => Math.round(r.performance * 100)).join(', ')})`);
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  for (const warning of report.runWarnings ?? []) log(`warning: ${warning}`);

  const figures = [];
  const failing = [];
  for (const id of CATEGORIES) {
    const category = report.categories[id];
    if (!category || runs.some((run) => run.scores[id] === null)) throw new Error(`Lighthouse gave no ${id} score`);
    const lowest = Math.min(...runs.map((run) => run.scores[id]));
    const score = Math.round((id === 'performance' ? category.score : lowest) * 100);
    figures.push(figure(`${prefix}.${id.replace('-', '_')}`, score, 'score'));
    log(`${category.title}: ${score}`);
    for (const ref of category.auditRefs) {
      const audit = report.audits[ref.id];
      if (!audit || audit.score === null || audit.score >= 1 || NOT_SCORED.has(audit.scoreDisplayMode)) continue;
      // Performance: the metrics that cost points, and the diagnostics Lighthouse
      // flags (red or orange) as their causes. Elsewhere: audits that cost points.
      if (id === 'performance' ? ref.weight === 0 && audit.score >= 0.9 : ref.weight === 0) continue;
      const entry = {
        category: id,
        id: ref.id,
        title: audit.title,
        score: audit.score,
        weight: ref.weight,
        displayValue: audit.displayValue ?? '',
        items: items(audit),
      };
      failing.push(entry);
      log(`  ${(audit.score * 100).toFixed(0).padStart(3)}  ${ref.id}: ${audit.title}${entry.displayValue ? ` (${entry.displayValue})` : ''}${ref.weight ? ` [weight ${ref.weight}]` : ' [diagnostic]'}`);
      for (const item of entry.items) log(`         ${item}`);
    }
  }
  for (const [id, name] of METRICS) {
    const audit = report.audits[id];
    if (audit?.numericValue != null) figures.push(figure(`${prefix}.${name}.ms`, Math.round(audit.numericValue), 'ms'));
  }
  figures.push(figure(`${prefix}.runs`, RUNS, 'count'));
  const scores = runs.map((r) => Math.round(r.performance * 100));
  figures.push(figure(`${prefix}.performance.min`, Math.min(...scores), 'score'));
  figures.push(figure(`${prefix}.performance.max`, Math.max(...scores), 'score'));
  log(`full report: ${reportPath}`);
  writeFileSync(resultPath, `${JSON.stringify({ figures, failing }, null, 2)}\n`);
}

/** A few lines of an audit's details: which element, resource or phase it is about. */
function items(audit) {
  const lines = [];
  const describe = (row) => {
    const node = row.node?.type === 'node' ? row.node : null;
    const what = node ? `${node.snippet ?? ''} ${node.nodeLabel ? `"${node.nodeLabel}"` : ''}`.trim() : row.url ?? row.source?.url ?? '';
    const amount =
      row.phase && row.timing != null
        ? `${row.phase} ${Math.round(row.timing)} ms`
        : row.wastedBytes != null
          ? `${Math.round(row.wastedBytes / 1024)} KiB`
          : row.wastedMs != null
            ? `${Math.round(row.wastedMs)} ms`
            : row.score != null && node
              ? `shift ${row.score.toFixed(3)}`
              : '';
    const why = node?.explanation?.split('\n').slice(1).join(' ').trim() ?? '';
    return [what, amount, why].filter(Boolean).join(' — ').slice(0, 240);
  };
  const walk = (details) => {
    if (!details) return;
    for (const row of details.items ?? []) {
      if (row.type === 'table' || row.type === 'list') walk(row);
      else if (row.type === 'node') lines.push(describe({ node: row }));
      else if (row.type !== 'list-section' && row.node?.type !== 'text') lines.push(describe(row));
    }
  };
  walk(audit.details);
  return lines.filter(Boolean).slice(0, 6);
}

/** Runs Lighthouse's CLI (its launcher starts Chromium with our flags). */
function lighthouse(url, reportPath) {
  const cli = createRequire(import.meta.url).resolve('lighthouse/cli/index.js');
  const args = [
    cli,
    url,
    `--only-categories=${CATEGORIES.join(',')}`,
    '--output=json',
    `--output-path=${reportPath}`,
    `--chrome-flags=${CHROMIUM_ARGS.join(' ')}`,
    '--quiet',
  ];
  log(`${url} (mobile, simulated throttling)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      stdio: 'inherit',
      env: { ...process.env, CHROME_PATH: CHROMIUM },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`lighthouse exited with ${signal ?? code}`)),
    );
  });
}

main().catch((error) => {
  console.error(`lighthouse: ${error.stack ?? error}`);
  process.exit(1);
});
