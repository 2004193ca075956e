import HTTPCore

/// The operations under `/api/v1/` (docs/openapi.json). Each says whether it needs a token and
/// whether it changes something (a read-only token gets 403 there).
struct APIRoute: Sendable {
    enum Access: Sendable {
        /// No token: the API's own description.
        case open
        case read
        case write
    }

    let access: Access
    let handler: @Sendable (Application, APIContext) throws -> HTTPResponse
}

extension Application {
    static let apiPrefix = "/api/v1"

    /// Whether a request's path is the API's: the front door answers everything under it.
    static func isAPIPath(_ rawPath: String) -> Bool {
        rawPath == apiPrefix || rawPath.hasPrefix(apiPrefix + "/")
    }

    static let apiRouter: PathRouter<APIRoute> = {
        var router = PathRouter<APIRoute>()
        func add(_ method: String, _ path: String, _ access: APIRoute.Access,
                 _ handler: @escaping @Sendable (Application, APIContext) throws -> HTTPResponse) {
            router.add(method, apiPrefix + path, APIRoute(access: access, handler: handler))
        }
        add("GET", "/openapi.json", .open) { app, _ in app.apiDocumentResponse() }
        add("GET", "/services", .read) { app, context in try app.listServicesAPI(context) }
        add("GET", "/services/:id", .read) { app, context in try app.serviceAPI(context) }
        add("GET", "/contactChanges", .read) { app, context in try app.listContactChangesAPI(context) }
        add("POST", "/contactChanges", .write) { app, context in try app.createContactChangeAPI(context) }
        add("POST", "/contactChanges/preview", .write) { app, context in try app.previewContactChangeAPI(context) }
        add("GET", "/contactChanges/:id", .read) { app, context in try app.contactChangeAPI(context) }
        add("GET", "/contactChanges/:id/services", .read) { app, context in try app.contactChangeServicesAPI(context) }
        add("POST", "/contactChanges/:id/accept", .write) { app, context in try app.decideContactChangeAPI(context, accept: true) }
        add("POST", "/contactChanges/:id/refuse", .write) { app, context in try app.decideContactChangeAPI(context, accept: false) }
        add("POST", "/contactChanges/:id/cancel", .write) { app, context in try app.cancelContactChangeAPI(context) }
        add("POST", "/contactChanges/:id/resendEmail", .write) { app, context in try app.resendContactChangeAPI(context) }
        return router
    }()
}
