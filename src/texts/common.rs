//! Words more than one screen uses: Indonesian, then English. Each screen's
//! module names the ones it uses.

crate::text::texts! {
    MY_VILLAGES = "Desa saya" | "My villages";
    TRY_AGAIN = "Coba lagi" | "Try again";
    EXPORT_DATA = "Kirim data" | "Export data";
    SENDING = "Mengirim…" | "Sending…";
    DATE_BIRTH = "Tanggal lahir" | "Date of birth";
    SEX = "Jenis kelamin" | "Sex";
    SAVE = "Simpan" | "Save";
    REGISTER_WORKER = "Daftarkan pekerja" | "Register a worker";
    TITLE = "Judul" | "Title";
    VERSION = "Versi" | "Version";
    REGULATION = "Dasar hukum" | "Regulation";
    FUNDED_SLOTS_PER_VILLAGE = "Kuota didanai per desa" | "Funded slots per village";
    AGE = "Umur" | "Age";
    USE_THESE_RULES = "Pakai aturan ini" | "Use these rules";
    AGENT_NAME = "Nama petugas" | "Agent's name";
    AGENT_ID = "ID petugas (mis. nomor Perisai)" | "Agent id (e.g. Perisai number)";
    AGENT_REQUIRED = "Nama dan ID petugas wajib diisi." | "The agent's name and id are required.";
    DISTRICT_NOTES = "Catatan kantor kabupaten" | "The district office's notes";
    OCCUPATION = "Pekerjaan" | "Occupation";
    AGENT = "Petugas" | "Agent";
}
