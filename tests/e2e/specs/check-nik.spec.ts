// A person types a NIK and reads what the app says about it.
import { test, expect } from '../fixtures';
import { shortNik, validNik } from '../people';

test('a NIK with 15 digits is refused, in Indonesian', async ({ checkPerson }) => {
  await checkPerson.open();

  await checkPerson.enterNik(shortNik);

  await expect(checkPerson.issue('nik.length')).toContainText('NIK harus 16 angka');
});

test('a corrected NIK shows the birth date, sex and province it holds', async ({ checkPerson }) => {
  await checkPerson.open();
  await checkPerson.enterNik(shortNik);
  await expect(checkPerson.issue('nik.length')).toBeVisible();

  await checkPerson.enterNik(validNik);

  await expect(checkPerson.issue('nik.length')).toHaveCount(0);
  await expect
    .poll(async () => (await checkPerson.issueCodes()).filter((code) => code.startsWith('nik.')))
    .toEqual([]);
  await expect(checkPerson.nikBirthDate).toHaveText('5 Februari 1987');
  await expect(checkPerson.nikSex).toHaveText('Perempuan');
  await expect(checkPerson.nikRegion).toContainText('Kalimantan Barat');
});
