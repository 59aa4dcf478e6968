//! Pengaturan: agent, device key, office server, storage and rule pack. Indonesian, then
//! English.

pub(crate) use super::common::{
    AGE, AGENT, AGENT_ID, AGENT_NAME, AGENT_REQUIRED, FUNDED_SLOTS_PER_VILLAGE, REGULATION, SAVE,
    TITLE, USE_THESE_RULES, VERSION,
};

crate::text::texts! {
    LANGUAGE =
        "Bahasa"
        | "Language";
    DEVICE_KEY =
        "Kunci perangkat"
        | "Device key";
    BUNDLES_FROM_PHONE_SIGNED =
        "Bundel dari HP ini ditandatangani dengan kunci ini. Kunci rahasianya tidak pernah keluar dari HP. Tunjukkan kode ini ke kantor kabupaten agar HP ini didaftarkan (district agents add --kid ...)."
        | "Bundles from this phone are signed with this key. Its secret part never leaves the phone. Show this code to the district office to enrol the phone (district agents add --kid ...).";
    OFFICE_SERVER =
        "Server kantor"
        | "Office server";
    SERVER_ADDRESS =
        "Alamat server"
        | "Server address";
    MAKE_SEND_BUNDLES_THEMSELVES =
        "Buat dan kirim bundel otomatis saat ada sinyal"
        | "Make and send bundles by themselves when there is signal";
    TRUSTED_OFFICE_KEY =
        "Kunci kantor yang dipercaya: "
        | "Trusted office key: ";
    COMPARE_WHAT_DISTRICT_INIT =
        " (cocokkan dengan yang dicetak district init)"
        | " (compare it with what district init printed)";
    NOT_YET_CONNECTED_OFFICE =
        "Belum tersambung ke server kantor."
        | "Not yet connected to an office server.";
    FORGET_OFFICE_KEY =
        "Lupakan kunci kantor"
        | "Forget the office key";
    STORAGE_DEVICE =
        "Penyimpanan di HP"
        | "Storage on this device";
    DATA_NOT_KEPT_DEVICE =
        "Data TIDAK disimpan di HP ini (hanya sementara)."
        | "Data is NOT kept on this device (temporary only).";
    ACTIVE_RULES =
        "Aturan yang berlaku"
        | "Active rules";
    USE_OTHER_RULES_PASTE =
        "Pakai aturan lain (tempel isi file JSON)"
        | "Use other rules (paste the JSON file)";
    BACK_DEFAULT_RULES =
        "Kembali ke aturan bawaan"
        | "Back to the default rules";
    SAVED =
        "Tersimpan."
        | "Saved.";
    SERVER_ADDRESS_MUST_START =
        "Alamat server harus diawali https:// (misalnya https://lindung.kab.go.id)."
        | "The server address must start with https:// (for example https://lindung.kab.go.id).";
    OFFICE_KEY_FORGOTTEN_NEXT =
        "Kunci kantor dilupakan: kunci server berikutnya yang dihubungi akan dipercaya."
        | "The office key was forgotten: the next server reached will be trusted.";
    QR_CODE_DEVICE_KEY =
        "Kode QR kunci perangkat"
        | "QR code of the device key";
    MAKING_KEY =
        "Kunci sedang dibuat…"
        | "Making the key…";
    APP_OPENED_FROM_OFFICE =
        "Aplikasi ini dibuka dari server kantor: bundel dikirim ke sana kecuali diisi alamat lain."
        | "This app was opened from the office server: bundles go there unless another address is set.";
    ENTER_OFFICE_ADDRESS =
        "Isi alamat server kantor kabupaten agar bundel terkirim otomatis. Kosongkan jika kantor menerima berkas saja."
        | "Enter the district office's server address so bundles are sent by themselves. Leave it empty if the office only takes files.";
    BROWSER_DOES_NOT_REPORT =
        "Browser ini tidak memberi tahu sisa ruang."
        | "This browser does not report free space.";
    RULES_TAKEN_FROM_OFFICE =
        "Aturan dari kantor yang pernah dipakai"
        | "Rules taken from the office";
    /// Between whole and tenths of a number.
    DECIMAL_SEPARATOR =
        ","
        | ".";
    RULES_CANNOT_BE_USED = "Aturan tidak dapat dipakai:" | "These rules cannot be used:";
    fn storage_used(used: &str, quota: &str) =
        "Terpakai {used} dari {quota} yang tersedia untuk Lindung."
        | "{used} used of {quota} available to Lindung.";
}
