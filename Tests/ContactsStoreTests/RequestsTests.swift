import ContactsDomain
import Credentials
import Foundation
import GRDB
import Testing
@testable import ContactsStore

@Suite struct RequestCreationTests {
    @Test func oneRequestPerPairWithDigestsNotCodes() throws {
        // Given example.pl (admin aa1, tech bb2, billing cc3)
        let world = try RequestWorld()
        // When the administrator hands tech and billing to dd4 and its own role to ee5
        let created = try world.submit(
            by: world.admin, [.technical: world.newcomer, .billing: world.newcomer, .administrative: world.outsider])
        // Then there is one request per (from, to) pair
        #expect(created.count == 3)
        let snapshots = try created.map { try world.db.request($0.id, for: world.admin, now: now) }
        #expect(Set(snapshots.map(\.roles)) == [[.administrative], [.technical], [.billing]])
        let tech = try #require(snapshots.first { $0.roles == [.technical] })
        #expect(tech.from.id == world.tech && tech.to.id == world.newcomer && tech.requester.id == world.admin)
        #expect(tech.state == .waiting && tech.decidedAt == nil)
        #expect(tech.expiresAt == now.addingTimeInterval(requestWindow))
        #expect(tech.confirmations.map(\.confirmer.id) == [world.admin, world.newcomer])

        // And the confirmations hold the SHA-256 of each code, never the code
        for request in created {
            let rows = try world.db.dbPool.read {
                try Row.fetchAll($0, sql: "SELECT * FROM confirmation WHERE request_id = ?", arguments: [request.id])
            }
            #expect(rows.count == request.codes.count)
            for row in rows {
                let confirmer = CustomerID(trusted: row["confirmer"])
                let code = try #require(request.codes[confirmer])
                #expect(row["code_digest"] as String == Secret.digest(code))
                for column in row.columnNames {
                    let value: DatabaseValue = row[column]
                    #expect(String.fromDatabaseValue(value)?.contains(code) != true)
                }
            }
        }
        // And the codes appear nowhere in the request tables
        let dump = try world.db.dbPool.read { db in
            try ["change_request", "change_request_role", "confirmation", "request_event"].flatMap { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { $0.description }
            }.joined(separator: "\n")
        }
        for code in created.flatMap({ $0.codes.values }) {
            #expect(!dump.contains(code))
        }
    }

    @Test func creationWritesEventsAndComposedEmailsTogether() throws {
        // Given example.pl
        let world = try RequestWorld()
        // When the administrator asks for dd4 as technical contact
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        // Then the composer saw the fresh codes, and its emails are in the outbox, each with an event
        let mails = try world.outbox(request: request.id)
        #expect(Set(mails.map(\.recipient)) == ["aa1-ovh", "dd4-ovh"])
        let toNewcomer = try #require(mails.first { $0.recipient == "dd4-ovh" })
        #expect(toNewcomer.bodyText == "your code: \(request.codes[world.newcomer]!)")
        #expect(toNewcomer.toAddress == "dd4-ovh@example.com" && toNewcomer.language == "pt")
        #expect(try world.eventKinds(of: request.id) == ["requested", "email_sent", "email_sent"])
        #expect(try world.db.outboxCounts() == (pending: 2, delivered: 0))
    }

