import Foundation
import RenkeiContracts
import Testing

/// `renkei contract asyncapi`: one AsyncAPI 3.0 document per system, checked by an independent parser
/// (`asyncapi3` from PyPI, through scripts/check-asyncapi.py) and read here as a user's tool would read it.
@Suite struct AsyncAPICommandTests {
    static let contracts = try! ContractLoader.load(
        directory: CLIRunner.repositoryRoot.appendingPathComponent("contracts").path)
    static let checker = CLIRunner.repositoryRoot.appendingPathComponent("scripts/check-asyncapi.py")

    /// Whether the parser is installed; in CI (`CI` set) a missing parser fails the tests instead of skipping them.
    static let parserAvailable: Bool = {
        if ProcessInfo.processInfo.environment["CI"].map({ !$0.isEmpty }) ?? false { return true }
        let probe = try? CLIRunner.runProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import asyncapi3, jsonschema, yaml"])
        return probe?.status == 0
    }()

    @Test(
        .enabled(
            if: parserAvailable,
            "asyncapi3 is not installed (scripts/setup.sh --with-test-tools); CI installs it and runs this test"))
    func everySystemsDocumentIsAcceptedByTheAsyncAPIParser() throws {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [String] = []
        for system in Self.contracts.systems {
            let file = directory.appendingPathComponent("\(system.id).json").path
            let result = try CLIRunner.run(["contract", "asyncapi", "--system", system.id, "--output", file])
            #expect(result.status == 0, "\(system.id): \(result.stderr)")
            files.append(file)
        }
        let yaml = directory.appendingPathComponent("017.yaml").path
        let result = try CLIRunner.run([
            "contract", "asyncapi", "--system", "017", "--format", "yaml", "--output", yaml,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        files.append(yaml)
        let check = try Self.check(files)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("\(Self.contracts.systems.count + 1) valid, 0 invalid"), "\(check.stdout)")
    }

    @Test(.enabled(if: parserAvailable, "asyncapi3 is not installed (scripts/setup.sh --with-test-tools)"))
    func parserRejectsADocumentThatBreaksTheSpecification() throws {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = try CLIRunner.run(["contract", "asyncapi", "--system", "C001"]).stdout
        // `subscribe` is AsyncAPI 2's word; 3.0 knows only send and receive. A dangling $ref breaks it too.
        let broken = text.replacingOccurrences(of: #""action": "receive""#, with: #""action": "subscribe""#)
            .replacingOccurrences(of: "#/components/schemas/resident-change-to-C001", with: "#/components/schemas/gone")
        #expect(broken != text)
        let file = directory.appendingPathComponent("broken.json").path
        try broken.write(toFile: file, atomically: true, encoding: .utf8)
        let check = try Self.check([file])
        #expect(check.status == 1)
        #expect(check.stderr.contains("action"), "\(check.stderr)")
        #expect(check.stderr.contains("$ref #/components/schemas/gone does not resolve"), "\(check.stderr)")
    }

    @Test func providerSendsOnTheLinkageTopicsAndAnswersQueries() throws {
        let document = try Self.document("001")
        let operations = try #require(document["operations"] as? [String: [String: Any]])
        let channels = try #require(document["channels"] as? [String: [String: Any]])
        func address(_ operation: [String: Any]) -> String? {
            let ref = (operation["channel"] as? [String: Any])?["$ref"] as? String
            return ref.flatMap { channels[String($0.dropFirst("#/channels/".count))]?["address"] as? String }
        }
        let sends = operations.values.filter { $0["action"] as? String == "send" }.compactMap(address)
        for receiver in ["018", "017", "002", "C001"] {
            #expect(sends.contains("renkei.out.resident-change.\(receiver)"))
            #expect(sends.contains("renkei.bulk.resident-change.\(receiver)"))
        }
        #expect(sends.contains("renkei.out.resident-register-daily.008"))

        let answer = try #require(operations["answer-resident-query"])
        #expect(answer["action"] as? String == "receive")
        #expect(address(answer) == "renkei.query.resident-query")
        let reply = try #require(answer["reply"] as? [String: Any])
        let replyChannel = try #require((reply["channel"] as? [String: Any])?["$ref"] as? String)
        #expect(
            channels[String(replyChannel.dropFirst("#/channels/".count))]?["address"] as? String
                == "renkei.reply.{instance}")
        #expect(
            (reply["address"] as? [String: Any])?["location"] as? String
                == "$message.header#/renkei_query_reply_to")
        #expect((reply["messages"] as? [Any])?.count == 2)  // one answer shape per asker: 017 and C001
        let messages = try #require((document["components"] as? [String: Any])?["messages"] as? [String: [String: Any]])
        let correlation = try #require(messages["answer-resident-query-to-017"]?["correlationId"] as? [String: Any])
        #expect(correlation["location"] as? String == "$message.header#/ce_renkeicorrelation")
        let group =
            (((answer["bindings"] as? [String: Any])?["kafka"] as? [String: Any])?["groupId"]
            as? [String: Any])?["const"] as? String
        #expect(group == "renkei-query.resident-query")
    }

