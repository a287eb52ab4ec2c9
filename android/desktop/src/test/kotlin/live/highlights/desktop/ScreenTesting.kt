package live.highlights.desktop

import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.graphics.toAwtImage
import androidx.compose.ui.semantics.SemanticsActions
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.DesktopComposeUiTest
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.SemanticsNodeInteraction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasScrollAction
import androidx.compose.ui.test.isRoot
import androidx.compose.ui.test.onFirst
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performMouseInput
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performSemanticsAction
import java.awt.image.BufferedImage
import java.io.File
import java.nio.file.Files
import javax.imageio.ImageIO
import androidx.compose.ui.platform.LocalFocusManager
import androidx.compose.ui.test.runDesktopComposeUiTest
import java.util.Locale
import kotlinx.coroutines.runBlocking
import live.highlights.HighlightsClient
import live.highlights.app.HighlightsRoot
import live.highlights.TestBackend

/** A phone-sized frame, in dp (the scenes render at density 1, so also in pixels). */
const val PHONE_WIDTH = 412
const val PHONE_HEIGHT = 892

private const val WAIT_MS = 15_000L

/** Opens a client of [seller] against [backend] with a fresh on-disk cache. */
fun client(backend: TestBackend, seller: String, token: () -> String?): HighlightsClient {
    val db = Files.createTempDirectory("highlights-ui").resolve("highlights.db")
    return HighlightsClient.open(db.toString(), seller, backend.url, token = token)
}

/**
 * A node showing [text] (containing it with [substring]), as a seller reads it: the screens join
 * numbers to their units with non-breaking spaces, which read here as spaces.
 */
fun hasTextAsRead(text: String, substring: Boolean = false): SemanticsMatcher =
    SemanticsMatcher("shows \"$text\"" + if (substring) " (substring)" else "") { node ->
        val texts = node.config.getOrNull(SemanticsProperties.Text).orEmpty().map { it.text } +
            listOfNotNull(node.config.getOrNull(SemanticsProperties.EditableText)?.text)
        texts.any { t -> asRead(t).let { if (substring) it.contains(text) else it == text } }
    }

/** [text] with its non-breaking spaces as plain ones. */
fun asRead(text: String): String = text.replace('\u00A0', ' ').replace('\u202F', ' ')

/** Waits until a node showing [text] (a substring with [substring]) is on screen; returns the first. */
fun ComposeUiTest.seeText(text: String, substring: Boolean = false): SemanticsNodeInteraction {
    waitOrShow("\"$text\" on screen") { onAllNodes(hasTextAsRead(text, substring)).fetchSemanticsNodes().isNotEmpty() }
    return onAllNodes(hasTextAsRead(text, substring)).onFirst()
}

/** Waits until nothing shows [text]. */
fun ComposeUiTest.seeNoText(text: String, substring: Boolean = false) =
    waitOrShow("\"$text\" gone") { onAllNodes(hasTextAsRead(text, substring)).fetchSemanticsNodes().isEmpty() }

/**
 * Scrolls the screen (lazy grids and lists compose only what is in view) until a node matching
 * [matcher] is there, down first, then up; returns it, or fails with a picture of the screen.
 */
fun ComposeUiTest.reveal(matcher: SemanticsMatcher, what: String = matcher.description): SemanticsNodeInteraction {
    for (step in 0 until 36) {
        waitForIdle()
        if (onAllNodes(matcher).fetchSemanticsNodes().isNotEmpty()) break
        val by = if (step < 12) 350f else -350f
        val scrollables = onAllNodes(hasScrollAction()).fetchSemanticsNodes().size
        for (i in 0 until scrollables) {
            runCatching { onAllNodes(hasScrollAction())[i].performSemanticsAction(SemanticsActions.ScrollBy) { it(0f, by) } }
        }
    }
    waitOrShow("$what revealed") { onAllNodes(matcher).fetchSemanticsNodes().isNotEmpty() }
    // Composed is not yet in view (a lazy grid composes a row that is only partly shown).
    runCatching { onAllNodes(matcher).onFirst().performScrollTo() }
    return onAllNodes(matcher).onFirst()
}

/** Scrolls to the node showing [text] and returns it. */
fun ComposeUiTest.revealText(text: String, substring: Boolean = false) = reveal(hasTextAsRead(text, substring), "\"$text\"")

/** Scrolls to the node described as [label] and returns it. */
fun ComposeUiTest.revealLabel(label: String, substring: Boolean = false) = reveal(hasContentDescription(label, substring = substring), "\"$label\"")

/** The text a node shows, as read. */
fun SemanticsNodeInteraction.textAsRead(): String =
    asRead(fetchSemanticsNode().config.getOrNull(SemanticsProperties.Text).orEmpty().joinToString(" ") { it.text })

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

/** The focus of the scene under test, so that a picture shows no focus ring left by the last tap. */
var focusManager: androidx.compose.ui.focus.FocusManager? = null

/** Saves the whole scene, overlays included, as `<name>.png` in the screenshots directory, without hover or focus marks. */
fun DesktopComposeUiTest.screenshot(name: String): File {
    val dir = File(System.getProperty("highlights.screenshots") ?: "target/screenshots").apply { mkdirs() }
    val file = File(dir, "$name.png")
    check(ImageIO.write(cleanCapture(), "png", file)) { "no PNG writer" }
    return file
}

/** The whole scene, overlays included, as pixels, without hover or focus marks. */
fun DesktopComposeUiTest.cleanCapture(): BufferedImage {
    // Taps are mouse clicks here: the pointer stays over what was clicked and keeps its hover
    // halo; it enters each root's far corner and leaves, so nothing is hovered in the picture.
    val roots = onAllNodes(isRoot()).fetchSemanticsNodes().size
    for (i in 0 until roots) {
        runCatching { onAllNodes(isRoot())[i].performMouseInput { enter(Offset(width - 1f, height - 1f)); exit(Offset(width - 1f, height - 1f)) } }
    }
    runOnIdle { focusManager?.clearFocus(force = true) }
    waitForIdle()
    return captureToImage().toAwtImage()
}

/**
 * Runs [body] on the real screens of [seller] (a fresh cache, synced once, background sync on as
 * the Android activity has it while started) against [backend].
 */
fun screens(
    backend: TestBackend, seller: String, token: String, dark: Boolean = false, locale: Locale = Locale.ENGLISH,
    body: DesktopComposeUiTest.(HighlightsClient, DesktopShell) -> Unit,
) {
    val client = client(backend, seller) { token }
    val shell = DesktopShell(locale)
    try {
        runBlocking { client.syncNow() }
        // As the Android activity does while started: queued actions go out at once.
        client.startBackgroundSync()
        runDesktopComposeUiTest(PHONE_WIDTH, PHONE_HEIGHT) {
            setContent {
                focusManager = LocalFocusManager.current
                HighlightsRoot(client, shell, dark)
            }
            body(client, shell)
        }
    } finally {
        client.close()
    }
}

/** Polls [condition] (state outside any screen) until it holds, or fails after [timeoutMs]. */
fun waitFor(what: String, timeoutMs: Long, condition: () -> Boolean) {
    val deadline = System.currentTimeMillis() + timeoutMs
    while (!condition()) {
        check(System.currentTimeMillis() < deadline) { "timed out waiting for $what" }
        Thread.sleep(500)
    }
}

/** Where a highlight sits in its recording, as the screens say it: "m:ss–m:ss". */
fun offsetRange(t0: Long, start: Long, end: Long) = live.highlights.app.offset(start - t0) + "–" + live.highlights.app.offset(end - t0)
