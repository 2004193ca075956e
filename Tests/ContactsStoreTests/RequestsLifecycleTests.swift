import ContactsDomain
import Foundation
import GRDB
import Testing
@testable import ContactsStore

@Suite struct RequestRefuseCancelResendTests {
    @Test func aRefusalEndsTheRequest() throws {
        // Given an open request for dd4 as technical contact
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        // When dd4 refuses with a wrong code, then with its code
        #expect(throws: RequestError.wrongCode) {
            try world.db.refuse(requestID: request.id, by: world.newcomer, code: "nope", now: now)
        }
        let refused = try world.db.refuse(
            requestID: request.id, by: world.newcomer, code: request.codes[world.newcomer]!,
            now: now.addingTimeInterval(5))
        // Then it is over: nothing changed, everybody is told, the role is free for a new request
        #expect(refused.state == .refused && refused.decidedAt == now.addingTimeInterval(5))
        #expect(refused.events.contains(RequestEventSnapshot(at: now.addingTimeInterval(5), kind: "refused", actor: world.newcomer)))
        #expect(Set(try world.outbox(request: request.id).filter { $0.subject.hasSuffix("refused refused") }.map(\.recipient))
            == ["aa1-ovh", "bb2-ovh", "dd4-ovh"])
        #expect(try world.holders.technical == world.tech)
        #expect(throws: RequestError.refused(.notOpen(.refused))) {
            try world.db.accept(
                requestID: request.id, by: world.admin, code: request.codes[world.admin]!, now: now)
        }
        #expect(try world.db.openRequests(onService: world.serviceID).isEmpty)
        try world.submit(by: world.tech, [.technical: world.outsider])
    }

    @Test func onlyAConfirmerMayRefuse() throws {
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        #expect(throws: RequestError.refused(.notAConfirmer)) {
            try world.db.refuse(requestID: request.id, by: world.tech, code: "x", now: now)
        }
        #expect(throws: RequestError.notFound) {
            try world.db.refuse(requestID: request.id, by: world.outsider, code: "x", now: now)
        }
    }

    @Test func onlyTheRequesterMayCancel() throws {
        // Given an open request of aa1
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        // Then the confirmer and the old contact may not cancel it, and an outsider does not see it
        #expect(throws: RequestError.refused(.notTheRequester)) {
            try world.db.cancel(requestID: request.id, by: world.newcomer, now: now)
        }
        #expect(throws: RequestError.refused(.notTheRequester)) {
            try world.db.cancel(requestID: request.id, by: world.tech, now: now)
        }
        #expect(throws: RequestError.notFound) {
            try world.db.cancel(requestID: request.id, by: world.outsider, now: now)
        }
        // When the requester cancels
        let cancelled = try world.db.cancel(requestID: request.id, by: world.admin, now: now)
        // Then it is cancelled, with its event and emails, and cannot be cancelled twice
        #expect(cancelled.state == .cancelled)
        #expect(cancelled.eventKinds.filter { $0 != "email_sent" } == ["requested", "cancelled"])
        #expect(try world.subjects(request: request.id).filter { $0.hasSuffix("cancelled cancelled") }.count == 3)
        #expect(throws: RequestError.refused(.notOpen(.cancelled))) {
            try world.db.cancel(requestID: request.id, by: world.admin, now: now)
        }
    }

    @Test func resendIsAllowedAtOnceThenOnceAMinuteUpToTheCap() throws {
        // Given a request made at `now`
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        func resend(_ account: CustomerID, after seconds: TimeInterval) throws -> RequestSnapshot {
            try world.db.resend(requestID: request.id, by: account, now: now.addingTimeInterval(seconds))
        }
        // Then the first resend is allowed at once (an address was just fixed), with its event
        let first = try resend(world.newcomer, after: 5)
        #expect(first.lastResentAt == now.addingTimeInterval(5))
        #expect(first.events.contains(RequestEventSnapshot(at: now.addingTimeInterval(5), kind: "resent", actor: world.newcomer)))
        // And the next one waits a minute from the last resend
        #expect(throws: RequestError.resendTooSoon(retryAfter: 30)) { try resend(world.admin, after: 35) }
        _ = try resend(world.admin, after: 65)
        // But the contact being replaced may not (its resends would void the confirmers' codes), nor an outsider
        #expect(throws: RequestError.refused(.mayNotResend)) { try resend(world.tech, after: 400) }
        #expect(throws: RequestError.notFound) { try resend(world.outsider, after: 400) }
        // And after five resends in all, no more
        for minute in 2..<5 { _ = try resend(world.admin, after: TimeInterval(minute * 100)) }
        #expect(throws: RequestError.refused(.resendLimitReached)) { try resend(world.admin, after: 1_000) }
        _ = try world.db.cancel(requestID: request.id, by: world.admin, now: now.addingTimeInterval(1_100))
        #expect(throws: RequestError.refused(.notOpen(.cancelled))) { try resend(world.admin, after: 1_200) }
    }

    @Test func resendIssuesFreshCodesToTheAwaitedOnly() throws {
        // Given aa1 has accepted, dd4 not yet
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        _ = try world.db.accept(
            requestID: request.id, by: world.admin, code: request.codes[world.admin]!, now: now)
        let before = try world.outbox(request: request.id).count
        // When the request is sent again
        _ = try world.db.resend(requestID: request.id, by: world.admin, now: now.addingTimeInterval(60))
        // Then only dd4 got an email, with a fresh code, and aa1's acceptance stands
        let mails = try world.outbox(request: request.id).dropFirst(before)
        #expect(mails.map(\.recipient) == ["dd4-ovh"])
        let fresh = try #require(try world.mailedCodes(request: request.id)[world.newcomer])
        #expect(fresh != request.codes[world.newcomer])
        let snapshot = try world.db.request(request.id, for: world.admin, now: now.addingTimeInterval(60))
        #expect(snapshot.awaited.map(\.id) == [world.newcomer])
    }
}

