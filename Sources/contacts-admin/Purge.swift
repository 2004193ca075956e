import ArgumentParser
import ContactsStore
import Foundation

/// Forgets what no longer decides anything: sessions past their idle or absolute timeout, and
/// failed sign-ins and wrong codes past their throttle's window. For cron; `deliver-mail --loop`
/// also does it every `--purge-interval` seconds.
struct Purge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove expired sessions and throttle rows past their window.",
        discussion: """
            Sessions idle for more than 30 minutes or older than 12 hours (the server refuses \
            them anyway), and failed sign-ins and wrong codes older than the 15-minute window in \
            which they count. Open requests, accounts, services and the history are never touched.
            """)

    @OptionGroup var options: DatabaseOptions

    func run() throws {
        let database = try options.openEngine()
        let counts = try database.purge(now: Date())
        print(Self.summary(counts))
    }

    static func summary(_ counts: PurgeCounts) -> String {
        "Purged \(counts.sessions) expired session\(counts.sessions == 1 ? "" : "s"), "
            + "\(counts.signInFailures) old failed sign-in\(counts.signInFailures == 1 ? "" : "s") and "
            + "\(counts.codeFailures) old wrong code\(counts.codeFailures == 1 ? "" : "s")."
    }
}
