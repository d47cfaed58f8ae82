// swift-tools-version: 6.1
// tokentally's benchmark package: a log generator and per-stage micro-benchmarks.
//
// Its own package, so the root's `swift build` / `swift test` never build benchmark tooling.
// It depends on the root package by path and reaches the stages through their library products.

import PackageDescription

let package = Package(
    name: "tokentally-benchmarks",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tokentally-loggen", targets: ["tokentally-loggen"]),
        .executable(name: "tokentally-inflate", targets: ["tokentally-inflate"]),
    ],
    dependencies: [
        .package(name: "tokentally", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // MallocInterposer alone: malloc counts per benchmark, without the ARC runtime interposer.
        .package(url: "https://github.com/ordo-one/package-benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The deterministic log generator, as a library (the micro-benchmarks feed it to the stages)…
        .target(name: "LogGeneration"),
        // …and as a command: `tokentally-loggen --bytes 1G --seed 1 > logs.jsonl`.
        .executableTarget(
            name: "tokentally-loggen",
            dependencies: ["LogGeneration", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Stage 1 alone on a file, with a chosen inflate backend (Benchmarks/inflate-stage1.sh).
        .executableTarget(
            name: "tokentally-inflate",
            dependencies: [.product(name: "LogInput", package: "tokentally")]
        ),
        // Per-stage micro-benchmarks (`swift package benchmark`); package-benchmark finds them
        // under Benchmarks/.
        .executableTarget(
            name: "StageBenchmarks",
            dependencies: [
                "LogGeneration",
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "LogInput", package: "tokentally"),
                .product(name: "LineFraming", package: "tokentally"),
                .product(name: "UsageDecoding", package: "tokentally"),
                .product(name: "UsageAggregation", package: "tokentally"),
            ],
            path: "Benchmarks/StageBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
