import ContactsDomain
import Foundation
import Testing
@testable import ContactsStore

/// The request operations on both engines: the same answers, rows and emails.
@Suite struct RequestEngineTests {
    @Test(arguments: StoreEngineKind.allCases)
    func everyConfirmationMakesTheChangeTakeEffect(_ kind: StoreEngineKind) throws {
        // Given the administrator asks for dd4 as technical contact
        guard let world = try EngineRequestWorld.make(kind) else { return }
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        #expect(Set(request.codes.keys) == [world.admin, world.newcomer])
        #expect(try world.openRoles() == ["tech": "\(request.id)"])
        // When the administrator accepts, it still waits for dd4
        let partial = try world.engine.perform(
            .accept(by: world.admin, code: request.codes[world.admin]!), on: request.id, now: now.addingTimeInterval(60))
        #expect(partial.state == .waiting && partial.awaited.map(\.id) == [world.newcomer])
        #expect(partial.confirmations.first?.acceptedAt == now.addingTimeInterval(60))
        #expect(try world.holders.technical == world.tech)
        // When dd4 accepts too, the change took effect, with its history and emails
        let done = try world.engine.perform(
            .accept(by: world.newcomer, code: request.codes[world.newcomer]!), on: request.id, now: now.addingTimeInterval(120))
        #expect(done.state == .done && done.decidedAt == now.addingTimeInterval(120))
        #expect(try world.holders == RoleHolders(administrative: world.admin, technical: world.newcomer, billing: world.billing))
        #expect(try world.openRoles().isEmpty)
        #expect(done.eventKinds.filter { $0 != "email_sent" } == ["requested", "accepted", "accepted", "done"])
        #expect(done.eventKinds.filter { $0 == "email_sent" }.count == 2 + 3)
        let doneMails = try world.outbox(request: request.id).filter { $0.subject.hasSuffix("done done") }
        #expect(Set(doneMails.map(\.recipient.rawValue)) == ["aa1-ovh", "bb2-ovh", "dd4-ovh"])
        #expect(try world.engine.request(request.id, for: world.newcomer, now: now) == done)
        #expect(throws: RequestError.notFound) { try world.engine.request(request.id, for: world.outsider, now: now) }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func wrongCodesRefusalCancelAndResend(_ kind: StoreEngineKind) throws {
        guard let world = try EngineRequestWorld.make(kind) else { return }
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        // A wrong code is refused and counted (the refusal commits its count)
        #expect(throws: RequestError.wrongCode) {
            try world.engine.perform(.accept(by: world.newcomer, code: "nope"), on: request.id, now: now)
        }
        #expect(try world.store.rows("SELECT id FROM code_failure").count == 1)
        // Only the requester cancels; an outsider does not see the request
        #expect(throws: RequestError.refused(.notTheRequester)) {
            try world.engine.perform(.cancel(by: world.newcomer), on: request.id, now: now)
        }
        #expect(throws: RequestError.notFound) {
            try world.engine.perform(.cancel(by: world.outsider), on: request.id, now: now)
        }
        // A resend voids the old code
        let resent = try world.engine.perform(.resend(by: world.admin), on: request.id, now: now.addingTimeInterval(3600))
        #expect(resent.lastResentAt == now.addingTimeInterval(3600))
        #expect(throws: RequestError.wrongCode) {
            try world.engine.perform(
                .accept(by: world.newcomer, code: request.codes[world.newcomer]!), on: request.id, now: now.addingTimeInterval(3601))
        }
        // The refusal with the fresh code ends it; the role is free again
        let fresh = try world.mailedCodes(request: request.id)[world.newcomer]!
        let refused = try world.engine.perform(
            .refuse(by: world.newcomer, code: fresh), on: request.id, now: now.addingTimeInterval(3602))
        #expect(refused.state == .refused)
        #expect(try world.openRoles().isEmpty)
        let second = try world.submitOne(by: world.tech, [.technical: world.outsider], at: now.addingTimeInterval(3603))
        let cancelled = try world.engine.perform(.cancel(by: world.tech), on: second.id, now: now.addingTimeInterval(3604))
        #expect(cancelled.state == .cancelled)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func oneOpenRequestPerRoleAndTheAsksLimit(_ kind: StoreEngineKind) throws {
        guard let world = try EngineRequestWorld.make(kind) else { return }
        let first = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        #expect(throws: RequestError.openRequestExists(role: .technical, requestID: first.id)) {
            try world.submit(by: world.tech, [.technical: world.outsider])
        }
        #expect(try world.requestCount() == 1)
        try world.engine.perform(.cancel(by: world.admin), on: first.id, now: now)
        for minute in 1..<RequestPolicy.requestsPerAskerPerHour {
            let at = now.addingTimeInterval(TimeInterval(minute))
            let request = try world.submitOne(by: world.admin, [.billing: world.admin], at: at)
            try world.engine.perform(.cancel(by: world.admin), on: request.id, now: at)
        }
        #expect(throws: RequestError.tooManyRequests(.tooManyRequests(retryAfter: 3600 - 60))) {
            try world.submit(by: world.admin, [.technical: world.outsider], at: now.addingTimeInterval(60))
        }
        try world.submit(by: world.tech, [.technical: world.outsider], at: now.addingTimeInterval(60))
    }

    @Test(arguments: StoreEngineKind.allCases)
    func requestsPastTheirWindowExpire(_ kind: StoreEngineKind) throws {
        guard let world = try EngineRequestWorld.make(kind) else { return }
        let first = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        let second = try world.submitOne(by: world.admin, [.billing: world.outsider])
        let later = now.addingTimeInterval(requestWindow + 1)
        // The page's read expires the one it shows, the operator's command the rest
        #expect(try world.engine.request(first.id, for: world.admin, now: later).state == .expired)
        #expect(try world.engine.expireDueRequests(now: later) == 1)
        #expect(try world.engine.expireDueRequests(now: later) == 0)
        #expect(try world.eventKinds(of: second.id).contains("expired"))
        #expect(throws: RequestError.refused(.notOpen(.expired))) {
            try world.engine.perform(.accept(by: world.newcomer, code: first.codes[world.newcomer]!), on: first.id, now: later)
        }
        #expect(try world.openRoles().isEmpty)
    }
}

