// A phone the office has not enrolled yet: its bundle reaches the district and
// waits for approval (said so, on a phone, in both languages); once the officer
// approves the phone, the bundle is merged and shows as delivered.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDistrict, serve, stop } from '../district';
import { test, expect } from '../fixtures';
import { RosterApp } from '../pages/roster-app';
import { farmer, village } from '../people';
import { expectFitsPhone, phone } from '../phone';

const port = 4197;
const base = `http://127.0.0.1:${port}`;

test.use({ viewport: phone });

test('a bundle from a phone not yet enrolled waits for approval, then is delivered', async ({ page }) => {
  test.setTimeout(90_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'lindung-approval-'));
  const db = path.join(dir, 'register.sqlite');
  const key = path.join(dir, 'district-key.json');
  runDistrict('init', '--db', db, '--key', key, '--district-id', '61.07');
  const server = await serve(db, key, port);
  try {
    const app = new RosterApp(page, base);
    // The agent starts work before the office has added this phone.
    await app.setAgent();
    await app.goto('#/pengaturan');
    const kid = await app.settings.deviceKid();
    await app.addVillage(village.code, village.name);
    await app.openRegister(village.code);
    await app.register(farmer);
    await page.getByTestId('nav-export').click();

    const delivery = page.locator('[data-testid="bundle"][data-sequence="1"]').getByTestId('delivery');
    await expect(delivery).toHaveAttribute('data-delivery', 'awaiting', { timeout: 20_000 });
    await expect(delivery).toHaveText('Terkirim · menunggu persetujuan kantor untuk HP ini');
    await expectFitsPhone(page, 'a bundle waiting for approval');
    await page.getByTestId('lang-toggle').click();
    await expect(delivery).toHaveText('Sent · waiting for the office to approve this phone');
    await expectFitsPhone(page, 'a bundle waiting for approval, in English');
    await page.getByTestId('lang-toggle').click();
    // Kept, not merged: the register holds it as pending.
    const agent = runDistrict('agents', 'list', '--db', db)
      .split('\n')
      .find((line) => line.startsWith(kid));
    expect(agent).toContain('\tpending\t');

    // The officer approves the phone; the next pass learns the bundle is in.
    // `--`: a kid may begin with `-`.
    runDistrict('agents', 'approve', '--db', db, '--', kid);
    await page.getByTestId('send-now').click();
    await expect(delivery).toHaveAttribute('data-delivery', 'delivered', { timeout: 20_000 });
    await expectFitsPhone(page, 'a delivered bundle');
    const month = new Date().toISOString().slice(0, 7);
    const report = JSON.parse(runDistrict('report', '--db', db, '--format', 'json', '--month', month));
    expect(report.villages.find((v: { code: string }) => v.code === village.code)?.funded).toBe(1);
  } finally {
    await stop(server);
  }
});
