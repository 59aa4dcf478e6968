// Made-up people for the tests. No real person's NIK appears in this repository.

/** A woman born 5 February 1987 in Kab. Bengkayang, Kalimantan Barat:
 * 61 province, 07 regency, 01 district, 45 = day 5 + 40 (female), 02, 87, serial 0001. */
export const validNik = '6107014502870001';

/** The same NIK with its last digit missing: 15 digits. */
export const shortNik = '610701450287000';

/** A whole made-up ID card: the woman of `validNik`, a farmer. */
export const farmer = {
  nik: validNik,
  name: 'Siti Aminah',
  birthDate: '1987-02-05',
  sex: 'F' as const,
  segment: 'BPU' as const,
  category: 'petani',
};

/** A made-up village official: a man born 1 January 1980 in Kab. Bengkayang. */
export const villageOfficial = {
  nik: '6107010101800002',
  name: 'Budi Santoso',
  birthDate: '1980-01-01',
  sex: 'M' as const,
  segment: 'PU' as const,
  category: 'perangkat_desa',
};

/** More made-up people of Kab. Bengkayang (valid NIKs; none is real). */
export const fisher = {
  nik: '6107010303900003',
  name: 'Joko Susilo',
  birthDate: '1990-03-03',
  sex: 'M' as const,
  segment: 'BPU' as const,
  category: 'nelayan',
};

export const secondFarmer = {
  nik: '6107014404950004',
  name: 'Dewi Lestari',
  birthDate: '1995-04-04',
  sex: 'F' as const,
  segment: 'BPU' as const,
  category: 'petani',
};

export const labourer = {
  nik: '6107011212850005',
  name: 'Agus Salim',
  birthDate: '1985-12-12',
  sex: 'M' as const,
  segment: 'BPU' as const,
  category: 'buruh',
};

/** A made-up village: Sungai Duri, Kec. Sungai Raya, Kab. Bengkayang. */
export const village = { code: '61.07.01.2001', name: 'Sungai Duri' };

/** A made-up farmer of 51: within the shipped pack's age window (18-65). */
export const olderFarmer = {
  nik: '6107010505750006',
  name: 'Slamet Riyadi',
  birthDate: '1975-05-05',
  sex: 'M' as const,
  segment: 'BPU' as const,
  category: 'petani',
};
