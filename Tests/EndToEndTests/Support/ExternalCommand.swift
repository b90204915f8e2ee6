import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs outside programs (curl, wrk) for tests, bounded in time.
enum ExternalCommand {
    /// What a finished program left: its exit status and its output (stdout and stderr together).
    struct Outcome: Sendable {
        /// The exit status, or `nil` if the program had to be killed.
        let status: Int32?

        /// Everything it printed.
        let output: String
    }

    /// The full path of `name` on `PATH`, or `nil` when it is not installed.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Runs `executable` with `arguments`, waits at most `timeout`, then kills it.
    static func run(_ executable: String, _ arguments: [String], timeout: Duration) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice

        let collected = Monitor((output: [UInt8](), isDone: false))
        let exited = Monitor(false)
        process.terminationHandler = { _ in exited.withLock { $0 = true } }
        try process.run()

        let handle = pipe.fileHandleForReading
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
                collected.withLock { $0.output += buffer[0..<count] }
            }
            collected.withLock { $0.isDone = true }
        }.start()

        var status: Int32? = nil
        if exited.wait(timeout: timeout, until: { $0 }) {
            status = process.terminationStatus
        } else {
            kill(process.processIdentifier, SIGKILL)
            exited.wait(timeout: .seconds(5)) { $0 }
        }
        collected.wait(timeout: .seconds(5)) { $0.isDone }
        return Outcome(status: status, output: String(decoding: collected.value.output, as: UTF8.self))
    }
}
