import Configuration
import Foundation

/// The JSON configuration file as a provider of swift-configuration, read once at start.
///
/// swift-configuration's own `FileProvider` reads the file in an `async` initializer; both
/// programs are synchronous commands that block signals before any thread exists, so the file is
/// read here, synchronously, into the library's `JSONSnapshot`, and served from that snapshot.
/// Unlike the library's provider it refuses names it does not know: a misspelt setting in a
/// production file must stop the start, not be ignored.
struct ConfigurationFile: ConfigProvider {
    private let contents: JSONSnapshot
    let path: String

    init(path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SettingsError("cannot read the configuration file \(path)")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw SettingsError("the configuration file \(path) is not valid JSON: \(error.localizedDescription)")
        }
        guard let settings = object as? [String: Any] else {
            throw SettingsError("the configuration file \(path) must hold one JSON object")
        }
        let known = Set(SettingKey.allCases.map(\.rawValue))
        for name in Self.names(in: settings).sorted() where !known.contains(name) {
            throw SettingsError("the configuration file \(path) has an unknown setting '\(name)'; "
                + "the settings are listed in docs/CONFIGURATION.md")
        }
        contents = try JSONSnapshot(
            data: data.bytes, providerName: "file \(path)",
            parsingOptions: .init(secretsSpecifier: .specific(Set(SettingKey.allCases.filter(\.isSecret).map(\.rawValue)))))
    }

    /// Dotted names of the leaves: `{"mail": {"from": …}}` is `mail.from`.
    private static func names(in object: [String: Any], prefix: String = "") -> [String] {
        object.flatMap { key, value -> [String] in
            if let nested = value as? [String: Any] {
                return names(in: nested, prefix: prefix + key + ".")
            }
            return [prefix + key]
        }
    }

    var providerName: String { contents.providerName }

    func value(forKey key: AbsoluteConfigKey, type: ConfigType) throws -> LookupResult {
        try contents.value(forKey: key, type: type)
    }

    func fetchValue(forKey key: AbsoluteConfigKey, type: ConfigType) async throws -> LookupResult {
        try value(forKey: key, type: type)
    }

    func watchValue<Return: ~Copyable>(
        forKey key: AbsoluteConfigKey, type: ConfigType,
        updatesHandler: nonisolated(nonsending) (_ updates: ConfigUpdatesAsyncSequence<Result<LookupResult, any Error>, Never>) async throws -> Return
    ) async throws -> Return {
        try await watchValueFromValue(forKey: key, type: type, updatesHandler: updatesHandler)
    }

    func snapshot() -> any ConfigSnapshot { contents }

    func watchSnapshot<Return: ~Copyable>(
        updatesHandler: nonisolated(nonsending) (_ updates: ConfigUpdatesAsyncSequence<any ConfigSnapshot, Never>) async throws -> Return
    ) async throws -> Return {
        try await watchSnapshotFromSnapshot(updatesHandler: updatesHandler)
    }
}
