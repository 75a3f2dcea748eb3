// swift-tools-version: 6.0
import PackageDescription

// Dependencies point inward: executables → JBRServer / JBRClient / geo → Reconcile, Journal, Wire → JBRCore.
// JBRCore imports nothing of ours and does no I/O (NIOCore only, for ByteBuffer).
let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let nioTestUtils: Target.Dependency = .product(name: "NIOTestUtils", package: "swift-nio")
let nioEmbedded: Target.Dependency = .product(name: "NIOEmbedded", package: "swift-nio")
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let nioHTTP1: Target.Dependency = .product(name: "NIOHTTP1", package: "swift-nio")
let metrics: Target.Dependency = .product(name: "Metrics", package: "swift-metrics")
let prometheus: Target.Dependency = .product(name: "Prometheus", package: "swift-prometheus")

let package = Package(
    name: "jbr",
    products: [
        .executable(name: "jbr-server", targets: ["JBRServerCommand"]),
        .executable(name: "jbr-client", targets: ["JBRClientCommand"]),
        .executable(name: "geo", targets: ["GeoCommand"]),
        .library(name: "JBRClient", targets: ["JBRClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLZ4",
            path: "Sources/CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        // Intel ISA-L: CRC32C with the CPU's crc32 instruction, for every record and frame checksum.
        .systemLibrary(
            name: "CISAL",
            path: "Sources/CISAL",
            pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"])]
        ),
        // libfuse 3's low-level API, for the mount.
        .systemLibrary(
            name: "CFUSE3",
            path: "Sources/CFUSE3",
            pkgConfig: "fuse3",
            providers: [.apt(["libfuse3-dev"])]
        ),
        .target(name: "JBRCore", dependencies: [nioCore, "CISAL"]),
        .target(name: "Wire", dependencies: ["JBRCore", nioCore, nioPosix, crypto, logging]),
        .target(name: "Journal", dependencies: ["JBRCore", "CLZ4", nioCore]),
        .target(name: "Reconcile", dependencies: ["JBRCore", "Journal", "Wire", nioCore]),
        .target(name: "JBRServer", dependencies: ["JBRCore", "Reconcile", "Journal", "Wire", nioCore, nioPosix, nioHTTP1, logging, metrics]),
        .target(name: "JBRClient", dependencies: ["JBRCore", "Wire", logging, nioPosix]),
        // The FUSE mount: the volume as a POSIX directory, over JBRClient.
        .target(name: "JBRMount", dependencies: ["CFUSE3", "JBRClient", "JBRCore", nioCore, logging]),
        .target(name: "geo", dependencies: ["JBRCore", "Journal", "JBRClient"]),
        // Offline checks of recorded client histories (linearizability per file, lost and
        // duplicated writes). Depends on nothing, so any harness can use it.
        .target(name: "HistoryChecker"),
        // The nemesis: real bricks, clients recording a history, faults injected between them.
        .target(name: "Nemesis", dependencies: ["JBRServer", "JBRClient", "JBRCore", "HistoryChecker", nioCore, nioPosix, logging]),

        .executableTarget(name: "JBRServerCommand", dependencies: ["JBRServer", "JBRClient", "Nemesis", "HistoryChecker", "Reconcile", "Wire", "JBRCore", nioCore, argumentParser, logging, metrics, prometheus]),
        .executableTarget(name: "JBRClientCommand", dependencies: ["JBRClient", "JBRMount", "JBRCore", argumentParser, logging]),
        .executableTarget(name: "GeoCommand", dependencies: ["geo", "JBRCore", argumentParser]),

        // Helpers shared by test targets (a tmpfs to fill); not part of any product.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "JBRCoreTests", dependencies: ["JBRCore", nioCore]),
        .testTarget(name: "WireTests", dependencies: ["Wire", "JBRCore", nioCore, nioPosix, nioEmbedded, nioTestUtils, logging]),
        .testTarget(name: "JournalTests", dependencies: ["Journal", "JBRCore", "TestSupport"]),
        .testTarget(name: "ReconcileTests", dependencies: ["Reconcile", "JBRCore", nioCore]),
        .testTarget(name: "HistoryCheckerTests", dependencies: ["HistoryChecker"]),
        .testTarget(name: "JBRMountTests", dependencies: ["JBRMount", "JBRCore"]),
        .testTarget(name: "JBRServerTests", dependencies: ["JBRServer", "JBRClient", "Nemesis", "HistoryChecker", "Journal", "JBRCore", "TestSupport", nioCore, logging]),
    ]
)
