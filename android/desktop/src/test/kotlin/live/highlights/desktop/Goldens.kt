package live.highlights.desktop

import androidx.compose.ui.platform.LocalFocusManager
import androidx.compose.ui.test.runDesktopComposeUiTest
import java.awt.image.BufferedImage
import java.io.File
import java.util.Locale
import java.util.TimeZone
import javax.imageio.IIOImage
import javax.imageio.ImageIO
import javax.imageio.ImageWriteParam
import kotlin.math.abs
import live.highlights.app.ImageCache

/**
 * The visual regression's tolerance. A pixel counts as changed when one of its channels moves by
 * more than [CHANNEL_TOLERANCE] of 255: what may differ on another machine with the same JDK and
 * Skiko is the rounding of anti-aliased edges and scaled thumbnails (Skia picks its SIMD path at run
 * time), a few counts, while the fonts are bundled so glyphs stay the same. A picture fails when
 * more than [MAX_CHANGED_FRACTION] of its pixels changed: 0.005 %, 18 pixels of a 412x892 phone
 * frame, about half of what one changed digit of 12 sp text draws (measured by GoldenTest: 34 pixels
 * for a digit of a card's view pill, 71 for one of a result tile). A coarser rule such as 0.5 %
 * (1,837 pixels) would let a wrong number or a lost word through.
 */
object Tolerance {
    /** Largest change of one channel (0-255) that is still the same pixel. */
    const val CHANNEL_TOLERANCE = 16

    /** Largest share of changed pixels that is still the same picture. */
    const val MAX_CHANGED_FRACTION = 0.00005
}

/** How two pictures differ: [changed] pixels of [total]; [sizeMismatch] when they are not the same size. */
data class Comparison(val changed: Int, val total: Int, val sizeMismatch: Boolean, val diff: BufferedImage?) {
    /** True when the pictures are the same within [Tolerance]. */
    val same: Boolean get() = !sizeMismatch && changed <= (total * Tolerance.MAX_CHANGED_FRACTION).toInt()

    /** The share of pixels changed, for messages. */
    val fraction: Double get() = if (total == 0) 1.0 else changed.toDouble() / total

    override fun toString() =
        if (sizeMismatch) "a different size" else "%d of %d pixels changed (%.4f %%, tolerance %.4f %%)".format(changed, total, fraction * 100, Tolerance.MAX_CHANGED_FRACTION * 100)
}

/** Compares [actual] with [expected] per [Tolerance]; the diff shows the actual faded, changed pixels in red. */
fun compareImages(expected: BufferedImage, actual: BufferedImage): Comparison {
    if (expected.width != actual.width || expected.height != actual.height) return Comparison(0, actual.width * actual.height, true, null)
    val w = actual.width
    val h = actual.height
    val diff = BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB)
    var changed = 0
    for (y in 0 until h) {
        for (x in 0 until w) {
            val a = expected.getRGB(x, y)
            val b = actual.getRGB(x, y)
            val delta = maxOf(channel(a, 24, b), channel(a, 16, b), channel(a, 8, b), channel(a, 0, b))
            if (delta > Tolerance.CHANNEL_TOLERANCE) {
                changed++
                diff.setRGB(x, y, 0xFFFF0000.toInt())
            } else {
                // Faded to a quarter, so that the red marks stand out on a picture still readable.
                val grey = ((b shr 16 and 0xFF) + (b shr 8 and 0xFF) + (b and 0xFF)) / 3
                val g = 192 + grey / 4
                diff.setRGB(x, y, (0xFF shl 24) or (g shl 16) or (g shl 8) or g)
            }
        }
    }
    return Comparison(changed, w * h, false, diff)
}

private fun channel(a: Int, shift: Int, b: Int) = abs((a shr shift and 0xFF) - (b shr shift and 0xFF))

/**
 * Where goldens live and what a run does with them: `-Dhighlights.goldens=all` checks every
 * variant (CI checks [Variant.ci]), `-Dhighlights.goldens.update=true` writes the pictures as the
 * new goldens instead of comparing (scripts/goldens.sh). A failure leaves `<name>-actual.png` and
 * `<name>-diff.png` in target/goldens.
 */
object Goldens {
    /** The committed goldens. */
    val dir = File(System.getProperty("highlights.goldens.dir") ?: "src/test/resources/goldens")