    @Test func anEmailTheSchemaRefusesRollsTheWholeSubmissionBack() throws {
        // Given a composer that produces a subject with a line break (header injection)
        let world = try RequestWorld()
        world.composer.override = { _, recipient, _, _ in
            OutgoingEmail(
                recipient: recipient.id, toAddress: "aa1-ovh@example.com", language: .pl,
                subject: "hi\r\nBcc: victim@example.com", bodyText: "x")
        }
        // When a submission is made
        #expect(throws: DatabaseError.self) {
            try world.submit(by: world.admin, [.technical: world.newcomer])
        }
        // Then nothing at all was stored
        let counts = try world.db.dbPool.read { db in
            try ["change_request", "change_request_role", "confirmation", "request_event", "outbox"].map {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)")!
            }
        }
        #expect(counts == [0, 0, 0, 0, 0])
    }

    @Test func oneOpenRequestPerServiceAndRole() throws {
        // Given an open request for the technical role
        let world = try RequestWorld()
        let first = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        #expect(try world.db.openRequests(onService: world.serviceID) == [.technical: first.id])
        // When the technical contact asks to hand the same role to somebody else
        // Then it is refused, naming the open request, and nothing is stored
        #expect(throws: RequestError.openRequestExists(role: .technical, requestID: first.id)) {
            try world.submit(by: world.tech, [.technical: world.outsider])
        }
        // And a submission touching it among other roles is refused as a whole
        #expect(throws: RequestError.openRequestExists(role: .technical, requestID: first.id)) {
            try world.submit(by: world.admin, [.billing: world.outsider, .technical: world.outsider])
        }
        #expect(try world.db.dbPool.read { try ChangeRequestRecord.fetchCount($0) } == 1)
        // And another role is still free
        try world.submit(by: world.admin, [.billing: world.outsider])
        // When the first is cancelled, the role is free again
        _ = try world.db.cancel(requestID: first.id, by: world.admin, now: now)
        let second = try world.submitOne(by: world.tech, [.technical: world.outsider])
        #expect(try world.db.openRequests(onService: world.serviceID)[.technical] == second.id)
    }

    @Test func createThenCancelCyclesStopAtTheAsksLimit() throws {
        // Given aa1 asked to take the billing role back and cancelled, over and over, within one hour
        let world = try RequestWorld()
        for minute in 0..<RequestPolicy.requestsPerAskerPerHour {
            let at = now.addingTimeInterval(TimeInterval(minute))
            let request = try world.submitOne(by: world.admin, [.billing: world.admin], at: at)
            try world.db.cancel(requestID: request.id, by: world.admin, now: at)
        }
        // Then the next one is refused until the oldest leaves the hour, and nothing is stored
        #expect(throws: RequestError.tooManyRequests(.tooManyRequests(retryAfter: 3600 - 60))) {
            try world.submit(by: world.admin, [.technical: world.outsider], at: now.addingTimeInterval(60))
        }
        // And the others' limits are their own
        try world.submit(by: world.tech, [.technical: world.outsider], at: now.addingTimeInterval(60))
        #expect(try world.db.dbPool.read { try ChangeRequestRecord.fetchCount($0) } == RequestPolicy.requestsPerAskerPerHour + 1)
        try world.submit(by: world.admin, [.billing: world.outsider], at: now.addingTimeInterval(3601))
    }

    @Test func oneAccountCannotBeNamedInEndlessRequests() throws {
        // Given aa1 named dd4 as the new contact twenty times today (and cancelled each)
        let world = try RequestWorld()
        for index in 0..<RequestPolicy.requestsPerTargetPerDay {
            let at = now.addingTimeInterval(TimeInterval(index * 600))
            let request = try world.submitOne(by: world.admin, [.billing: world.newcomer], at: at)
            try world.db.cancel(requestID: request.id, by: world.admin, now: at)
        }
        // Then nobody may name dd4 again today, while other accounts can still be named
        let later = now.addingTimeInterval(20 * 600)
        #expect(throws: RequestError.tooManyRequests(.tooManyForTarget(world.newcomer, retryAfter: 24 * 3600 - 20 * 600))) {
            try world.submit(by: world.tech, [.technical: world.newcomer], at: later)
        }
        try world.submit(by: world.tech, [.technical: world.outsider], at: later)
    }

    @Test func theSchemaItselfAllowsOneOpenRequestPerRole() throws {
        let world = try RequestWorld()
        let first = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        #expect(throws: DatabaseError.self) {
            try world.db.dbPool.write { db in
                var record = ChangeRequestRecord(
                    id: nil, serviceID: world.serviceID, fromAccount: "bb2-ovh", toAccount: "ee5-ovh",
                    requester: "bb2-ovh", state: "waiting", requestedAt: now, decidedAt: nil,
                    expiresAt: now.addingTimeInterval(60), lastResentAt: nil, failureReason: nil)
                try record.insert(db)
                try ChangeRequestRoleRecord(requestID: record.id!, serviceID: world.serviceID, role: "tech", open: true)
                    .insert(db)
            }
        }
        // And the open flag cannot disagree with the request's state, nor a finished request reopen
        #expect(throws: DatabaseError.self) {
            try world.db.dbPool.write { db in
                try db.execute(sql: "UPDATE change_request_role SET open = 0 WHERE request_id = ?", arguments: [first.id])
            }
        }
        _ = try world.db.cancel(requestID: first.id, by: world.admin, now: now)
        let open = try world.db.dbPool.read {
            try Bool.fetchOne($0, sql: "SELECT open FROM change_request_role WHERE request_id = ?", arguments: [first.id])
        }
        #expect(open == false)
        #expect(throws: DatabaseError.self) {
            try world.db.dbPool.write { db in
                try db.execute(
                    sql: "UPDATE change_request SET state = 'waiting', decided_at = NULL WHERE id = ?", arguments: [first.id])
            }
        }
    }

    @Test func staleHoldersAreRefused() throws {
        // Given the edit page was shown, then an operator changed the technical contact
        let world = try RequestWorld()
        let shown = try world.holders
        try world.db.setContact(.technical, of: world.serviceID, to: world.outsider)
        // When the page is submitted as it was shown
        // Then it is refused
        #expect(throws: RequestError.rulesChanged) {
            try world.db.createRequests(
                onService: world.serviceID, by: world.admin, changes: [.technical: world.newcomer],
                expectedHolders: shown, now: now, expiresAfter: requestWindow)
        }
    }

    @Test func aChangeTheRequesterMayNotAskForIsRefused() throws {
        // Given a forged submission: the technical contact takes the billing role
        let world = try RequestWorld()
        // Then the store refuses it even though the holders match, and so it does "no change"
        #expect(throws: RequestError.rulesChanged) {
            try world.submit(by: world.tech, [.billing: world.tech])
        }
        #expect(throws: RequestError.rulesChanged) {
            try world.submit(by: world.admin, [.technical: world.tech])
        }
        #expect(try world.db.dbPool.read { try ChangeRequestRecord.fetchCount($0) } == 0)
    }

    @Test func unknownServiceAndAccount() throws {
        let world = try RequestWorld()
        let holders = try world.holders
        #expect(throws: RequestError.unknownAccount(cid("zz9-ovh"))) {
            try world.submit(by: world.admin, [.technical: cid("zz9-ovh")])
        }
        #expect(throws: RequestError.unknownService) {
            try world.db.createRequests(
                onService: world.serviceID + 99, by: world.admin, changes: [.technical: world.newcomer],
                expectedHolders: holders, now: now, expiresAfter: requestWindow)
        }
        #expect(try world.db.roleHolders(ofService: world.serviceID + 99) == nil)
    }

    @Test func paymentRuleAtCreationBothWays() throws {
        // Given the old billing contact is behind with payments
        let oldOverdue = try RequestWorld(payments: ["cc3-ovh": .overdue])
        // Then moving the billing role is refused naming it; other roles are not concerned
        #expect(throws: RequestError.paymentBlocked([cid("cc3-ovh")])) {
            try oldOverdue.submit(by: oldOverdue.admin, [.billing: oldOverdue.newcomer])
        }
        try oldOverdue.submit(by: oldOverdue.admin, [.technical: oldOverdue.newcomer])

        // Given the new billing contact is behind with payments
        let newOverdue = try RequestWorld(payments: ["dd4-ovh": .overdue])
        #expect(throws: RequestError.paymentBlocked([cid("dd4-ovh")])) {
            try newOverdue.submit(by: newOverdue.billing, [.billing: newOverdue.newcomer])
        }
        // Given both are
        let both = try RequestWorld(payments: ["cc3-ovh": .overdue, "dd4-ovh": .overdue])
        #expect(throws: RequestError.paymentBlocked([cid("cc3-ovh"), cid("dd4-ovh")])) {
            try both.submit(by: both.admin, [.billing: both.newcomer])
        }
        #expect(try both.db.dbPool.read { try ChangeRequestRecord.fetchCount($0) } == 0)
    }
}

