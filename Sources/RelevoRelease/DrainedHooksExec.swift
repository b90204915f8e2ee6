import Glibc
import RelevoIO

/// One run of an exec hook, on the hook thread: `/bin/sh -c COMMAND` in its own process group, stdin
/// from `/dev/null`, stdout and stderr into one socket pair whose last lines are kept, killed
/// (`SIGKILL`, the whole group) past the exec time-out. Blocking; never on an event loop.
struct ExecHookAttempt {
    /// The shell command, as the conf spells it.
    let command: String

    /// The working directory; relevo's own when empty.
    let directory: String

    /// The event, for the environment.
    let event: DrainedEvent

    /// The time-out and the number of output lines kept.
    let settings: DrainedHookSettings

    /// Cuts the run short (killing the command) when the runner shuts down.
    let abandonment: DrainedHookAbandonment

    /// The signals reset to their default action in the command, whatever relevo does with them.
    private static let defaultedSignals = [SIGPIPE, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGCHLD]

    /// Runs the command to its end: delivered on exit status 0, failed otherwise.
    func run() -> DrainedHookAttemptResult {
        var ends: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &ends) == 0 else {
            return .failed(reason: "cannot make the output pipe: \(String(cString: strerror(errno)))", output: [])
        }
        defer { Syscall.close(descriptor: ends[0]) }

        let spawned = spawn(output: ends[1])
        Syscall.close(descriptor: ends[1])
        guard spawned.code == 0 else {
            return .failed(reason: "cannot start /bin/sh: \(String(cString: strerror(spawned.code)))", output: [])
        }

