// swift-tools-version: 6.1
// Benchmarks for Pantau's analysis core. A separate package so the main build never compiles it.
// It depends only on the PantauCore product of the main package, so a release build compiles
// PantauCore and its few dependencies, not the server stack.
//
//   swift build -c release --scratch-path .build-bench && .build-bench/release/pantau-bench --help
//   ./run.sh          # Pantau and (when installed) PM4Py side by side
import PackageDescription

let package = Package(
    name: "PantauBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "pantau", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "pantau-bench",
            dependencies: [.product(name: "PantauCore", package: "pantau")],
            path: "Sources/pantau-bench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
