package live.highlights.desktop

import java.io.File
import java.util.Locale
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/** Every text the screens use exists in every locale, with the same placeholders; plurals too. */
class StringsTest {
    private val sources = File(System.getProperty("highlights.screens.src")).walk().filter { it.extension == "kt" }.map { it.readText() }.toList()

    // Literal keys (tr("…"), shell.text("…")) and the refusals' keys, one per InputProblem.
    private val used: Set<String> = sources
        .flatMap { Regex("""\b(?:tr|text)\("([a-z0-9_]+)"\s*[,)]""").findAll(it).map { m -> m.groupValues[1] } }
        .toSet() + uniffi.highlights_ffi.InputProblem.entries.map { "problem_" + it.name.lowercase() }

    // Literal plural keys: plural("…", count, …).
    private val usedPlurals: Set<String> = sources
        .flatMap { Regex("""\bplural\("([a-z0-9_]+)"\s*,""").findAll(it).map { m -> m.groupValues[1] } }
        .toSet()

    private fun placeholders(s: String) = Regex("""%\d+\$[sd]""").findAll(s).map { it.value }.sorted().toList()

    private val en = AndroidStrings.read("values/strings.xml")!!
    private val id = AndroidStrings.read("values-in/strings.xml")!!
    private val enPlurals = AndroidStrings.readPlurals("values/strings.xml")!!
    private val idPlurals = AndroidStrings.readPlurals("values-in/strings.xml")!!

    @Test
    fun `the screens use only defined strings, and Indonesian is complete`() {
        assertTrue(used.size >= 100, "found ${used.size} strings in the screens")
        assertEquals(emptySet(), used - en.keys, "used but not defined")
        assertEquals(emptySet(), en.keys - used, "defined but never used")
        assertEquals(en.keys, id.keys, "Indonesian keys")
        en.forEach { (k, v) -> assertEquals(placeholders(v), placeholders(id.getValue(k)), "placeholders of $k") }
        assertTrue(en.count { (k, v) -> id[k] != v } > 100, "Indonesian is translated, not copied")
        // Every one formats in both languages.
        listOf(Locale.ENGLISH, Locale.forLanguageTag("id")).forEach { locale ->
            val shell = DesktopShell(locale)
            en.forEach { (k, v) -> shell.text(k, *placeholders(v).map { if (it.endsWith("d")) 3 else "x" }.toTypedArray()) }
        }
    }

    @Test
    fun `plurals - English has one and other, Indonesian other, same placeholders, chosen by count`() {
        assertTrue(usedPlurals.size >= 30, "found ${usedPlurals.size} plurals in the screens")
        assertEquals(emptySet(), usedPlurals - enPlurals.keys, "used but not defined")
        assertEquals(emptySet(), enPlurals.keys - usedPlurals, "defined but never used")
        assertEquals(enPlurals.keys, idPlurals.keys, "Indonesian plurals")
        assertEquals(emptySet(), enPlurals.keys intersect en.keys, "a name is a string or a plural, not both")
        enPlurals.forEach { (k, forms) ->
            assertEquals(setOf("one", "other"), forms.keys, "English forms of $k")
            assertEquals(setOf("other"), idPlurals.getValue(k).keys, "Indonesian forms of $k (the language has no plural)")
            val other = placeholders(forms.getValue("other"))
            assertEquals(other, placeholders(idPlurals.getValue(k).getValue("other")), "placeholders of $k")
            assertTrue(other.containsAll(placeholders(forms.getValue("one"))), "the one-form of $k uses only the other's placeholders")
        }
        listOf(Locale.ENGLISH, Locale.forLanguageTag("id")).forEach { locale ->
            val shell = DesktopShell(locale)
            enPlurals.forEach { (k, forms) ->
                val args = placeholders(forms.getValue("other")).map { if (it.endsWith("d")) 3 else "x" }.toTypedArray()
                listOf(0, 1, 2, 21).forEach { n -> shell.plural(k, n, *args) }
            }
        }
        val english = DesktopShell(Locale.ENGLISH)
        assertEquals("1 video", english.plural("videos_count", 1, 1))
        assertEquals("2 videos", english.plural("videos_count", 2, 2))
        assertEquals("Only LIVEs that show your ticked product.", english.plural("which_lives_some", 1, 1))
        assertEquals("Only LIVEs that show one of your 3 ticked products.", english.plural("which_lives_some", 3, 3))
        val indonesian = DesktopShell(Locale.forLanguageTag("id"))
        assertEquals("1 video", indonesian.plural("videos_count", 1, 1))
        assertEquals("5 video", indonesian.plural("videos_count", 5, 5))
    }

    @Test
    fun `numbers and their units never part across lines`() {
        val units = Regex("""%\d+\$[sd] (s|min|h|K|M|B|dtk|mnt|menit|j|rb|jt)\b""")
        val all = (en.entries + id.entries).map { it.key to it.value } +
            (enPlurals.entries + idPlurals.entries).flatMap { (k, forms) -> forms.values.map { k to it } }
        val broken = all.filter { (_, v) -> units.containsMatchIn(v) }
        assertEquals(emptyList(), broken, "a unit joined to its number by a plain space")
        assertTrue(all.count { (_, v) -> '\u00A0' in v } >= 20, "units are joined with non-breaking spaces")
    }
}