@Suite struct RequestAcceptTests {
    @Test func everyConfirmationMakesTheChangeTakeEffect() throws {
        // Given the administrator asks for dd4 as technical contact
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        // When the administrator accepts
        let partial = try world.db.accept(
            requestID: request.id, by: world.admin, code: request.codes[world.admin]!,
            now: now.addingTimeInterval(60))
        // Then it still waits for dd4, and nothing changed yet
        #expect(partial.state == .waiting)
        #expect(partial.awaited.map(\.id) == [world.newcomer])
        #expect(partial.confirmations.first?.acceptedAt == now.addingTimeInterval(60))
        #expect(try world.holders.technical == world.tech)
        // When dd4 accepts too
        let done = try world.db.accept(
            requestID: request.id, by: world.newcomer, code: request.codes[world.newcomer]!,
            now: now.addingTimeInterval(120))
        // Then the change took effect: the service, and the contacts tables of everybody
        #expect(done.state == .done && done.decidedAt == now.addingTimeInterval(120))
        #expect(try world.holders == RoleHolders(administrative: world.admin, technical: world.newcomer, billing: world.billing))
        #expect(try world.servicesOnPage(of: world.newcomer) == ["example.pl": [.technical]])
        #expect(try world.servicesOnPage(of: world.tech).isEmpty)
        #expect(try world.servicesOnPage(of: world.admin) == ["example.pl": [.administrative]])
        #expect(try world.db.openRequests(onService: world.serviceID).isEmpty)
        // And the history and the completion emails (asker, new and old contact) are there
        #expect(done.eventKinds.filter { $0 != "email_sent" } == ["requested", "accepted", "accepted", "done"])
        let doneMails = try world.outbox(request: request.id).filter { $0.subject.hasSuffix("done done") }
        #expect(Set(doneMails.map(\.recipient)) == ["aa1-ovh", "bb2-ovh", "dd4-ovh"])
    }

