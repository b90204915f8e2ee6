import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One `relevo run -c FILE` process whose conf and state directory belong to the test, not to the process.
///
/// Unlike ``RelevoProcess`` it never removes its directory, so a test can `kill -9` it and start another
/// ``RelevoRun`` on the same conf and state. ``start(confPath:)`` returns once relevo printed its
/// `event=listening` and `event=admin_listening` lines (bounded), or throws with its output. `deinit` kills a
/// process still running. Thread-safe.
final class RelevoRun: @unchecked Sendable {
    /// How long relevo may take to print its listening lines.
    static let startTimeout: Duration = .seconds(15)

    /// The port of relevo's listener.
    let port: UInt16

    /// The port of relevo's admin API.
    let adminPort: UInt16

    /// The process id.
    let pid: Int32

    private let process: Process
    private let output: Monitor<Output>

    private struct Output {
        var text = ""
        var exitStatus: Int32?
        var exitedBySignal = false
    }

    private init(process: Process, port: UInt16, adminPort: UInt16, output: Monitor<Output>) {
        self.process = process
        self.pid = process.processIdentifier
        self.port = port
        self.adminPort = adminPort
        self.output = output
    }

    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            output.wait(timeout: .seconds(5)) { $0.exitStatus != nil }
        }
    }

    /// Starts `relevo run -c confPath` in the conf's directory and waits for both listening lines.
    static func start(confPath: String) throws -> RelevoRun {
        let output = Monitor(Output())
        let process = Process()
        process.executableURL = try RelevoProcess.executableURL()
        process.arguments = ["run", "-c", confPath]
        process.currentDirectoryURL = URL(fileURLWithPath: confPath).deletingLastPathComponent()
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
        readLines(from: pipe.fileHandleForReading, into: output)

        let started = output.wait(timeout: startTimeout) { state in
            state.exitStatus != nil
                || (address(of: "listening", in: state.text) != nil
                    && address(of: "admin_listening", in: state.text) != nil)
        }
        let state = output.value
        guard started, state.exitStatus == nil, let port = address(of: "listening", in: state.text),
            let adminPort = address(of: "admin_listening", in: state.text)
        else {
            kill(process.processIdentifier, SIGKILL)
            output.wait(timeout: .seconds(5)) { $0.exitStatus != nil }
            throw HarnessError("relevo did not print its listening lines within \(startTimeout):\n\(output.value.text)")
        }
        return RelevoRun(process: process, port: port, adminPort: adminPort, output: output)
    }

    /// The port of the first `event=NAME address=HOST:PORT` line in `text`, or `nil`.
    static func address(of event: String, in text: String) -> UInt16? {
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.contains(Substring("event=\(event)")),
                let address = words.first(where: { $0.hasPrefix("address=") }),
                let colon = address.lastIndex(of: ":")
            else {
                continue
            }
            return UInt16(address[address.index(after: colon)...])
        }
        return nil
    }

    private static func readLines(from handle: FileHandle, into output: Monitor<Output>) {
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

    // MARK: Watching

    /// Everything relevo printed so far.
    var outputText: String {
        output.value.text
    }

    /// The last `count` lines relevo printed, for failure messages.
    func outputTail(_ count: Int = 40) -> String {
        outputText.split(separator: "\n", omittingEmptySubsequences: false).suffix(count).joined(separator: "\n")
    }

    /// The lines relevo printed that carry `event=NAME`.
    func lines(withEvent event: String) -> [String] {
        outputText.split(separator: "\n").filter { $0.split(separator: " ").contains(Substring("event=\(event)")) }
            .map(String.init)
    }

    /// Whether the process still runs.
    var isRunning: Bool {
        output.value.exitStatus == nil
    }

    /// The exit status once the process ended (the signal's number if a signal ended it).
    var exitStatus: Int32? {
        output.value.exitStatus
    }

    /// Whether a signal ended the process.
    var exitedBySignal: Bool {
        output.value.exitedBySignal
    }

    // MARK: Signals

    /// Sends `signal` to the process while it runs.
    func send(signal: Int32) {
        if isRunning {
            kill(pid, signal)
        }
    }

    /// `kill -9`: ends the process at once, as a crash would, and waits (bounded) until it is gone.
    func kill9() throws {
        send(signal: SIGKILL)
        guard output.wait(timeout: .seconds(10), until: { $0.exitStatus != nil }) else {
            throw HarnessError("relevo \(pid) still runs 10 s after SIGKILL")
        }
    }

    /// Sends `SIGTERM`, waits at most `timeout`, then `SIGKILL`s; returns the exit status after `SIGTERM`, or `nil`
    /// if relevo had to be killed.
    @discardableResult
    func terminate(timeout: Duration = .seconds(10)) -> Int32? {
        send(signal: SIGTERM)
        if output.wait(timeout: timeout, until: { $0.exitStatus != nil }) {
            return exitStatus
        }
        send(signal: SIGKILL)
        output.wait(timeout: .seconds(5)) { $0.exitStatus != nil }
        return nil
    }
}
