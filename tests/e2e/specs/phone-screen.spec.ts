// On a 360 px phone: feedback shows where the agent is looking, nothing makes
// the page scroll sideways, and every control is big enough for a thumb.
import { test, expect } from '../fixtures';
import { RosterApp } from '../pages/roster-app';
import { farmer, fisher, village } from '../people';
import { phone, problems } from '../phone';

test.use({ viewport: phone });

/** A made-up woman with the farmer's birth date and name, another NIK. */
const lookAlike = { ...farmer, nik: '6107014502870008' };

test('at 360 px the outcome of Simpan is in view, and no screen scrolls sideways or has small controls', async ({ page }) => {
  const app = new RosterApp(page);
  await app.setAgent();
  expect(await problems(page), 'Pengaturan').toEqual([]);
  await app.addVillage(village.code, village.name);
  expect(await problems(page), 'Desa saya').toEqual([]);

  await app.openRegister(village.code);
  expect(await problems(page), 'Daftarkan pekerja').toEqual([]);
  await app.register(farmer);
  await expect(app.saved).toBeInViewport();
  await app.register(fisher);
  // The look-alike warning, and its button, where the agent pressed Simpan.
  await app.submit(lookAlike);
  await expect(page.getByTestId('possible-duplicate')).toBeInViewport();
  await page.getByTestId('confirm-different').click();
  await expect(app.saved).toBeInViewport();

  await app.openVillage(village.code);
  expect(await problems(page), 'Desa').toEqual([]);
  // The filters one per line, so their words are read whole.
  for (const filter of ['roster-status', 'roster-category', 'roster-sort']) {
    const box = (await page.getByTestId(filter).boundingBox())!;
    expect(box.width, filter).toBeGreaterThan(250);
  }
  await app.row(fisher.name).click();
  expect(await problems(page), 'Data peserta').toEqual([]);
  await expect(page.getByTestId('record-nik')).toHaveText('610701********03');
  await page.getByTestId('show-nik').click();
  await expect(page.getByTestId('record-nik')).toHaveText(fisher.nik);
  await page.getByTestId('show-nik').click();
  await expect(page.getByTestId('record-nik')).toHaveText('610701********03');

  await page.getByTestId('nav-export').click();
  await page.getByTestId('make-bundle').click();
  await expect(page.locator('[data-testid="bundle"][data-sequence="1"]')).toBeVisible();
  expect(await problems(page), 'Kirim data').toEqual([]);
  await app.goto('#/periksa');
  expect(await problems(page), 'Periksa NIK').toEqual([]);
});
