import Foundation

/// The core's requests over URLSession: iOS's own network stack (its TLS, its proxy and VPN
/// settings, its connection pool), so the library an iPhone downloads carries no TLS stack of its
/// own. What to send, retries, the answer's size cap, timeouts and cancellation stay in the core;
/// this only moves bytes. It never logs: a request's headers carry the seller's token.
///
/// The core calls it from threads of its own and may block them: `start` waits for the answer's
/// head, `read` for the next bytes, and `finish` cancels the task. A body is held at most about a
/// megabyte ahead of the core's reads: past that the task is suspended until the core reads on.
public final class URLSessionTransport: NSObject, HttpTransport, URLSessionDataDelegate, @unchecked Sendable {
    /// The one transport apps share: a URLSession keeps its delegate until invalidated, so one
    /// session for the app's lifetime rather than one per opened store.
    public static let shared = URLSessionTransport()

    /// Bytes buffered ahead of the core's reads before the task is suspended.
    private static let ahead = 1 << 20

    private final class Exchange {
        let task: URLSessionDataTask
        var head: HttpResponseHead?
        var buffered = Data()
        var done = false
        var suspended = false
        var failure: TransportError?
        init(task: URLSessionDataTask) { self.task = task }
    }

    private let lock = NSCondition()
    private var exchanges: [UInt64: Exchange] = [:]
    private var byTask: [ObjectIdentifier: UInt64] = [:]
    // Exchanges the core ended before their start got here (a cancelled sync): never sent.
    private var endedEarly: Set<UInt64> = []
    private var session: URLSession!

    /// A transport over its own URLSession (no cookies, no cache: the API answers are the core's).
    public override init() {
        super.init()
        let config = URLSessionConfiguration.default
        config.httpShouldSetCookies = false
        config.httpCookieStorage = nil
        config.urlCache = nil
        session = URLSession(configuration: config, delegate: self, delegateQueue: nil)
    }

    /// Sends the request and waits for the answer's status and headers.
    public func start(exchange: UInt64, request: HttpRequest) throws -> HttpResponseHead {
        guard let url = URL(string: request.url) else {
            throw TransportError.Failed(reason: "not a URL")
        }
        var req = URLRequest(url: url)
        req.httpMethod = request.method
        req.timeoutInterval = Double(request.timeoutMs) / 1000
        for h in request.headers {
            req.addValue(h.value, forHTTPHeaderField: h.name)
        }
        req.httpBody = request.body
        lock.lock()
        // Ended before it got here: no task is made (a made task would live until it completes).
        if endedEarly.remove(exchange) != nil {
            lock.unlock()
            throw TransportError.Cancelled
        }
        let task = session.dataTask(with: req)
        exchanges[exchange] = Exchange(task: task)
        byTask[ObjectIdentifier(task)] = exchange
        lock.unlock()
        task.resume()
        lock.lock()
        defer { lock.unlock() }
        while true {
            guard let ex = exchanges[exchange] else { throw TransportError.Cancelled }
            if let head = ex.head { return head }
            if let failure = ex.failure { throw failure }
            if ex.done { throw TransportError.Failed(reason: "no answer") }
            lock.wait()
        }
    }

    /// The next bytes of the answer's body, at most `maxBytes`; nil at its end.
    public func read(exchange: UInt64, maxBytes: UInt32) throws -> Data? {
        lock.lock()
        defer { lock.unlock() }
        while true {
            guard let ex = exchanges[exchange] else { throw TransportError.Cancelled }
            if !ex.buffered.isEmpty {
                let n = min(Int(maxBytes), ex.buffered.count)
                let chunk = Data(ex.buffered.prefix(n))
                ex.buffered.removeFirst(n)
                if ex.suspended && ex.buffered.count < Self.ahead {
                    ex.suspended = false
                    ex.task.resume()
                }
                return chunk
            }
            if let failure = ex.failure { throw failure }
            if ex.done { return nil }
            lock.wait()
        }
    }

    /// Ends the exchange, cancelling its task if it still runs; wakes any call waiting on it.
    public func finish(exchange: UInt64) {
        lock.lock()
        let ex = exchanges.removeValue(forKey: exchange)
        if let ex {
            byTask[ObjectIdentifier(ex.task)] = nil
        } else {
            endedEarly.insert(exchange)
            // Bounded: exchange ids only grow.
            if endedEarly.count > 1024 { endedEarly = endedEarly.filter { $0 + 1024 > exchange } }
        }
        lock.broadcast()
        lock.unlock()
        ex?.task.cancel()
    }

    /// Redirects are the core's to refuse, never followed: the token must not travel on.
    public func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    /// The head arrived: `start` returns it.
    public func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        let http = response as? HTTPURLResponse
        let headers = (http?.allHeaderFields ?? [:]).compactMap { key, value -> HttpHeader? in
            guard let name = key as? String else { return nil }
            return HttpHeader(name: name, value: "\(value)")
        }
        update(dataTask) { $0.head = HttpResponseHead(status: UInt16(clamping: http?.statusCode ?? 0), headers: headers) }
        completionHandler(.allow)
    }

    /// Body bytes arrived: `read` hands them on; far enough ahead of it, the task waits.
    public func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        update(dataTask) { ex in
            ex.buffered.append(data)
            if !ex.suspended && ex.buffered.count >= Self.ahead {
                ex.suspended = true
                ex.task.suspend()
            }
        }
    }

    /// The exchange ended, well or not.
    public func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        update(task) { ex in
            ex.done = true
            guard let error else { return }
            guard let error = error as? URLError else {
                // Not a clean end: a body cut short must not pass for a whole one.
                ex.failure = .Failed(reason: "failed")
                return
            }
            // The kind only: never the request, which holds the token.
            switch error.code {
            case .timedOut: ex.failure = .Timeout(reason: "timed out")
            case .cancelled: ex.failure = .Cancelled
            case .cannotConnectToHost, .cannotFindHost, .notConnectedToInternet, .secureConnectionFailed,
                 .serverCertificateUntrusted, .dnsLookupFailed:
                ex.failure = .Connect(reason: "cannot connect (\(error.code.rawValue))")
            default: ex.failure = .Failed(reason: "failed (\(error.code.rawValue))")
            }
        }
    }

    private func update(_ task: URLSessionTask, _ change: (Exchange) -> Void) {
        lock.lock()
        if let id = byTask[ObjectIdentifier(task)], let ex = exchanges[id] {
            change(ex)
        }
        lock.broadcast()
        lock.unlock()
    }
}
