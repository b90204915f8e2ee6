import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One `relevo run` process for a test: its conf in a fresh temporary directory, its stderr kept, its port.
///
/// ``start(_:)`` returns once relevo printed `event=listening` (bounded), or throws with its stderr.
/// ``terminate(timeout:)`` sends `SIGTERM`, waits (bounded), then `SIGKILL`s; `deinit` kills a process still
/// running and removes the directory, so no test leaves one behind. Thread-safe.
final class RelevoProcess: @unchecked Sendable {
    /// How long relevo may take to print its listening lines.
    static let startTimeout: Duration = .seconds(10)

    /// The port relevo listens on.
    let port: UInt16

    /// The process id.
    let pid: Int32

    /// The temporary directory holding the conf and the access log.
    let directory: URL

    private let process: Process
    private let output: Monitor<OutputState>

    private struct OutputState {
        var text = ""
        var exitStatus: Int32?
        var exitedBySignal = false
        var stopRequested = false
    }

    private init(process: Process, port: UInt16, directory: URL, output: Monitor<OutputState>) {
        self.process = process
        self.pid = process.processIdentifier
        self.port = port
        self.directory = directory
        self.output = output
    }

    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            _ = output.wait(timeout: .seconds(5)) { $0.exitStatus != nil }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Starting

