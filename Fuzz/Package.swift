// swift-tools-version: 6.1
// Fuzz targets for Pantau's readers of outside input (docs/fuzzing.md).
// A separate package so that only PantauCore (and Yams, zlib) are built with libFuzzer's
// instrumentation; build with scripts/fuzz.sh (release, `-sanitize=fuzzer`, scratch path .build-fuzz).
import PackageDescription

let targets = [
    "FuzzXES", "FuzzXESGzip", "FuzzEventCSV", "FuzzPNML", "FuzzBPMN", "FuzzSOPYAML", "FuzzSOPJSON",
    "FuzzSurveyCSV", "FuzzEventJSON", "FuzzFormURLEncoded", "FuzzMultipart", "FuzzXLSX", "FuzzEventChunks",
]

let package = Package(
    name: "pantau-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "pantau", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [
            .product(name: "PantauCore", package: "pantau"),
            .product(name: "PantauReports", package: "pantau"),
        ]),
    ] + targets.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                "FuzzSupport",
                .product(name: "PantauCore", package: "pantau"),
                .product(name: "PantauReports", package: "pantau"),
            ]
        )
    },
    swiftLanguageModes: [.v6]
)
