package live.highlights

import java.net.ServerSocket
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration

/** The real reference backend, started as a process on a free loopback port with a temp data dir. */
class TestBackend : AutoCloseable {
    private val bin: String = System.getProperty("highlights.server.bin")
        ?: error("system property highlights.server.bin is not set")
    val dataDir: Path = Files.createTempDirectory("highlights-server")
    private val port: Int = ServerSocket(0).use { it.localPort }
    val url = "http://127.0.0.1:$port"
    private val http: HttpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
    private val process: Process = ProcessBuilder(bin, "serve", "--addr", "127.0.0.1:$port", "--data", dataDir.toString())
        .redirectErrorStream(true)
        .redirectOutput(dataDir.resolve("server.log").toFile())
        .start()
    val serviceToken: String

    init {
        val deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos()
        while (true) {
            val up = runCatching { get("/healthz", null).statusCode() == 200 }.getOrDefault(false)
            if (up) break
            check(process.isAlive) { "server exited: " + Files.readString(dataDir.resolve("server.log")) }
            check(System.nanoTime() < deadline) { "server did not start" }
            Thread.sleep(50)
        }
        serviceToken = admin("service-token")
        // Limits unlike the server's defaults: what the screens show must come from here.
        val config = dataDir.resolve("config.json")
        Files.writeString(
            config,
            """{"max_posts_per_live": $MAX_PER_LIVE, "max_posts_per_product": $MAX_PER_PRODUCT, "post_delay_s": $POST_DELAY_S,
               "clip_min_s": 10, "clip_max_s": 60, "popup_cooldown_s": 604800, "popup_max_shows": 3,
               "refresh_interval_s": 30, "format_experiments": ["auto_subtitles"]}""".trimIndent(),
        )
        admin("set-config", config.toString())
    }

    /** Runs an admin command against the same data directory; returns what it printed. */
    fun admin(vararg args: String): String {
        val p = ProcessBuilder(listOf(bin, "admin", "--data", dataDir.toString()) + args).redirectErrorStream(false).start()
        val out = p.inputStream.bufferedReader().readText().trim()
        check(p.waitFor() == 0) { "admin ${args.joinToString(" ")} failed: " + p.errorStream.bufferedReader().readText() }
        return out
    }

    /** Creates a seller and returns its token. */
    fun seller(id: String, popup: Boolean? = null): String {
        val token = admin("create-seller", id)
        if (popup != null) admin("pin-experiments", id, "--popup", popup.toString())
        return token
    }

    /** POSTs a JSON body with a bearer token (and any extra headers). */
    fun post(path: String, token: String, json: String, vararg headers: Pair<String, String>): HttpResponse<String> {
        val b = HttpRequest.newBuilder(URI.create(url + path))
            .header("Authorization", "Bearer $token")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
        headers.forEach { (k, v) -> b.header(k, v) }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString())
    }

    fun get(path: String, token: String?): HttpResponse<String> {
        val b = HttpRequest.newBuilder(URI.create(url + path)).GET()
        if (token != null) b.header("Authorization", "Bearer $token")
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString())
    }

    /**
     * Ingests ended LIVEs `<seller>-000`… one hour apart, each 30 minutes long with two products.
     * LIVE ids are global on the server, so each seller gets its own.
     */
    fun lives(seller: String, count: Int, t0: Long = T0) {
        val events = (0 until count).flatMap { i ->
            val id = "$seller-%03d".format(i)
            val start = t0 + i * 3_600_000L
            listOf(
                """{"ts_ms":$start,"live_id":"$id","type":"live_start","title":"LIVE $i"}""",
                """{"ts_ms":${start + 1000},"live_id":"$id","type":"product_pin","product_id":"sku-1","name":"Serum"}""",
                """{"ts_ms":${start + 2000},"live_id":"$id","type":"product_pin","product_id":"sku-2","name":"Lip tint"}""",
                """{"ts_ms":${start + 1_800_000},"live_id":"$id","type":"live_end"}""",
            )
        }
        val body = """{"seller_id":"$seller","events":[${events.joinToString(",")}]}"""
        val resp = post("/v1/ingest/events", serviceToken, body)
        check(resp.statusCode() == 200) { "ingest: ${resp.statusCode()} ${resp.body()}" }
    }

    /** Creates [count] seller-made videos in [live] (a recording made by [lives]) through the API. */
    fun highlights(seller: String, live: String, count: Int, token: String = admin("seller-token", seller)) {
        val index = live.substringAfterLast('-').toInt()
        val start = T0 + index * 3_600_000L
        repeat(count) { i ->
            val body = """{"live_id":"$live","start_ms":${start + i * 30_000L},"end_ms":${start + i * 30_000L + 20_000},"product_id":"sku-1"}"""
            val resp = post("/v1/videos", token, body, "Idempotency-Key" to "bench-$live-$i")
            check(resp.statusCode() == 201) { "video: ${resp.statusCode()} ${resp.body()}" }
        }
    }

    override fun close() {
        process.destroy()
        process.waitFor()
        dataDir.toFile().deleteRecursively()
    }

    companion object {
        const val T0 = 1_793_491_200_000L
        /** The limits this backend serves, none of them the server's default. */
        const val MAX_PER_LIVE = 7
        const val MAX_PER_PRODUCT = 2
        const val POST_DELAY_S = 90
    }
}
