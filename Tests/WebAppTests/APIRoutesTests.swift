import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import HTTPCore
import Localization
import Testing
@testable import WebApp

/// Every operation of docs/openapi.json through the router: what it answers, what it changes,
/// and how it refuses. Every answer is held to the document (`APIClient`).
@Suite struct APIServicesTests {
    @Test func servicesAreListedWithTheirContactsAndTheAccountsRoles() throws {
        let world = try APIWorld()
        let page = try world.client(world.tech).call("GET", "/services")
        #expect(page.status == 200)
        #expect(page.items.map { $0["name"] as? String } == ["api-shop.example.pl", "vps-api.example.pl"])
        let shop = try #require(page.items.first)
        #expect(shop["type"] as? String == "domain")
        #expect((shop["contactAdmin"] as? [String: Any])?["account"] as? String == world.admin.rawValue)
        #expect((shop["contactAdmin"] as? [String: Any])?["name"] as? String == "Anna Admin")
        #expect(shop["myContactTypes"] as? [String] == ["contactTech"])
        #expect(page.items.last?["myContactTypes"] as? [String] == ["contactAdmin", "contactTech"])
        #expect(page.json["next"] is NSNull)
        // The administrator of one service sees only that one
        #expect(try world.client(world.admin).call("GET", "/services").items.map { $0["id"] as? Int64 } == [world.serviceID])
        #expect(try world.client(world.stranger).call("GET", "/services").items.isEmpty)
    }

    @Test func filtersSortAndKeysetPagesAsTheContactsTable() throws {
        let world = try APIWorld()
        let client = try world.client(world.tech)
        #expect(client.call("GET", "/services?contactType=contactAdmin").items.map { $0["id"] as? Int64 } == [world.otherServiceID])
        #expect(client.call("GET", "/services?type=vps").items.count == 1)
        #expect(client.call("GET", "/services?q=SHOP").items.map { $0["id"] as? Int64 } == [world.serviceID])
        #expect(client.call("GET", "/services?q=Anna").items.map { $0["id"] as? Int64 } == [world.serviceID])
        #expect(client.call("GET", "/services?sort=-name").items.map { $0["name"] as? String } == ["vps-api.example.pl", "api-shop.example.pl"])
        #expect(client.call("GET", "/services?sort=-type").items.first?["type"] as? String == "vps")
        let first = client.call("GET", "/services?limit=1")
        #expect(first.items.count == 1)
        let next = try #require(first.json["next"] as? String)
        let second = client.call("GET", "/services?limit=1&after=\(next)")
        #expect(second.items.map { $0["id"] as? Int64 } == [world.otherServiceID])
        #expect(second.json["next"] is NSNull)
    }

    @Test(arguments: [
        "unknown=1", "limit=0", "limit=201", "limit=ten", "limit=05", "sort=size", "contactType=admin", "type=castle",
        "after=not-a-cursor", "limit=1&limit=2", "q=\(String(repeating: "x", count: 101))",
    ])
    func aQueryTheOperationDoesNotTakeIs400NamingTheParameter(_ query: String) throws {
        let world = try APIWorld()
        var client = try world.client(world.admin)
        client.acceptLanguage = "pt"
        let answer = client.call("GET", "/services?\(query)")
        #expect(answer.status == 400)
        #expect(answer.slug == "bad-request")
        let name = String(query.prefix { $0 != "=" })
        #expect(answer.detail == world.test.app.catalog.string("api_error_query_parameter", .pt, .string(name)))
    }

    @Test func oneServiceWithItsOpenRequestsAndNoneTheAccountHoldsNoRoleOn() throws {
        let world = try APIWorld()
        let client = try world.client(world.admin)
        let service = client.call("GET", "/services/\(world.serviceID)")
        #expect(service.status == 200)
        #expect(service.json["name"] as? String == "api-shop.example.pl")
        #expect((service.json["contactBilling"] as? [String: Any])?["name"] as? String == "Bianca Billing")
        #expect(service.json["myContactTypes"] as? [String] == ["contactAdmin"])
        #expect(service.json["openContactChanges"] as? [Int64] == [])
        let id = try world.askForNewTechnicalContact(client)
        #expect(client.call("GET", "/services/\(world.serviceID)").json["openContactChanges"] as? [Int64] == [id])
        #expect(client.call("GET", "/services/\(world.otherServiceID)").status == 404)
        #expect(try world.client(world.stranger).call("GET", "/services/\(world.serviceID)").status == 404)
        #expect(client.call("GET", "/services/\(world.serviceID)?x=1").status == 400)
    }
}

