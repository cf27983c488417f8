/// The resident record as a `Codable` struct, the way an application would hand it to Foundation's
/// `JSONEncoder`/`JSONDecoder`: the baseline the codec is measured against. Absent items are `nil` (omitted).
struct ResidentDTO: Codable {
    var atena_number, household_number, resident_card_code, resident_class, resident_status: String?
    var change_date, change_reason, name, name_kana, name_roman, former_surname, alias, sex: String?
    var birth_date, relationship, municipality_code, town_code, prefecture, municipality_name: String?
    var town_name, lot_number, building, postal_code, resident_since, nationality_code: String?
    var residence_status_code, stay_expiry_date, my_number, operator_id, operated_at: String?

    /// From values in the resident-record layout's item order.
    init(_ v: [String?]) {
        precondition(v.count == 30, "the resident-record layout has 30 items")
        (atena_number, household_number, resident_card_code, resident_class, resident_status) = (
            v[0], v[1], v[2], v[3], v[4]
        )
        (change_date, change_reason, name, name_kana, name_roman) = (v[5], v[6], v[7], v[8], v[9])
        (former_surname, alias, sex, birth_date, relationship) = (v[10], v[11], v[12], v[13], v[14])
        (municipality_code, town_code, prefecture, municipality_name, town_name) = (v[15], v[16], v[17], v[18], v[19])
        (lot_number, building, postal_code, resident_since, nationality_code) = (v[20], v[21], v[22], v[23], v[24])
        (residence_status_code, stay_expiry_date, my_number, operator_id, operated_at) = (
            v[25], v[26], v[27], v[28], v[29]
        )
    }
}
