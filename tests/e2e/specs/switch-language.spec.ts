// A person switches the app between Bahasa Indonesia and English.
import { test, expect } from '../fixtures';
import { shortNik, validNik } from '../people';

test('switching to English translates what the NIK says and its problems', async ({ checkPerson }) => {
  await checkPerson.open();
  await checkPerson.enterNik(validNik);
  await expect(checkPerson.nikBirthDate).toHaveText('5 Februari 1987');

  await checkPerson.switchLanguage();

  await checkPerson.expectLanguage('en');
  await expect(checkPerson.nikBirthDate).toHaveText('5 February 1987');
  await expect(checkPerson.nikSex).toHaveText('Female');
  await expect(checkPerson.nikRegion).toContainText('Kalimantan Barat');

  await checkPerson.enterNik(shortNik);
  await expect(checkPerson.issue('nik.length')).toContainText('A NIK has 16 digits');
});

test('switching back to Bahasa Indonesia keeps what was typed', async ({ checkPerson }) => {
  await checkPerson.open();
  await checkPerson.switchLanguage();
  await checkPerson.expectLanguage('en');
  await checkPerson.enterNik(shortNik);
  await expect(checkPerson.issue('nik.length')).toContainText('A NIK has 16 digits');

  await checkPerson.switchLanguage();

  await checkPerson.expectLanguage('id');
  await expect(checkPerson.nikInput).toHaveValue(shortNik);
  await expect(checkPerson.issue('nik.length')).toContainText('NIK harus 16 angka');
});
