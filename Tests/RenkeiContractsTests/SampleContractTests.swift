import RenkeiContracts
import Testing

@Suite struct SampleContractTests {
    let contracts: ContractSet

    init() throws { contracts = try ContractLoader.load(directory: SampleContracts.directory) }

    @Test func loadWithoutAnyDiagnostic() {
        #expect(ContractLoader.check(directory: SampleContracts.directory).diagnostics.isEmpty)
    }

    @Test func residentRecordFollowsTheBasicDataList() throws {
        let layout = try #require(contracts.layout(named: "resident-record"))
        #expect(layout.items.count == 30)
        for name in [
            "宛名番号", "世帯番号", "住民種別", "住民状態", "氏名", "氏名_フリガナ", "性別", "生年月日", "続柄", "住所_郵便番号",
            "住所_町字", "住所_番地号表記", "住所_方書", "住民となった年月日", "異動事由", "異動年月日", "個人番号",
        ] {
            #expect(layout.item(name) != nil, "missing \(name)")
        }
        #expect(layout.item("個人番号")?.sensitivity == .mynumber)
        #expect(layout.item("氏名_フリガナ")?.characterRule == .fullwidthKatakana)
        #expect(layout.item("異動事由")?.codeTable?.contains("01") == true)
        #expect(layout.item("異動事由")?.codeTable?.contains("1") == false)
    }

    @Test func onlyMynumberZoneReceiversGetMyNumber() throws {
        for linkage in contracts.linkages {
            for receiver in linkage.receivers {
                let zone = try #require(contracts.system(receiver.system)).zone
                if receiver.items.contains("my_number") {
                    #expect(zone == .mynumber, "\(linkage.id) → \(receiver.system)")
                }
            }
        }
        let custom = try #require(contracts.projection(linkage: "resident-change", receiver: "C001"))
        #expect(!custom.items.contains { $0.sensitivity == .mynumber })
        let healthInsurance = try #require(contracts.projection(linkage: "resident-change", receiver: "018"))
        #expect(healthInsurance.items.count == 30)
    }

    @Test func receiversOfResidentChangeGetDifferentSubsets() throws {
        let linkage = try #require(contracts.linkage("resident-change"))
        #expect(linkage.receivers.count == 4)
        #expect(Set(linkage.receivers.map(\.items)).count == 4)
        #expect(contracts.linkage("resident-register-daily")?.failurePolicy.invalidRows == .quarantineInvalid)
        #expect(contracts.linkage("resident-query")?.mode == .query)
    }

    @Test func dailyRegisterGoesToTaxAsAFullFileAt2AM() throws {
        let linkage = try #require(contracts.linkage("resident-register-daily"))
        #expect(linkage.schedule == DailySchedule(hour: 2, minute: 0, timeZone: "Asia/Tokyo"))
        #expect(linkage.receiver("008")?.delivery == .file)
        #expect(linkage.receiver("008")?.fileMode == .full)
        #expect(linkage.receiver("018")?.fileMode == nil)
        #expect(contracts.system("008")?.endpoints.storage == "file:outbox/008")
        #expect(contracts.system("001")?.endpoints.inbox == "file:inbox/001")
        #expect(contracts.linkage("resident-change")?.schedule == nil)
    }

    @Test func receiverItemsComeInLayoutOrder() throws {
        let projection = try #require(contracts.projection(linkage: "resident-change", receiver: "002"))
        #expect(projection.itemIndices == projection.itemIndices.sorted())
        let receiver = try #require(contracts.linkage("resident-change")?.receiver("002"))
        #expect(receiver.items == projection.items.map(\.key))
    }
}
