import RelevoConf
import RelevoProxy
import RelevoRelease

/// Turns a conf into release control's plan.
enum ReleasePlanning {
    /// The plan for `conf`, whose versions `proxy` already resolved.
    static func plan(from conf: Conf, proxy: ProxyConfiguration) -> ReleasePlan {
        let versions = zip(conf.versions, proxy.versions).map { conf, upstream in
            ReleaseVersionPlan(upstream: upstream, healthCheck: conf.healthCheck)
        }
        return ReleasePlan(versions: versions, drainDeadline: conf.drainDeadline, hooks: conf.onDrained.map(hook))
    }

    private static func hook(_ conf: DrainedHookConf) -> DrainedHook {
        switch conf {
        case .exec(let command, let directory, _):
            .exec(command: command, directory: directory)
        case .webhook(let url, let host, let port, let path, _):
            .webhook(host: host, port: port, path: path, url: url)
        }
    }

    /// Loads and resolves the conf at `path` again, for a reload.
    static func reload(path: String) -> Result<ReleasePlan, ReloadErrors> {
        do {
            let conf = try ConfLoader.load(path: path)
            return .success(plan(from: conf, proxy: try ProxyPlan.make(from: conf)))
        } catch {
            return .failure(
                ReloadErrors(
                    errors: error.errors.map {
                        ReloadError(
                            file: $0.location.file, line: $0.location.line, column: $0.location.column,
                            message: $0.message)
                    }))
        }
    }
}
