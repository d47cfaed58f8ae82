// swift-tools-version: 6.1
// tokentally's fuzz targets (libFuzzer), for `scripts/fuzz.sh TARGET SECONDS`.
//
// Its own package, so the root's `swift build` / `swift test` never build them: they need
// `-sanitize=fuzzer,address` and lld, which scripts/fuzz.sh passes. It depends on the root
// package by path and reaches the stages through their library products.

import PackageDescription

let package = Package(
    name: "tokentally-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "tokentally", path: ".."),
    ],
    targets: [
        // The libFuzzer driver: each target's `main` hands its test to LLVMFuzzerRunDriver.
        .target(name: "FuzzSupport"),
        // Stage 3: any bytes as one line, through the decoder, the key builder and lastMatch.
        .executableTarget(
            name: "fuzz-decoder",
            dependencies: ["FuzzSupport", .product(name: "UsageDecoding", package: "tokentally"),
                           .product(name: "UsageAggregation", package: "tokentally")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        // Stage 2: any bytes, fed in chunks, framed into lines; every byte accounted for.
        .executableTarget(
            name: "fuzz-framer",
            dependencies: ["FuzzSupport", .product(name: "LineFraming", package: "tokentally")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        // Stage 1: any bytes as an input, inflated with zlib (and ISA-L when present: both
        // must give the same bytes and the same verdict).
        .executableTarget(
            name: "fuzz-inflate",
            dependencies: ["FuzzSupport", .product(name: "LogInput", package: "tokentally"),
                           .product(name: "LineFraming", package: "tokentally")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        // `--state` partials: any bytes as a group's stored measures (with `--stats`
        // distributions), decoded, read, merged and stored again.
        .executableTarget(
            name: "fuzz-measures",
            dependencies: ["FuzzSupport", .product(name: "UsageAggregation", package: "tokentally")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
    ]
)
