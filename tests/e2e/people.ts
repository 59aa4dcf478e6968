// Made-up people for the tests. No real person's NIK appears in this repository.

/** A woman born 5 February 1987 in Kab. Bengkayang, Kalimantan Barat:
 * 61 province, 07 regency, 01 district, 45 = day 5 + 40 (female), 02, 87, serial 0001. */
export const validNik = '6107014502870001';

/** The same NIK with its last digit missing: 15 digits. */
export const shortNik = '610701450287000';
