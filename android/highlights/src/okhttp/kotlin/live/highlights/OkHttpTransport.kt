package live.highlights

import java.io.IOException
import java.io.InputStream
import java.io.InterruptedIOException
import java.net.ConnectException
import java.net.NoRouteToHostException
import java.net.UnknownHostException
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.TimeUnit
import javax.net.ssl.SSLException
import okhttp3.Call
import okhttp3.MediaType.Companion.toMediaTypeOrNull
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.RequestBody.Companion.toRequestBody
import okhttp3.Response
import uniffi.highlights_core.HttpHeader
import uniffi.highlights_core.HttpRequest
import uniffi.highlights_core.HttpResponseHead
import uniffi.highlights_ffi.HttpTransport
import uniffi.highlights_ffi.TransportException

/**
 * The core's requests over OkHttp: the platform's network stack on Android (its TLS, its proxy
 * settings, its connection pool), so the library a phone downloads carries no TLS stack of its own.
 * What to send, retries, the answer's size cap, timeouts and cancellation stay in the core; this
 * only moves bytes. It never logs: a request's headers carry the seller's token.
 */
class OkHttpTransport(base: OkHttpClient = OkHttpClient()) : HttpTransport {
    // Redirects are the core's to refuse, never followed: the token must not travel on. Retries
    // are the core's too (with their idempotency keys), and the timeouts its: OkHttp's own read
    // and write timeouts would fail a slow answer the core still waits for.
    private val client: OkHttpClient = base.newBuilder()
        .followRedirects(false)
        .followSslRedirects(false)
        .retryOnConnectionFailure(false)
        .readTimeout(0, TimeUnit.MILLISECONDS)
        .writeTimeout(0, TimeUnit.MILLISECONDS)
        .build()
    private val exchanges = ConcurrentHashMap<ULong, Exchange>()
    // Exchanges the core ended before their start got here (a cancelled sync): never sent.
    private val endedEarly = ConcurrentHashMap.newKeySet<ULong>()

    /** Exchanges under way: none once the core has ended them (for tests). */
    fun openExchanges(): Int = exchanges.size

    companion object {
        /** The one transport an app shares (one connection pool, one dispatcher). */
        val shared: OkHttpTransport by lazy { OkHttpTransport() }
    }

    private class Exchange(val call: Call) {
        @Volatile var response: Response? = null
        @Volatile var body: InputStream? = null

        fun close() {
            call.cancel()
            runCatching { response?.close() }
        }
    }

    override fun start(exchange: ULong, request: HttpRequest): HttpResponseHead {
        val builder = Request.Builder().url(request.url)
        var contentType: String? = null
        for (h in request.headers) {
            builder.addHeader(h.name, h.value)
            if (h.name.equals("content-type", ignoreCase = true)) contentType = h.value
        }
        val body = request.body?.toRequestBody(contentType?.toMediaTypeOrNull())
            ?: if (request.method in setOf("POST", "PUT", "PATCH")) ByteArray(0).toRequestBody() else null
        builder.method(request.method, body)
        val timed = client.newBuilder()
            .connectTimeout(request.connectTimeoutMs.toLong(), TimeUnit.MILLISECONDS)
            .callTimeout(request.timeoutMs.toLong(), TimeUnit.MILLISECONDS)
            .build()
        val ex = Exchange(timed.newCall(builder.build()))
        // Registered before it runs, so the core's finish finds it to cancel while it waits.
        exchanges[exchange] = ex
        if (endedEarly.remove(exchange)) {
            exchanges.remove(exchange)
            throw TransportException.Cancelled()
        }
        val response = try {
            ex.call.execute()
        } catch (e: IOException) {
            throw failure(e, exchange)
        }
        ex.response = response
        ex.body = response.body.byteStream()
        if (!exchanges.containsKey(exchange)) {
            // Finished while the answer was on its way.
            ex.close()
            throw TransportException.Cancelled()
        }
        val headers = response.headers.map { (name, value) -> HttpHeader(name, value) }
        return HttpResponseHead(response.code.toUShort(), headers)
    }

    override fun read(exchange: ULong, maxBytes: UInt): ByteArray? {
        val ex = exchanges[exchange] ?: throw TransportException.Cancelled()
        val stream = ex.body ?: throw TransportException.Failed("no answer to read")
        val buf = ByteArray(maxBytes.toInt().coerceIn(1, 1 shl 20))
        // A whole chunk at a time (a socket read gives a few KiB): every call crosses into the core.
        var n = 0
        try {
            while (n < buf.size) {
                val got = stream.read(buf, n, buf.size - n)
                if (got < 0) break
                n += got
            }
        } catch (e: IOException) {
            throw failure(e, exchange)
        }
        return if (n == 0) null else buf.copyOf(n)
    }

    override fun finish(exchange: ULong) {
        // Marked before looking, so a start registering meanwhile sees the mark and sends nothing.
        endedEarly.add(exchange)
        val ex = exchanges.remove(exchange)
        if (ex != null) {
            ex.close()
            endedEarly.remove(exchange)
        } else if (endedEarly.size > 1024) {
            // Bounded: ids only grow, so old marks are of starts that will never come.
            endedEarly.removeIf { it + 1024u < exchange }
        }
    }

    private fun failure(e: IOException, exchange: ULong): TransportException {
        // The kind and the exception's class: never its message, which may quote the request.
        val said = e.javaClass.simpleName
        return when {
            // Ended by the core (its own timeout, a cancelled sync), not by OkHttp's call timeout.
            !exchanges.containsKey(exchange) -> TransportException.Cancelled()
            e is InterruptedIOException -> TransportException.Timeout(said)
            e is ConnectException || e is UnknownHostException || e is NoRouteToHostException || e is SSLException ->
                TransportException.Connect(said)
            else -> TransportException.Failed(said)
        }
    }
}
