import CFastCGI
import HTTPCore
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A FastCGI responder on libfcgi's re-entrant `FCGX_*` API: a fixed pool of worker threads,
/// each with its own `FCGX_Request`, accepting on one shared listening socket.
///
/// `run(responder:)` blocks until SIGTERM or SIGINT (or `stop()`), then stops accepting, lets
/// the requests in flight finish, joins the workers, removes the socket file it created and
/// returns. Handlers only ever see `HTTPRequest` and `HTTPResponse` values.
///
/// libfcgi's shutdown flag is process-wide and cannot be cleared, so a process runs one server
/// once; a second `run` throws `alreadyRan`.
public final class FastCGIServer: Sendable {
    public struct Configuration: Sendable {
        public enum Listen: Sendable, Equatable {
            /// A unix socket this process creates at `path`. `mode` 0660 lets the owner and the
            /// `group` connect: run the app as its own user and give the socket the group nginx's
            /// workers run as (`www-data` on Debian). The file is removed when the server stops.
            case unixSocket(path: String, mode: UInt32 = 0o660, group: String? = nil)
            /// A TCP port on a numeric address, for nginx on another host (several app hosts
            /// behind one nginx upstream): see `ListeningSocket.init(tcpHost:port:backlog:)`.
            case tcp(host: String, port: UInt16)
            /// The listening socket passed as standard input, as `spawn-fcgi` does. Stopping shuts
            /// that socket down (it is how blocked accepts are woken), so it serves this one
            /// process: spawn-fcgi's default of one child, not `-F N` children sharing it.
            case inherited
        }

        public var listen: Listen
        public var workerCount: Int
        /// Larger request bodies get 413 without the responder being asked.
        public var maxBodyBytes: Int
        public var backlog: Int32
        /// How long a stop waits for requests in flight before giving up on them.
        public var drainTimeoutSeconds: Int

        public static let defaultMaxBodyBytes = 64 * 1024

        /// Two threads per core: requests spend part of their time waiting on SQLite and the socket.
        public static var defaultWorkerCount: Int {
            max(2, 2 * Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        }

        public init(
            listen: Listen,
            workerCount: Int = Configuration.defaultWorkerCount,
            maxBodyBytes: Int = Configuration.defaultMaxBodyBytes,
            backlog: Int32 = 1024,
            drainTimeoutSeconds: Int = 30
        ) {
            self.listen = listen
            self.workerCount = workerCount
            self.maxBodyBytes = maxBodyBytes
            self.backlog = backlog
            self.drainTimeoutSeconds = drainTimeoutSeconds
        }
    }

    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case invalidConfiguration(String)
        case socketPathTooLong(path: String, limit: Int)
        case unknownGroup(String)
        case pathNotASocket(String)
        case socketInUse(String)
        case socket(operation: String, path: String, errno: Int32)
        case notAListeningSocket
        case libraryInitialization(code: Int32)
        case threadCreation(errno: Int32)
        case alreadyRan
        case workersExited

        public var description: String {
            switch self {
            case .invalidConfiguration(let reason):
                "invalid configuration: \(reason)"
            case .socketPathTooLong(let path, let limit):
                "socket path \(path) is longer than \(limit) bytes"
            case .unknownGroup(let group):
                "no group named \(group)"
            case .pathNotASocket(let path):
                "\(path) exists and is not a socket; refusing to replace it"
            case .socketInUse(let path):
                "another process is already listening on \(path)"
            case .socket(let operation, let path, let code):
                "\(operation) on \(path) failed: \(String(cString: strerror(code)))"
            case .notAListeningSocket:
                "standard input is not a listening socket (start under spawn-fcgi, or give a socket path)"
            case .libraryInitialization(let code):
                "FCGX_Init failed (\(code))"
            case .threadCreation(let code):
                "could not start a worker thread: \(String(cString: strerror(code)))"
            case .alreadyRan:
                "a FastCGI server already ran in this process"
            case .workersExited:
                "every worker thread stopped"
            }
        }
    }

    public let configuration: Configuration
    let logger: Logger

    private struct State {
        var runThread: pthread_t?
        var stopRequested = false
        var stopping = false
        var liveWorkers = 0
    }

    private let state = Mutex(State())
    private static let processHasRun = Mutex(false)

    public init(configuration: Configuration, logger: Logger = Logger(label: "contacts.fastcgi")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Blocks SIGTERM and SIGINT in the calling thread, so that every thread it starts from now
    /// on inherits the mask and the signals wait for `run` to pick them up with `sigwait`.
    /// Call it first thing in `main`, before anything starts threads; `run` calls it again.
    /// Also ignores SIGPIPE: a client that goes away mid-response must not end the process.
    public static func blockTerminationSignals() {
        var signals = terminationSignals
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        prepareSignalDispositions()
    }

    /// An ignored signal is discarded before `sigwait` can see it, and a shell starts background
    /// jobs with SIGINT ignored: give SIGTERM and SIGINT their default action back (they are
    /// blocked, so it never runs).
    private static func prepareSignalDispositions() {
        signal(SIGPIPE, SIG_IGN)
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
    }

    private static var terminationSignals: sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        return signals
    }

    /// Asks a running (or about to run) server to stop, as SIGTERM does.
    public func stop() {
        state.withLock { state in
            state.stopRequested = true
            if let thread = state.runThread { pthread_kill(thread, SIGTERM) }
        }
    }

