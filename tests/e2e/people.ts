// Made-up people for the tests. No real person's NIK appears in this repository.

export type Sex = 'M' | 'F';
export type Segment = 'BPU' | 'PU';

/** A whole ID card as the registration form takes it: `birthDate` as YYYY-MM-DD,
 * `category` a category code of the rule pack (`petani`, `nelayan`, ...). */
export type Person = {
  nik: string;
  name: string;
  birthDate: string;
  sex: Sex;
  segment: Segment;
  category: string;
};

/** A woman born 5 February 1987 in Kab. Bengkayang, Kalimantan Barat:
 * 61 province, 07 regency, 01 district, 45 = day 5 + 40 (female), 02, 87, serial 0001. */
export const validNik = '6107014502870001';

/** The same NIK with its last digit missing: 15 digits. */
export const shortNik = '610701450287000';

/** A whole made-up ID card: the woman of `validNik`, a farmer. */
export const farmer: Person = {
  nik: validNik,
  name: 'Siti Aminah',
  birthDate: '1987-02-05',
  sex: 'F',
  segment: 'BPU',
  category: 'petani',
};

/** A made-up village official: a man born 1 January 1980 in Kab. Bengkayang. */
export const villageOfficial: Person = {
  nik: '6107010101800002',
  name: 'Budi Santoso',
  birthDate: '1980-01-01',
  sex: 'M',
  segment: 'PU',
  category: 'perangkat_desa',
};

/** More made-up people of Kab. Bengkayang (valid NIKs; none is real). */
export const fisher: Person = {
  nik: '6107010303900003',
  name: 'Joko Susilo',
  birthDate: '1990-03-03',
  sex: 'M',
  segment: 'BPU',
  category: 'nelayan',
};

export const secondFarmer: Person = {
  nik: '6107014404950004',
  name: 'Dewi Lestari',
  birthDate: '1995-04-04',
  sex: 'F',
  segment: 'BPU',
  category: 'petani',
};

export const labourer: Person = {
  nik: '6107011212850005',
  name: 'Agus Salim',
  birthDate: '1985-12-12',
  sex: 'M',
  segment: 'BPU',
  category: 'buruh',
};

/** A made-up village: Sungai Duri, Kec. Sungai Raya, Kab. Bengkayang. */
export const village = { code: '61.07.01.2001', name: 'Sungai Duri' };

/** A made-up farmer of 51: within the shipped pack's age window (18-65). */
export const olderFarmer: Person = {
  nik: '6107010505750006',
  name: 'Slamet Riyadi',
  birthDate: '1975-05-05',
  sex: 'M',
  segment: 'BPU',
  category: 'petani',
};
