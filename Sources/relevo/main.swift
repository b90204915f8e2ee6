import Glibc
import RelevoProxy

/// relevo's command line: `relevo COMMAND [OPTIONS]`.
let arguments = Array(CommandLine.arguments.dropFirst())
if let level = getenv("RELEVO_LOG_LEVEL").map({ String(cString: $0) }) {
    switch level {
    case "debug": Log.setMinimumLevel(.debug)
    case "info": Log.setMinimumLevel(.info)
    case "warn": Log.setMinimumLevel(.warn)
    case "error": Log.setMinimumLevel(.error)
    default: Usage.fail("RELEVO_LOG_LEVEL must be debug, info, warn or error, not '\(level)'")
    }
}
let status: Int32
switch arguments.first {
case "run":
    status = RunCommand.main(Array(arguments.dropFirst()))
case "check":
    status = CheckCommand.main(Array(arguments.dropFirst()))
case "demo":
    status = DemoCommand.main(Array(arguments.dropFirst()))
case "demo-backend":
    status = DemoBackendCommand.main(Array(arguments.dropFirst()))
case "status":
    status = StatusCommand.main(Array(arguments.dropFirst()))
case "reload":
    status = ReloadCommand.main(Array(arguments.dropFirst()))
case "wait-drained":
    status = WaitDrainedCommand.main(Array(arguments.dropFirst()))
case "gate":
    status = GateCommand.main(Array(arguments.dropFirst()))
case "secret":
    status = SecretCommand.main(Array(arguments.dropFirst()))
case "--version", "version":
    print("relevo \(RelevoVersion.current)")
    status = 0
case "help", "--help", "-h", nil:
    print(Usage.text)
    status = arguments.isEmpty ? 2 : 0
default:
    Usage.fail("unknown command '\(arguments[0])'")
}
Log.writer.flush()
exit(status)