    /// Serves requests until SIGTERM, SIGINT or `stop()`. `whenListening` is called once the
    /// socket accepts connections.
    public func run(
        responder: any HTTPResponder,
        whenListening: (@Sendable () -> Void)? = nil
    ) throws(Error) {
        let configuration = configuration
        guard configuration.workerCount >= 1, configuration.workerCount <= 1024 else {
            throw .invalidConfiguration("worker count must be between 1 and 1024")
        }
        guard configuration.maxBodyBytes >= 0, configuration.maxBodyBytes <= Int(Int32.max) else {
            throw .invalidConfiguration("maximum body size out of range")
        }
        let firstRun = Self.processHasRun.withLock { hasRun in
            defer { hasRun = true }
            return !hasRun
        }
        guard firstRun else { throw .alreadyRan }

        // Before FCGX_Init (which installs its own SIGTERM handler) and before any worker exists.
        var previousMask = sigset_t()
        var signals = Self.terminationSignals
        pthread_sigmask(SIG_BLOCK, &signals, &previousMask)
        Self.prepareSignalDispositions()
        defer {
            Self.discardPendingTerminationSignals()
            pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        }
        let stopAlreadyRequested = state.withLock { state in
            state.runThread = pthread_self()
            return state.stopRequested
        }
        defer { state.withLock { $0.runThread = nil } }
        if stopAlreadyRequested { pthread_kill(pthread_self(), SIGTERM) }

        let initialized = FCGX_Init()
        guard initialized == 0 else { throw .libraryInitialization(code: initialized) }

        let socket: ListeningSocket
        let socketDescription: String
        switch configuration.listen {
        case .unixSocket(let path, let mode, let group):
            socket = try ListeningSocket(unixPath: path, mode: mode, group: group, backlog: configuration.backlog)
            socketDescription = path
        case .tcp(let host, let port):
            socket = try ListeningSocket(tcpHost: host, port: port, backlog: configuration.backlog)
            socketDescription = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .inherited:
            socket = try ListeningSocket(inheritedDescriptor: 0)
            socketDescription = "inherited socket on standard input"
        }

        var threads: [pthread_t] = []
        for index in 0..<configuration.workerCount {
            let worker = Worker(server: self, responder: responder, listenDescriptor: socket.descriptor, index: index)
            state.withLock { $0.liveWorkers += 1 }
            let started = Self.startThread(running: worker)
            if let thread = started.thread {
                threads.append(thread)
            } else {
                let code = started.errno
                state.withLock { $0.liveWorkers -= 1 }
                logger.critical("could not start worker thread", metadata: ["errno": "\(code)"])
                state.withLock { $0.stopping = true }
                FCGX_ShutdownPending()
                socket.stopAccepting()
                for thread in threads { pthread_join(thread, nil) }
                socket.close()
                throw .threadCreation(errno: code)
            }
        }

        logger.info("listening", metadata: [
            "socket": "\(socketDescription)",
            "workers": "\(configuration.workerCount)",
            "max_body_bytes": "\(configuration.maxBodyBytes)",
        ])
        whenListening?()

        var received: Int32 = 0
        while received == 0 {
            received = Self.waitForTerminationSignal(milliseconds: 250)
            if received == 0, state.withLock({ $0.liveWorkers }) == 0 {
                logger.critical("every worker thread stopped")
                socket.close()
                throw .workersExited
            }
        }
        logger.info("stopping: no new requests, finishing the ones in flight", metadata: [
            "signal": "\(received == SIGINT ? "SIGINT" : "SIGTERM")",
        ])

        state.withLock { $0.stopping = true }
        FCGX_ShutdownPending()
        socket.stopAccepting()

        let deadline = Self.monotonicSeconds() + Double(configuration.drainTimeoutSeconds)
        var abandoned = false
        while state.withLock({ $0.liveWorkers }) > 0 {
            if Self.waitForTerminationSignal(milliseconds: 50) != 0 {
                logger.warning("second signal: not waiting for requests in flight")
                abandoned = true
                break
            }
            if Self.monotonicSeconds() > deadline {
                logger.warning("requests still running after the drain timeout; not waiting for them", metadata: [
                    "timeout_seconds": "\(configuration.drainTimeoutSeconds)",
                ])
                abandoned = true
                break
            }
        }
        if !abandoned {
            for thread in threads { pthread_join(thread, nil) }
        }
        socket.close()
        logger.info("stopped")
    }

    // MARK: - Worker bookkeeping

    var isStopping: Bool { state.withLock { $0.stopping } }

    func workerExited() {
        state.withLock { $0.liveWorkers -= 1 }
    }

    // MARK: - Threads and signals

    /// The new thread, or the error number of `pthread_create`.
    private static func startThread(running worker: Worker) -> (thread: pthread_t?, errno: Int32) {
        let context = Unmanaged.passRetained(worker).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            let worker = Unmanaged<Worker>.fromOpaque(context!).takeRetainedValue()
            worker.run()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Worker>.fromOpaque(context).release()
            return (nil, result)
        }
        return (thread, 0)
    }

    /// The signal number, or 0 when none came within the time.
    private static func waitForTerminationSignal(milliseconds: Int) -> Int32 {
        var signals = terminationSignals
        var timeout = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        let received = sigtimedwait(&signals, nil, &timeout)
        return received > 0 ? received : 0
    }

    private static func discardPendingTerminationSignals() {
        while waitForTerminationSignal(milliseconds: 0) != 0 {}
    }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
