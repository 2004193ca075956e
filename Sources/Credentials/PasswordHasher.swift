import CArgon2

/// Slow, salted password hashes: argon2id in the standard PHC encoding
/// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`), so the parameters travel with each hash
/// and can be raised later without invalidating stored ones.
public enum PasswordHasher {
    /// OWASP's minimum recommendation for argon2id (Password Storage Cheat Sheet).
    public static let memoryKiB: UInt32 = 19_456
    public static let iterations: UInt32 = 2
    public static let parallelism: UInt32 = 1
    public static let saltLength = 16
    public static let hashLength = 32

    /// Passwords longer than this are refused rather than hashed: argon2 would accept them, but a
    /// megabyte "password" is a denial-of-service attempt, not a secret.
    public static let maximumPasswordBytes = 4096

    /// The longest encoded hash `verify` will look at.
    static let maximumEncodedLength = 512

    /// argon2id encoded hash with a 16-byte random salt; parameters OWASP's minimum
    /// (m=19456 KiB, t=2, p=1).
    public static func hash(_ password: String) throws -> String {
        let passwordBytes = Array(password.utf8)
        guard passwordBytes.count <= maximumPasswordBytes else { throw PasswordHashError.passwordTooLong }
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<saltLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let encodedLength = argon2_encodedlen(
            iterations, memoryKiB, parallelism, UInt32(saltLength), UInt32(hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: encodedLength)
        let status = passwordBytes.withUnsafeBytes { pwd in
            salt.withUnsafeBytes { saltBytes in
                argon2id_hash_encoded(
                    iterations, memoryKiB, parallelism,
                    pwd.baseAddress, pwd.count,
                    saltBytes.baseAddress, saltBytes.count,
                    hashLength, &encoded, encodedLength)
            }
        }
        guard status == ARGON2_OK.rawValue else {
            throw PasswordHashError.argon2(code: Int(status))
        }
        let bytes = encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `password` matches `encoded`. False for a wrong password and for anything that is
    /// not a well-formed argon2id hash; never crashes.
    public static func verify(_ password: String, against encoded: String) -> Bool {
        guard encoded.hasPrefix("$argon2id$"),
              encoded.utf8.count <= maximumEncodedLength,
              !encoded.utf8.contains(0) else { return false }
        let passwordBytes = Array(password.utf8)
        guard passwordBytes.count <= maximumPasswordBytes else { return false }
        // Refuse parameters far above ours, so a tampered row cannot make sign-in allocate
        // gigabytes or loop for minutes.
        guard let parameters = parameters(of: encoded),
              parameters.m >= 8, parameters.m <= 262_144,
              parameters.t >= 1, parameters.t <= 16,
              parameters.p >= 1, parameters.p <= 8 else { return false }
        let status = encoded.withCString { encodedPointer in
            passwordBytes.withUnsafeBytes { pwd in
                argon2id_verify(encodedPointer, pwd.baseAddress, pwd.count)
            }
        }
        return status == ARGON2_OK.rawValue
    }

    /// The m, t and p values of an encoded argon2id hash, or nil when they cannot be read.
    static func parameters(of encoded: String) -> (m: Int, t: Int, p: Int)? {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        guard fields.count == 6, fields[0].isEmpty, fields[1] == "argon2id", fields[2] == "v=19" else {
            return nil
        }
        var values: [Substring: Int] = [:]
        for pair in fields[3].split(separator: ",") {
            let parts = pair.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[1].count <= 9, let value = Int(parts[1]) else { return nil }
            values[parts[0]] = value
        }
        guard values.count == 3, let m = values["m"], let t = values["t"], let p = values["p"] else {
            return nil
        }
        return (m, t, p)
    }
}

public enum PasswordHashError: Error, Equatable, Sendable {
    case passwordTooLong
    case argon2(code: Int)
}
