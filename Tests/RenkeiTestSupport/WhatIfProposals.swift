import Foundation

/// A text edit of a contract file (or its removal), for proposed contract sets made from the sample contracts.
package struct ContractEdit: Sendable {
    package var file: String
    package var old: String?
    package var new: String?

    package init(_ file: String, _ old: String, _ new: String) {
        (self.file, self.old, self.new) = (file, old, new)
    }

    package init(removing file: String) { self.file = file }

    /// A copy of `directory` (in a new temporary folder) with `edits` applied; fails when a text is not found.
    package static func copy(_ directory: String, applying edits: [ContractEdit]) throws -> String {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-contracts-\(UUID())").path
        try FileManager.default.copyItem(atPath: directory, toPath: target)
        for edit in edits {
            let path = target + "/" + edit.file
            guard let old = edit.old, let new = edit.new else {
                try FileManager.default.removeItem(atPath: path)
                continue
            }
            let text = try String(contentsOfFile: path, encoding: .utf8)
            guard text.contains(old) else { throw EditNotFound(file: edit.file, text: old) }
            try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
        }
        return target
    }

    package struct EditNotFound: Error { package var file: String, text: String }
}

/// The proposals the what-if tests (library and command) replay a history against.
package enum WhatIfProposals {
    /// 002 removed from resident-change and 008 added with 個人番号; 017 given 住民票コード; C001 losing 続柄.
    package static let a: [ContractEdit] = [
        ContractEdit(
            "linkages/resident-change.yaml",
            """
              - system: "002"
                purpose: 児童手当の受給資格確認
                delivery: pull
                items: [宛名番号, 世帯番号, 住民種別, 住民状態, 異動年月日, 異動事由, 氏名, 氏名_フリガナ, 性別, 生年月日, 続柄,
                  住所_郵便番号, 住所_都道府県, 住所_市区郡町村名, 住所_町字, 住所_番地号表記, 住所_方書, 個人番号]
            """,
            """
              - system: "008"
                purpose: 個人住民税の課税資料の確認
                delivery: pull
                items: [宛名番号, 氏名, 個人番号]
            """),
        ContractEdit(
            "linkages/resident-change.yaml",
            "items: [宛名番号, 世帯番号, 住民種別, 住民状態, 異動年月日, 異動事由, 氏名, 氏名_フリガナ, 性別, 生年月日, 続柄,\n      住所_市区町村コード",
            "items: [宛名番号, 世帯番号, 住民票コード, 住民種別, 住民状態, 異動年月日, 異動事由, 氏名, 氏名_フリガナ, 性別, 生年月日, 続柄,\n      住所_市区町村コード"),
        ContractEdit("linkages/resident-change.yaml", "生年月日, 続柄, 住所_町字コード]", "生年月日, 住所_町字コード]"),
    ]

    /// resident-register-daily removed; resident-change provided by C001 instead of 001.
    package static let b: [ContractEdit] = [
        ContractEdit(removing: "linkages/resident-register-daily.yaml"),
        ContractEdit("linkages/resident-change.yaml", "provider: \"001\"", "provider: C001"),
        ContractEdit(
            "linkages/resident-change.yaml",
            """
              - system: C001
                purpose: 子育て応援ポイントの対象世帯の把握
                delivery: pull
                items: [宛名番号, 世帯番号, 住民状態, 異動年月日, 異動事由, 生年月日, 続柄, 住所_町字コード]
            """, ""),
    ]
}
