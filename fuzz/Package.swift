// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for the parsers that read untrusted input, kept out of the main package because every module
// must be compiled with the fuzzer and address sanitizer. Build and run with scripts/fuzz.sh; see
// docs/reliability.md "Fuzzing".
let package = Package(
    name: "renkei-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "renkei", path: ".."),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        // What every fuzzer shares: failing loudly on a broken invariant, splitting an input into parts.
        // Declares libFuzzer's driver, started from the main SwiftPM gives each executable.
        .target(name: "CFuzzerDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzerDriver"]),
        // What the CSV and JSON fuzzers share: a layout, a comparable decode, the invariants and round trips.
        .target(
            name: "CodecFuzzing",
            dependencies: [
                "FuzzSupport",
                .product(name: "RenkeiCodec", package: "renkei"),
                .product(name: "RenkeiContracts", package: "renkei"),
            ]
        ),
        // CSV record decoder, fed in two chunks, directly and through the transcoding decoder.
        .executableTarget(
            name: "FuzzCSV",
            dependencies: [
                "CodecFuzzing",
                "FuzzSupport",
                .product(name: "RenkeiCodec", package: "renkei"),
            ]
        ),
        // JSON record decoder, fed in two chunks, directly and through the transcoding decoder.
        .executableTarget(
            name: "FuzzJSON",
            dependencies: [
                "CodecFuzzing",
                "FuzzSupport",
                .product(name: "RenkeiCodec", package: "renkei"),
            ]
        ),
        // Contract loader: one YAML file's text inside a copy of the sample contracts.
        .executableTarget(
            name: "FuzzContracts",
            dependencies: [
                "FuzzSupport",
                .product(name: "RenkeiContracts", package: "renkei"),
            ]
        ),
        // Token endpoint: client assertions and access tokens built from the input.
        .executableTarget(
            name: "FuzzToken",
            dependencies: [
                "FuzzSupport",
                .product(name: "RenkeiGateway", package: "renkei"),
                .product(name: "RenkeiContracts", package: "renkei"),
                // Signs the assertions itself, so the fuzzer does not trust the JWT code it tests.
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Feed cursor text.
        .executableTarget(
            name: "FuzzFeedCursor",
            dependencies: [
                "FuzzSupport",
                .product(name: "RenkeiBus", package: "renkei"),
            ]
        ),
        // CloudEvents HTTP header values.
        .executableTarget(
            name: "FuzzCloudEvents",
            dependencies: [
                "FuzzSupport",
                .product(name: "RenkeiBus", package: "renkei"),
            ]
        ),
    ]
)
