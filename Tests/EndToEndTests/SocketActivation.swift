import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What systemd does for contacts-fcgi.socket: binds and listens on the unix socket itself,
/// with the unit's mode and group, and hands it to the service as standard input.
enum SocketActivation {
    /// A listening unix socket at `path` (mode 0660, group `group` when given); the caller
    /// closes the descriptor once the child has it.
    static func listen(at path: String, group: String?) throws -> Int32 {
        // Close-on-exec: only the child it is handed to (as its fd 0) keeps it.
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw EndToEndError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw EndToEndError("socket path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        unlink(path)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, Glibc.listen(descriptor, 128) == 0 else {
            let message = String(cString: strerror(errno))
            close(descriptor)
            throw EndToEndError("bind/listen \(path): \(message)")
        }
        chmod(path, 0o660)
        if let group, let entry = getgrnam(group) {
            chown(path, uid_t.max, entry.pointee.gr_gid)
        }
        return descriptor
    }
}

/// The whole site with contacts-fcgi started as contacts-fcgi.service starts it.
@Suite(.timeLimit(.minutes(2)))
struct SocketActivationTests {
    @Test func theServerServesOnASocketHandedToItOnStandardInput() throws {
        let server = try EndToEndServer(socketActivated: true)
        let browser = Browser(port: server.port)
        #expect(try browser.get("/healthz").status == 200, "\(server.appLogText)")
        #expect(try browser.get("/sign-in").status == 200)
        #expect(server.appLogText.contains("inherited socket"), "\(server.appLogText)")
        // SIGTERM, as systemctl stop sends it: the app finishes and exits 0.
        #expect(server.stopApp() == 0, "\(server.appLogText)")
    }
}
