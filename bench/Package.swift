// swift-tools-version: 6.1
import PackageDescription

// Benchmarks of the Renkei packages, kept out of the main package so its build stays lean.
// Run: see README.md. Results: RESULTS.md.
let package = Package(
    name: "renkei-bench",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "renkei", path: "..")
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
    ]
)
