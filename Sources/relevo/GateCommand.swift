import Glibc
import RelevoAdmin

/// `relevo gate VERSION [--admin ADDR]`: runs a version's gate again, waits for it, prints its report.
enum GateCommand {
    /// How long to wait for the gate to finish, in milliseconds.
    private static let waitMilliseconds: Int64 = 30 * 60 * 1000

    /// Runs the command; exit status 0 when the gate passed, 1 when it failed or relevo could not be
    /// asked, 2 for an unknown version.
    static func main(_ arguments: [String]) -> Int32 {
        var options = AdminOptions()
        var version: String?
        var index = 0
        while index < arguments.count {
            if options.take(arguments, at: &index) {
                continue
            }
            guard version == nil, !arguments[index].hasPrefix("-") else {
                Usage.fail("unknown option '\(arguments[index])'")
            }
            version = arguments[index]
            index += 1
        }
        guard let version else { Usage.fail("gate needs a VERSION") }
        guard let client = options.makeClient() else { return 1 }
        do {
            let started = try client.send("POST", "/versions/\(version)/gate")
            if started.status == 404 {
                Console.error("relevo: no version '\(version)'")
                return 2
            }
            guard started.status == 202 || started.status == 200 else {
                Console.error("relevo: the gate of \(version) could not start (status \(started.status))")
                return 1
            }
            return try waitForReport(version, client: client)
        } catch {
            Console.error("relevo: \(error)")
            return 1
        }
    }

    private static func waitForReport(_ version: String, client: AdminClient) throws(AdminClientError) -> Int32 {
        var waited: Int64 = 0
        while waited < waitMilliseconds {
            guard let status = try client.version(named: version) else { return 2 }
            if status.gate.state == "passed" || status.gate.state == "failed" {
                let report = try client.send("GET", "/versions/\(version)/gate?format=text")
                print(String(decoding: report.body, as: UTF8.self), terminator: "")
                print("\(version) is \(status.state)")
                return status.gate.state == "passed" ? 0 : 1
            }
            usleep(250_000)
            waited += 250
        }
        Console.error("relevo: the gate of \(version) did not finish in time")
        return 1
    }
}
