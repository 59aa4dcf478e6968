//! The registration form and the NIK check (src/check_form.rs, src/screens/register.rs).
//! Indonesian, then English.

pub(crate) use super::common::{DATE_BIRTH, REGISTER_WORKER, SAVE, SEX};

crate::text::texts! {
    ID_CARD_USE_DATE =
        "Sesuai KTP: pakai tanggal lahir dan jenis kelamin ini"
        | "As on the ID card: use this date of birth and sex";
    WHERE_NIK_ISSUED =
        "Tempat NIK diterbitkan"
        | "Where the NIK was issued";
    COPY_DETAILS_FROM_ID =
        "Salin data dari KTP. Setiap isian langsung diperiksa dengan aturan yang berlaku."
        | "Copy the details from the ID card. Each entry is checked against the active rules as you type.";
    NAME_ID_CARD =
        "Nama (sesuai KTP)"
        | "Name (as on the ID card)";
    CHOOSE =
        "Pilih"
        | "Choose";
    MALE =
        "Laki-laki"
        | "Male";
    FEMALE =
        "Perempuan"
        | "Female";
    MEMBERSHIP =
        "Kepesertaan"
        | "Membership";
    OCCUPATION_POSITION =
        "Pekerjaan / jabatan"
        | "Occupation / position";
    CHECK =
        "Periksa"
        | "Check";
    SAVING =
        "Menyimpan…"
        | "Saving…";
    DISTRICT =
        "kecamatan"
        | "district";
    ELIGIBLE =
        "Memenuhi syarat"
        | "Eligible";
    YEARS =
        "tahun"
        | "years";
    PAID_FROM =
        "Dibayar dari"
        | "Paid from";
    EDIT_RECORD =
        "Ubah data"
        | "Edit record";
    REASON_CHANGE =
        "Alasan perubahan"
        | "Reason for the change";
    SAVED =
        "Tersimpan"
        | "Saved";
    DIFFERENT_PERSON_SAVE =
        "Orang yang berbeda — simpan"
        | "A different person — save";
    SEE_EXISTING_RECORD =
        "Lihat data yang sudah ada"
        | "See the existing record";
    DRAFT_KEPT_DEVICE =
        "Draf tersimpan di HP."
        | "Draft kept on this device.";
    DRAFT_COULD_NOT_KEPT =
        "Draf gagal disimpan."
        | "The draft could not be kept.";
    CHECK_A_PERSON = "Periksa calon peserta" | "Check a person";
    PARTICIPANT_DETAILS = "Data peserta" | "Participant details";
    fn contribution(total: &str, lines: &str) =
        "Iuran {total} per bulan ({lines})" | "Contribution {total} a month ({lines})";
    fn things_to_fix(count: usize) = "{count} hal perlu diperbaiki" | "{count} things to fix";
}
