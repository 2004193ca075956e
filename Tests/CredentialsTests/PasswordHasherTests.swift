import Testing
@testable import Credentials

@Suite struct PasswordHasherTests {
    @Test func hashThenVerifyRoundTrips() throws {
        // Given a hash of a password
        let encoded = try PasswordHasher.hash("correct horse battery staple")
        // When verifying the same password / Then it matches
        #expect(PasswordHasher.verify("correct horse battery staple", against: encoded))
    }

    @Test func wrongPasswordDoesNotVerify() throws {
        let encoded = try PasswordHasher.hash("zażółć gęślą jaźń")
        #expect(!PasswordHasher.verify("zazolc gesla jazn", against: encoded))
        #expect(!PasswordHasher.verify("", against: encoded))
    }

    @Test func twoHashesOfOnePasswordDiffer() throws {
        // Given the same password hashed twice
        let first = try PasswordHasher.hash("same")
        let second = try PasswordHasher.hash("same")
        // Then the random salt makes the encodings differ, and both verify
        #expect(first != second)
        #expect(PasswordHasher.verify("same", against: first))
        #expect(PasswordHasher.verify("same", against: second))
    }

    @Test func encodingNamesAlgorithmAndParameters() throws {
        let encoded = try PasswordHasher.hash("secret")
        #expect(encoded.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        let fields = encoded.split(separator: "$")
        #expect(fields.count == 5)
        // 16-byte salt and 32-byte hash in unpadded base64
        #expect(fields[3].count == 22)
        #expect(fields[4].count == 43)
    }

    @Test(arguments: [
        "",
        "not a hash",
        "$argon2id$",
        "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA",
        "$argon2id$v=19$m=19456,t=2,p=1$",
        "$argon2id$v=19$m=19456,t=2,p=1$!!!!$????",
        "$argon2id$v=19$m=99999999999,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
        "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
        "$argon2id$v=19$m=19456,t=0,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
        "$argon2id$v=19$m=-1,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
    ])
    func malformedHashesDoNotVerify(encoded: String) {
        #expect(!PasswordHasher.verify("secret", against: encoded))
    }

    @Test func truncatedHashDoesNotVerify() throws {
        let encoded = try PasswordHasher.hash("secret")
        #expect(!PasswordHasher.verify("secret", against: String(encoded.dropLast(3))))
    }

    @Test func absurdlyLongPasswordIsRefused() {
        let long = String(repeating: "x", count: PasswordHasher.maximumPasswordBytes + 1)
        #expect(throws: PasswordHashError.passwordTooLong) { try PasswordHasher.hash(long) }
    }
}
