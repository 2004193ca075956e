/// Every setting the two programs read, by the name it has in the configuration file.
///
/// The name is the command-line option's long name (`workers` is `--workers`); the environment
/// variable is `CONTACTS_` and the name in capitals with `_` for `-` and `.` (`CONTACTS_WORKERS`,
/// `CONTACTS_MAIL_FROM`). deliver-mail's options sit under `mail.` so that `--from` and
/// `--interval` do not read as settings of the web application. docs/CONFIGURATION.md lists them.
public enum SettingKey: String, CaseIterable, Sendable {
    // Both programs.
    case database
    case databaseFile = "database-file"
    case templates
    case publicBaseURL = "public-base-url"

    // contacts-fcgi.
    case socket
    case listen
    case inheritSocket = "inherit-socket"
    case socketMode = "socket-mode"
    case socketGroup = "socket-group"
    case workers
    case defaultLanguage = "default-language"
    case secureCookies = "secure-cookies"
    case maxBodyBytes = "max-body-bytes"
    case logLevel = "log-level"
    case logFormat = "log-format"
    case requestDays = "request-days"
    case requestLimits = "request-limits"
    case passwordSlots = "password-slots"
    case demoMailbox = "demo-mailbox"

    // contacts-admin deliver-mail.
    case mailDirectory = "mail.directory"
    case mailSendmail = "mail.sendmail"
    case mailSendmailTimeout = "mail.sendmail-timeout"
    case mailFrom = "mail.from"
    case mailFromName = "mail.from-name"
    case mailInterval = "mail.interval"
    case mailGiveUpAfter = "mail.give-up-after"
    case mailBatchSize = "mail.batch-size"
    case mailPurgeInterval = "mail.purge-interval"

    /// The environment variable that sets it.
    public var environmentName: String {
        "CONTACTS_" + String(rawValue.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    /// Values that must never reach a log: the database location may be a URL with a password.
    var isSecret: Bool {
        self == .database
    }
}
