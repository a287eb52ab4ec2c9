package live.highlights.app

import android.content.Context
import android.graphics.BitmapFactory
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.asImageBitmap

/** The Android side of [Shell]: string resources, the activity's back dispatcher, BitmapFactory. */
class AndroidShell(private val context: Context) : Shell {
    override val locale: java.util.Locale get() = context.resources.configuration.locales[0]

    // By name, so the shared screens need no generated R class; every name is checked on the
    // desktop build against both locales, so a missing one fails the tests, not the seller.
    @android.annotation.SuppressLint("DiscouragedApi")
    override fun text(key: String, vararg args: Any): String {
        val id = context.resources.getIdentifier(key, "string", context.packageName)
        require(id != 0) { "missing string resource $key" }
        return context.getString(id, *args)
    }

    @Composable
    override fun BackHandler(enabled: Boolean, onBack: () -> Unit) =
        androidx.activity.compose.BackHandler(enabled, onBack)

    override fun decodeImage(bytes: ByteArray): ImageBitmap? =
        BitmapFactory.decodeByteArray(bytes, 0, bytes.size)?.asImageBitmap()
}
