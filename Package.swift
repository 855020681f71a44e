// swift-tools-version:6.2
import PackageDescription

// Why each dependency is here: see "Dependencies" in README.md.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "modelyard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "modelyard", targets: ["modelyard"]),
        .executable(name: "modelyard-bench", targets: ["modelyard-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", exact: "1.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // Matrix products go to OpenBLAS (one thread per call): measured ~8x faster than a portable Swift SIMD
        // kernel on the MLP fixtures because it dispatches to AVX2/FMA kernels at run time.
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]
        ),
        // Hand-written AVX2/FMA kernels (packed-weight SGEMM with fused bias and ReLU) for dense layers, chosen at
        // run time when the CPU has them: Debian's OpenBLAS measured about 2x slower than onnxruntime's MLAS on
        // the MLP fixtures' shapes (tall-skinny activations times small constant weights).
        // Optimised in debug builds too: the test suites run the debug binary, and these loops at -O0 made an
        // all-MiniLM-L6-v2 batch several times slower there.
        .target(
            name: "CModelKernels", path: "Sources/CModelKernels",
            cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
        // Native ONNX executor behind `InferenceSession`; depends on nothing of ours. The protobuf code is
        // generated once (scripts/generate-onnx-proto.sh) and committed.
        .target(
            name: "ModelRuntime",
            dependencies: ["COpenBLAS", "CModelKernels", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: swiftSettings
        ),
        // scikit-learn models read from joblib files without Python and without executing the pickle: a pickle
        // interpreter with an allow-list, joblib's array layout, and each estimator translated into double-precision
        // tree and linear evaluators behind `InferenceSession`. CompressNIO inflates joblib's zlib and gzip files
        // (bounded, so a small file cannot inflate without limit) over the system zlib.
        .target(
            name: "ScikitLearn",
            dependencies: [
                "ModelRuntime", .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Text-embedding models: BERT WordPiece tokenizers read from the files models ship (`tokenizer.json`,
        // `vocab.txt`), with ids identical to Hugging Face `tokenizers`; sentence-transformers folders (pooling,
        // normalisation, prompts) over an ONNX export or a BERT built natively from `model.safetensors`. Crypto
        // fingerprints the tokenizer (the deploy-compatibility check compares vocabularies by it).
        .target(
            name: "TextEmbedding", dependencies: ["ModelRuntime", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings),
        // Drift statistics (Kolmogorov–Smirnov with SciPy's exact p-values, Wasserstein, Jensen–Shannon, chi-squared
        // and normal tails): pure functions, tested against SciPy's values; depends on nothing.
        .target(name: "DriftStatistics", swiftSettings: swiftSettings),
        // Pure domain: value types and rules, no I/O. Drift settings and records hold the pure drift target's types.
        .target(name: "RegistryCore", dependencies: ["DriftStatistics"], swiftSettings: swiftSettings),
        // How the core's records are written as JSON (keys, optional fields, defaults for old files). The API, export
        // files and the store's JSON columns share one format, so it is defined once, here, outside the domain.
        .target(name: "RegistryWire", dependencies: ["RegistryCore"], swiftSettings: swiftSettings),
        // Persistence: RegistryStore / ArtifactStore protocols and their implementations.
        .target(
            name: "RegistryStore",
            dependencies: [
                "RegistryCore", "RegistryWire", "DriftStatistics",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the one hot loop that reads history points column by column.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Artifacts in S3-compatible object storage: SigV4 signing and the few S3 calls the artifact store needs
        // (put, multipart, copy, ranged get, head, delete, list), on AsyncHTTPClient and swift-crypto, because no
        // Swift S3 package is available to us (Soto is not mirrored). FoundationXML reads S3's small XML answers.
        .target(
            name: "ObjectStorage",
            dependencies: [
                "RegistryCore", "RegistryStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The registry on PostgreSQL, for teams that outgrow one machine: postgres-nio's `PostgresClient` pool (the
        // Swift server ecosystem's PostgreSQL driver; NIOSSL for `sslmode=require`), its own frozen migrations
        // applied under an advisory lock so servers that start together migrate once.
        .target(
            name: "PostgresStore",
            dependencies: [
                "RegistryCore", "RegistryStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The native API's request and response types and JSON conventions, shared by the server and the CLI's
        // client commands (which so depend on the core's value types, not on the server).
        .target(name: "ModelyardAPI", dependencies: ["RegistryCore", "RegistryWire", "DriftStatistics"], swiftSettings: swiftSettings),
        // HTML pages and SVG charts rendered on the server from core values; no I/O.
        .target(name: "Dashboard", dependencies: ["RegistryCore", "DriftStatistics"], swiftSettings: swiftSettings),
        // Use cases: one transaction each.
        .target(
            name: "Registry",
            dependencies: [
                "RegistryCore", "RegistryStore", "DriftStatistics",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Model pool, hot swap, inference metrics: serves the versions the registry deploys.
        .target(
            name: "Serving",
            dependencies: [
                "Registry", "RegistryCore", "RegistryStore", "ModelRuntime", "ScikitLearn", "TextEmbedding", "DriftStatistics",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Hummingbird application: one route group per surface.
        .target(
            name: "HTTPServer",
            dependencies: [
                "ModelyardAPI", "Registry", "RegistryCore", "Serving", "ModelRuntime", "TextEmbedding", "Dashboard", "DriftStatistics",
                // Webhook deliveries (outbound POSTs).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The composition root's helper: constructs the stores, the model pool and the registry (serve, tests and
        // benchmarks use it; HTTPServer itself never sees a store implementation).
        .target(
            name: "ModelyardComposition",
            dependencies: [
                "HTTPServer", "Registry", "RegistryStore", "ObjectStorage", "Serving",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "modelyard",
            dependencies: [
                "HTTPServer", "ModelyardAPI", "ModelyardComposition", "Registry", "RegistryStore", "RegistryCore",
                "ModelRuntime", "ScikitLearn", "TextEmbedding", "DriftStatistics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "modelyard-bench",
            dependencies: [
                "HTTPServer", "ModelyardAPI", "ModelyardComposition", "Registry", "RegistryCore", "RegistryStore",
                "Serving", "ModelRuntime", "Dashboard", "ScikitLearn", "DriftStatistics", "TextEmbedding",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Budget, reproducer file and report line of the structure-aware fuzz tests (scripts/fuzz.sh runs them long).
        .target(name: "FuzzSupport", path: "Tests/FuzzSupport", swiftSettings: swiftSettings),
        // Real servers for the tests that need them, started once per test process and stopped with it: moto's S3
        // API, and a PostgreSQL cluster in a temporary directory.
        .target(name: "TestServers", path: "Tests/TestServers", swiftSettings: swiftSettings),
        .testTarget(
            name: "PostgresStoreTests",
            dependencies: [
                "PostgresStore", "Registry", "RegistryStore", "RegistryCore", "TestServers",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ObjectStorageTests",
            dependencies: [
                "ObjectStorage", "RegistryStore", "RegistryCore", "TestServers",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(name: "RegistryCoreTests", dependencies: ["RegistryCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "RegistryWireTests", dependencies: ["RegistryWire", "RegistryCore", "ModelyardAPI"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ModelRuntimeTests", dependencies: ["ModelRuntime", "CModelKernels", "FuzzSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ScikitLearnTests",
            dependencies: [
                "ScikitLearn", "ModelRuntime", "FuzzSupport", .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(name: "TextEmbeddingTests", dependencies: ["TextEmbedding", "ModelRuntime"], swiftSettings: swiftSettings),
        .testTarget(name: "DriftStatisticsTests", dependencies: ["DriftStatistics", "FuzzSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "RegistryCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "RegistryStoreTests",
            dependencies: [
                "RegistryStore", "Registry", "RegistryCore", "DriftStatistics", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: [
                "HTTPServer", "ModelyardAPI", "ModelyardComposition", "Serving", "ModelRuntime", "FuzzSupport",
                "Registry", "RegistryCore", "RegistryStore", "RegistryWire", "ScikitLearn", "DriftStatistics",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Runs the real `modelyard` binary: CLI commands against a live server, crash and shutdown behaviour.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "modelyard", "HTTPServer", "ModelyardAPI", "RegistryStore", "RegistryCore", "FuzzSupport", "TestServers",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
