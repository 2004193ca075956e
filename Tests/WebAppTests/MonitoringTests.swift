import ContactsDomain
import Foundation
import HTTPCore
import Testing
@testable import WebApp

@Suite struct MonitoringTests {
    @Test func metricsCountRequestsByRouteAndStatusForLoopbackOnly() throws {
        let test = try TestApp()
        try test.addAccount("aa100-ovh")
        let browser = test.browser()
        browser.signIn("aa100-ovh")
        browser.get("/contacts")
        browser.get("/requests/42")
        browser.get("/nowhere/at/all")
        let metrics = test.app.respond(to: HTTPRequest(method: "GET", target: "/metrics"))
        #expect(metrics.status == .ok)
        #expect(metrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = String(decoding: metrics.body, as: UTF8.self)
        #expect(text.contains(#"contacts_requests_total{route="/contacts",status="200"} 1"#))
        #expect(text.contains(#"contacts_requests_total{route="/requests/:id",status="404"} 1"#))
        #expect(text.contains(#"route="other""#))
        #expect(!text.contains("/requests/42") && !text.contains("nowhere"))
        #expect(text.contains("contacts_request_duration_seconds_bucket"))
        #expect(text.contains("contacts_outbox_pending_emails 0"))
        #expect(text.contains("contacts_requests_in_progress"))
        // From anywhere else, as if there were no such page
        let outside = test.app.respond(to: HTTPRequest(method: "GET", target: "/metrics", remoteAddress: "203.0.113.9"))
        #expect(outside.status == .notFound)
    }

    @Test func metricsReportTheDatabaseTimeOfReadsAndWritesByEngine() throws {
        let test = try TestApp()
        try test.addAccount("aa100-ovh")
        let browser = test.browser()
        browser.signIn("aa100-ovh")
        browser.get("/contacts")
        let text = String(decoding: test.app.respond(to: HTTPRequest(method: "GET", target: "/metrics")).body, as: UTF8.self)
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("contacts_database_duration_seconds_count") }
        // The sign-in wrote (session, attempts), the contacts page read.
        for operation in ["read", "write"] {
            let line = try #require(lines.first { $0.contains(#"operation="\#(operation)""#) && $0.contains(#"engine="sqlite""#) }, "\(text)")
            #expect((Int(line.split(separator: " ").last ?? "") ?? 0) > 0, "\(line)")
        }
    }

    @Test func theHealthCheckSaysTheDatabaseAnswersAndHowFarBehindTheOutboxIs() throws {
        let world = try ContactChangeTests.World()
        _ = try world.askForNewTechnicalContact()
        world.test.clock.advance(by: 90)
        let health = world.test.app.respond(to: HTTPRequest(method: "GET", target: "/healthz"))
        #expect(health.status == .ok)
        let text = String(decoding: health.body, as: UTF8.self)
        #expect(text.contains("database: ok"))
        #expect(text.contains("outbox_pending: 2"))
        #expect(text.contains("outbox_oldest_pending_age_seconds: 90"))
    }

    @Test func throttledAnswersAreCountedAsRefusals() throws {
        let test = try TestApp { $0.passwordHashingSlots = 1; $0.passwordSlotWait = 0 }
        try test.addAccount("aa100-ovh")
        #expect(test.app.hashingSlots.acquire())
        let browser = test.browser()
        browser.get("/sign-in")
        browser.post("/sign-in", [("customer_id", "aa100-ovh"), ("password", TestApp.password)])
        test.app.hashingSlots.release()
        let text = String(decoding: test.app.respond(to: HTTPRequest(method: "GET", target: "/metrics")).body, as: UTF8.self)
        #expect(text.contains(#"contacts_refusals_total{route="/sign-in",kind="unavailable"} 1"#), "\(text)")
    }
}
