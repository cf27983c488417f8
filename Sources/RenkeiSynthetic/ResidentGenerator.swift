public import RenkeiContracts

/// Deterministic synthetic 住民記録 (resident records) for tests, benchmarks and demos.
///
/// Values are realistic but invented: households sharing an address and a surname, names with katakana readings,
/// foreign residents with Roman names and residence statuses, codes from the layout's code tables, real dates, and a
/// few edge cases at fixed intervals (ideographic variation selectors, characters outside the BMP, values of
/// exactly the maximum length, 方書 with quotes and commas, the unknown birth date `0000-00-00`). Items the generator
/// does not know by key get a valid value for their type. The same layout and seed always give the same records.
public struct ResidentGenerator {
    public let layout: Layout
    private var random: SplitMix64
    private var index = 0
    private var household = Household()
    private var householdSerial = 0
    private let keys: [String]

    /// A generator for records of `layout` (the resident-record layout, or any other: unknown items get values by
    /// type).
    public init(layout: Layout, seed: UInt64) {
        self.layout = layout
        self.random = SplitMix64(seed: seed)
        self.keys = layout.items.map(\.key)
    }

    /// The state shared by the members of one household.
    private struct Household {
        var remaining = 0
        var number = ""
        var surname = ("", "")
        var foreign: (String, String, String, String?)?
        var municipality = ("", "", "", "")
        var townCode = ""
        var town = ""
        var lot = ""
        var building: String?
        var postal = ""
        var members = 0
    }

    /// The next record's values in layout order; `nil` for an absent optional item.
    public mutating func next() -> [String?] {
        index += 1
        if household.remaining == 0 { startHousehold() }
        household.remaining -= 1
        household.members += 1
        var person = makePerson()
        return layout.items.enumerated().map { position, item in
            value(for: item, key: keys[position], person: &person)
        }
    }

    private mutating func startHousehold() {
        householdSerial += 1
        household.remaining = 1 + random.below(4)
        household.members = 0
        household.number = String(format10(2_000_000_000 + householdSerial * 13))
        household.foreign = random.chance(4) ? random.pick(ResidentPools.foreigners) : nil
        household.surname =
            index % 97 == 1 ? random.pick(ResidentPools.edgeSurnames) : random.pick(ResidentPools.surnames)
        household.municipality = random.pick(ResidentPools.municipalities)
        let townIndex = random.below(ResidentPools.towns.count)
        let chome = random.below(ResidentPools.chome.count)
        household.town = ResidentPools.towns[townIndex] + ResidentPools.chome[chome]
        household.townCode = digits(townIndex + 1, width: 4) + digits(chome + 1, width: 3)
        household.lot =
            random.chance(50)
            ? "\(1 + random.below(30))番\(1 + random.below(20))号"
            : fullwidth(1 + random.below(30)) + "番地" + fullwidth(1 + random.below(20))
        if householdSerial % 101 == 50 {
            household.building = ResidentPools.edgeBuildings[householdSerial / 101 % ResidentPools.edgeBuildings.count]
        } else if random.chance(40) {
            household.building =
                random.pick(ResidentPools.buildings) + " \(1 + random.below(12))0\(1 + random.below(9))号室"
        } else {
            household.building = nil
        }
        household.postal = household.municipality.3 + digits(random.below(10_000), width: 4)
    }

    /// One person's values that several items derive from.
    private struct Person {
        var male: Bool
        var given: (String, String)
        var birth: (Int, Int, Int)
        var change: (Int, Int, Int)
        var status: String
        var reason: String
        var relationship: String
    }

    private mutating func makePerson() -> Person {
        let male = random.chance(50)
        let given = male ? random.pick(ResidentPools.maleNames) : random.pick(ResidentPools.femaleNames)
        let birth = randomDate(fromYear: 1935, toYear: 2024)
        let change = randomDate(fromYear: 2020, toYear: 2025)
        let statusRoll = random.below(100)
        let status: String
        let reason: String
        switch statusRoll {
        case ..<85:
            status = "1"
            reason = random.pick(["01", "03", "41", "50", "61", "04"])
        case ..<93:
            status = "2"
            reason = random.pick(["21", "22"])
        case ..<98:
            status = "3"
            reason = "23"
        default:
            status = "9"
            reason = "24"
        }
        let relationship: String
        if household.members == 1 {
            relationship = "02"
        } else if household.members == 2 {
            relationship = male ? "11" : "12"
        } else {
            relationship = random.pick(["20", "20", "20", "51", "52", "99"])
        }
        return Person(
            male: male, given: given, birth: birth, change: change, status: status, reason: reason,
            relationship: relationship)
    }

