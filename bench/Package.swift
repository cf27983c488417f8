// swift-tools-version: 6.1
import PackageDescription

// Benchmarks of the Renkei packages, kept out of the main package so its build stays lean.
// Run: see README.md. Results: RESULTS.md.
let package = Package(
    name: "renkei-bench",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "renkei", path: ".."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        // Counts heap allocations by interposing malloc and friends in the benchmark executable.
        .target(name: "CMallocCounter"),
        .executableTarget(
            name: "CodecBench",
            dependencies: [
                "CMallocCounter",
                .product(name: "RenkeiCodec", package: "renkei"),
                .product(name: "RenkeiContracts", package: "renkei"),
                .product(name: "RenkeiSynthetic", package: "renkei"),
            ],
            // Export the interposed malloc so the Swift runtime and Foundation call it, not glibc's.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"], .when(platforms: [.linux]))]
        ),
        // RenkeiKafka against the C ceiling in kafka/kafka_ceiling.c; run with kafka/run.sh.
        .executableTarget(
            name: "KafkaBench",
            dependencies: [
                .product(name: "RenkeiKafka", package: "renkei"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A bulk transfer through the whole bus to committed, on the embedded cluster; run with bus/run.sh.
        .executableTarget(
            name: "BusBench",
            dependencies: [
                .product(name: "RenkeiBus", package: "renkei"),
                .product(name: "RenkeiCodec", package: "renkei"),
                .product(name: "RenkeiContracts", package: "renkei"),
                .product(name: "RenkeiKafka", package: "renkei"),
                .product(name: "RenkeiSynthetic", package: "renkei"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Single-record provide latency and bulk throughput over HTTP through the real gateway on the embedded
        // cluster; run with gateway/run.sh.
        .executableTarget(
            name: "GatewayBench",
            dependencies: [
                .product(name: "RenkeiGateway", package: "renkei"),
                .product(name: "RenkeiBus", package: "renkei"),
                .product(name: "RenkeiCodec", package: "renkei"),
                .product(name: "RenkeiContracts", package: "renkei"),
                .product(name: "RenkeiKafka", package: "renkei"),
                .product(name: "RenkeiSynthetic", package: "renkei"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The history index (issue 11) at 10,000,000 entries: build rate, key lookups, newest-first pages, bus start,
        // memory; run with history/run.sh.
        .executableTarget(
            name: "HistoryBench",
            dependencies: [
                .product(name: "RenkeiBus", package: "renkei"),
                .product(name: "RenkeiContracts", package: "renkei"),
                .product(name: "RenkeiKafka", package: "renkei"),
                .product(name: "RenkeiSynthetic", package: "renkei"),
                .product(name: "Logging", package: "swift-log"),
                // For the SQLite floor of --split (the index's schema through the C API).
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // Long polls over HTTP: what waiting costs, how soon a commit wakes them, librdkafka clients held; run with
        // longpoll/run.sh.
        .executableTarget(
            name: "LongPollBench",
            dependencies: [
                .product(name: "RenkeiGateway", package: "renkei"),
                .product(name: "RenkeiBus", package: "renkei"),
                .product(name: "RenkeiCodec", package: "renkei"),
                .product(name: "RenkeiContracts", package: "renkei"),
                .product(name: "RenkeiKafka", package: "renkei"),
                .product(name: "RenkeiSynthetic", package: "renkei"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // File linkage (issue 12): state maintenance, full and differential daily files to a folder and to S3 (moto),
        // inbox ingest; run with files/run.sh.
        .executableTarget(
            name: "FileBench",
            dependencies: [
                .product(name: "RenkeiBus", package: "renkei"),
                .product(name: "RenkeiCodec", package: "renkei"),
                .product(name: "RenkeiContracts", package: "renkei"),
                .product(name: "RenkeiKafka", package: "renkei"),
                .product(name: "RenkeiStorage", package: "renkei"),
                .product(name: "RenkeiSynthetic", package: "renkei"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
