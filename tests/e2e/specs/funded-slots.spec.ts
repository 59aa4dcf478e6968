// With a rule pack funding 2 slots, the third worker waits; removing a funded
// worker moves them up.
import { readFileSync } from 'node:fs';
import { test, expect } from '../fixtures';
import { RosterApp } from '../pages/roster-app';
import { farmer, fisher, secondFarmer, village } from '../people';

function packWithTwoSlots(): string {
  const pack = JSON.parse(readFileSync('rules/default.json', 'utf8'));
  pack.id = 'test-two-slots';
  pack.version = '1.0.0';
  pack.funded_slots_per_village.value = 2;
  return JSON.stringify(pack);
}

test('the third eligible worker is waitlisted and promoted when a funded one is removed', async ({ page }) => {
  const app = new RosterApp(page);
  await app.setAgent();
  await app.usePack(packWithTwoSlots());
  await expect(app.settings.packSlots).toHaveText('2');
  await app.addVillage(village.code, village.name);
  await app.openRegister(village.code);
  await app.register(farmer);
  await app.register(fisher);

  await app.submit(secondFarmer);
  await expect(app.saved).toContainText('Daftar tunggu #1');
  // Said in words: the slots are taken, and what the waitlist means.
  await expect(page.getByTestId('waitlist-explained')).toContainText(
    `Semua 2 kuota didanai desa ini sudah terisi. ${secondFarmer.name} masuk daftar tunggu nomor 1`,
  );

  await app.openVillage(village.code);
  await expect(app.count('funded')).toHaveText('2 / 2');
  await expect(app.count('waitlisted')).toHaveText('1');
  // Nothing is removed on the first press: the agent is told who moves up.
  await app.row(farmer.name).click();
  await page.getByTestId('remove-reason').fill('pindah ke luar desa');
  await page.getByTestId('remove-button').click();
  await expect(page.getByTestId('remove-question')).toContainText(
    `Hapus ${farmer.name} dari daftar? Kuota yang kosong diberikan kepada ${secondFarmer.name}`,
  );
  await page.getByTestId('remove-cancel').click();
  await expect(page.getByTestId('remove-question')).toHaveCount(0);
  await app.openVillage(village.code);
  await expect(app.count('funded')).toHaveText('2 / 2');
  const question = await app.removeRecord(farmer.name, 'pindah ke luar desa');
  expect(question).toContain(secondFarmer.name);
  await expect(page.getByTestId('record-message')).toContainText(`${secondFarmer.name} naik dari daftar tunggu`);

  await page.reload();
  await app.openVillage(village.code);
  expect(await app.statusOf(secondFarmer.name)).toBe('funded');
  await expect(app.count('funded')).toHaveText('2 / 2');
  await expect(app.count('waitlisted')).toHaveText('0');
});