@Suite struct RequestListEngineTests {
    @Test(arguments: StoreEngineKind.allCases)
    func theListPagesOpenFirstThenNewestThroughItsCursor(_ kind: StoreEngineKind) throws {
        // Given five cancelled requests of aa1, a few moments apart, and one open
        guard let world = try EngineRequestWorld.make(kind) else { return }
        var cancelled: [Int64] = []
        for step in 0..<5 {
            let at = now.addingTimeInterval(TimeInterval(step) + 0.0004)
            let request = try world.submitOne(by: world.admin, [.billing: world.admin], at: at)
            try world.engine.perform(.cancel(by: world.admin), on: request.id, now: at)
            cancelled.append(request.id)
        }
        let open = try world.submitOne(by: world.admin, [.technical: world.newcomer], at: now.addingTimeInterval(1))
        // When aa1 reads the list two at a time, each cursor through its token
        var seen: [Int64] = []
        var cursor: RequestListCursor?
        repeat {
            let page = try world.engine.requests(for: world.admin, state: nil, after: cursor, limit: 2, now: now.addingTimeInterval(10))
            #expect(page.totalCount == 6)
            seen += page.requests.map(\.id)
            cursor = try page.next.map { try #require(RequestListCursor(token: $0.token)) }
        } while cursor != nil
        // Then the open one comes first, then the others newest first, each once
        #expect(seen == [open.id] + cancelled.reversed())
        // And the state filter counts and lists its own; dd4 sees the one it confirms
        let waiting = try world.engine.requests(for: world.admin, state: .waiting, after: nil, limit: 50, now: now.addingTimeInterval(10))
        #expect(waiting.requests.map(\.id) == [open.id] && waiting.totalCount == 1 && waiting.next == nil)
        let newcomers = try world.engine.requests(for: world.newcomer, state: nil, after: nil, limit: 50, now: now.addingTimeInterval(10))
        #expect(newcomers.requests.map(\.id) == [open.id])
        // And a request past its window is expired before the list is read
        let later = try world.engine.requests(
            for: world.newcomer, state: nil, after: nil, limit: 50, now: now.addingTimeInterval(requestWindow + 2))
        #expect(later.requests.map(\.state) == [.expired])
    }
}
