// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for the product's parsers. Run them with `Fuzz/run`.
//
// The product modules under test are compiled here from the main package's own files, through
// the symlinks in Sources/ (HTTPCore, ContactsDomain, Localization, and FastCGIServer's pure
// request mapping), so the main Package.swift needs no fuzz-only products.
let package = Package(
    name: "ServiceContactsFuzz",
    platforms: [.macOS(.v14)],
    targets: [
        .target(name: "ContactsDomain"),
        .target(name: "Localization", dependencies: ["ContactsDomain"]),
        .target(name: "HTTPCore"),
        .target(name: "FastCGIServer", dependencies: ["HTTPCore"]),
        .target(name: "FuzzSupport"),

        // One libFuzzer executable per parser; each file defines LLVMFuzzerTestOneInput.
        .executableTarget(name: "FuzzPercentDecoding", dependencies: ["HTTPCore", "FuzzSupport"]),
        .executableTarget(name: "FuzzFormData", dependencies: ["HTTPCore", "FuzzSupport"]),
        .executableTarget(name: "FuzzCookies", dependencies: ["HTTPCore", "FuzzSupport"]),
        .executableTarget(name: "FuzzAcceptLanguage", dependencies: ["Localization", "ContactsDomain", "FuzzSupport"]),
        .executableTarget(name: "FuzzCustomerID", dependencies: ["ContactsDomain", "FuzzSupport"]),
        .executableTarget(name: "FuzzEmailAddress", dependencies: ["ContactsDomain", "FuzzSupport"]),
        .executableTarget(name: "FuzzFastCGIMapping", dependencies: ["FastCGIServer", "HTTPCore", "FuzzSupport"]),
    ]
)
