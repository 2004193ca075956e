// swift-tools-version:6.1
import PackageDescription

// The whole application under libFuzzer: FastCGI parameters → `Application.respond(to:)` on a
// temporary database. Separate from Fuzz/Package.swift because it builds GRDB, swift-crypto and
// the rest with the sanitizers (minutes); run it with `Fuzz/run --app`.
//
// The product modules are the main package's own files, through the symlinks in Sources/.
let package = Package(
    name: "ServiceContactsAppFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .target(name: "ContactsDomain"),
        .target(name: "Localization", dependencies: ["ContactsDomain"]),
        .target(name: "HTTPCore"),
        .target(name: "Credentials", dependencies: ["CArgon2", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "ContactsStore", dependencies: ["ContactsDomain", "Credentials", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "WebApp", dependencies: [
            "ContactsDomain", "Localization", "HTTPCore", "Credentials", "ContactsStore",
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "FastCGIServer", dependencies: ["HTTPCore"]),
        .executableTarget(name: "FuzzApplication", dependencies: [
            "WebApp", "FastCGIServer", "HTTPCore", "ContactsStore", "ContactsDomain", "Credentials",
            .product(name: "Logging", package: "swift-log"),
        ]),
    ]
)
