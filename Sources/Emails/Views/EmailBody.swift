/// What `email.mustache` prints: the body of every email, as plain text.
struct EmailBody: Sendable {
    static let template = "email"
    let greeting: String
    let paragraphs: [String]
    let signature: String
}