    /** Where a failed comparison leaves its actual picture and its diff. */
    val failures = File(System.getProperty("highlights.goldens.failures") ?: "target/goldens")

    /** True when this run writes goldens rather than checking them. */
    val update: Boolean = System.getProperty("highlights.goldens.update").toBoolean()

    /** The variants this run covers. */
    val variants: List<Variant> = if (System.getProperty("highlights.goldens") == "all" || update) Variant.all else Variant.ci

    /** The golden file of [scene] in [variant]. */
    fun file(scene: String, variant: Variant) = File(dir, "$scene-${variant.name}.png")

    /**
     * Checks [rendered] against the golden [name] (writes it when updating); fails on a missing golden
     * or a real change, leaving the actual picture and the diff in [failures].
     */
    fun check(name: String, rendered: BufferedImage) {
        val actual = opaque(rendered)
        val golden = File(dir, "$name.png")
        if (update) {
            dir.mkdirs()
            writeSmallPng(actual, golden)
            return
        }
        failures.mkdirs()
        val actualFile = File(failures, "$name-actual.png")
        if (!golden.exists()) {
            ImageIO.write(actual, "png", actualFile)
            throw AssertionError("no golden $golden (the picture is in $actualFile): run scripts/goldens.sh to make it")
        }
        val result = compareImages(ImageIO.read(golden), actual)
        if (!result.same) {
            ImageIO.write(actual, "png", actualFile)
            result.diff?.let { ImageIO.write(it, "png", File(failures, "$name-diff.png")) }
            throw AssertionError("$name differs from its golden: $result; see $actualFile and its -diff.png, or run scripts/goldens.sh if the change is meant")
        }
    }
}

/** Writes [image] as a PNG at the best deflate level: goldens are committed, so bytes count more than seconds. */
fun writeSmallPng(image: BufferedImage, file: File) {
    val writer = ImageIO.getImageWritersByFormatName("png").next()
    val param = writer.defaultWriteParam.apply {
        compressionMode = ImageWriteParam.MODE_EXPLICIT
        compressionQuality = 0f
    }
    file.delete()
    ImageIO.createImageOutputStream(file).use { out ->
        writer.output = out
        writer.write(null, IIOImage(image, null, null), param)
    }
    writer.dispose()
}

/** [image] without its alpha channel (every scene is opaque): a quarter smaller as PNG, the same pixels. */
fun opaque(image: BufferedImage): BufferedImage {
    if (image.type == BufferedImage.TYPE_INT_RGB) return image
    val rgb = BufferedImage(image.width, image.height, BufferedImage.TYPE_INT_RGB)
    rgb.setRGB(0, 0, image.width, image.height, image.getRGB(0, 0, image.width, image.height, null, 0, image.width), 0, image.width)
    return rgb
}

/** Pictures of scenes: one shell per language and one image cache holding every fixture, decoded once. */
class SceneRenderer {
    private val shells = HashMap<String, DesktopShell>()

    /** The shell of [language], its strings read once. */
    fun shell(language: String): DesktopShell = shells.getOrPut(language) { DesktopShell(Locale.forLanguageTag(language)) }

    /** An image cache with every fixture decoded and cached (decoding does not depend on the language). */
    val images: ImageCache by lazy { Fixtures.images(shell("en")).also { Fixtures.warm(it) } }

    /** [scene] in [variant] at phone size, as pixels, in UTC and a US default locale so that clocks, day headers and digits never move. */
    fun render(scene: Scene, variant: Variant): BufferedImage = pinned {
        val shell = shell(variant.language)
        var picture: BufferedImage? = null
        runDesktopComposeUiTest(PHONE_WIDTH, PHONE_HEIGHT) {
            setContent {
                focusManager = LocalFocusManager.current
                SceneFrame(shell, images, variant.dark, variant.fontScale) { scene.content() }
            }
            waitForIdle()
            scene.act(this, shell)
            picture = cleanCapture()
        }
        picture!!
    }

    private fun <T> pinned(block: () -> T): T {
        val zone = TimeZone.getDefault()
        val locale = Locale.getDefault()
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"))
        Locale.setDefault(Locale.US)
        try {
            return block()
        } finally {
            TimeZone.setDefault(zone)
            Locale.setDefault(locale)
        }
    }
}
