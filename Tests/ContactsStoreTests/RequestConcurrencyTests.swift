import ContactsDomain
import Foundation
import Testing
@testable import ContactsStore

/// Racing actions on one request or one role, on both engines: SQLite's single writer and
/// PostgreSQL's row locks must give the same single effect.
@Suite struct RequestConcurrencyTests {
    @Test(arguments: StoreEngineKind.allCases)
    func sixteenThreadsAcceptingOneCodeTakeEffectOnce(_ kind: StoreEngineKind) throws {
        // Given a request where only dd4's confirmation is awaited
        guard let world = try EngineRequestWorld.make(kind) else { return }
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        try world.engine.perform(.accept(by: world.admin, code: request.codes[world.admin]!), on: request.id, now: now)
        let (engine, requestID, newcomer, code) = (world.engine, request.id, world.newcomer, request.codes[world.newcomer]!)
        let mailsBefore = try world.outbox(request: request.id).count
        // When 16 threads accept with dd4's code at once
        let outcomes = Outcomes()
        GroupCommitTests.onThreads(16) { _ in
            do {
                try engine.perform(.accept(by: newcomer, code: code), on: requestID, now: now)
                outcomes.append("accepted")
            } catch {
                outcomes.append("\(error)")
            }
        }
        // Then one took effect and the others were told it is done
        let all = outcomes.values
        #expect(all.filter { $0 == "accepted" }.count == 1, "\(all)")
        #expect(all.allSatisfy { $0 == "accepted" || $0.contains("alreadyAccepted") || $0.contains("notOpen") }, "\(all)")
        // And there is one change, one 'done' event and one set of completion emails
        #expect(try world.holders.technical == world.newcomer)
        #expect(try world.eventKinds(of: request.id).filter { $0 == "done" }.count == 1)
        #expect(try world.eventKinds(of: request.id).filter { $0 == "accepted" }.count == 2)
        let mails = try world.outbox(request: request.id)
        #expect(mails.count == mailsBefore + 3)
        #expect(mails.filter { $0.subject.contains(" done ") }.count == 3)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func concurrentCreatesOnOneRoleLetOneWin(_ kind: StoreEngineKind) throws {
        // Given sixteen submissions for the technical role at once, by its two askers
        guard let world = try EngineRequestWorld.make(kind) else { return }
        let (engine, serviceID, holders) = (world.engine, world.serviceID, try world.holders)
        let askers = [world.admin, world.tech]
        let wanted = [world.newcomer, world.outsider]
        let outcomes = Outcomes()
        GroupCommitTests.onThreads(16) { index in
            do {
                let ids = try engine.createRequests(
                    onService: serviceID, by: askers[index % 2], changes: [.technical: wanted[index / 2 % 2]],
                    expectedHolders: holders, now: now, expiresAfter: requestWindow, limits: RequestPolicy.creationLimits)
                outcomes.append("created \(ids)")
            } catch {
                outcomes.append("\(error)")
            }
        }
        // Then one was stored, and every other was told of it as SQLite tells it
        let all = outcomes.values
        let created = all.filter { $0.hasPrefix("created") }
        #expect(created.count == 1, "\(all)")
        let open = try world.openRoles()
        let winner = try #require(open["tech"].flatMap { Int64($0) })
        #expect(created == ["created [\(winner)]"])
        #expect(all.filter { $0 == "\(RequestError.openRequestExists(role: .technical, requestID: winner))" }.count == 15, "\(all)")
        #expect(try world.requestCount() == 1)
    }
}