@Suite struct RequestVisibilityAndExpiryTests {
    @Test func onlyParticipantsSeeARequest() throws {
        // Given aa1 asks for dd4 as technical contact (bb2 is the contact being replaced)
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        // Then asker, new contact and old contact see it; the billing contact of the same service does not
        for account in [world.admin, world.newcomer, world.tech] {
            #expect(try world.db.request(request.id, for: account, now: now).id == request.id)
            #expect(try world.db.requests(for: account, now: now).requests.map(\.id) == [request.id])
        }
        for account in [world.billing, world.outsider] {
            #expect(throws: RequestError.notFound) {
                try world.db.request(request.id, for: account, now: now)
            }
            #expect(try world.db.requests(for: account, now: now).requests.isEmpty)
        }
        #expect(throws: RequestError.notFound) {
            try world.db.request(request.id + 1, for: world.admin, now: now)
        }
    }

    @Test func theAdministratorSeesEveryRequestAboutItsService() throws {
        // Given the billing contact asks to hand its role to dd4
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.billing, [.billing: world.newcomer])
        // Then the administrative contact may open it (the edit page links to it as "already
        // open") but cannot act on it, and the technical contact does not see it
        #expect(try world.db.request(request.id, for: world.admin, now: now).id == request.id)
        #expect(throws: RequestError.refused(.notAConfirmer)) {
            try world.db.accept(requestID: request.id, by: world.admin, code: "x", now: now)
        }
        #expect(throws: RequestError.refused(.notTheRequester)) {
            try world.db.cancel(requestID: request.id, by: world.admin, now: now)
        }
        #expect(throws: RequestError.notFound) { try world.db.request(request.id, for: world.tech, now: now) }
        // And once ee5 is the administrative contact, ee5 sees it and aa1 no longer does
        try world.db.setContact(.administrative, of: world.serviceID, to: world.outsider)
        #expect(try world.db.request(request.id, for: world.outsider, now: now).id == request.id)
        #expect(throws: RequestError.notFound) { try world.db.request(request.id, for: world.admin, now: now) }
    }

    @Test func myRequestsListsOpenOnesFirstThenNewestFirst() throws {
        // Given, over three days: a refused request, an open one, and a done one
        let world = try RequestWorld()
        let day: TimeInterval = 24 * 3600
        let refused = try world.submitOne(by: world.admin, [.technical: world.newcomer], at: now)
        _ = try world.db.refuse(
            requestID: refused.id, by: world.newcomer, code: refused.codes[world.newcomer]!, now: now)
        let open = try world.submitOne(by: world.admin, [.technical: world.outsider], at: now.addingTimeInterval(day))
        let done = try world.submitOne(by: world.admin, [.billing: world.admin], at: now.addingTimeInterval(2 * day))
        _ = try world.db.accept(
            requestID: done.id, by: world.admin, code: done.codes[world.admin]!, now: now.addingTimeInterval(2 * day))
        let later = now.addingTimeInterval(3 * day)
        // Then the asker sees the open one first, then the others newest first
        #expect(try world.db.requests(for: world.admin, now: later).requests.map(\.id)
            == [open.id, done.id, refused.id])
        // And may filter by state
        #expect(try world.db.requests(for: world.admin, state: .refused, now: later).requests.map(\.id) == [refused.id])
        #expect(try world.db.requests(for: world.admin, state: .waiting, now: later).requests.map(\.id) == [open.id])
        // And the old technical contact sees the two requests about its role
        #expect(try world.db.requests(for: world.tech, now: later).requests.map(\.id) == [open.id, refused.id])
    }

    @Test func expiryIsAppliedOnRead() throws {
        // Given a request whose window ended
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        let expiresAt = now.addingTimeInterval(requestWindow)
        // When it is read one second before the end, then at the end
        #expect(try world.db.request(request.id, for: world.newcomer, now: expiresAt.addingTimeInterval(-1)).state == .waiting)
        let snapshot = try world.db.request(request.id, for: world.newcomer, now: expiresAt.addingTimeInterval(3600))
        // Then it is expired as of the end of its window, with its event and emails, once
        #expect(snapshot.state == .expired && snapshot.decidedAt == expiresAt)
        #expect(snapshot.events.contains(RequestEventSnapshot(at: expiresAt, kind: "expired", actor: nil)))
        _ = try world.db.request(request.id, for: world.admin, now: expiresAt.addingTimeInterval(7200))
        #expect(try world.eventKinds(of: request.id).filter { $0 == "expired" }.count == 1)
        #expect(try world.subjects(request: request.id).filter { $0.hasSuffix("expired expired") }.count == 3)
        #expect(try world.db.openRequests(onService: world.serviceID).isEmpty)
    }

    @Test func expiryIsAppliedByTheListAndBeforeCreating() throws {
        let world = try RequestWorld()
        let first = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        let later = now.addingTimeInterval(requestWindow + 60)
        // The edit page does not count a request past its window as open
        #expect(try world.db.openRequests(onService: world.serviceID, now: later).isEmpty)
        #expect(try world.db.openRequests(onService: world.serviceID) == [.technical: first.id])
        // A new submission on the role expires the old request first
        let second = try world.submitOne(by: world.tech, [.technical: world.outsider], at: later)
        #expect(try world.state(of: first.id) == "expired")
        // And the list applies expiry too
        let muchLater = later.addingTimeInterval(requestWindow)
        let listed = try world.db.requests(for: world.tech, now: muchLater).requests
        #expect(listed.map(\.state) == [.expired, .expired])
        #expect(listed.map(\.id) == [second.id, first.id])
    }

    @Test func operatorExpiresEveryDueRequest() throws {
        // Given two requests on two services, one due and one not
        let world = try RequestWorld()
        let otherService = try world.db.addService(
            name: "vps-1.example", type: .vps,
            administrative: world.admin, technical: world.admin, billing: world.admin)
        let due = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        let notDue = try world.db.createRequests(
            onService: otherService, by: world.admin, changes: [.billing: world.newcomer],
            expectedHolders: try world.db.roleHolders(ofService: otherService)!.holders,
            now: now.addingTimeInterval(2 * 24 * 3600), expiresAfter: requestWindow)[0]
        // When the operator expires due requests just after the first window
        let when = now.addingTimeInterval(requestWindow + 1)
        #expect(try world.db.expireDueRequests(now: when) == 1)
        // Then only the due one expired, with its event and emails; running again does nothing
        #expect(try world.state(of: due.id) == "expired")
        #expect(try world.state(of: notDue) == "waiting")
        #expect(try world.eventKinds(of: due.id).contains("expired"))
        #expect(try world.subjects(request: due.id).filter { $0.hasSuffix("expired expired") }.count == 3)
        #expect(try world.db.expireDueRequests(now: when) == 0)
    }
}

