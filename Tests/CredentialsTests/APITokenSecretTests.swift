import Credentials
import Testing

@Suite struct APITokenSecretTests {
    @Test func aNewTokenHasItsPrefixAndIsReadBackFromABearerHeader() {
        let token = APITokenSecret.generate()
        #expect(token.hasPrefix("sct_") && token.count == 47)
        #expect(APITokenSecret.isWellFormed(token))
        #expect(APITokenSecret.bearer("Bearer \(token)") == token)
        #expect(APITokenSecret.bearer("bearer   \(token) ") == token)
        #expect(APITokenSecret.generate() != token)
    }

    @Test func anythingElseIsNoToken() {
        let token = APITokenSecret.generate()
        for header in [nil, "", "Bearer", "Basic \(token)", "Bearer \(token.dropLast())", "Bearer \(token)x",
                       "Bearer sct_" + String(repeating: "!", count: 43), "Bearer " + String(token.dropFirst(4)), "\(token)"] {
            #expect(APITokenSecret.bearer(header) == nil, "\(header ?? "nil")")
        }
    }
}
