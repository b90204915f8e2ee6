import RelevoAdmin
import RelevoIO

/// `relevo status [--admin ADDR] [--json]`: the running relevo's versions, as a table or as `/status` JSON.
enum StatusCommand {
    /// Runs the command; returns the exit status: 0, or 1 if relevo could not be asked.
    static func main(_ arguments: [String]) -> Int32 {
        var options = AdminOptions()
        var printsJSON = false
        var index = 0
        while index < arguments.count {
            if options.take(arguments, at: &index) {
                continue
            }
            guard arguments[index] == "--json" else { Usage.fail("unknown option '\(arguments[index])'") }
            printsJSON = true
            index += 1
        }
        guard let client = options.makeClient() else { return 1 }

        do {
            if printsJSON {
                print(String(decoding: try client.statusDocument(), as: UTF8.self), terminator: "")
            } else {
                print(StatusTable.render(try client.status(), now: Int64(WallClock.now().tv_sec)), terminator: "")
            }
            return 0
        } catch {
            Console.error("relevo: \(error)")
            return 1
        }
    }
}