    @Test func pushReceiverGetsExactlyItsItemsIncludingMyNumber() throws {
        let document = try Self.document("017")
        let operations = try #require(document["operations"] as? [String: [String: Any]])
        let receive = try #require(operations["receive-resident-change"])
        #expect(receive["action"] as? String == "receive")
        let http = ((receive["bindings"] as? [String: Any])?["http"] as? [String: Any])?["method"] as? String
        #expect(http == "POST")
        let access = try #require(receive["x-renkei-access"] as? [String: Any])
        #expect(access["zone"] as? String == "mynumber")
        #expect(access["scope"] as? String == "001:resident-change:read")
        #expect(access["purpose"] as? String == "介護保険の資格管理")

        let properties = try Self.payloadProperties(of: receive, in: document)
        let entitled = try #require(Self.contracts.linkage("resident-change")?.receiver("017")?.items)
        #expect(properties.keys.sorted() == entitled.sorted())
        #expect(properties.count == 20)
        #expect((properties["my_number"] as? [String: Any])?["title"] as? String == "個人番号")
        #expect((properties["my_number"] as? [String: Any])?["x-renkei-sensitivity"] as? String == "mynumber")
        #expect(properties["resident_card_code"] == nil)  // 住民票コード: in the layout, not given to 017

        // The webhook call's headers: signed, and the purpose percent-encoded as HTTP carries it.
        let messages = try #require((document["components"] as? [String: Any])?["messages"] as? [String: Any])
        let push = try #require(messages["push-resident-change-to-017"] as? [String: Any])
        let headers = try #require((push["headers"] as? [String: Any])?["properties"] as? [String: [String: Any]])
        #expect(["webhook-id", "webhook-timestamp", "webhook-signature"].allSatisfy { headers[$0] != nil })
        #expect(
            headers["ce-renkeipurpose"]?["const"] as? String
                == "%E4%BB%8B%E8%AD%B7%E4%BF%9D%E9%99%BA%E3%81%AE%E8%B3%87%E6%A0%BC%E7%AE%A1%E7%90%86")

