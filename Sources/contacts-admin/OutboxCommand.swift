import ArgumentParser
import ContactsStore
import Foundation

/// The outbox at a glance, and the way back for emails delivery gave up on.
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Show the outbox by state; with --retry-given-up, queue the given-up emails again.",
        discussion: """
            Prints how many emails are pending, delivered and given up, how long the oldest \
            pending one has waited, and each given-up email (id, recipient, address, when, error). \
            deliver-mail gives an email up once it has failed for --give-up-after seconds; after \
            fixing the cause (a mistyped address, a relay refusing), --retry-given-up makes them \
            pending again, due at once. Exit status 0; 3 when some email is given up (for monitoring).
            """)

    @OptionGroup var options: DatabaseOptions

    @Flag(help: "Put every given-up email back to pending, due now.")
    var retryGivenUp = false

    @Option(help: "Given-up emails listed at most.")
    var limit = 50

    func run() throws {
        let database = try options.openEngine()
        if retryGivenUp {
            let count = try database.retryGivenUpEmails(now: Date())
            print("Queued \(count) given-up \(count == 1 ? "email" : "emails") again; deliver-mail tries them on its next pass.")
            return
        }
        let summary = try database.outboxSummary()
        print("Pending: \(summary.pending)")
        print("Delivered: \(summary.delivered)")
        print("Given up: \(summary.givenUp)")
        if let oldest = summary.oldestPendingCreatedAt {
            print("Oldest pending: \(Self.age(Date().timeIntervalSince(oldest))) old (written \(oldest.formatted(.iso8601)))")
        }
        let givenUp = try database.givenUpEmails(limit: max(limit, 0))
        if !givenUp.isEmpty {
            print("")
            print("Given up (most recent first; retry with --retry-given-up):")
            for email in givenUp {
                print("  #\(email.id)  \(email.recipient.rawValue) <\(email.toAddress)>  \(email.givenUpAt.formatted(.iso8601))  "
                      + "after \(email.attempts) attempts: \(email.lastError.replacingOccurrences(of: "\n", with: " "))")
            }
            if summary.givenUp > givenUp.count { print("  … and \(summary.givenUp - givenUp.count) more") }
        }
        if summary.givenUp > 0 { throw ExitCode(3) }
    }

    static func age(_ seconds: TimeInterval) -> String {
        let s = max(Int(seconds), 0)
        if s < 120 { return "\(s) s" }
        if s < 7_200 { return "\(s / 60) min" }
        if s < 172_800 { return "\(s / 3_600) h" }
        return "\(s / 86_400) days"
    }
}
