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
    ],
    dependencies: [
        .package(name: "tokentally", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The deterministic log generator, as a library (the micro-benchmarks feed it to the stages)…
        .target(name: "LogGeneration"),
        // …and as a command: `tokentally-loggen --bytes 1G --seed 1 > logs.jsonl`.
        .executableTarget(
            name: "tokentally-loggen",
            dependencies: ["LogGeneration", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