    private mutating func value(for item: Item, key: String, person: inout Person) -> String? {
        let foreign = household.foreign
        switch key {
        case "atena_number": return format10(1_000_000_000 + index * 7)
        case "household_number": return household.number
        case "resident_card_code":
            return random.chance(95) ? digits(Int(random.next() % 100_000_000_000), width: 11) : nil
        case "resident_class": return foreign == nil ? "1" : "2"
        case "resident_status": return person.status
        case "change_date": return dateText(person.change)
        case "change_reason": return person.reason
        case "name":
            if index % 503 == 250 { return maxLengthName(item.maxLength ?? 100) }
            if let foreign { return foreign.0 }
            return household.surname.0 + "　" + person.given.0
        case "name_kana":
            if let foreign { return foreign.1 }
            return household.surname.1 + "　" + person.given.1
        case "name_roman": return foreign?.0
        case "former_surname":
            return foreign == nil && index % 307 == 3 ? random.pick(ResidentPools.surnames).0 : nil
        case "alias": return foreign?.3
        case "sex": return index % 1999 == 7 ? "0" : (person.male ? "1" : "2")
        case "birth_date":
            if item.allowsUnknownDate && index % 211 == 100 { return "0000-00-00" }
            return dateText(person.birth)
        case "relationship": return person.relationship
        case "municipality_code": return municipalityCode(household.municipality.2)
        case "town_code": return household.townCode
        case "prefecture": return household.municipality.0
        case "municipality_name": return household.municipality.1
        case "town_name": return household.town
        case "lot_number": return household.lot
        case "building":
            if index % 1009 == 500 { return maxLengthBuilding(item.maxLength ?? 300) }
            return household.building
        case "postal_code": return household.postal
        case "resident_since": return random.chance(70) ? dateText(person.birth) : nil
        case "nationality_code": return foreign?.2
        case "residence_status_code": return foreign == nil ? nil : random.pick(["101", "201", "202", "203", "301"])
        case "stay_expiry_date":
            return foreign == nil ? nil : dateText(randomDate(fromYear: 2026, toYear: 2030))
        case "my_number": return random.chance(90) ? myNumber() : nil
        case "operator_id": return "OP" + digits(random.below(100_000), width: 5)
        case "operated_at":
            return dateText(person.change)
                + "T\(digits(8 + random.below(10), width: 2)):\(digits(random.below(60), width: 2)):\(digits(random.below(60), width: 2))+09:00"
        default: return genericValue(for: item)
        }
    }

    /// A valid value for an item the generator has no special knowledge of.
    private mutating func genericValue(for item: Item) -> String? {
        if !item.required && random.chance(30) { return nil }
        switch item.type {
        case .string:
            let length = min(item.maxLength ?? 10, 10)
            switch item.characterRule {
            case .ascii, .halfwidth: return String(repeating: "A", count: max(length, 1))
            case .fullwidthKatakana: return String(repeating: "ア", count: max(length, 1))
            case .fullwidth, .any: return String(repeating: "試", count: max(length, 1))
            }
        case .digits: return digits(Int(random.next() % 1_000_000_000), width: min(item.maxLength ?? 9, 9))
        case .integer: return String(random.below(1000))
        case .decimal(_, let scale): return scale > 0 ? "1." + String(repeating: "5", count: scale) : "1"
        case .date: return dateText(randomDate(fromYear: 1950, toYear: 2025))
        case .datetime: return dateText(randomDate(fromYear: 2020, toYear: 2025)) + "T12:00:00+09:00"
        case .code: return item.codeTable.map { random.pick($0.codes).value }
        case .boolean: return random.chance(50) ? "true" : "false"
        }
    }

    private mutating func randomDate(fromYear: Int, toYear: Int) -> (Int, Int, Int) {
        let year = fromYear + random.below(toYear - fromYear + 1)
        let month = 1 + random.below(12)
        let days = [
            31, (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
            31,
        ]
        return (year, month, 1 + random.below(days[month - 1]))
    }

    /// 100 characters where every fourth carries a variation selector: 125 scalars, 100 characters.
    private func maxLengthName(_ length: Int) -> String {
        (0..<length).map { $0 % 4 == 0 ? "葛\u{E0100}" : "山" }.joined()
    }

    private func maxLengthBuilding(_ length: Int) -> String {
        let unit = Array("グランドメゾン中央　")
        return String((0..<length).map { unit[$0 % unit.count] })
    }

    /// A 個人番号 with its check digit (numbering ordinance, art. 5): weights 2–7, 2–6 from the right.
    private mutating func myNumber() -> String {
        let body = (0..<11).map { _ in random.below(10) }
        var sum = 0
        for n in 1...11 {
            let digit = body[11 - n]
            sum += digit * (n <= 6 ? n + 1 : n - 5)
        }
        let remainder = sum % 11
        let check = remainder <= 1 ? 0 : 11 - remainder
        return body.map(String.init).joined() + String(check)
    }

    /// The 6-digit 全国地方公共団体コード: the 5-digit code and its check digit.
    private func municipalityCode(_ code: String) -> String {
        let d = code.compactMap(\.wholeNumberValue)
        let sum = d[0] * 6 + d[1] * 5 + d[2] * 4 + d[3] * 3 + d[4] * 2
        let check = (11 - sum % 11) % 10
        return code + String(check)
    }

    private func dateText(_ date: (Int, Int, Int)) -> String {
        digits(date.0, width: 4) + "-" + digits(date.1, width: 2) + "-" + digits(date.2, width: 2)
    }

    private func format10(_ value: Int) -> String { digits(value % 10_000_000_000, width: 10) }

    private func digits(_ value: Int, width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private func fullwidth(_ value: Int) -> String {
        String(String(value).map { ResidentPools.fullwidthDigits[$0.wholeNumberValue!] })
    }
}