@Suite struct APIContactChangeTests {
    @Test func aChangeIsCreatedListedReadAndTakesEffectWithBothEmailedCodes() throws {
        let world = try APIWorld()
        let admin = try world.client(world.admin)
        let id = try world.askForNewTechnicalContact(admin)

        let read = admin.call("GET", "/contactChanges/\(id)")
        #expect(read.status == 200)
        #expect(read.json["state"] as? String == "validatingByCustomers")
        #expect(read.json["askingAccount"] as? String == world.admin.rawValue)
        #expect(read.json["fromAccount"] as? String == world.tech.rawValue)
        #expect(read.json["toAccount"] as? String == world.newcomer.rawValue)
        #expect(read.json["contactTypes"] as? [String] == ["contactTech"])
        #expect(read.json["services"] as? Int == 1)
        #expect(read.json["serviceDomain"] as? String == "api-shop.example.pl")
        #expect((read.json["confirmations"] as? [[String: Any]])?.map { $0["account"] as? String } == [world.admin.rawValue, world.newcomer.rawValue])
        #expect((read.json["history"] as? [[String: Any]])?.first?["kind"] as? String == "requested")

        let list = admin.call("GET", "/contactChanges")
        #expect(list.items.map { $0["id"] as? Int64 } == [id])
        #expect(admin.call("GET", "/contactChanges?state=validatingByCustomers").items.count == 1)
        #expect(admin.call("GET", "/contactChanges?state=done").items.isEmpty)
        #expect(admin.call("GET", "/contactChanges?state=waiting").status == 400)
        let services = admin.call("GET", "/contactChanges/\(id)/services")
        #expect(services.items.map { $0["serviceId"] as? Int64 } == [world.serviceID])
        #expect(services.items.first?["outcome"] is NSNull)
        #expect(admin.call("GET", "/contactChanges/\(id)/services?after=\(world.serviceID)").items.isEmpty)

        // The old technical contact sees it; somebody else does not
        #expect(try world.client(world.tech).call("GET", "/contactChanges/\(id)").status == 200)
        #expect(try world.client(world.stranger).call("GET", "/contactChanges/\(id)").status == 404)
        #expect(try world.client(world.stranger).call("GET", "/contactChanges/\(id)/services").status == 404)

        let first = admin.call("POST", "/contactChanges/\(id)/accept", json: ["token": try world.code(for: world.admin)])
        #expect(first.status == 200)
        #expect(first.json["state"] as? String == "validatingByCustomers")
        let newcomer = try world.client(world.newcomer)
        let done = newcomer.call("POST", "/contactChanges/\(id)/accept", json: ["token": try world.code(for: world.newcomer)])
        #expect(done.status == 200)
        #expect(done.json["state"] as? String == "done")
        #expect(done.json["failedServices"] as? Int == 0)
        #expect(done.json["dateDone"] is String)
        #expect(newcomer.call("GET", "/contactChanges/\(id)/services").items.first?["outcome"] as? String == "changed")
        let service = newcomer.call("GET", "/services/\(world.serviceID)")
        #expect((service.json["contactTech"] as? [String: Any])?["account"] as? String == world.newcomer.rawValue)
        #expect(service.json["myContactTypes"] as? [String] == ["contactTech"])
        // Accepting again: the request is no longer open
        let again = newcomer.call("POST", "/contactChanges/\(id)/accept", json: ["token": "whatever"])
        #expect(again.status == 409)
    }

