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

test('the birth date and sex a NIK holds are taken with one tap, and a typed disagreement is still refused', async ({ checkPerson, page }) => {
  await checkPerson.open();
  await checkPerson.enterNik(validNik);
  await expect(page.getByTestId('nik-sentence')).toHaveText('NIK ini: perempuan, lahir 5 Februari 1987.');

  // Typed wrong, then checked against the ID card: refused until taken.
  await checkPerson.birthDateInput.fill('1987-02-15');
  await checkPerson.sexSelect.selectOption('M');
  await expect(checkPerson.issue('reg.birth_date_mismatch')).toBeVisible();
  await page.getByTestId('take-from-nik').click();
  await expect(checkPerson.birthDateInput).toHaveValue('1987-02-05');
  await expect(checkPerson.sexSelect).toHaveValue('F');
  await expect(checkPerson.issue('reg.birth_date_mismatch')).toHaveCount(0);
  await expect(checkPerson.issue('reg.sex_mismatch')).toHaveCount(0);
  // Nothing left to take.
  await expect(page.getByTestId('take-from-nik')).toHaveCount(0);
});
