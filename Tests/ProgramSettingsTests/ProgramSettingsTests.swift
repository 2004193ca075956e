import Foundation
import ProgramSettings
import Testing

/// The order of the sources, the conversions, and the errors an operator sees.
@Suite struct ProgramSettingsTests {
    /// A configuration file with `text` in a fresh temporary directory.
    static func file(_ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("contacts.json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theCommandLineWinsOverTheEnvironmentWhichWinsOverTheFile() throws {
        let path = try Self.file(#"{"workers": 3, "templates": "/file/Templates", "socket": "/file.sock"}"#)
        let settings = try ProgramSettings(
            commandLine: [.workers: .int(7)], configurationFile: path,
            environment: ["CONTACTS_WORKERS": "5", "CONTACTS_TEMPLATES": "/env/Templates"])
        #expect(try settings.int(.workers) == 7)
        #expect(try settings.string(.templates) == "/env/Templates")
        #expect(try settings.string(.socket) == "/file.sock")
        #expect(try settings.string(.socketGroup) == nil)
    }

    @Test func theFileMayBeNamedByTheEnvironmentAndNestsTheMailSettings() throws {
        let path = try Self.file(#"{"mail": {"from": "no-reply@example.pl", "interval": 2.5, "batch-size": 10}}"#)
        let settings = try ProgramSettings(commandLine: [:], configurationFile: nil, environment: ["CONTACTS_CONFIG": path])
        #expect(settings.configurationFile == path)
        #expect(try settings.string(.mailFrom) == "no-reply@example.pl")
        #expect(try settings.double(.mailInterval) == 2.5)
        #expect(try settings.int(.mailBatchSize) == 10)
    }

    @Test func environmentNamesFollowTheSettingNames() {
        #expect(SettingKey.publicBaseURL.environmentName == "CONTACTS_PUBLIC_BASE_URL")
        #expect(SettingKey.mailFrom.environmentName == "CONTACTS_MAIL_FROM")
        #expect(SettingKey.mailGiveUpAfter.environmentName == "CONTACTS_MAIL_GIVE_UP_AFTER")
    }

    @Test func anEmptyEnvironmentVariableIsUnset() throws {
        let path = try Self.file(#"{"workers": 3}"#)
        let settings = try ProgramSettings(commandLine: [:], configurationFile: path, environment: ["CONTACTS_WORKERS": ""])
        #expect(try settings.int(.workers) == 3)
    }

    @Test func flagsReadTheUsualSpellings() throws {
        for (text, expected) in [("1", true), ("true", true), ("yes", true), ("0", false), ("no", false)] {
            let settings = try ProgramSettings(commandLine: [:], configurationFile: nil, environment: ["CONTACTS_SECURE_COOKIES": text])
            #expect(try settings.bool(.secureCookies) == expected)
        }
        let path = try Self.file(#"{"secure-cookies": true}"#)
        #expect(try ProgramSettings(commandLine: [:], configurationFile: path, environment: [:]).bool(.secureCookies) == true)
    }

    @Test func aValueOfTheWrongKindIsAnErrorNamingItsSource() throws {
        let settings = try ProgramSettings(commandLine: [:], configurationFile: nil, environment: ["CONTACTS_WORKERS": "many"])
        let error = #expect(throws: SettingsError.self) { try settings.int(.workers) }
        #expect(error?.description.contains("workers (from the environment)") == true)

        let path = try Self.file(#"{"workers": "four"}"#)
        let fromFile = try ProgramSettings(commandLine: [:], configurationFile: path, environment: [:])
        let fileError = #expect(throws: SettingsError.self) { try fromFile.int(.workers) }
        #expect(fileError?.description.contains("configuration file \(path)") == true)
    }

    @Test func anUnknownOrMisspeltSettingStopsTheStart() throws {
        let path = try Self.file(#"{"wokers": 4, "mail": {"form": "x@example.pl"}}"#)
        let error = #expect(throws: SettingsError.self) {
            try ProgramSettings(commandLine: [:], configurationFile: path, environment: [:])
        }
        #expect(error?.description.contains("unknown setting 'mail.form'") == true)
    }

    @Test func aBrokenOrMissingFileIsAnError() throws {
        #expect(throws: SettingsError.self) {
            try ProgramSettings(commandLine: [:], configurationFile: "/nonexistent/contacts.json", environment: [:])
        }
        let path = try Self.file(#"{"workers": 4"#)
        let error = #expect(throws: SettingsError.self) {
            try ProgramSettings(commandLine: [:], configurationFile: path, environment: [:])
        }
        #expect(error?.description.contains("not valid JSON") == true)
        let array = try Self.file(#"[1, 2]"#)
        #expect(throws: SettingsError.self) {
            try ProgramSettings(commandLine: [:], configurationFile: array, environment: [:])
        }
    }

    @Test func theDatabaseMayComeFromAFileKeptApart() throws {
        let secret = try Self.file("postgres://contacts:s3cret@db.example/contacts\nignored second line\n")
        let settings = try ProgramSettings(commandLine: [:], configurationFile: nil, environment: ["CONTACTS_DATABASE_FILE": secret])
        #expect(try settings.databaseLocation(default: "run/contacts.sqlite") == "postgres://contacts:s3cret@db.example/contacts")

        let given = try ProgramSettings(
            commandLine: [.database: .string("/var/lib/contacts/contacts.sqlite")], configurationFile: nil,
            environment: ["CONTACTS_DATABASE_FILE": secret])
        #expect(try given.databaseLocation(default: "run/contacts.sqlite") == "/var/lib/contacts/contacts.sqlite")

        let none = try ProgramSettings(commandLine: [:], configurationFile: nil, environment: [:])
        #expect(try none.databaseLocation(default: "run/contacts.sqlite") == "run/contacts.sqlite")

        let empty = try Self.file("\n")
        let broken = try ProgramSettings(commandLine: [:], configurationFile: nil, environment: ["CONTACTS_DATABASE_FILE": empty])
        #expect(throws: SettingsError.self) { try broken.databaseLocation(default: "x") }
    }
}