    @Test func wrongCodesAre422ThenSlowedDownLikeOnTheRequestPage() throws {
        let world = try APIWorld()
        let admin = try world.client(world.admin)
        let id = try world.askForNewTechnicalContact(admin)
        var newcomer = try world.client(world.newcomer)
        newcomer.acceptLanguage = "it"
        let wrong = newcomer.call("POST", "/contactChanges/\(id)/accept", json: ["token": "not-the-code"])
        #expect(wrong.status == 422)
        #expect(wrong.slug == "wrong-code")
        #expect(wrong.pointers == ["/token"])
        #expect(wrong.detail == world.test.app.catalog.string("request_error_wrong_code", .it))
        var last = wrong
        for _ in 0..<10 where last.status != 429 {
            last = newcomer.call("POST", "/contactChanges/\(id)/refuse", json: ["token": "still-not-it"])
        }
        #expect(last.status == 429)
        #expect(last.slug == "too-many-wrong-codes")
        let wait = try #require(last.response.header("Retry-After").flatMap(Int.init))
        #expect(wait >= 1)
        // Even the right code waits now
        #expect(newcomer.call("POST", "/contactChanges/\(id)/accept", json: ["token": try world.code(for: world.newcomer)]).status == 429)
        // The stranger is no confirmer and cannot even see it
        #expect(try world.client(world.stranger).call("POST", "/contactChanges/\(id)/accept", json: ["token": "x"]).status == 404)
    }

    @Test func theOldContactIsNoConfirmerAndOnlyTheAskerCancels() throws {
        let world = try APIWorld()
        let admin = try world.client(world.admin)
        let id = try world.askForNewTechnicalContact(admin)
        let tech = try world.client(world.tech)
        let notConfirmer = tech.call("POST", "/contactChanges/\(id)/accept", json: ["token": "x"])
        #expect(notConfirmer.status == 403)
        #expect(notConfirmer.slug == "not-allowed")
        #expect(notConfirmer.detail == world.test.app.catalog.string("request_error_not_confirmer", .pt))
        #expect(tech.call("POST", "/contactChanges/\(id)/cancel").status == 403)
        let cancelled = admin.call("POST", "/contactChanges/\(id)/cancel")
        #expect(cancelled.status == 200)
        #expect(cancelled.json["state"] as? String == "aborted")
        #expect(admin.call("POST", "/contactChanges/\(id)/cancel").status == 409)
        #expect(admin.call("GET", "/contactChanges?state=aborted").items.count == 1)
    }

    @Test func aRefusalEndsTheRequest() throws {
        let world = try APIWorld()
        let id = try world.askForNewTechnicalContact(try world.client(world.admin))
        let refused = try world.client(world.newcomer).call("POST", "/contactChanges/\(id)/refuse", json: ["token": try world.code(for: world.newcomer)])
        #expect(refused.status == 200)
        #expect(refused.json["state"] as? String == "refused")
    }

    @Test func resendingIssuesFreshCodesAtMostOnceAMinute() throws {
        let world = try APIWorld()
        let admin = try world.client(world.admin)
        let id = try world.askForNewTechnicalContact(admin)
        let oldCode = try world.code(for: world.newcomer)
        let resent = admin.call("POST", "/contactChanges/\(id)/resendEmail")
        #expect(resent.status == 204)
        #expect(resent.response.body.isEmpty)
        #expect(try world.code(for: world.newcomer) != oldCode)
        let tooSoon = admin.call("POST", "/contactChanges/\(id)/resendEmail", json: [String: Any]())
        #expect(tooSoon.status == 429)
        #expect(tooSoon.slug == "resend-too-soon")
        #expect(tooSoon.response.header("Retry-After") == "60")
        #expect(admin.call("POST", "/contactChanges/\(id)/resendEmail", json: ["force": true]).status == 422)
        // The old code was voided by the resend
        #expect(try world.client(world.newcomer).call("POST", "/contactChanges/\(id)/accept", json: ["token": oldCode]).status == 422)
    }
}

@Suite struct APIContactChangeRefusalTests {
    func body(_ world: APIWorld, types: [String] = ["contactTech"], to: String? = nil) -> [String: Any] {
        var body: [String: Any] = ["selection": ["serviceIds": [world.serviceID]], "contactTypes": types]
        body["toAccount"] = to ?? world.newcomer.rawValue
        return body
    }

