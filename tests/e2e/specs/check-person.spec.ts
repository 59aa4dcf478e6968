// An agent copies a whole ID card into the form and reads the verdict.
import { test, expect } from '../fixtures';
import { farmer, villageOfficial } from '../people';

test('a farmer who meets the rules is eligible, with the monthly contribution', async ({ checkPerson }) => {
  await checkPerson.open();

  await checkPerson.fillPerson(farmer);

  await expect(checkPerson.issues).toHaveCount(0);
  await expect(checkPerson.outcome).toContainText('Memenuhi syarat');
  await expect(checkPerson.contribution).toHaveText('Iuran Rp16.800 per bulan (JKK Rp10.000 + JKM Rp6.800)');
});

test('a village official is priced on the wage base', async ({ checkPerson }) => {
  await checkPerson.open();

  await checkPerson.fillPerson(villageOfficial);

  await expect(checkPerson.outcome).toContainText('Memenuhi syarat');
  await expect(checkPerson.contribution).toHaveText('Iuran Rp5.400 per bulan (JKK Rp2.400 + JKM Rp3.000)');
});

test('a birth date and sex that disagree with the NIK are both refused', async ({ checkPerson }) => {
  await checkPerson.open();

  await checkPerson.fillPerson({ ...farmer, birthDate: '1987-02-06', sex: 'M' });

  await expect(checkPerson.issue('reg.birth_date_mismatch')).toContainText('5 Februari 1987');
  await expect(checkPerson.issue('reg.sex_mismatch')).toContainText('Perempuan');
  await expect(checkPerson.outcome).toHaveAttribute('data-eligible', 'false');
  await expect(checkPerson.outcome).toContainText('2 hal perlu diperbaiki');
});

test('pressing Periksa on an empty form lists what is missing', async ({ checkPerson }) => {
  await checkPerson.open();

  await checkPerson.check();

  await expect(checkPerson.issue('reg.required')).toHaveCount(5);
  await expect(checkPerson.issue('reg.required').first()).toContainText('NIK wajib diisi');
  await expect(checkPerson.outcome).toContainText('5 hal perlu diperbaiki');
});
