//! The home screen: villages, adding one, the export reminder, a rule pack offered, and the
//! first run. Indonesian, then English.

pub(crate) use super::common::{
    AGE, AGENT_ID, AGENT_NAME, AGENT_REQUIRED, EXPORT_DATA, FUNDED_SLOTS_PER_VILLAGE, MY_VILLAGES,
    REGULATION, SAVE, TITLE, USE_THESE_RULES, VERSION,
};

crate::text::texts! {
    IF_PHONE_LOST_BROKEN =
        "Jika HP hilang atau rusak, data yang belum dikirim ikut hilang. Kirim sekarang."
        | "If the phone is lost or broken, unsent data is lost with it. Export now.";
    LAST_REACHED_OFFICE_SERVER =
        "Terakhir tersambung ke server kantor: "
        | "Last reached the office server: ";
    NO_VILLAGES_YET =
        "Belum ada desa. Tambahkan desa tempat Anda bertugas."
        | "No villages yet. Add the villages you work in.";
    ADD_VILLAGE =
        "Tambah desa"
        | "Add a village";
    VILLAGE_NAME =
        "Nama desa"
        | "Village name";
    DISTRICT_REGENCY =
        "Kecamatan, kabupaten"
        | "District, regency";
    ADD =
        "Tambah"
        | "Add";
    TODAY =
        "Hari ini"
        | "Today";
    NEW_RULES_APPLY_FROM =
        "Aturan baru dipakai mulai sekarang untuk pendaftaran dan perubahan berikutnya."
        | "The new rules apply from now on to the next registrations and changes.";
    NEW_RULES_FROM_OFFICE =
        "Aturan baru dari kantor"
        | "New rules from the office";
    NEW_RULES_FROM_DISTRICT =
        "Aturan baru dari kantor kabupaten"
        | "New rules from the district office";
    IN_FORCE =
        "Berlaku"
        | "In force";
    USE_NOW =
        "Dipakai sekarang"
        | "In use now";
    RECORDS_ALREADY_SAVED_DO =
        "Data yang sudah tersimpan tidak berubah. Kantor menilai setiap data dengan aturannya sendiri."
        | "Records already saved do not change. The office judges every record with its own rules.";
    LATER =
        "Nanti"
        | "Later";
    NO_DATA_HAS_BEEN =
        "Belum pernah mengirim data dari HP ini."
        | "No data has been exported from this phone yet.";
    CHOOSE_VILLAGE_FROM_LISTS =
        "Pilih desa dari daftar, atau ketik kode desanya."
        | "Choose the village from the lists, or type its code.";
    WHO_AGENT =
        "Siapa petugasnya?"
        | "Who is the agent?";
    FIRST_ENTER_AGENT =
        "Isi nama dan ID petugas dulu: setiap pendaftaran dan setiap bundel mencatat siapa yang membuatnya."
        | "First enter the agent's name and id: every registration and every bundle records who made it.";
    fn village_added(name: &str) =
        "{name} ditambahkan. Buka desa ini untuk mendaftarkan pekerja."
        | "{name} added. Open it to register workers.";
    fn village_counts(funded: u32, slots: u32, waitlisted: u32, apparatus: u32) =
        "Didanai {funded} / {slots} · tunggu {waitlisted} · aparatur {apparatus}"
        | "Funded {funded} / {slots} · waitlist {waitlisted} · apparatus {apparatus}";
    fn from_date(date: &str) = "mulai {date}" | "from {date}";
    fn unsent_waiting(waiting: u32, days: u32) =
        "{waiting} data belum dikirim; yang tertua sudah {days} hari di HP ini."
        | "{waiting} records not yet exported; the oldest has waited {days} days on this phone.";
    fn village_unchecked(code: &str) =
        "Daftar desa provinsi ini belum tersimpan di HP ini, jadi kode {code} belum dicek dengan daftar Kemendagri. Ketik nama desanya sesuai surat tugas, lalu tekan Tambah."
        | "This province's list of villages is not on this phone yet, so code {code} is not checked against the Kemendagri list. Type the village's name as in your assignment letter, then press Add.";
    fn last_exported(days: u32, date: &str) =
        "Terakhir dikirim {days} hari lalu ({date})."
        | "Last exported {days} days ago ({date}).";
}