    @Test func bodiesThatAreNotJSONOfTheRightKindAre415413400And422() throws {
        let world = try APIWorld()
        let client = try world.client(world.admin)
        let form = client.call("POST", "/contactChanges", body: Array("a=b".utf8), contentType: "application/x-www-form-urlencoded")
        #expect(form.status == 415)
        #expect(form.slug == "unsupported-media-type")
        let large = client.call("POST", "/contactChanges", body: Array(repeating: UInt8(ascii: " "), count: 70_000), contentType: "application/json")
        #expect(large.status == 413)
        #expect(client.call("POST", "/contactChanges", body: Array("{not json".utf8), contentType: "application/json").status == 400)
        #expect(client.call("POST", "/contactChanges", body: Array("[1]".utf8), contentType: "application/json; charset=utf-8").status == 400)

        let invalid = client.call("POST", "/contactChanges", json: ["contactTypes": "contactTech", "extra": 1])
        #expect(invalid.status == 422)
        #expect(invalid.slug == "invalid-body")
        #expect(invalid.pointers == ["/extra", "/contactTypes", "/selection"])
        let nested = client.call("POST", "/contactChanges", json: [
            "selection": ["serviceIds": ["1"], "other": true], "contactTypes": ["contactTech", "contactChef", "contactTech"],
            "toAccount": "not an id",
        ])
        #expect(nested.status == 422)
        #expect(Set(nested.pointers) == ["/selection/other", "/selection/serviceIds", "/contactTypes/1", "/contactTypes/2", "/toAccount"])
        #expect(client.call("POST", "/contactChanges", json: ["selection": [String: Any](), "contactTypes": ["contactTech"]]).pointers == ["/selection"])
        #expect(client.call("POST", "/contactChanges", json: ["selection": ["serviceIds": [Int]()], "contactTypes": ["contactTech"]]).pointers == ["/selection/serviceIds"])
        #expect(client.call("POST", "/contactChanges", json: ["selection": ["serviceIds": [1]], "contactTypes": [String]()]).pointers == ["/contactTypes"])
        #expect(client.call("POST", "/contactChanges/1/accept", json: ["token": ""]).pointers == ["/token"])
        #expect(client.call("POST", "/contactChanges/1/accept", json: ["code": "x"]).pointers == ["/code", "/token"])
        #expect(try world.test.database.requests(for: world.admin, now: world.test.clock.now).requests.isEmpty)
    }

    @Test(arguments: Language.allCases)
    func moreThanOneServiceOrAFilterIsTheDocumentedOneServiceOnlyProblem(_ language: Language) throws {
        let world = try APIWorld()
        var client = try world.client(world.tech)
        client.acceptLanguage = language.rawValue
        let several = client.call("POST", "/contactChanges", json: [
            "selection": ["serviceIds": [world.serviceID, world.otherServiceID]], "contactTypes": ["contactTech"],
            "toAccount": world.newcomer.rawValue,
        ])
        #expect(several.status == 422)
        #expect(several.slug == "one-service-only")
        #expect(several.pointers == ["/selection/serviceIds"])
        #expect(several.detail == world.test.app.catalog.string("api_error_one_service_only", language))
        let filter = client.call("POST", "/contactChanges/preview", json: [
            "selection": ["filter": ["type": "vps"]], "contactTypes": ["contactTech"], "toAccount": world.newcomer.rawValue,
        ])
        #expect(filter.slug == "one-service-only")
        #expect(filter.pointers == ["/selection/filter"])
        #expect(try world.test.database.requests(for: world.tech, now: world.test.clock.now).requests.isEmpty)
    }

