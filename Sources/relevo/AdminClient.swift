import Glibc
import RelevoAdmin

/// The options of every command that talks to the running relevo's admin API:
/// `--admin ADDR` (default `127.0.0.1:9900`) and `--token-file FILE` (else `RELEVO_ADMIN_TOKEN`).
struct AdminOptions {
    /// The admin API's address as given.
    var address = AdminClient.defaultAddress

    /// The file holding the admin token, if given.
    var tokenFile: String?

    /// The environment variable that holds the admin token when `--token-file` is not given.
    static let tokenVariable = "RELEVO_ADMIN_TOKEN"

    /// Takes `--admin ADDR` or `--token-file FILE` at `index` and moves past it; false if the
    /// argument there is neither. Fails with the usage if the value is missing.
    mutating func take(_ arguments: [String], at index: inout Int) -> Bool {
        let option = arguments[index]
        guard option == "--admin" || option == "--token-file" else { return false }
        guard index + 1 < arguments.count else { Usage.fail("\(option) needs a value") }

        if option == "--admin" {
            address = arguments[index + 1]
        } else {
            tokenFile = arguments[index + 1]
        }
        index += 2
        return true
    }

    /// The client these options describe; nil, with the reason printed, if the token file cannot be read.
    func makeClient() -> AdminClient? {
        guard let socketAddress = AdminClient.address(from: address) else {
            Usage.fail("--admin needs a numeric HOST:PORT such as 127.0.0.1:9900, not '\(address)'")
        }

        let token: String?
        if let tokenFile {
            do {
                token = try AdminToken.load(path: tokenFile)
            } catch {
                Console.error("relevo: \(error)")
                return nil
            }
        } else {
            token = getenv(Self.tokenVariable).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        return AdminClient(address: socketAddress, token: token)
    }
}
