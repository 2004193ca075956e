#if canImport(Glibc)
import Glibc
#endif

/// The listening socket workers accept on: a unix socket this process creates (and removes at
/// the end), a TCP port, or the one inherited as standard input from `spawn-fcgi`.
struct ListeningSocket: ~Copyable {
    let descriptor: Int32
    /// The path this process bound, with the file's identity, so that only our own file is removed.
    private let createdPath: (path: String, device: UInt64, inode: UInt64)?

    /// Binds a new unix socket at `path`, sets its mode and group before it starts listening, so
    /// that nobody else can connect even for an instant.
    init(unixPath path: String, mode: UInt32, group: String?, backlog: Int32) throws(FastCGIServer.Error) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let pathBytes = Array(path.utf8)
        guard !pathBytes.isEmpty, pathBytes.count < capacity, !pathBytes.contains(0) else {
            throw .socketPathTooLong(path: path, limit: capacity - 1)
        }

        var groupID: gid_t?
        if let group {
            guard let entry = getgrnam(group) else { throw .unknownGroup(group) }
            groupID = entry.pointee.gr_gid
        }

        try Self.removeStaleSocket(at: path)

        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .socket(operation: "socket", path: path, errno: errno) }

        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + 1)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw .socket(operation: "bind", path: path, errno: code)
        }
        func fail(_ operation: String) -> FastCGIServer.Error {
            let code = errno
            Glibc.close(descriptor)
            unlink(path)
            return .socket(operation: operation, path: path, errno: code)
        }
        if let groupID, chown(path, uid_t.max, groupID) != 0 { throw fail("chown") }
        guard chmod(path, mode_t(mode)) == 0 else { throw fail("chmod") }
        var status = stat()
        guard stat(path, &status) == 0 else { throw fail("stat") }
        guard listen(descriptor, backlog) == 0 else { throw fail("listen") }

        self.descriptor = descriptor
        self.createdPath = (path, UInt64(status.st_dev), UInt64(status.st_ino))
    }

    /// Binds a TCP socket on `host` (an IPv4 or IPv6 address, not a name) and `port`: how nginx on
    /// another host reaches this one. Anybody who can reach the port can send requests as nginx
    /// would, so it belongs on the hosts' private network (or behind a firewall that lets only
    /// nginx in); libfcgi also honours `FCGI_WEB_SERVER_ADDRS`, a list of the addresses allowed.
    init(tcpHost host: String, port: UInt16, backlog: Int32) throws(FastCGIServer.Error) {
        let description = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let address = found else {
            throw .invalidConfiguration("not a numeric IP address: \(host)")
        }
        defer { freeaddrinfo(found) }
        let descriptor = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .socket(operation: "socket", path: description, errno: errno) }
        func fail(_ operation: String) -> FastCGIServer.Error {
            let code = errno
            Glibc.close(descriptor)
            return .socket(operation: operation, path: description, errno: code)
        }
        // A restarted host binds its port again at once, past the old connections' TIME_WAIT.
        var on: Int32 = 1
        guard setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw fail("setsockopt")
        }
        guard bind(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else { throw fail("bind") }
        guard listen(descriptor, backlog) == 0 else { throw fail("listen") }
        self.descriptor = descriptor
        self.createdPath = nil
    }

    /// Standard input as handed over by `spawn-fcgi` (FCGI_LISTENSOCK_FILENO): it must be a
    /// listening stream socket.
    init(inheritedDescriptor descriptor: Int32 = 0) throws(FastCGIServer.Error) {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting == 1 else {
            throw .notAListeningSocket
        }
        self.descriptor = descriptor
        self.createdPath = nil
    }

    /// Makes every thread blocked in `accept` on this socket return (Linux: EINVAL), while
    /// connections already accepted carry on.
    func stopAccepting() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Closes the socket and removes the file we created, unless another process has replaced it.
    consuming func close() {
        Glibc.close(descriptor)
        if let createdPath {
            var status = stat()
            if stat(createdPath.path, &status) == 0,
               UInt64(status.st_dev) == createdPath.device, UInt64(status.st_ino) == createdPath.inode {
                unlink(createdPath.path)
            }
        }
    }

    /// A socket file left behind by a process that died is removed; a live one (something
    /// answers) or a file that is not a socket is an error, never silently replaced.
    private static func removeStaleSocket(at path: String) throws(FastCGIServer.Error) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard (status.st_mode & S_IFMT) == S_IFSOCK else { throw .pathNotASocket(path) }

        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { throw .socket(operation: "socket", path: path, errno: errno) }
        defer { Glibc.close(probe) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.utf8.count + 1)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, length) }
        }
        if connected == 0 { throw .socketInUse(path) }
        guard errno == ECONNREFUSED else { throw .socket(operation: "connect", path: path, errno: errno) }
        guard unlink(path) == 0 else { throw .socket(operation: "unlink", path: path, errno: errno) }
    }
}