    @Test func theEditPagesRulesRefuseWithAPointerPerContactType() throws {
        let world = try APIWorld()
        let admin = try world.client(world.admin)
        let noChange = admin.call("POST", "/contactChanges", json: body(world, types: ["contactBilling", "contactTech"], to: world.tech.rawValue))
        #expect(noChange.status == 422)
        #expect(noChange.slug == "change-refused")
        #expect(noChange.pointers == ["/contactTypes/1"])
        #expect((noChange.json["errors"] as? [[String: Any]])?.first?["detail"] as? String
            == world.test.app.catalog.string("edit_error_no_change", .pl))
        let unknown = admin.call("POST", "/contactChanges", json: body(world, to: "zz999-ovh"))
        #expect(unknown.status == 422)
        #expect(unknown.pointers == ["/toAccount"])
        // The billing contact may hand on billing only
        let billing = try world.client(world.billing)
        let notAllowed = billing.call("POST", "/contactChanges", json: body(world, types: ["contactAdmin"]))
        #expect(notAllowed.status == 422)
        #expect((notAllowed.json["errors"] as? [[String: Any]])?.first?["detail"] as? String
            == world.test.app.catalog.string("edit_error_not_allowed", .it))
        // A service the account holds no role on does not exist for it
        #expect(try world.client(world.stranger).call("POST", "/contactChanges", json: body(world)).status == 404)

        _ = try world.askForNewTechnicalContact(admin)
        let open = admin.call("POST", "/contactChanges", json: body(world, to: world.stranger.rawValue))
        #expect(open.status == 409)
        #expect(open.slug == "open-request")
        #expect(open.pointers == ["/contactTypes/0"])
    }

    @Test func takingARoleBackNeedsNoNewContactAndOneConfirmation() throws {
        let world = try APIWorld()
        let admin = try world.client(world.admin)
        let created = admin.call("POST", "/contactChanges", json: ["selection": ["serviceIds": [world.serviceID]], "contactTypes": ["contactBilling"]])
        #expect(created.status == 201)
        let change = try #require(created.items.first)
        #expect(change["toAccount"] as? String == world.admin.rawValue)
        #expect((change["confirmations"] as? [[String: Any]])?.count == 1)
    }

    @Test func thePreviewPlansTheRequestsAndItsDigestGuardsTheCreation() throws {
        let world = try APIWorld()
        let admin = try world.client(world.admin)
        let preview = admin.call("POST", "/contactChanges/preview", json: body(world, types: ["contactTech", "contactBilling", "contactAdmin"]))
        #expect(preview.status == 200)
        let requests = try #require(preview.json["requests"] as? [[String: Any]])
        // One request per (old contact, new contact) pair, each confirmed by the asker and the newcomer
        #expect(requests.map { $0["contactTypes"] as? [String] } == [["contactAdmin"], ["contactTech"], ["contactBilling"]])
        #expect(requests.map { $0["fromAccount"] as? String } == [world.admin, world.tech, world.billing].map(\.rawValue))
        #expect(requests.allSatisfy { $0["confirmers"] as? [String] == [world.admin.rawValue, world.newcomer.rawValue] })
        #expect(preview.json["covered"] as? [String: Int] == ["contactAdmin": 1, "contactTech": 1, "contactBilling": 1])
        #expect((preview.json["leftOut"] as? [Any])?.isEmpty == true)
        // Nothing is stored by a preview
        #expect(try world.test.database.requests(for: world.admin, now: world.test.clock.now).requests.isEmpty)
        let digest = try #require(preview.json["digest"] as? String)

        // Meanwhile another request opens on the technical role: the preview is out of date
        let techOnly = body(world, types: ["contactTech"])
        let techPreview = try #require(admin.call("POST", "/contactChanges/preview", json: techOnly).json["digest"] as? String)
        _ = try world.askForNewTechnicalContact(admin)
        var stale = techOnly
        stale["previewDigest"] = techPreview
        let refused = admin.call("POST", "/contactChanges", json: stale)
        #expect(refused.status == 409)
        #expect(refused.slug == "preview-outdated")
        let leftOut = admin.call("POST", "/contactChanges/preview", json: techOnly).json["leftOut"] as? [[String: Any]]
        #expect(leftOut?.first?["reason"] as? String == "openRequest")
        #expect(leftOut?.first?["firstServiceIds"] as? [Int64] == [world.serviceID])

        // A digest that still holds lets the creation through
        var fresh = body(world, types: ["contactBilling"], to: world.stranger.rawValue)
        fresh["previewDigest"] = admin.call("POST", "/contactChanges/preview", json: fresh).json["digest"] as? String
        #expect(admin.call("POST", "/contactChanges", json: fresh).status == 201)
        #expect(digest != techPreview)
    }

    @Test func tooManyNewRequestsAre429WithRetryAfter() throws {
        let world = try APIWorld { $0.creationLimits = CreationLimits(perAskerPerHour: 1, perAskerPerDay: 10, perTargetPerDay: 10) }
        let admin = try world.client(world.admin)
        _ = try world.askForNewTechnicalContact(admin)
        let second = admin.call("POST", "/contactChanges", json: body(world, types: ["contactBilling"]))
        #expect(second.status == 429)
        #expect(second.slug == "too-many-requests")
        #expect(second.response.header("Retry-After").flatMap(Int.init).map { $0 >= 1 } == true)
    }
}
