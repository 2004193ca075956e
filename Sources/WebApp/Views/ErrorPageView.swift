/// `error.mustache`: the localized message of a failed request.
struct ErrorPageView: PageView {
    static let template = "error"
    let message: String
}
