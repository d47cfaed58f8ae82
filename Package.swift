// swift-tools-version: 6.1
// tokentally — LLM request logs in, typed usage summaries out.
//
// One target per pipeline stage (see docs/architecture.md); a stage never imports a later one.

import PackageDescription

let package = Package(
    name: "tokentally",
    products: [
        .executable(name: "tokentally", targets: ["tokentally"]),
        // One library per stage, for the benchmark package in Benchmarks/ (its micro-benchmarks
        // drive each stage through its public API). Not a stable API for other users.
        .library(name: "TallyPrimitives", targets: ["TallyPrimitives"]),
        .library(name: "LogInput", targets: ["LogInput"]),
        .library(name: "LineFraming", targets: ["LineFraming"]),
        .library(name: "UsageDecoding", targets: ["UsageDecoding"]),
        .library(name: "UsageAggregation", targets: ["UsageAggregation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Mergeable percentile histograms for `--stats`.
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // C interop, fenced: only LogInput imports it.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Byte-scanning kernels (SIMD in C: Swift's SIMD compares do not vectorise).
        .target(name: "CScanKernels"),
        // Intel ISA-L's inflate, loaded with dlopen when present (docs/architecture.md,
        // "Inflate backends"); compiles, and reports "unavailable", without libisal-dev.
        // Only LogInput imports it.
        .target(
            name: "CIsal",
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        // A SIGBUS safety net for memory-mapped inputs truncated while being read.
        .target(name: "CMapGuard"),
        // Value types shared by every stage: exact decimals, civil time.
        .target(name: "TallyPrimitives"),
        // Stage 1: paths/stdin → decompressed bytes, with a verified status per input.
        .target(name: "LogInput", dependencies: ["CZlib", "CIsal", "CMapGuard", "TallyPrimitives"]),
        // Stage 2: decompressed bytes → batches of whole lines.
        .target(name: "LineFraming", dependencies: ["LogInput"]),
        // Stage 3: one line → one usage record or a counted failure.
        .target(name: "UsageDecoding", dependencies: ["TallyPrimitives", "CScanKernels"]),
        // Stage 4: records → group tables that merge exactly.
        .target(
            name: "UsageAggregation",
            dependencies: [
                "UsageDecoding", "TallyPrimitives", .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // Stage 5: tables → CSV, written atomically.
        .target(name: "SummaryOutput", dependencies: ["UsageAggregation", "TallyPrimitives"]),
        // Composes 1 → 5; the only target that uses Dispatch and threads.
        .target(
            name: "TallyPipeline",
            dependencies: ["LogInput", "LineFraming", "UsageDecoding", "UsageAggregation", "SummaryOutput"]
        ),
        // The command line as a library; the only target that imports ArgumentParser.
        .target(
            name: "TallyCommand",
            dependencies: [
                "TallyPipeline",
                "LogInput",
                "SummaryOutput",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "tokentally", dependencies: ["TallyCommand"]),

        // Helpers shared by the test targets (temporary directories, hand-made gzip, …).
        .target(name: "TestSupport", dependencies: ["TallyPrimitives"], path: "Tests/TestSupport"),
        .testTarget(name: "TallyPrimitivesTests", dependencies: ["TallyPrimitives"]),
        .testTarget(name: "LogInputTests", dependencies: ["LogInput", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LineFramingTests", dependencies: ["LineFraming", "TestSupport"]),
        .testTarget(name: "UsageDecodingTests", dependencies: ["UsageDecoding", "CScanKernels", "TestSupport"]),
        .testTarget(name: "UsageAggregationTests", dependencies: ["UsageAggregation", "TestSupport"]),
        .testTarget(name: "SummaryOutputTests", dependencies: ["SummaryOutput", "TestSupport"]),
        .testTarget(name: "TallyPipelineTests", dependencies: ["TallyPipeline", "LogInput", "TestSupport"]),
        .testTarget(name: "TallyCommandTests", dependencies: ["TallyCommand", "tokentally", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
