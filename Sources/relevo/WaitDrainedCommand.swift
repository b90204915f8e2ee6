import Glibc
import RelevoAdmin

/// `relevo wait-drained VERSION [--timeout 2h] [--admin ADDR]`: blocks, with progress, until
/// VERSION is drained (exit 0), time runs out (exit 1), or relevo does not know VERSION (exit 2).
enum WaitDrainedCommand {
    /// Runs the command; returns the exit status.
    static func main(_ arguments: [String]) -> Int32 {
        var options = AdminOptions()
        var version: String?
        var timeout = "2h"
        var index = 0
        while index < arguments.count {
            if options.take(arguments, at: &index) {
                continue
            }
            switch arguments[index] {
            case "--timeout":
                guard index + 1 < arguments.count else { Usage.fail("--timeout needs a duration such as 30m") }
                timeout = arguments[index + 1]
                index += 2
            case let argument where argument.hasPrefix("-") || version != nil:
                Usage.fail("unexpected argument '\(argument)'")
            case let argument:
                version = argument
                index += 1
            }
        }

        guard let version else { Usage.fail("wait-drained needs a VERSION") }
        guard let milliseconds = DurationText.milliseconds(from: timeout) else {
            Usage.fail("--timeout needs a duration such as 30s, 10m or 2h, not '\(timeout)'")
        }
        guard let client = options.makeClient() else { return 1 }
        return wait(for: version, client: client, timeout: milliseconds)
    }

    /// Runs the watch and explains how it ended.
    private static func wait(for version: String, client: AdminClient, timeout: Int64) -> Int32 {
        let watch = DrainWatch(
            client: client, version: version, timeoutMilliseconds: timeout, rewritesLine: isatty(1) == 1)
        let outcome = watch.run { text in
            print(text, terminator: "")
            fflush(nil)
        }

        switch outcome {
        case .drained:
            break
        case .timedOut(let last):
            let state = last.map { DrainWatch.progressLine($0) } ?? "\(version): no answer from relevo"
            Console.error(
                "relevo: \(version) is not drained after \(DurationText.format(milliseconds: timeout)) (\(state))")
        case .unknownVersion:
            Console.error("relevo: the running relevo has no version named \(version)")
        case .failed(let error):
            Console.error("relevo: \(error)")
        }
        return outcome.exitStatus
    }
}
