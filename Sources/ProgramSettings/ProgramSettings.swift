import Configuration
import Foundation

/// A setting that cannot be used, explained to the operator.
public struct SettingsError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A value given on the command line, before it is checked.
public enum CommandLineValue: Sendable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
}

/// The settings of one run of a program, from, in order of precedence: the command line, the
/// environment (`CONTACTS_*`), the configuration file (`--config FILE` or `CONTACTS_CONFIG`),
/// and then the default the caller gives.
///
/// swift-configuration does the layering and the type conversions; this type adds what both
/// programs need on top: a value that is present but unusable is an error naming its source's
/// key, not silently the default, and empty environment variables count as unset (as an
/// `EnvironmentFile` with `CONTACTS_WORKERS=` means).
public struct ProgramSettings: Sendable {
    public static let configEnvironmentName = "CONTACTS_CONFIG"

    private let reader: ConfigReader
    /// The providers in order, each with the name an error message gives it.
    private let sources: [(name: String, provider: any ConfigProvider)]
    /// The configuration file that was read, if any.
    public let configurationFile: String?

    public init(
        commandLine: [SettingKey: CommandLineValue], configurationFile: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        let present = environment.filter { !$0.value.isEmpty }
        let file = configurationFile ?? present[Self.configEnvironmentName]
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in commandLine {
            let content: ConfigContent = switch value {
            case .string(let text): .string(text)
            case .int(let number): .int(number)
            case .double(let number): .double(number)
            case .bool(let flag): .bool(flag)
            }
            values[AbsoluteConfigKey(ConfigKey(key.rawValue))] = ConfigValue(content, isSecret: key.isSecret)
        }
        var sources: [(name: String, provider: any ConfigProvider)] = [
            ("command line", InMemoryProvider(name: "command line", values: values)),
            ("environment", EnvironmentVariablesProvider(
                environmentVariables: present,
                secretsSpecifier: .specific(Set(SettingKey.allCases.filter(\.isSecret).map(\.environmentName)))
            ).prefixKeys(with: "contacts")),
        ]
        if let file {
            sources.append(("configuration file \(file)", try ConfigurationFile(path: file)))
        }
        self.sources = sources
        self.reader = ConfigReader(providers: sources.map(\.provider))
        self.configurationFile = file
    }

    public func string(_ key: SettingKey) throws -> String? {
        try lookUp(key) { try reader.requiredString(forKey: $0, isSecret: key.isSecret) }
    }

    public func int(_ key: SettingKey) throws -> Int? {
        try lookUp(key) { try reader.requiredInt(forKey: $0) }
    }

    public func double(_ key: SettingKey) throws -> Double? {
        try lookUp(key) { try reader.requiredDouble(forKey: $0) }
    }

    /// A flag: true, false, 1, 0, yes or no in the environment; a JSON boolean in the file.
    public func bool(_ key: SettingKey) throws -> Bool? {
        try lookUp(key) { try reader.requiredBool(forKey: $0) }
    }

    /// Where the database is: `database`, else the first line of the file `database-file` names
    /// (a secret kept out of the configuration file and the environment, such as a systemd
    /// credential), else `fallback`.
    public func databaseLocation(default fallback: String) throws -> String {
        if let location = try string(.database) {
            return location
        }
        guard let path = try string(.databaseFile) else {
            return fallback
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8),
              let line = text.split(whereSeparator: \.isNewline).first.map({ $0.trimmingCharacters(in: .whitespaces) }),
              !line.isEmpty
        else {
            throw SettingsError("database-file: cannot read a database location from the first line of \(path)")
        }
        return line
    }

    /// nil when no source has the key; the source's value when it converts; else an error.
    private func lookUp<Value>(_ key: SettingKey, _ read: (ConfigKey) throws -> Value) throws -> Value? {
        guard let source = source(of: key) else { return nil }
        do {
            return try read(ConfigKey(key.rawValue))
        } catch {
            throw SettingsError("\(key.rawValue) (from the \(source)) has a value of the wrong kind: \(error)")
        }
    }

    /// The name of the first provider that holds the key, whatever the type of its value.
    private func source(of key: SettingKey) -> String? {
        let absolute = AbsoluteConfigKey(ConfigKey(key.rawValue))
        for (name, provider) in sources {
            do {
                if try provider.value(forKey: absolute, type: .string).value != nil {
                    return name
                }
            } catch {
                // The provider has the key, with a value that is not a string (a JSON number).
                return name
            }
        }
        return nil
    }
}
