package live.highlights

import java.io.BufferedReader
import java.io.BufferedWriter

/**
 * The fault-injecting proxy (the Rust suites' own, run as the `fault_proxy` process) in front of
 * [upstream]: each [plan]ned fault breaks the next request in its own way (`reset`, `truncate`,
 * `huge 20000000`, `forward-then-status 502`…); with none planned, requests pass.
 */
class TestFaultProxy(upstream: String) : AutoCloseable {
    private val bin: String = System.getProperty("highlights.fault-proxy.bin")
        ?: error("system property highlights.fault-proxy.bin is not set")
    private val process: Process = ProcessBuilder(bin, upstream).redirectError(ProcessBuilder.Redirect.INHERIT).start()
    private val answers: BufferedReader = process.inputStream.bufferedReader()
    private val commands: BufferedWriter = process.outputStream.bufferedWriter()

    /** Where clients connect. */
    val url: String = answers.readLine()?.removePrefix("listening on ") ?: error("the fault proxy did not start")

    private fun ask(command: String): String {
        commands.write(command)
        commands.newLine()
        commands.flush()
        return answers.readLine() ?: error("the fault proxy stopped")
    }

    /** Queues [faults] for the next requests, in order. */
    fun plan(vararg faults: String) {
        for (f in faults) check(ask(f).startsWith("queued")) { "the fault proxy refused $f" }
    }

    /** Requests it has seen. */
    fun requests(): Long = ask("requests").removePrefix("requests ").toLong()

    /** Bytes on the wire so far, both ways. */
    fun bytes(): Long = ask("bytes").removePrefix("bytes ").split(' ').sumOf { it.toLong() }

    override fun close() {
        runCatching { commands.close() }
        process.destroy()
    }
}
