import HTTPCore

extension Application {
    static func makeRouter() -> Router {
        var router = Router()
        router.add("GET", "/") { _, context in
            .redirect(to: context.visitor.isSignedIn ? "/contacts" : "/sign-in")
        }
        router.add("GET", "/healthz") { app, context in try app.showHealth(context) }
        router.add("GET", "/metrics") { app, context in try app.showMetrics(context) }
        router.add("GET", "/sign-in") { app, context in try app.showSignIn(context) }
        router.add("POST", "/sign-in") { app, context in try app.signIn(context) }
        router.add("POST", "/sign-out") { app, context in try app.signOut(context) }
        router.add("GET", "/contacts") { app, context in try app.showContacts(context) }
        router.add("GET", "/profile") { app, context in try app.showProfile(context) }
        router.add("POST", "/profile") { app, context in try app.saveProfile(context) }
        router.add("GET", "/profile/email/confirm") { app, context in try app.showEmailConfirmation(context) }
        router.add("POST", "/profile/email/confirm") { app, context in try app.confirmEmailChange(context) }
        router.add("POST", "/profile/email/cancel") { app, context in try app.cancelEmailChange(context) }
        router.add("POST", "/profile/email/resend") { app, context in try app.resendEmailChange(context) }
        router.add("POST", "/profile/tokens") { app, context in try app.createAPIToken(context) }
        router.add("POST", "/profile/tokens/:id/revoke") { app, context in try app.revokeAPIToken(context) }
        router.add("GET", "/language") { app, context in try app.switchLanguage(context) }
        router.add("GET", "/services/:id/edit") { app, context in try app.showEditPage(context) }
        router.add("POST", "/services/:id/edit") { app, context in try app.submitEditPage(context) }
        router.add("GET", "/services/:id") { app, context in try app.showService(context) }
        router.add("GET", "/services/:id/owner") { app, context in try app.showOwnerForm(context) }
        router.add("POST", "/services/:id/owner") { app, context in try app.previewOwnerUpdate(context) }
        router.add("POST", "/services/:id/owner/save") { app, context in try app.saveOwnerUpdate(context) }
        router.add("GET", "/owner-email/confirm") { app, context in try app.showOwnerEmailLink(context) }
        router.add("POST", "/owner-email/confirm") { app, context in try app.confirmOwnerEmailLink(context) }
        router.add("GET", "/requests") { app, context in try app.showRequests(context) }
        router.add("GET", "/requests/:id") { app, context in try app.showRequest(context) }
        router.add("POST", "/requests/:id/accept") { app, context in try app.acceptRequest(context) }
        router.add("POST", "/requests/:id/refuse") { app, context in try app.refuseRequest(context) }
        router.add("POST", "/requests/:id/cancel") { app, context in try app.cancelRequest(context) }
        router.add("POST", "/requests/:id/resend") { app, context in try app.resendRequest(context) }
        router.add("GET", "/demo/mailbox") { app, context in try app.showDemoMailbox(context) }
        router.add("GET", "/bench/bytes") { app, context in try app.showBenchBytes(context) }
        return router
    }

    /// Sends an anonymous visitor to sign in, coming back to where it was going afterwards.
    func redirectToSignIn(_ context: RequestContext) -> HTTPResponse {
        .redirect(to: "/sign-in?next=\(PercentDecoding.encode(context.pathWithQuery))")
    }
}

/// A "come back here" target from a query or form: only a path on this site, so that a crafted
/// link cannot send a signed-in customer elsewhere.
enum LocalPath {
    static func validated(_ value: String?) -> String? {
        guard let value, value.hasPrefix("/"), !value.hasPrefix("//"), !value.hasPrefix("/\\"),
              value.utf8.count <= 2048,
              value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") })
        else { return nil }
        return value
    }
}
