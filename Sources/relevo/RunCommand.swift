import Glibc
import RelevoConf
import RelevoIO
import RelevoProxy

/// `relevo run [-c FILE]`: runs the proxy until SIGTERM or SIGINT.
enum RunCommand {
    static func main(_ arguments: [String]) -> Int32 {
        let path = Usage.confPath(arguments)
        let configuration: ProxyConfiguration
        do {
            configuration = try ProxyPlan.make(from: try ConfLoader.load(path: path))
        } catch {
            Console.error("\(error)")
            return 1
        }
        return serve(configuration, conf: path)
    }

    /// Starts the proxy, waits for a stop signal, shuts down gracefully. Returns the exit status.
    static func serve(_ configuration: ProxyConfiguration, conf: String) -> Int32 {
        let stopSignals = [SIGTERM, SIGINT, SIGHUP]
        Signals.block(stopSignals)
        let proxy: Proxy
        do {
            proxy = try Proxy(configuration: configuration)
        } catch {
            Log.error("start_failed", ["conf": conf, "reason": error.description])
            return 1
        }
        proxy.start()
        Log.info(
            "started",
            [
                "conf": conf, "workers": "\(configuration.workers)", "versions": "\(configuration.versions.count)",
                "target_version": configuration.versions.last?.name ?? "-",
            ])
        while true {
            guard let signal = Signals.wait(for: stopSignals, milliseconds: 1_000) else { continue }
            if signal == SIGHUP {
                // TODO(#3): reload the conf on SIGHUP; until then it is logged and ignored.
                Log.warn("reload_not_supported", ["signal": "SIGHUP"])
                continue
            }
            Log.info("stopping", ["signal": signal == SIGTERM ? "SIGTERM" : "SIGINT"])
            let clean = proxy.shutdown(timeout: configuration.timeouts.shutdown)
            Log.info("stopped", ["clean": clean ? "yes" : "no"])
            return 0
        }
    }
}
