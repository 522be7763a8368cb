// swift-tools-version: 6.1
// Benchmarks for Pantau's analysis core. A separate package so the main build never compiles it.
// pantau-bench depends only on the PantauCore product of the main package, so a release build of
// it compiles PantauCore and its few dependencies, not the server stack. pantau-store-bench (SKM
// results from a store of 1,000,000 responses, SQLite and PostgreSQL; see docs/skm.md) also
// needs PantauStore and its database drivers.
//
//   swift build -c release --scratch-path .build-bench --product pantau-bench && .build-bench/release/pantau-bench --help
//   ./run.sh          # Pantau and (when installed) PM4Py side by side
//   swift build -c release --scratch-path .build-bench --product pantau-store-bench && .build-bench/release/pantau-store-bench
import PackageDescription

let package = Package(
    name: "PantauBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "pantau", path: ".."),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
    ],
    targets: [
        .executableTarget(
            name: "pantau-bench",
            dependencies: [.product(name: "PantauCore", package: "pantau")],
            path: "Sources/pantau-bench"
        ),
        .executableTarget(
            name: "pantau-store-bench",
            dependencies: [
                .product(name: "PantauCore", package: "pantau"),
                .product(name: "PantauStore", package: "pantau"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            path: "Sources/pantau-store-bench"
        ),
        .executableTarget(
            name: "pantau-ingest-bench",
            dependencies: [
                .product(name: "PantauCore", package: "pantau"),
                .product(name: "PantauStore", package: "pantau"),
            ],
            path: "Sources/pantau-ingest-bench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