@Suite struct MyRequestsPagingTests {
    @Test func pagesGoThroughEveryRequestOnceOpenOnesFirst() throws {
        // Given 7 finished requests and one open, by aa1, one a minute
        let world = try RequestWorld()
        var finished: [Int64] = []
        for minute in 0..<7 {
            let at = now.addingTimeInterval(TimeInterval(minute * 60))
            let request = try world.submitOne(by: world.admin, [.billing: world.admin], at: at)
            try world.db.cancel(requestID: request.id, by: world.admin, now: at)
            finished.append(request.id)
        }
        let open = try world.submitOne(by: world.admin, [.technical: world.newcomer], at: now.addingTimeInterval(-3600))
        // When aa1 reads them three at a time
        var seen: [Int64] = []
        var cursor: RequestListCursor?
        var pages = 0
        repeat {
            let page = try world.db.requests(for: world.admin, after: cursor, limit: 3, now: now.addingTimeInterval(600))
            #expect(page.totalCount == 8)
            seen += page.requests.map(\.id)
            // The cursor survives the address bar
            cursor = try page.next.map { try #require(RequestListCursor(token: $0.token)) }
            pages += 1
        } while cursor != nil && pages < 10
        // Then the open one comes first, then the others newest first, each once
        #expect(seen == [open.id] + finished.reversed())
        #expect(pages == 3)
        // And a state filter pages too
        let cancelled = try world.db.requests(for: world.admin, state: .cancelled, limit: 5, now: now.addingTimeInterval(600))
        #expect(cancelled.totalCount == 7 && cancelled.requests.count == 5 && cancelled.next != nil)
    }

    @Test func cursorTokensFromTheAddressBarAreChecked() {
        for token in ["", "x-1-1", "o-1", "o--1-1", "o-1-0", "f-1-abc", "o-99999999999999999-1", String(repeating: "o", count: 60)] {
            #expect(RequestListCursor(token: token) == nil, "\(token)")
        }
        let cursor = RequestListCursor(open: false, requestedAt: Date(timeIntervalSince1970: 1_800_000_000.123), id: 42)
        #expect(RequestListCursor(token: cursor.token) == cursor)
    }
}