    /// Writes `configuration` into a fresh directory, starts `relevo run -c FILE` and waits for its listeners.
    static func start(_ configuration: RelevoConfiguration) throws -> RelevoProcess {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("relevo-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let confPath = directory.appendingPathComponent("relevo.conf").path
        let conf = configuration.render(accessLogPath: directory.appendingPathComponent("access.log").path)
        try conf.write(toFile: confPath, atomically: true, encoding: .utf8)

        let output = Monitor(OutputState())
        let process = Process()
        process.executableURL = try executableURL()
        process.arguments = ["run", "-c", confPath]
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { finished in
            output.withLock {
                $0.exitStatus = finished.terminationStatus
                $0.exitedBySignal = finished.terminationReason == .uncaughtSignal
            }
        }
        try process.run()
        startReading(pipe.fileHandleForReading, into: output)

        do {
            let port = try waitForListeners(output, workers: configuration.workers)
            return RelevoProcess(process: process, port: port, directory: directory, output: output)
        } catch {
            kill(process.processIdentifier, SIGKILL)
            output.wait(timeout: .seconds(5)) { $0.exitStatus != nil }
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// The `relevo` executable: `$RELEVO_EXECUTABLE`, or the one beside the running test bundle.
    static func executableURL() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["RELEVO_EXECUTABLE"] {
            return URL(fileURLWithPath: path)
        }
        var candidates: [URL] = []
        if let selfPath = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: selfPath).deletingLastPathComponent())
        }
        candidates.append(Bundle.main.bundleURL)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for directory in candidates {
            let url = directory.appendingPathComponent("relevo")
            if FileManager.default.isExecutableFile(atPath: url.path) {
                return url
            }
        }
        throw HarnessError("no relevo executable next to the tests (looked in \(candidates.map(\.path)))")
    }

    private static func startReading(_ handle: FileHandle, into output: Monitor<OutputState>) {
        Thread {
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR {
                    continue
                }
                guard count > 0 else {
                    break
                }
                let text = String(decoding: buffer[0..<count], as: UTF8.self)
                output.withLock { $0.text += text }
            }
            try? handle.close()
        }.start()
    }

    /// Waits for one `event=listening` line per worker (a short grace for the later ones) and returns the port.
    private static func waitForListeners(
        _ output: Monitor<OutputState>,
        workers: Int
    ) throws -> UInt16 {
        let sawFirst = output.wait(timeout: startTimeout) { state in
            state.exitStatus != nil || !listeningPorts(in: state.text).isEmpty
        }
        let state = output.value
        guard sawFirst, let port = listeningPorts(in: state.text).first else {
            let reason = state.exitStatus.map { "exited with status \($0)" } ?? "printed no event=listening line"
            throw HarnessError("relevo \(reason) within \(startTimeout); its output:\n\(state.text)")
        }
        output.wait(timeout: .seconds(2)) { listeningPorts(in: $0.text).count >= workers }
        return port
    }

    /// The ports of every `event=listening address=HOST:PORT` line in `text`, in order.
    static func listeningPorts(in text: String) -> [UInt16] {
        text.split(separator: "\n").compactMap { line in
            guard line.contains("event=listening"),
                let address = line.split(separator: " ").first(where: { $0.hasPrefix("address=") }),
                let colon = address.lastIndex(of: ":")
            else {
                return nil
            }
            return UInt16(address[address.index(after: colon)...].trimmingWhitespace())
        }
    }

    // MARK: Watching

    /// Waits, at most `timeout`, for relevo to log that a version went live (its gate passed); throws if none did.
    func waitForLiveVersion(timeout: Duration = .seconds(15)) throws {
        let isLive = output.wait(timeout: timeout) { state in
            state.exitStatus != nil
                || state.text.split(separator: "\n").contains {
                    $0.contains("event=version_state") && $0.contains("to=live")
                }
        }
        guard isLive, isRunning else {
            throw HarnessError("relevo \(howItEnded) and no version went live within \(timeout):\n\(outputTail())")
        }
    }

    /// Everything relevo printed so far (stdout and stderr).
    var outputText: String {
        output.value.text
    }

    /// The last `lines` lines relevo printed, for failure messages.
    func outputTail(_ lines: Int = 30) -> String {
        outputText.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// Whether the process is still running.
    var isRunning: Bool {
        output.value.exitStatus == nil
    }

    /// The exit status once the process ended (the signal number if a signal ended it), else `nil`.
    var exitStatus: Int32? {
        output.value.exitStatus
    }

    /// Whether a signal ended the process.
    var exitedBySignal: Bool {
        output.value.exitedBySignal
    }

    /// How the process ended, in words: "exited with status 1", "was killed by signal 6 (SIGABRT)", or, while it
    /// runs or once it had to be killed, "is still running" / "did not exit and was killed".
    var howItEnded: String {
        guard let status = exitStatus else {
            return "is still running"
        }
        guard exitedBySignal else {
            return "exited with status \(status)"
        }
        let names: [Int32: String] = [SIGABRT: "SIGABRT", SIGSEGV: "SIGSEGV", SIGKILL: "SIGKILL", SIGBUS: "SIGBUS"]
        return "was killed by signal \(status)" + (names[status].map { " (\($0))" } ?? "")
    }

    /// What relevo printed about a crash (from its first crash line, without register dumps), or its last lines.
    var crashReport: String {
        let lines = outputText.split(separator: "\n", omittingEmptySubsequences: true)
        let markers = ["Fatal error", "crashed", "free()", "Program crashed", "*** Signal"]
        guard let first = lines.firstIndex(where: { line in markers.contains { line.contains($0) } }) else {
            return outputTail()
        }
        let isRegisterDump: (Substring) -> Bool = { line in
            let words = line.split(separator: " ")
            return words.count >= 2 && words[1].hasPrefix("0x") && words[0].count <= 6
        }
        let relevant = lines[max(0, first - 3)...].filter { !isRegisterDump($0) }
        return relevant.prefix(40).joined(separator: "\n")
    }

    /// The resident set size of the process now, in bytes (`VmRSS`), or `nil` once it is gone.
    var residentBytes: Int? {
        statusField("VmRSS")
    }

    /// The peak resident set size of the process so far, in bytes (`VmHWM`), or `nil` once it is gone.
    var peakResidentBytes: Int? {
        statusField("VmHWM")
    }

    private func statusField(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
            let kilobytes = Int(line.dropFirst(name.count + 1).trimmingWhitespace().split(separator: " ")[0])
        else {
            return nil
        }
        return kilobytes * 1024
    }

    // MARK: Stopping

    /// Whether a test asked relevo to stop (`SIGTERM` or `SIGINT`), so that its exit is expected.
    var wasAskedToStop: Bool {
        output.value.stopRequested
    }

    /// Sends `signal` to the process.
    func send(signal: Int32) {
        if signal == SIGTERM || signal == SIGINT {
            output.withLock { $0.stopRequested = true }
        }
        if isRunning {
            kill(pid, signal)
        }
    }

    /// Waits at most `timeout` for the process to exit; returns its exit status, or `nil` if it still runs.
    @discardableResult
    func waitForExit(timeout: Duration) -> Int32? {
        output.wait(timeout: timeout) { $0.exitStatus != nil }
        return exitStatus
    }

    /// Sends `SIGTERM`, waits at most `timeout`, then `SIGKILL`s; returns the exit status after `SIGTERM`, or `nil`
    /// if relevo had to be killed.
    @discardableResult
    func terminate(timeout: Duration = .seconds(10)) -> Int32? {
        send(signal: SIGTERM)
        if let status = waitForExit(timeout: timeout) {
            return status
        }
        kill(pid, SIGKILL)
        waitForExit(timeout: .seconds(5))
        return nil
    }

    /// The access log's text so far (empty when there is none).
    var accessLogText: String {
        (try? String(contentsOf: directory.appendingPathComponent("access.log"), encoding: .utf8)) ?? ""
    }
}
