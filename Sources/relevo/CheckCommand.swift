import Glibc
import RelevoConf

/// `relevo check [-c FILE]`: validates a conf without running anything.
enum CheckCommand {
    static func main(_ arguments: [String]) -> Int32 {
        let path = Usage.confPath(arguments)
        do {
            let conf = try ConfLoader.load(path: path)
            _ = try ProxyPlan.make(from: conf)
            if case .redis = conf.session.store {
                Console.error("\(path): error: session store redis is not supported by this build; use store local")
                return 1
            }
            print("\(path): ok (\(conf.listeners.count) listeners, \(conf.versions.count) versions)")
            return 0
        } catch {
            Console.error("\(error)")
            return 1
        }
    }
}
