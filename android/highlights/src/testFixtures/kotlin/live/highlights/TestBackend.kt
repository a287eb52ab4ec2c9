package live.highlights

import java.net.ServerSocket
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration

/**
 * The real reference backend, started as a process on a loopback [port] (a free one by default)
 * with a temp data dir; [withoutVideos] posts highlights without rendering (no recordings needed).
 */
class TestBackend(private val port: Int = freePort(), withoutVideos: Boolean = false) : AutoCloseable {
    private val bin: String = System.getProperty("highlights.server.bin")
        ?: error("system property highlights.server.bin is not set")
    val dataDir: Path = Files.createTempDirectory("highlights-server")
    val url = "http://127.0.0.1:$port"
    private val http: HttpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
    private val process: Process = ProcessBuilder(
        // The suites send LIVEs at fixed dates as fast as they can: no rate limits, the widest event window.
        // Their recordings are a test pattern and a tone: no speech to recognise, so no core spent on it.
        listOf(bin, "serve", "--addr", "127.0.0.1:$port", "--data", dataDir.toString(), "--replaying", "--render-quota", "1000/100000", "--speech", "off") + if (withoutVideos) listOf("--without-videos") else emptyList(),
    )
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
        config()
    }

    /**
     * Sets the remote config: limits unlike the server's defaults, since what the screens show must
     * come from here. A test that needs moments of a past LIVE to wait longer than [POST_DELAY_S]
     * sets [postDelayS] around its ingest (a moment's post time is fixed when it is found).
     */
    fun config(postDelayS: Int = POST_DELAY_S) {
        val config = dataDir.resolve("config.json")
        Files.writeString(
            config,
            """{"max_posts_per_live": $MAX_PER_LIVE, "max_posts_per_product": $MAX_PER_PRODUCT, "post_delay_s": $postDelayS,
               "clip_min_s": 10, "clip_max_s": 60, "popup_cooldown_s": 604800, "popup_max_shows": 3,
               "refresh_interval_s": 30, "format_experiments": ["auto_subtitles"],
               "privacy_notice": "$PRIVACY_NOTICE", "undo_window_s": $UNDO_WINDOW_S}""".trimIndent(),
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

    /**
     * Turns Auto LIVE Highlights on for the seller of [token], as their app would: a seller's own
     * video posts only while it is on (with it off, a video made meanwhile becomes a recommendation).
     */
    fun turnOn(token: String) {
        val req = HttpRequest.newBuilder(URI.create("$url/v1/settings"))
            .header("Authorization", "Bearer $token")
            .header("Content-Type", "application/json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString("""{"highlights_on":true,"onboarding_completed":true}"""))
            .build()
        val resp = http.send(req, HttpResponse.BodyHandlers.ofString())
        check(resp.statusCode() == 200) { "settings: ${resp.statusCode()} ${resp.body()}" }
    }

    fun get(path: String, token: String?): HttpResponse<String> {
        val b = HttpRequest.newBuilder(URI.create(url + path)).GET()
        if (token != null) b.header("Authorization", "Bearer $token")
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString())
    }

    /**
     * Ingests ended LIVEs `<seller>-000`… one hour apart, each 30 minutes long with two products,
     * titled as a seller titles them ([titles], then [TITLES] in turn; a blank one is sent without).
     * LIVE ids are global on the server, so each seller gets its own.
     */
    fun lives(seller: String, count: Int, t0: Long = T0, titles: List<String> = emptyList()) {
        val events = (0 until count).flatMap { i ->
            val id = "$seller-%03d".format(i)
            val start = t0 + i * 3_600_000L
            val title = titles.getOrNull(i) ?: TITLES[i % TITLES.size]
            listOf(
                if (title.isBlank()) """{"ts_ms":$start,"live_id":"$id","type":"live_start"}"""
                else """{"ts_ms":$start,"live_id":"$id","type":"live_start","title":"$title"}""",
                """{"ts_ms":${start + 1000},"live_id":"$id","type":"product_pin","product_id":"sku-1","name":"Serum"}""",
                """{"ts_ms":${start + 2000},"live_id":"$id","type":"product_pin","product_id":"sku-2","name":"Lip tint"}""",
                """{"ts_ms":${start + 1_800_000},"live_id":"$id","type":"live_end"}""",
            )
        }
        val body = """{"seller_id":"$seller","events":[${events.joinToString(",")}]}"""
        val resp = post("/v1/ingest/events", serviceToken, body)
        check(resp.statusCode() == 200) { "ingest: ${resp.statusCode()} ${resp.body()}" }
    }

    /**
     * Ingests one shoppable LIVE [live] of [seller] that started [minutes] minutes before [nowMs]
     * and is still on: a steady chat of a few hundred viewers, products pinned in turn, and a
     * burst of reactions, clicks, carts and orders at each of [bursts] (minutes into it, and a
     * strength: 1 is about 6 reactions a second).
     */
    fun ongoingLive(seller: String, live: String, nowMs: Long, minutes: Int, bursts: List<Pair<Double, Double>>, products: List<Pair<String, String>>) {
        val rng = java.util.Random(live.hashCode().toLong())
        val start = nowMs - minutes * 60_000L
        val events = mutableListOf<String>()
        fun ev(ts: Long, type: String, extra: String = "") =
            events.add("""{"ts_ms":$ts,"live_id":"$live","type":"$type"${if (extra.isEmpty()) "" else ",$extra"}}""")
        ev(start, "live_start", "\"title\":\"Skincare night\"")
        repeat(300) { ev(start + 500 + it, "viewer_join") }
        val calm = listOf("hi from jakarta", "what shade is this?", "price?", "is it for oily skin", "shipping to bandung?", "hello kak")
        val wow = listOf("WOW", "omg want!!", "checkout now", "so cheap", "add to cart done", "😍😍", "mau kak")
        val pinEvery = minutes * 60_000L / products.size
        for (second in 0 until minutes * 60) {
            val ts = start + 1_000L + second * 1_000L
            val product = products[minOf(products.size - 1, ((ts - start) / pinEvery).toInt())]
            if (second % (pinEvery / 1_000) == 0L) ev(ts, "product_pin", "\"product_id\":\"${product.first}\",\"name\":\"${product.second}\"")
            val burst = bursts.firstOrNull { (b, _) -> (ts - start) in (b * 60_000).toLong() until (b * 60_000).toLong() + 25_000 }
            if (burst != null) {
                val strength = burst.second
                repeat(maxOf(1, (6 * strength).toInt())) { ev(ts + it * 150, "comment", "\"user\":\"fan${rng.nextInt(5000)}\",\"text\":\"${wow[rng.nextInt(wow.size)]}\"") }
                ev(ts + 100, "like", "\"count\":${(40 * strength).toInt() + 1}")
                repeat(maxOf(1, (3 * strength).toInt())) { ev(ts + 200 + it, "product_click", "\"product_id\":\"${product.first}\"") }
                ev(ts + 300, "add_to_cart", "\"product_id\":\"${product.first}\"")
                if (second % 2 == 0) ev(ts + 400, "order", "\"product_id\":\"${product.first}\",\"quantity\":1,\"amount_cents\":129000")
                ev(ts + 500, "viewer_join")
            } else {
                if (rng.nextInt(4) == 0) ev(ts, "comment", "\"user\":\"viewer${rng.nextInt(300)}\",\"text\":\"${calm[rng.nextInt(calm.size)]}\"")
                if (rng.nextInt(10) == 0) ev(ts + 10, "like", "\"count\":1")
                if (rng.nextInt(30) == 0) ev(ts + 20, "product_click", "\"product_id\":\"${product.first}\"")
            }
        }
        events.chunked(2_000).forEach { chunk ->
            val resp = post("/v1/ingest/events", serviceToken, """{"seller_id":"$seller","events":[${chunk.joinToString(",")}]}""")
            check(resp.statusCode() == 200) { "ingest: ${resp.statusCode()} ${resp.body()}" }
        }
    }

    /**
     * The recorder's part: [seconds] of a test pattern (ffmpeg's testsrc and a tone, 180x320,
     * 6-second MPEG-TS segments, as the server's own test pattern) sent as [live]'s recording
     * from [startMs], so that the server can cut and render videos and make storyboards of it.
     */
    fun recording(live: String, startMs: Long, seconds: Int) {
        val dir = Files.createTempDirectory("highlights-recording")
        try {
            val ffmpeg = ProcessBuilder(
                "ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=s=180x320:r=10:d=$seconds",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:d=$seconds",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-force_key_frames", "expr:gte(t,n_forced*6)",
                "-c:a", "mp2", "-b:a", "128k", "-f", "segment", "-segment_time", "6", "-reset_timestamps", "1", "seg%04d.ts",
            ).directory(dir.toFile()).redirectErrorStream(true).start()
            val log = ffmpeg.inputStream.bufferedReader().readText()
            check(ffmpeg.waitFor() == 0) { "ffmpeg: $log" }
            Files.list(dir).use { it.sorted().toList() }.forEachIndexed { i, segment ->
                val req = HttpRequest.newBuilder(URI.create("$url/v1/ingest/lives/$live/segments?start_ms=${startMs + i * 6_000L}"))
                    .header("Authorization", "Bearer $serviceToken")
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofFile(segment))
                    .build()
                val resp = http.send(req, HttpResponse.BodyHandlers.ofString())
                check(resp.statusCode() == 200) { "segment $i: ${resp.statusCode()} ${resp.body()}" }
            }
        } finally {
            dir.toFile().deleteRecursively()
        }
    }

    /** Reports viewer events on posted videos as the platform does ([events]: JSON objects). */
    fun viewerEvents(vararg events: String) {
        val resp = post("/v1/ingest/viewer-events", serviceToken, """{"events":[${events.joinToString(",")}]}""")
        check(resp.statusCode() == 200 && resp.body().contains("\"skipped\":0")) { "viewer events: ${resp.statusCode()} ${resp.body()}" }
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
        /** A loopback port nothing listens on right now. */
        fun freePort(): Int = ServerSocket(0).use { it.localPort }

        /** The data-privacy text this backend serves, unlike the server's default. */
        const val PRIVACY_NOTICE = "This backend reads the chat, reactions, viewers joining, product clicks and orders of your shoppable LIVEs, and the recording's speech, sound and scenes when it cuts a clip."
        const val T0 = 1_793_491_200_000L
        /** LIVE titles as sellers write them. */
        val TITLES = listOf("Weekend serum sale", "Lip tint try-on", "Skincare night and Q&A", "Flash deals hour")
        /** The limits this backend serves, none of them the server's default. */
        const val MAX_PER_LIVE = 7
        const val MAX_PER_PRODUCT = 2
        const val POST_DELAY_S = 90
        /** Seconds a "remove all" waits on the device, undoable. */
        const val UNDO_WINDOW_S = 6
    }
}
