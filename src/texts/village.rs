//! A village: its roster, search and filters, contributions and budget, and the printed roster.
//! Indonesian, then English.

pub(crate) use super::common::{
    AGENT, DATE_BIRTH, DISTRICT_NOTES, MY_VILLAGES, OCCUPATION, REGISTER_WORKER,
};

crate::text::texts! {
    VILLAGE_HAS_NOT_BEEN =
        "Desa ini belum ditambahkan di HP ini."
        | "This village has not been added on this device.";
    BACK =
        "Kembali"
        | "Back";
    FUNDED_COUNT =
        "didanai"
        | "funded";
    WAITLIST_COUNT =
        "daftar tunggu"
        | "waitlist";
    APPARATUS_COUNT =
        "aparatur desa"
        | "apparatus";
    ROSTER =
        "Daftar peserta"
        | "Roster";
    SEARCH_NAME_NIK =
        "Cari nama atau NIK"
        | "Search name or NIK";
    STATUS =
        "Status"
        | "Status";
    ALL_STATUSES =
        "Semua status"
        | "All statuses";
    FUNDED_OPTION =
        "Didanai"
        | "Funded";
    WAITLIST_OPTION =
        "Daftar tunggu"
        | "Waitlist";
    APPARATUS_OPTION =
        "Aparatur desa"
        | "Apparatus";
    ALL_OCCUPATIONS =
        "Semua pekerjaan"
        | "All occupations";
    ORDER =
        "Urutan"
        | "Order";
    REGISTRATION_ORDER =
        "Urutan daftar"
        | "Registration order";
    NAME =
        "Nama"
        | "Name";
    SHOW_MORE =
        "Tampilkan lebih banyak"
        | "Show more";
    CONTRIBUTIONS =
        "Iuran"
        | "Contributions";
    PRINT_ROSTER_SIGNING =
        "Cetak daftar untuk ditandatangani"
        | "Print the roster for signing";
    MONTHLY =
        "Per bulan"
        | "Monthly";
    TWELVE_MONTHS =
        "12 bulan"
        | "12 months";
    PROGRAMME =
        "Per program"
        | "By programme";
    FUNDING_SOURCE =
        "Per sumber dana"
        | "By funding source";
    TOTAL =
        "Jumlah"
        | "Total";
    BPJS_KETENAGAKERJAAN_ROSTER =
        "Daftar peserta BPJS Ketenagakerjaan"
        | "BPJS Ketenagakerjaan roster";
    VILLAGE_HEAD =
        "Kepala Desa"
        | "Village head";
    fn district_notes_on(records: usize) =
        "Kantor kabupaten punya catatan untuk {records} data di desa ini. Buka datanya untuk melihat apa yang perlu diperiksa."
        | "The district office has notes on {records} records of this village. Open a record to see what to check.";
    fn people(count: usize) = "{count} orang" | "{count} people";
    fn paid_by_programme(paid: u32, from: &str) =
        "{paid} peserta dibayar program, mulai {from}."
        | "{paid} participants paid by the programme, from {from}.";
}
