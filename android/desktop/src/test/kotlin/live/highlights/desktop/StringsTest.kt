package live.highlights.desktop

import java.io.File
import java.util.Locale
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/** Every text the screens use exists in every locale, with the same placeholders. */
class StringsTest {
    // Literal keys (tr("…"), shell.text("…")) and the refusals' keys, one per InputProblem.
    private val used: Set<String> = File(System.getProperty("highlights.screens.src")).walk()
        .filter { it.extension == "kt" }
        .flatMap { Regex("""\b(?:tr|text)\("([a-z0-9_]+)"\s*[,)]""").findAll(it.readText()).map { m -> m.groupValues[1] } }
        .toSet() + uniffi.highlights_ffi.InputProblem.entries.map { "problem_" + it.name.lowercase() }

    private fun placeholders(s: String) = Regex("""%\d+\$[sd]""").findAll(s).map { it.value }.sorted().toList()

    @Test
    fun `the screens use only defined strings, and Indonesian is complete`() {
        assertTrue(used.size >= 40, "found ${used.size} strings in the screens")
        val en = AndroidStrings.read("values/strings.xml")!!
        val id = AndroidStrings.read("values-in/strings.xml")!!
        assertEquals(emptySet(), used - en.keys, "used but not defined")
        assertEquals(emptySet(), en.keys - used, "defined but never used")
        assertEquals(en.keys, id.keys, "Indonesian keys")
        en.forEach { (k, v) -> assertEquals(placeholders(v), placeholders(id.getValue(k)), "placeholders of $k") }
        assertTrue(en.count { (k, v) -> id[k] != v } > 40, "Indonesian is translated, not copied")
        // Every one formats in both languages.
        listOf(Locale.ENGLISH, Locale.forLanguageTag("id")).forEach { locale ->
            val shell = DesktopShell(locale)
            en.forEach { (k, v) -> shell.text(k, *placeholders(v).map { if (it.endsWith("d")) 3 else "x" }.toTypedArray()) }
        }
    }
}
