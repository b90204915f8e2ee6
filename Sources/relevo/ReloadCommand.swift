import RelevoAdmin

/// `relevo reload [--admin ADDR]`: applies the conf file to the running relevo, or prints why not.
enum ReloadCommand {
    /// How long a reload may take before the command gives up waiting, in milliseconds.
    private static let timeoutMilliseconds: Int64 = 60_000

    /// Runs the command; returns the exit status: 0 applied, 1 refused or relevo could not be asked.
    static func main(_ arguments: [String]) -> Int32 {
        var options = AdminOptions()
        var index = 0
        while index < arguments.count {
            guard options.take(arguments, at: &index) else { Usage.fail("unknown option '\(arguments[index])'") }
        }
        guard var client = options.makeClient() else { return 1 }
        client.timeoutMilliseconds = timeoutMilliseconds

        do {
            switch try client.reload() {
            case .applied(let changes):
                print(changes.isEmpty ? "reloaded: no changes" : "reloaded:")
                for change in changes {
                    print("  \(change)")
                }
                return 0
            case .refused(let errors):
                for error in errors {
                    Console.error(error.description)
                }
                Console.error("relevo: the conf was not applied; the running conf stays as it was")
                return 1
            }
        } catch {
            Console.error("relevo: \(error)")
            return 1
        }
    }
}
