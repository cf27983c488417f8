// swift-tools-version: 6.1
import PackageDescription

// Layout and import rules: see docs/architecture.md and DESIGN §7.
// Each target owns one thing and imports only what it needs.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "renkei",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "renkei", targets: ["renkei"]),
        .library(name: "RenkeiContracts", targets: ["RenkeiContracts"]),
        .library(name: "RenkeiCodec", targets: ["RenkeiCodec"]),
        .library(name: "RenkeiSynthetic", targets: ["RenkeiSynthetic"]),
        .library(name: "RenkeiKafka", targets: ["RenkeiKafka"]),
        .library(name: "RenkeiStorage", targets: ["RenkeiStorage"]),
        .library(name: "RenkeiBus", targets: ["RenkeiBus"]),
        .library(name: "RenkeiGateway", targets: ["RenkeiGateway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "RenkeiContracts",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "RenkeiCodec",
            dependencies: ["RenkeiContracts"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "RenkeiSynthetic",
            dependencies: ["RenkeiContracts"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "RenkeiKafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "RenkeiStorage",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "RenkeiBus",
            dependencies: [
                "RenkeiContracts",
                "RenkeiCodec",
                "RenkeiKafka",
                "RenkeiStorage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "RenkeiGateway",
            dependencies: [
                "RenkeiContracts",
                "RenkeiCodec",
                "RenkeiBus",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "renkei",
            dependencies: [
                "RenkeiContracts",
                "RenkeiCodec",
                "RenkeiSynthetic",
                "RenkeiKafka",
                "RenkeiBus",
                "RenkeiGateway",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RenkeiContractsTests",
            dependencies: ["RenkeiContracts"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "RenkeiCodecTests",
            dependencies: ["RenkeiCodec", "RenkeiContracts", "RenkeiSynthetic"]
        ),
        .testTarget(
            name: "RenkeiKafkaTests",
            dependencies: ["RenkeiKafka"]
        ),
        .testTarget(
            name: "RenkeiCLITests",
            dependencies: [
                "RenkeiContracts", "RenkeiCodec", "RenkeiSynthetic", "renkei", "RenkeiBus", "RenkeiKafka",
                "RenkeiTestSupport",
            ],
            // Proposed contract sets read from the source tree by the diff tests, not bundled.
            exclude: ["DiffFixtures"]
        ),
        // Test fixtures shared by several test targets (a moto S3 server, proposed contracts, legacy-encoded CSV);
        // never part of a product.
        .target(
            name: "RenkeiTestSupport",
            dependencies: [
                "RenkeiStorage", "RenkeiCodec", "RenkeiContracts", "RenkeiSynthetic",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/RenkeiTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RenkeiStorageTests",
            dependencies: [
                "RenkeiStorage",
                "RenkeiTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RenkeiBusTests",
            dependencies: [
                "RenkeiBus", "RenkeiCodec", "RenkeiContracts", "RenkeiKafka", "RenkeiStorage", "RenkeiSynthetic",
                "RenkeiTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "RenkeiGatewayTests",
            dependencies: [
                "RenkeiGateway", "RenkeiBus", "RenkeiCodec", "RenkeiContracts", "RenkeiKafka", "RenkeiSynthetic",
                "RenkeiTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // Reads docs/prometheus/renkei-alerts.yaml in the metrics documentation test.
                .product(name: "Yams", package: "Yams"),
            ],
            // The TLS tests' certificate and key, read from the source tree.
            exclude: ["TLS"]
        ),
    ]
)
