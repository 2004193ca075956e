import ContactsDomain
import Foundation
import Testing
@testable import ContactsStore

/// Deliverers on several hosts over one PostgreSQL outbox: each email is taken by one of them.
@Suite struct PostgresDeliveryTests {
    /// A fresh store with `count` due emails to aa1-ovh, and the database's URL for more hosts.
    private func outbox(of count: Int) throws -> (TestStore, url: String)? {
        guard let database = try PostgresTestDatabase.make() else { return nil }
        let store = TestStore(engine: try PostgresStore(url: database.url), database: database)
        try store.engine.createAccount(makeAccount("aa1-ovh"), passwordHash: someHash, now: now)
        try store.enqueue((1...count).map {
            OutgoingEmail(recipient: cid("aa1-ovh"), toAddress: "aa1-ovh@example.com", language: .pl,
                          subject: "Email \($0)", bodyText: "body \($0)")
        }, at: now)
        return (store, database.url)
    }

    @Test func threeDeliverersOverAThousandEmailsDeliverEachOnce() throws {
        guard let (store, url) = try outbox(of: 1_000) else { return }
        // Three hosts, each its own store (pool) on the same database, delivering at once.
        let hosts = try (0..<3).map { _ in try PostgresStore(url: url, connections: 2) }
        let deliveries = Deliveries()
        // A thread each (concurrentPerform would run only as many as there are cores).
        let finished = DispatchGroup()
        for index in hosts.indices {
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                do {
                    while true {
                        let batch = try hosts[index].pendingEmails(now: now, limit: 25)
                        if batch.isEmpty { break }
                        for email in batch {
                            // Sending takes a while: the others claim meanwhile.
                            Thread.sleep(forTimeInterval: 0.000_5)
                            deliveries.add(email.id, by: index)
                            try hosts[index].markDelivered(emailID: email.id, now: now)
                        }
                    }
                } catch {
                    Issue.record("deliverer \(index) failed: \(error)")
                }
            }
        }
        finished.wait()
        let delivered = deliveries.all
        #expect(delivered.count == 1_000)
        #expect(Set(delivered.map(\.id)).count == 1_000, "an email was taken by two deliverers")
        #expect(Set(delivered.map(\.host)) == [0, 1, 2], "every deliverer took a share")
        #expect(try store.engine.outboxCounts() == (pending: 0, delivered: 1_000))
    }

    @Test func theEmailsOfADelivererThatDiedAreDeliveredByAnotherOnceTheClaimExpires() throws {
        guard let (store, url) = try outbox(of: 10) else { return }
        // A deliverer claims four emails, delivers one, then dies (its process is gone).
        var dead: PostgresStore? = try PostgresStore(url: url, connections: 1)
        let claimed = try #require(dead).pendingEmails(now: now, limit: 4)
        try #require(dead).markDelivered(emailID: claimed[0].id, now: now)
        dead = nil
        // Another one meanwhile gets only the six nobody took.
        let other = try PostgresStore(url: url, connections: 1)
        let unclaimed = try other.pendingEmails(now: now.addingTimeInterval(1), limit: 100)
        #expect(unclaimed.count == 6 && Set(unclaimed.map(\.id)).isDisjoint(with: claimed.map(\.id)))
        for email in unclaimed { try other.markDelivered(emailID: email.id, now: now) }
        #expect(try other.pendingEmails(now: now.addingTimeInterval(PostgresStore.claimDuration - 1), limit: 100).isEmpty)
        // Once the claim expires, the three the dead one never sent are delivered, once.
        let orphaned = try other.pendingEmails(now: now.addingTimeInterval(PostgresStore.claimDuration), limit: 100)
        #expect(orphaned.map(\.id) == claimed.dropFirst().map(\.id))
        for email in orphaned { try other.markDelivered(emailID: email.id, now: now) }
        #expect(try store.engine.outboxCounts() == (pending: 0, delivered: 10))
    }

    @Test func aFailedAttemptEndsTheClaimAndWaitsItsRetryDelay() throws {
        guard let (store, _) = try outbox(of: 1) else { return }
        let email = try #require(try store.engine.pendingEmails(now: now, limit: 1).first)
        _ = try store.engine.recordDeliveryFailure(emailID: email.id, error: "refused", now: now, giveUpAfter: 3_600)
        let retry = now.addingTimeInterval(DeliveryPolicy.retryDelay(afterFailures: 1))
        #expect(try store.engine.pendingEmails(now: retry, limit: 1).map(\.id) == [email.id])
    }
}

/// The emails taken, by which deliverer, from several threads.
private final class Deliveries: @unchecked Sendable {
    private let lock = NSLock()
    private var taken: [(id: Int64, host: Int)] = []

    func add(_ id: Int64, by host: Int) {
        lock.withLock { taken.append((id, host)) }
    }

    var all: [(id: Int64, host: Int)] { lock.withLock { taken } }
}
