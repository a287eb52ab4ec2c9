package live.highlights.desktop

import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.TestInstance
import uniffi.highlights_core.RecordingScreen

/**
 * The visual regression: every scene of [Scenes] rendered from fixed states in each variant of this
 * run ([Goldens.variants]: CI's three by default, all eight with -Dhighlights.goldens=all) and
 * compared with its committed golden in src/test/resources/goldens within [Tolerance].
 * scripts/goldens.sh writes them all anew.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GoldenTest {
    private val renderer = SceneRenderer()

    @TestFactory
    fun `every scene matches its golden`(): List<DynamicTest> = Goldens.variants.flatMap { variant ->
        Scenes.all.map { scene ->
            DynamicTest.dynamicTest("${scene.name} ${variant.name}") {
                Goldens.check("${scene.name}-${variant.name}", renderer.render(scene, variant))
            }
        }
    }

    @Test
    fun `the same scene renders the same pixels twice`() {
        val variant = Variant.ci.first()
        val scene = Scenes.named("recording-cards")
        val comparison = compareImages(renderer.render(scene, variant), renderer.render(scene, variant))
        assertEquals(0, comparison.changed, "rendering is deterministic: $comparison")
    }

    @Test
    fun `a changed digit fails the comparison, in a big tile and in the smallest text`() {
        val variant = Variant.ci.first()
        fun changedBy(base: Scene, perturbed: RecordingScreen): Comparison {
            val scene = Scene(base.name, base.act) { Scenes.RecordingOf(perturbed) }
            return compareImages(renderer.render(base, variant), renderer.render(scene, variant))
        }
        // The orders tile: 12.3K becomes 13.3K.
        val idr = Fixtures.recordingIdr
        val tile = changedBy(Scenes.named("recording-results-idr"), idr.copy(results = idr.results.copy(orders = 13_345u)))
        // A card's view-count pill (12 sp on the thumbnail): 1.2M becomes 1.3M.
        val usd = Fixtures.recording
        val posted = usd.highlights.first()
        val pill = changedBy(
            Scenes.named("recording-cards"),
            usd.copy(highlights = listOf(posted.copy(results = posted.results!!.copy(views = 1_334_567u))) + usd.highlights.drop(1)),
        )
        println("golden perturbation: orders tile digit $tile; view pill digit $pill")
        assertFalse(tile.same, "a changed tile number must fail: $tile")
        assertFalse(pill.same, "a changed digit in a pill must fail: $pill")
    }

    @Test
    fun `a changed scene fails against its committed golden`() {
        val variant = Variant.ci.first()
        val base = Scenes.named("recording-results-idr")
        val golden = Goldens.file(base.name, variant)
        if (Goldens.update || !golden.exists()) return
        val idr = Fixtures.recordingIdr
        val perturbed = Scene(base.name, base.act) { Scenes.RecordingOf(idr.copy(results = idr.results.copy(orders = 13_345u))) }
        val comparison = compareImages(javax.imageio.ImageIO.read(golden), renderer.render(perturbed, variant))
        assertFalse(comparison.same, "against the committed golden: $comparison")
        assertTrue(compareImages(javax.imageio.ImageIO.read(golden), renderer.render(base, variant)).same, "while the scene itself matches")
    }
}