        return supervise(spawned.process, output: ends[0])
    }

    // MARK: Starting

    /// The command line's script: the command, after a `cd` into ``directory`` if one is given.
    ///
    /// glibc's `posix_spawn_file_actions_addchdir_np` is not visible to Swift, so the shell changes
    /// directory; a failed `cd` exits 126 before the command runs.
    static func script(command: String, directory: String) -> String {
        guard !directory.isEmpty else { return command }

        return "cd -- \(shellQuoted(directory)) || exit 126\n\(command)"
    }

    /// `text` in single quotes, safe as one shell word whatever it holds.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacing("'", with: "'\\''") + "'"
    }

    /// relevo's environment, less any `RELEVO_*` variable the event sets, plus the event's:
    /// `RELEVO_VERSION`, `RELEVO_BACKENDS` (space-separated), `RELEVO_EVENT_ID`, `RELEVO_FORCED`
    /// (`true` or `false`).
    static func environment(for event: DrainedEvent) -> [String] {
        let added = [
            "RELEVO_VERSION=\(event.version)", "RELEVO_BACKENDS=\(event.backends.joined(separator: " "))",
            "RELEVO_EVENT_ID=\(event.id)", "RELEVO_FORCED=\(event.forced)",
        ]
        let names = Set(added.map { $0.prefix { $0 != "=" } })

        var variables: [String] = []
        var entry = environ
        while let variable = entry.pointee {
            let text = String(cString: variable)
            if !names.contains(text.prefix { $0 != "=" }) {
                variables.append(text)
            }
            entry += 1
        }
        return variables + added
    }

    /// Starts the shell with stdin from `/dev/null` and stdout and stderr to `output`; returns its
    /// process id, and 0 or the error number of `posix_spawn`.
    private func spawn(output: Int32) -> (process: pid_t, code: Int32) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        Self.configure(&attributes)

        let arguments = ["/bin/sh", "-c", Self.script(command: command, directory: directory)]
        var process = pid_t()
        let code = Self.withCStrings(arguments) { argv in
            Self.withCStrings(Self.environment(for: event)) { envp in
                posix_spawn(&process, "/bin/sh", &actions, &attributes, argv, envp)
            }
        }
        return (process, code)
    }

    /// A new process group (so a time-out kills the command's children too), no blocked signals,
    /// and ``defaultedSignals`` at their default action.
    private static func configure(_ attributes: inout posix_spawnattr_t) {
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaulted = sigset_t()
        sigemptyset(&defaulted)
        for signal in defaultedSignals {
            sigaddset(&defaulted, signal)
        }

        let flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        posix_spawnattr_setflags(&attributes, Int16(flags))
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaulted)
    }

    /// Runs `body` with `strings` as a null-terminated array of C strings, freed afterwards.
    private static func withCStrings<Result>(
        _ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> Result
    ) -> Result {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }

        return body(pointers)
    }

    // MARK: Waiting

    /// Reads the command's output until it exits, the time-out passes or the runner shuts down.
    private func supervise(_ process: pid_t, output: Int32) -> DrainedHookAttemptResult {
        _ = fcntl(output, F_SETFL, O_NONBLOCK)
        var tail = OutputTail(lineLimit: settings.outputLines)
        var isOpen = true
        let deadline = MonotonicClock.coarseMilliseconds() + settings.execTimeout

        while true {
            if let status = Self.reap(process, blocking: false) {
                if isOpen {
                    _ = Self.readAvailable(output, into: &tail)
                }
                return Self.result(status: status, output: tail.lines)
            }

            let now = MonotonicClock.coarseMilliseconds()
            if abandonment.isDue(now: now) {
                Self.kill(process)
                return .abandoned
            }
            if now >= deadline {
                Self.kill(process)
                _ = Self.readAvailable(output, into: &tail)
                return .failed(reason: "killed after \(settings.execTimeout) ms (exec time-out)", output: tail.lines)
            }

            isOpen = Self.waitForOutput(isOpen ? output : -1, milliseconds: min(deadline - now, 50), into: &tail)
        }
    }

    /// Waits up to `milliseconds` for output on `descriptor` (-1: just sleeps) and reads it; returns
    /// whether the descriptor is still open.
    private static func waitForOutput(_ descriptor: Int32, milliseconds: Int64, into tail: inout OutputTail) -> Bool {
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&request, 1, Int32(milliseconds))
        guard descriptor >= 0 else { return false }
        guard ready > 0 else { return true }

        return readAvailable(descriptor, into: &tail)
    }

    /// Reads what `descriptor` holds into `tail`; returns false at end of stream or on an error.
    private static func readAvailable(_ descriptor: Int32, into tail: inout OutputTail) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                chunk.withUnsafeBytes { tail.append(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
                continue
            }
            if count < 0 && errno == EINTR {
                continue
            }
            return count < 0 && errno == EAGAIN
        }
    }

    /// The raw wait status of `process` once it has ended; nil while it runs (when not `blocking`).
    private static func reap(_ process: pid_t, blocking: Bool) -> Int32? {
        var status: Int32 = 0
        while true {
            let result = waitpid(process, &status, blocking ? 0 : WNOHANG)
            if result == process { return status }
            if result < 0 && errno == EINTR { continue }
            // 0: still running; -1 (ECHILD): someone else reaped it, nothing left to wait for.
            return result == 0 ? nil : -1
        }
    }

    /// Kills the command's process group and reaps the command.
    private static func kill(_ process: pid_t) {
        _ = Glibc.kill(-process, SIGKILL)
        _ = Glibc.kill(process, SIGKILL)
        _ = reap(process, blocking: true)
    }

    /// Delivered on exit status 0; failed with the exit status or the signal otherwise.
    private static func result(status: Int32, output: [String]) -> DrainedHookAttemptResult {
        guard status >= 0 else { return .failed(reason: "exit status unknown (reaped elsewhere)", output: output) }

        let signal = status & 0x7F
        guard signal == 0 else { return .failed(reason: "killed by signal \(signal)", output: output) }

        let code = (status >> 8) & 0xFF
        return code == 0 ? .delivered(detail: "exit status 0") : .failed(reason: "exit status \(code)", output: output)
    }
}

/// The last lines of a command's output, each at most ``maximumLineLength`` bytes.
struct OutputTail {
    /// The longest line kept, in bytes; the rest of a longer line is dropped.
    static let maximumLineLength = 1024

    /// How many lines are kept.
    let lineLimit: Int

    /// Complete lines, oldest first.
    private var complete: [String] = []

    /// The line being read, without its end.
    private var partial: [UInt8] = []

    /// An empty tail keeping `lineLimit` lines.
    init(lineLimit: Int) {
        self.lineLimit = max(lineLimit, 1)
    }

    /// The last ``lineLimit`` lines, with an unfinished last line counted as a line.
    var lines: [String] {
        guard !partial.isEmpty else { return complete }

        return Array((complete + [String(decoding: partial, as: UTF8.self)]).suffix(lineLimit))
    }

    /// Adds output bytes.
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            if byte == 0x0A {
                endLine()
            } else if partial.count < Self.maximumLineLength {
                partial.append(byte)
            }
        }
    }

    /// Ends the partial line, less a trailing CR, and keeps only the last lines.
    private mutating func endLine() {
        if partial.last == 0x0D {
            partial.removeLast()
        }
        complete.append(String(decoding: partial, as: UTF8.self))
        partial.removeAll(keepingCapacity: true)
        if complete.count > lineLimit {
            complete.removeFirst(complete.count - lineLimit)
        }
    }
}
