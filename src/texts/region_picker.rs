//! The region picker. Indonesian, then English.

pub(crate) use super::common::TRY_AGAIN;

crate::text::texts! {
    TYPE_VILLAGE_CODE =
        "Atau ketik kode desa"
        | "Or type the village code";
    USE_CODE =
        "Pakai kode"
        | "Use code";
    CHOSEN_VILLAGE =
        "Desa terpilih: "
        | "Chosen village: ";
    PROVINCE = "Provinsi" | "Province";
    CHOOSE_PROVINCE = "Pilih provinsi" | "Choose a province";
    REGENCY = "Kabupaten/Kota" | "Regency/City";
    CHOOSE_REGENCY = "Pilih kabupaten/kota" | "Choose a regency/city";
    DISTRICT = "Kecamatan" | "District";
    CHOOSE_DISTRICT = "Pilih kecamatan" | "Choose a district";
    VILLAGE = "Desa/Kelurahan" | "Village";
    CHOOSE_VILLAGE = "Pilih desa/kelurahan" | "Choose a village";
    fn loading_villages(province: &str) =
        "Memuat daftar desa {province}…" | "Loading the villages of {province}…";
    fn district_of(name: &str) = "Kec. {name}" | "{name} district";
    fn villages_unreachable(province: &str) =
        "Daftar desa {province} belum tersimpan di HP ini dan tidak bisa diunduh sekarang. Sambungkan ke internet, lalu coba lagi."
        | "The villages of {province} are not saved on this phone yet and cannot be downloaded now. Connect to the internet, then try again.";
    fn villages_http(province: &str, status: u16) =
        "Daftar desa {province} tidak bisa diunduh (HTTP {status})."
        | "The villages of {province} could not be downloaded (HTTP {status}).";
    fn villages_damaged(province: &str, detail: &str) =
        "Daftar desa {province} rusak ({detail})."
        | "The list of villages of {province} is damaged ({detail}).";
}
