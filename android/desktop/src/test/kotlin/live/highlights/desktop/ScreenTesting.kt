package live.highlights.desktop

import androidx.compose.ui.graphics.toAwtImage
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.DesktopComposeUiTest
import androidx.compose.ui.test.SemanticsNodeInteraction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.onFirst
import androidx.compose.ui.test.performClick
import java.io.File
import java.nio.file.Files
import javax.imageio.ImageIO
import live.highlights.HighlightsClient
import live.highlights.TestBackend

/** A phone-sized frame, in dp (the scenes render at density 1, so also in pixels). */
const val PHONE_WIDTH = 412
const val PHONE_HEIGHT = 892

private const val WAIT_MS = 15_000L

/** Opens a client of [seller] against [backend] with a fresh on-disk cache. */
fun client(backend: TestBackend, seller: String, token: () -> String?): HighlightsClient {
    val db = Files.createTempDirectory("highlights-ui").resolve("highlights.db")
    return HighlightsClient.open(db.toString(), seller, backend.url, token)
}

/** Waits until a node showing [text] (a substring with [substring]) is on screen; returns the first. */
fun ComposeUiTest.seeText(text: String, substring: Boolean = false): SemanticsNodeInteraction {
    waitOrShow("\"$text\" on screen") { onAllNodes(hasText(text, substring = substring)).fetchSemanticsNodes().isNotEmpty() }
    return onAllNodes(hasText(text, substring = substring)).onFirst()
}

/** Waits until nothing shows [text]. */
fun ComposeUiTest.seeNoText(text: String, substring: Boolean = false) =
    waitOrShow("\"$text\" gone") { onAllNodes(hasText(text, substring = substring)).fetchSemanticsNodes().isEmpty() }

/** Waits for a node described as [label] (content description) and returns it. */
fun ComposeUiTest.seeLabel(label: String, substring: Boolean = false): SemanticsNodeInteraction {
    waitOrShow("\"$label\" on screen") {
        onAllNodes(hasContentDescription(label, substring = substring)).fetchSemanticsNodes().isNotEmpty()
    }
    return onAllNodes(hasContentDescription(label, substring = substring)).onFirst()
}

/** Clicks what shows [text], as a seller's tap. */
fun ComposeUiTest.tap(text: String, substring: Boolean = false) {
    seeText(text, substring).performClick()
}

/** Clicks what is described as [label] (icon buttons, switches), as a seller's tap. */
fun ComposeUiTest.tapLabel(label: String, substring: Boolean = false) {
    seeLabel(label, substring).performClick()
}

/** Waits until [condition] holds, for state outside the screen (the server's answer). */
fun ComposeUiTest.eventually(what: String, condition: () -> Boolean) = waitOrShow(what, condition)

/** Waits for [condition]; on timeout, saves what was on screen as `failed-<what>.png` next to the screenshots. */
private fun ComposeUiTest.waitOrShow(what: String, condition: () -> Boolean) {
    try {
        waitUntil(what, WAIT_MS, condition)
    } catch (e: androidx.compose.ui.test.ComposeTimeoutException) {
        (this as? DesktopComposeUiTest)?.let { runCatching { it.screenshot("failed-" + what.filter(Char::isLetterOrDigit).take(40)) } }
        throw e
    }
}

/** Saves the whole scene, overlays included, as `<name>.png` in the screenshots directory. */
fun DesktopComposeUiTest.screenshot(name: String): File {
    waitForIdle()
    val dir = File(System.getProperty("highlights.screenshots") ?: "target/screenshots").apply { mkdirs() }
    val file = File(dir, "$name.png")
    check(ImageIO.write(captureToImage().toAwtImage(), "png", file)) { "no PNG writer" }
    return file
}
