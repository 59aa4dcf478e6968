//! A worker's record: details, history, removal. Indonesian, then English.

pub(crate) use super::common::{DATE_BIRTH, DISTRICT_NOTES, MY_VILLAGES, OCCUPATION, SEX};

crate::text::texts! {
    REMOVED_FROM_ROSTER =
        "Data dihapus dari daftar."
        | "Removed from the roster.";
    RECORD_NOT_FOUND =
        "Data tidak ditemukan."
        | "Record not found.";
    REGISTERED =
        "Didaftarkan"
        | "Registered";
    EDITED =
        "Diubah"
        | "Edited";
    REMOVED =
        "Dihapus"
        | "Removed";
    HIDE =
        "Sembunyikan"
        | "Hide";
    SHOW_FULL_NIK =
        "Tampilkan NIK lengkap"
        | "Show the full NIK";
    RULES =
        "Aturan"
        | "Rules";
    EDIT =
        "Ubah data"
        | "Edit";
    HISTORY =
        "Riwayat"
        | "History";
    REMOVE_FROM_ROSTER =
        "Hapus dari daftar"
        | "Remove from the roster";
    REASON_REQUIRED =
        "Alasan (wajib)"
        | "Reason (required)";
    YES_REMOVE =
        "Ya, hapus"
        | "Yes, remove";
    CANCEL =
        "Batal"
        | "Cancel";
    REMOVE =
        "Hapus"
        | "Remove";
    fn remove_whom(name: &str) = "Hapus {name} dari daftar?" | "Remove {name} from the roster?";
    fn remove_whom_promoting(name: &str, next: &str) =
        "Hapus {name} dari daftar? Kuota yang kosong diberikan kepada {next}, yang naik dari daftar tunggu dan menjadi didanai."
        | "Remove {name} from the roster? The freed slot goes to {next}, who moves up from the waitlist and becomes funded.";
    fn removed_promoting(promoted: &str) =
        "Data dihapus dari daftar. {promoted} naik dari daftar tunggu dan kini didanai."
        | "Removed from the roster. {promoted} moved up from the waitlist and is now funded.";
}