        // 017 also asks resident-query: the answers it can get have its query items only, without 個人番号.
        let ask = try #require(operations["ask-resident-query"])
        #expect(ask["action"] as? String == "send")
        #expect((ask["x-renkei-rest"] as? [String: Any])?["path"] as? String == "/linkages/{linkage}/query")
    }

    @Test func generalZoneDocumentNeverNamesMyNumber() throws {
        let text = try CLIRunner.run(["contract", "asyncapi", "--system", "C001"]).stdout
        #expect(text.contains("atena_number"))
        #expect(!text.contains("my_number"))
        #expect(!text.contains("個人番号"))
        let yaml = try CLIRunner.run(["contract", "asyncapi", "--system", "C001", "--format", "yaml"]).stdout
        #expect(yaml.contains("\n        atena_number:\n"), "\(yaml.prefix(2000))")
        #expect(!yaml.contains("my_number") && !yaml.contains("個人番号"))
        // The same check finds it where a linkage gives it.
        #expect(try CLIRunner.run(["contract", "asyncapi", "--system", "018"]).stdout.contains("\"my_number\""))

        let document = try Self.document("C001")
        let operations = try #require(document["operations"] as? [String: [String: Any]])
        let properties = try Self.payloadProperties(
            of: try #require(operations["receive-resident-change"]), in: document)
        #expect(
            properties.keys.sorted()
                == (Self.contracts.linkage("resident-change")?.receiver("C001")?.items ?? []).sorted())
    }

    @Test func channelAddressesAreTheTopicsOfTheTopicPlan() throws {
        let plan = try CLIRunner.run(["topics", "plan", "--format", "json", "--instance", "{instance}"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let planned = try #require(
            (try JSONSerialization.jsonObject(with: plan.stdoutData) as? [String: Any])?["topics"] as? [[String: Any]])
        let documented = ["receiver", "bulk", "query", "reply"]
        let expected = Set(
            planned.filter { documented.contains($0["class"] as? String ?? "") }.compactMap { $0["name"] as? String })
        var addresses: Set<String> = []
        for system in Self.contracts.systems {
            let document = try Self.document(system.id)
            for (_, channel) in try #require(document["channels"] as? [String: [String: Any]]) {
                guard let address = channel["address"] as? String, channel["bindings"] != nil else { continue }
                addresses.insert(address)
                let topic = try #require(planned.first { $0["name"] as? String == address }, "\(address) not planned")
                let kafka = (channel["bindings"] as? [String: Any])?["kafka"] as? [String: Any]
                #expect(kafka?["partitions"] as? Int == topic["partitions"] as? Int, "\(address)")
                #expect(kafka?["replicas"] as? Int == topic["replicationFactor"] as? Int, "\(address)")
            }
        }
        #expect(addresses == expected)
        #expect(addresses.contains("renkei.out.resident-register-daily.008"))
    }

    @Test func restRoutesAreRoutesOfTheOpenAPIDocument() throws {
        let openAPI = try String(
            contentsOf: CLIRunner.repositoryRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        var paths: Set<String> = []
        for system in Self.contracts.systems {
            let document = try Self.document(system.id)
            for (_, operation) in try #require(document["operations"] as? [String: [String: Any]]) {
                if let path = (operation["x-renkei-rest"] as? [String: Any])?["path"] as? String { paths.insert(path) }
            }
        }
        #expect(paths.count == 5)
        for path in paths { #expect(openAPI.contains("\n  \(path):\n"), "\(path) is not in docs/openapi.yaml") }
    }

    @Test func serversComeFromTheOptions() throws {
        let document = try Self.document(
            "017", ["--kafka", "kafka-1.city.lg.jp:9093", "--gateway", "https://bus.city.lg.jp/renkei"])
        let servers = try #require(document["servers"] as? [String: [String: Any]])
        #expect(servers["kafka"]?["host"] as? String == "kafka-1.city.lg.jp:9093")
        #expect(servers["gateway"]?["host"] as? String == "bus.city.lg.jp")
        #expect(servers["gateway"]?["pathname"] as? String == "/renkei")
        #expect(servers["gateway"]?["protocol"] as? String == "https")
        #expect(servers["webhook"]?["host"] as? String == "127.0.0.1:18017")
    }

    @Test func unknownSystemExitsWithTheKnownIds() throws {
        let result = try CLIRunner.run(["contract", "asyncapi", "--system", "999"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("There is no system `999`; known systems: 001, 018, 017, 008, 002, C001."))
        #expect(result.stdout.isEmpty)
    }

    // MARK: helpers

    static func document(_ system: String, _ options: [String] = []) throws -> [String: Any] {
        let result = try CLIRunner.run(["contract", "asyncapi", "--system", system] + options)
        try #require(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
    }

    /// The payload properties of an operation's first message, following the `$ref`s as a reader would.
    static func payloadProperties(of operation: [String: Any], in document: [String: Any]) throws -> [String: Any] {
        func resolve(_ value: Any?) throws -> [String: Any] {
            var object = try #require(value as? [String: Any])
            while let ref = object["$ref"] as? String {
                var target: Any = document
                for part in ref.dropFirst(2).split(separator: "/") {
                    target = try #require((target as? [String: Any])?[String(part)], "\(ref)")
                }
                object = try #require(target as? [String: Any])
            }
            return object
        }
        let message = try resolve((operation["messages"] as? [Any])?.first)
        let payload = try resolve(message["payload"])
        return try #require(payload["properties"] as? [String: Any])
    }

    static func scratchDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-asyncapi-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func check(_ files: [String]) throws -> CLIRunner.Result {
        try CLIRunner.runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", checker.path] + files)
    }
}
