// Temporary: CPU profile of search keystrokes (not committed).
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, seed, serve } from './common.mjs';
const [dist, planPath, out] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planPath, 'utf8'));
const server = await serve(dist);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
const page = await context.newPage();
page.setDefaultTimeout(180000);
await page.goto(`${server.url}/#/`);
await page.getByTestId('agent-missing').waitFor();
await page.evaluate(seed, { db: plan.db, rowsJson: JSON.stringify(plan.rows) });
await page.evaluate((hash) => { location.hash = hash; }, plan.village.hash);
await page.reload();
await page.getByText(plan.village.count_text).waitFor();
const cdp = await context.newCDPSession(page);
await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
await page.getByTestId('roster-search').click();
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
await cdp.send('Profiler.start');
for (let round = 0; round < 3; round++) {
  for (const k of plan.keystrokes.slice(0, 12)) {
    if (k.key) await page.keyboard.press(k.key);
    else { await page.keyboard.press('Control+A'); await page.keyboard.press('Backspace'); }
    await page.getByTestId('roster-result-count').filter({ hasText: k.count_text }).waitFor();
  }
  await page.keyboard.press('Control+A'); await page.keyboard.press('Backspace');
  await page.getByTestId('roster-result-count').filter({ hasText: plan.village.count_text }).waitFor();
}
const { profile } = await cdp.send('Profiler.stop');
writeFileSync(out, JSON.stringify(profile));
const self = new Map();
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const n = byId.get(profile.samples[i]);
  const key = n.callFrame.functionName || `(${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber})`;
  self.set(key, (self.get(key) || 0) + (dt[i] || 0) / 1000);
}
for (const [k, v] of [...self.entries()].filter(([k]) => !/idle|program/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(v.toFixed(1).padStart(8), k.slice(0, 150));
const parent = new Map();
for (const n of profile.nodes) for (const ch of n.children || []) parent.set(ch, n.id);
const incl = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const seen = new Set();
  let id = profile.samples[i];
  while (id != null) {
    const n = byId.get(id);
    const key = n.callFrame.functionName;
    if (key && !seen.has(key)) { seen.add(key); incl.set(key, (incl.get(key) || 0) + (dt[i] || 0) / 1000); }
    id = parent.get(id);
  }
}
console.log('--- inclusive (lindung/core)');
for (const [k, v] of [...incl.entries()].filter(([k]) => /lindung|query|Search/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(v.toFixed(1).padStart(8), k.slice(0, 150));
await browser.close();
await server.close();