    @Test func theAdministratorTakingARoleBackConfirmsAlone() throws {
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.billing: world.admin])
        #expect(request.codes.keys.sorted() == [world.admin])
        let done = try world.db.accept(
            requestID: request.id, by: world.admin, code: request.codes[world.admin]!, now: now)
        #expect(done.state == .done)
        #expect(try world.holders.billing == world.admin)
        #expect(try world.servicesOnPage(of: world.billing).isEmpty)
    }

    @Test func severalRolesMoveTogether() throws {
        let world = try RequestWorld()
        try world.db.setContact(.billing, of: world.serviceID, to: world.tech)
        let request = try world.submitOne(by: world.tech, [.technical: world.newcomer, .billing: world.newcomer])
        for confirmer in [world.tech, world.newcomer] {
            _ = try world.db.accept(
                requestID: request.id, by: confirmer, code: request.codes[confirmer]!, now: now)
        }
        #expect(try world.servicesOnPage(of: world.newcomer) == ["example.pl": [.technical, .billing]])
        #expect(try world.servicesOnPage(of: world.tech).isEmpty)
    }

    @Test func wrongAccountWrongCodeUsedCode() throws {
        // Given an open request of aa1 for dd4 as technical contact
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        let code = request.codes[world.newcomer]!
        func accept(_ account: CustomerID, _ code: String) throws -> RequestSnapshot {
            try world.db.accept(requestID: request.id, by: account, code: code, now: now)
        }
        // Then somebody outside the request does not even learn it exists
        #expect(throws: RequestError.notFound) { try accept(world.outsider, code) }
        #expect(throws: RequestError.notFound) {
            try world.db.accept(requestID: request.id + 99, by: world.admin, code: code, now: now)
        }
        // And the old contact, who takes part but does not confirm, may not accept with any code
        #expect(throws: RequestError.refused(.notAConfirmer)) { try accept(world.tech, code) }
        // And a confirmer with another confirmer's code, or a wrong one, is refused
        #expect(throws: RequestError.wrongCode) { try accept(world.admin, code) }
        #expect(throws: RequestError.wrongCode) { try accept(world.newcomer, "not-the-code") }
        // And the right code works once; used again, it is refused as already accepted
        _ = try accept(world.newcomer, " \(code)\n")
        #expect(throws: RequestError.refused(.alreadyAccepted)) { try accept(world.newcomer, code) }
        // And after the last confirmation, the request is closed to everybody
        _ = try accept(world.admin, request.codes[world.admin]!)
        #expect(throws: RequestError.refused(.notOpen(.done))) { try accept(world.newcomer, code) }
        // And wrong codes were counted per (request, account)
        let failures = try world.db.dbPool.read {
            try Row.fetchAll($0, sql: "SELECT account, count(*) AS n FROM code_failure GROUP BY account ORDER BY account")
                .map { "\($0["account"] as String) \($0["n"] as Int)" }
        }
        #expect(failures == ["aa1-ovh 1", "dd4-ovh 1"])
    }

    @Test func repeatedWrongCodesAreSlowedDown() throws {
        // Given five wrong codes within a few minutes
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        let code = request.codes[world.newcomer]!
        for minute in 0..<5 {
            #expect(throws: RequestError.wrongCode) {
                try world.db.accept(
                    requestID: request.id, by: world.newcomer, code: "guess\(minute)",
                    now: now.addingTimeInterval(Double(minute) * 60))
            }
        }
        let lastWrong = now.addingTimeInterval(4 * 60)
        // Then even the right code is refused for a minute, saying how long to wait
        #expect(throws: RequestError.tooManyWrongCodes(retryAfter: 50)) {
            try world.db.accept(
                requestID: request.id, by: world.newcomer, code: code, now: lastWrong.addingTimeInterval(10))
        }
        // And refusing is slowed down the same way
        #expect(throws: RequestError.tooManyWrongCodes(retryAfter: 50)) {
            try world.db.refuse(
                requestID: request.id, by: world.newcomer, code: code, now: lastWrong.addingTimeInterval(10))
        }
        // And the other confirmer is not affected
        _ = try world.db.accept(
            requestID: request.id, by: world.admin, code: request.codes[world.admin]!, now: lastWrong)
        // When the wait is over, the right code works
        let snapshot = try world.db.accept(
            requestID: request.id, by: world.newcomer, code: code, now: lastWrong.addingTimeInterval(60))
        #expect(snapshot.state == .done)
    }

    @Test func voidedCodeAfterResend() throws {
        // Given a request, re-sent after a minute
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        _ = try world.db.resend(requestID: request.id, by: world.newcomer, now: now.addingTimeInterval(61))
        let fresh = try #require(try world.mailedCodes(request: request.id)[world.newcomer])
        // Then the old code is void, and the fresh one works
        #expect(throws: RequestError.wrongCode) {
            try world.db.accept(
                requestID: request.id, by: world.newcomer, code: request.codes[world.newcomer]!,
                now: now.addingTimeInterval(62))
        }
        let snapshot = try world.db.accept(
            requestID: request.id, by: world.newcomer, code: fresh, now: now.addingTimeInterval(63))
        #expect(snapshot.awaited.map(\.id) == [world.admin])
    }

    @Test func expiredRequestCannotBeAccepted() throws {
        // Given a request past its window
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        let later = now.addingTimeInterval(requestWindow + 1)
        // When a confirmer accepts with the right code
        #expect(throws: RequestError.refused(.notOpen(.expired))) {
            try world.db.accept(
                requestID: request.id, by: world.newcomer, code: request.codes[world.newcomer]!, now: later)
        }
        // Then the expiry was written, with its event and emails, and nothing changed
        #expect(try world.state(of: request.id) == "expired")
        #expect(try world.eventKinds(of: request.id).contains("expired"))
        #expect(try world.subjects(request: request.id).filter { $0.hasSuffix("expired expired") }.count == 3)
        #expect(try world.holders.technical == world.tech)
    }

    @Test func paymentRuleAtCompletion() throws {
        // Given a billing change cc3 → dd4, both up to date, accepted by the administrator
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.billing: world.newcomer])
        _ = try world.db.accept(
            requestID: request.id, by: world.admin, code: request.codes[world.admin]!, now: now)
        // When dd4 falls behind with payments before accepting
        try world.db.setPaymentStatus(.overdue, for: world.newcomer)
        let failed = try world.db.accept(
            requestID: request.id, by: world.newcomer, code: request.codes[world.newcomer]!, now: now)
        // Then the request failed, saying why, the holders are unchanged, and everybody is told
        #expect(failed.state == .failed && failed.failure == .paymentOverdue)
        #expect(failed.to.paymentStatus == .overdue)
        #expect(try world.holders.billing == world.billing)
        #expect(failed.eventKinds.filter { $0 != "email_sent" } == ["requested", "accepted", "accepted", "failed"])
        #expect(Set(try world.outbox(request: request.id).filter { $0.subject.hasSuffix("failed failed") }.map(\.recipient))
            == ["aa1-ovh", "cc3-ovh", "dd4-ovh"])
        #expect(try world.db.openRequests(onService: world.serviceID).isEmpty)
    }

    @Test func oldBillingContactFallingBehindAlsoFailsIt() throws {
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.billing, [.billing: world.newcomer])
        try world.db.setPaymentStatus(.overdue, for: world.billing)
        for confirmer in [world.billing, world.newcomer] {
            _ = try world.db.accept(
                requestID: request.id, by: confirmer, code: request.codes[confirmer]!, now: now)
        }
        #expect(try world.state(of: request.id) == "failed")
        #expect(try world.holders.billing == world.billing)
    }

    @Test func holdersChangedMeanwhileFailsIt() throws {
        // Given an operator gave the technical role to somebody else while the request waited
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        try world.db.setContact(.technical, of: world.serviceID, to: world.outsider)
        // When everybody accepts
        var snapshot: RequestSnapshot?
        for confirmer in [world.admin, world.newcomer] {
            snapshot = try world.db.accept(
                requestID: request.id, by: confirmer, code: request.codes[confirmer]!, now: now)
        }
        // Then it fails rather than take the role from the wrong account
        #expect(snapshot?.state == .failed && snapshot?.failure == .holdersChanged)
        #expect(try world.holders.technical == world.outsider)
    }

    @Test func anAdministratorThatHandedItsRoleOnCannotMakeAnEarlierRequestTakeEffect() throws {
        // Given aa1 asked for dd4 as technical contact, then handed its own role to ee5
        let world = try RequestWorld()
        let technical = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        let handOver = try world.submitOne(by: world.admin, [.administrative: world.outsider])
        for confirmer in [world.admin, world.outsider] {
            try world.db.accept(requestID: handOver.id, by: confirmer, code: handOver.codes[confirmer]!, now: now)
        }
        #expect(try world.holders.administrative == world.outsider)
        // When both confirmers of the earlier request accept
        var snapshot: RequestSnapshot?
        for confirmer in [world.admin, world.newcomer] {
            snapshot = try world.db.accept(
                requestID: technical.id, by: confirmer, code: technical.codes[confirmer]!, now: now.addingTimeInterval(60))
        }
        // Then it fails, the technical contact stays, and everybody involved is told
        #expect(snapshot?.state == .failed && snapshot?.failure == .holdersChanged)
        #expect(try world.holders.technical == world.tech)
        #expect(Set(try world.outbox(request: technical.id).filter { $0.subject.hasSuffix("failed failed") }.map(\.recipient))
            == ["aa1-ovh", "bb2-ovh", "dd4-ovh"])
    }

    @Test func howARequestEndsGoesToEveryAddressInForceWhileItWasOpen() throws {
        // Given a request, and then the old technical contact's address moved to another one
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        let moved = try EmailAddress(parsing: "somebody-else@example.net")
        try world.db.requestEmailChange(
            world.tech, to: moved, tokenDigest: Secret.digest("t"), lifetime: 3600, now: now.addingTimeInterval(10), emails: [])
        try world.db.confirmEmailChange(tokenDigest: Secret.digest("t"), account: world.tech, now: now.addingTimeInterval(20), emails: [])
        // When the change is made
        for confirmer in [world.admin, world.newcomer] {
            try world.db.accept(requestID: request.id, by: confirmer, code: request.codes[confirmer]!, now: now.addingTimeInterval(60))
        }
        // Then bb2 is told at its new address and at the one it had when the request was made
        let toTech = try world.outbox(request: request.id).filter { $0.recipient == "bb2-ovh" && $0.subject.hasSuffix("done done") }
        #expect(Set(toTech.map(\.toAddress)) == ["bb2-ovh@example.com", "somebody-else@example.net"])
        // With one history line for it
        #expect(try world.db.request(request.id, for: world.admin, now: now.addingTimeInterval(60)).events
            .filter { $0.kind == "email_sent" && $0.actor == world.tech }.count == 1)
    }

    @Test func aComposerFailureRollsTheAcceptBack() throws {
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.billing: world.admin])
        world.composer.override = { _, recipient, _, _ in
            OutgoingEmail(recipient: recipient.id, toAddress: "nobody", language: .it, subject: "s", bodyText: "")
        }
        #expect(throws: DatabaseError.self) {
            try world.db.accept(
                requestID: request.id, by: world.admin, code: request.codes[world.admin]!, now: now)
        }
        #expect(try world.state(of: request.id) == "waiting")
        #expect(try world.holders.billing == world.billing)
    }

    @Test func sixteenThreadsAcceptingTheLastCode() throws {
        // Given a request where only dd4's confirmation is awaited
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        _ = try world.db.accept(
            requestID: request.id, by: world.admin, code: request.codes[world.admin]!, now: now)
        let code = request.codes[world.newcomer]!
        let db = world.db
        let (requestID, newcomer) = (request.id, world.newcomer)
        // When 16 threads accept with dd4's code at once
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            do {
                _ = try db.accept(requestID: requestID, by: newcomer, code: code, now: now)
                outcomes.append("accepted")
            } catch let error as RequestError {
                outcomes.append("\(error)")
            } catch {
                outcomes.append("unexpected \(error)")
            }
        }
        // Then exactly one succeeded and the others were told it is already done
        let all = outcomes.values
        #expect(all.count == 16)
        #expect(all.filter { $0 == "accepted" }.count == 1)
        #expect(all.allSatisfy { $0 == "accepted" || $0.contains("alreadyAccepted") || $0.contains("notOpen") })
        // And there is one change, one 'done' event and one set of completion emails
        #expect(try world.holders.technical == world.newcomer)
        #expect(try world.eventKinds(of: request.id).filter { $0 == "done" }.count == 1)
        #expect(try world.eventKinds(of: request.id).filter { $0 == "accepted" }.count == 2)
        #expect(try world.outbox(request: request.id).filter { $0.subject.contains(" done ") }.count == 3)
    }
}

/// Results collected from several threads.
final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    func append(_ value: String) {
        lock.lock()
        defer { lock.unlock() }
        stored.append(value)
    }

    var values: [String] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
