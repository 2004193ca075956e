import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

extension ContactsAdmin {
    /// The entry point: files this process creates (the database with its -wal and -shm, the
    /// delivery lock, the mailbox's .eml files) are for its user only, whatever the shell's
    /// umask; they hold password hashes, session digests and, until delivered, codes.
    static func main() {
        umask(0o077)
        main(nil)
    }
}
