// swift-tools-version:6.2
import PackageDescription

// The project's own targets fail to build on any warning: a warning left in place hides the
// next one (scripts/test builds everything first).
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "ServiceContacts",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "contacts-fcgi", targets: ["contacts-fcgi"]),
        .executable(name: "contacts-admin", targets: ["contacts-admin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
    ],
    targets: [
        // C libraries from Debian, each behind a tiny system-library target.
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),

        // Pure rules: customer IDs, roles, who may ask for what. No I/O.
        .target(name: "ContactsDomain", swiftSettings: strict),
        // The string catalog, plural rules, language negotiation, date and number formats.
        .target(name: "Localization", dependencies: ["ContactsDomain"], swiftSettings: strict),
        // HTTP values and parsers (query, form, cookies, percent-encoding). No I/O.
        .target(name: "HTTPCore", swiftSettings: strict),
        // Password hashing (argon2id), random secrets and their digests.
        .target(name: "Credentials", dependencies: [
            "CArgon2",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // SQLite through GRDB: schema, migrations and the named operations on it.
        .target(name: "ContactsStore", dependencies: [
            "ContactsDomain", "Credentials",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: strict),
        // Templates/*.mustache compiled into Swift at build time, for the targets that render them:
        // the generator, the build-tool plugin that runs it, the writer the generated code calls.
        .executableTarget(name: "template-compiler", path: "Sources/TemplateCompiler", swiftSettings: strict),
        .plugin(name: "CompileTemplates", capability: .buildTool(), dependencies: ["template-compiler"]),
        .target(name: "TemplateRuntime", swiftSettings: strict),
        // The emails' wording: catalog and text template to subject and body, for the store.
        .target(name: "Emails", dependencies: [
            "ContactsDomain", "Localization", "ContactsStore", "TemplateRuntime",
        ], swiftSettings: strict, plugins: ["CompileTemplates"]),
        // Routes, handlers, sessions, CSRF, templates: `handle(HTTPRequest) -> HTTPResponse`.
        .target(name: "WebApp", dependencies: [
            "ContactsDomain", "Localization", "HTTPCore", "Credentials", "ContactsStore", "Emails", "TemplateRuntime",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], swiftSettings: strict, plugins: ["CompileTemplates"]),
        // Delivers the outbox: RFC 5322 messages through a sendmail-compatible command or as .eml files.
        .target(name: "Mailer", dependencies: [
            "ContactsStore", "ContactsDomain",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // libfcgi's accept loop and worker threads, turning FastCGI records into HTTPRequest.
        .target(name: "FastCGIServer", dependencies: [
            "CFastCGI", "HTTPCore",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),

        // The programs' settings: command line, environment, configuration file, in that order.
        .target(name: "ProgramSettings", dependencies: [
            .product(name: "Configuration", package: "swift-configuration"),
        ], swiftSettings: strict),

        .executableTarget(name: "contacts-fcgi", dependencies: [
            "WebApp", "FastCGIServer", "ContactsStore", "HTTPCore", "ProgramSettings",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .executableTarget(name: "contacts-admin", dependencies: [
            "ContactsStore", "ContactsDomain", "Credentials", "Mailer", "Emails", "ProgramSettings",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),

        .testTarget(name: "ContactsDomainTests", dependencies: ["ContactsDomain"], swiftSettings: strict),
        .testTarget(name: "LocalizationTests", dependencies: ["Localization", "ContactsDomain"], swiftSettings: strict),
        .testTarget(name: "HTTPCoreTests", dependencies: ["HTTPCore"], swiftSettings: strict),
        .testTarget(name: "CredentialsTests", dependencies: ["Credentials"], swiftSettings: strict),
        .testTarget(name: "ContactsStoreTests", dependencies: ["ContactsStore", "ContactsDomain", "Credentials"], swiftSettings: strict),
        .testTarget(name: "EmailsTests", dependencies: [
            "Emails", "ContactsStore", "ContactsDomain", "Localization",
            .product(name: "Mustache", package: "swift-mustache"),
        ], swiftSettings: strict),
        // swift-mustache stays here, as the reference the compiled templates are held to.
        .testTarget(name: "WebAppTests", dependencies: [
            "WebApp", "Emails", "HTTPCore", "ContactsStore", "ContactsDomain", "Localization", "TemplateRuntime",
            .product(name: "Mustache", package: "swift-mustache"),
        ], swiftSettings: strict),
        .testTarget(name: "MailerTests", dependencies: ["Mailer", "ContactsStore", "ContactsDomain"], swiftSettings: strict),
        .testTarget(name: "FastCGIServerTests", dependencies: ["FastCGIServer", "HTTPCore"], swiftSettings: strict),
        .testTarget(name: "ProgramSettingsTests", dependencies: ["ProgramSettings"], swiftSettings: strict),
        .testTarget(name: "EndToEndTests", dependencies: ["HTTPCore"], swiftSettings: strict),
    ]
)
